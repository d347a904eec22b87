// The node lifecycle controllers against an in-process control plane, with nodes played by the
// test: a node whose Lease stops being renewed turns Unknown and is tainted; pods not ready,
// then evicted when their toleration runs out; pods of a deleted node removed; cordon taints.
#include "engine/api/admission/defaulttolerations.h"
#include "engine/controllers/controllermanager.h"
#include "engine/core/clock.h"
#include "inprocesscluster.h"

#include <QtTest>

#include <set>

using namespace cd;

class TestNodeLifecycle : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<QObject> m_controllers;
    std::set<std::string> m_alive;  // nodes whose lease the test renews

    void renewLeases()
    {
        for (const std::string &node : m_alive) {
            const Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                                {"kind", "Lease"},
                                {"metadata", {{"name", node}, {"namespace", "kube-node-lease"}}},
                                {"spec",
                                 {{"holderIdentity", node},
                                  {"leaseDurationSeconds", 40},
                                  {"renewTime", rfc3339Micro(Clock::current().now())}}}};
            m_cluster->update(lease);
        }
    }

    // Waits while the living nodes keep renewing.
    bool waitFor(const std::function<bool()> &predicate, int ms = 10000)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < ms) {
            renewLeases();
            if (predicate())
                return true;
            QTest::qWait(100);
        }
        return predicate();
    }

    void addNode(const std::string &name, bool alive = true)
    {
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode(name)).is_null());
        if (alive)
            m_alive.insert(name);
        renewLeases();
    }

    Json addPod(const std::string &name, const std::string &node, const Json &tolerations = Json(), bool ready = true)
    {
        Json pod = {{"apiVersion", "v1"},
                    {"kind", "Pod"},
                    {"metadata", {{"name", name}, {"namespace", "default"}}},
                    {"spec", {{"nodeName", node}, {"containers", Json::array({{{"name", "c"}, {"image", "nginx"}}})}}}};
        if (!tolerations.is_null())
            pod["spec"]["tolerations"] = tolerations;
        Json created = m_cluster->create(pod);
        if (created.is_null() || !ready)
            return created;
        // Running and Ready, as a kubelet would report it.
        created["status"]["phase"] = "Running";
        created["status"]["conditions"] = Json::array(
            {{{"type", "Ready"}, {"status", "True"}, {"lastProbeTime", nullptr}, {"lastTransitionTime", nowRfc3339()}}});
        return m_cluster->updateStatus(created);
    }

    Json node(const std::string &name) { return m_cluster->get("v1", "Node", "", name); }
    Json pod(const std::string &name) { return m_cluster->get("v1", "Pod", "default", name); }

    static bool hasTaint(const Json &node, const std::string &key, const std::string &effect)
    {
        if (const Json *taints = find(node, {"spec", "taints"}); taints && taints->is_array())
            for (const Json &t : *taints)
                if (str(t, {"key"}) == key && str(t, {"effect"}) == effect && t.contains("timeAdded"))
                    return true;
        return false;
    }

    static Json condition(const Json &object, const std::string &type)
    {
        if (const Json *list = find(object, {"status", "conditions"}); list && list->is_array())
            for (const Json &c : *list)
                if (str(c, {"type"}) == type)
                    return c;
        return Json();
    }

    bool hasEvent(const std::string &reason, const std::string &message, const std::string &component)
    {
        for (const Json &e : m_cluster->list("v1", "Event"))
            if (str(e, {"reason"}) == reason && str(e, {"message"}) == message &&
                str(e, {"source", "component"}) == component)
                return true;
        return false;
    }

private Q_SLOTS:
    void init()
    {
        m_cluster = std::make_unique<test::InProcessCluster>();
        m_controllers = std::make_unique<QObject>();
        m_alive.clear();
        controllers::ControllerOptions options;
        options.nodeMonitorGracePeriod = std::chrono::milliseconds(1500);
        options.nodeMonitorPeriod = std::chrono::milliseconds(200);
        controllers::ControllerContext context{&m_cluster->client(), &m_cluster->informers(), options,
                                               m_controllers.get()};
        controllers::startNodeLifecycleController(context);
        QVERIFY(m_cluster->startInformers());
    }
    void cleanup()
    {
        m_controllers.reset();
        m_cluster.reset();
    }

    void silentNodeTurnsUnknownAndTainted()
    {
        addNode("n1");
        addNode("n2");
        QVERIFY(waitFor([&] { return hasEvent("RegisteredNode", "Node n1 event: Registered Node n1 in Controller",
                                              "node-controller"); }));
        addPod("web", "n1");
        m_alive.erase("n1");  // n1 stops heart-beating
        QVERIFY(waitFor([&] { return condition(node("n1"), "Ready")["status"] == "Unknown"; }));
        const Json n1 = node("n1");
        const Json ready = condition(n1, "Ready");
        QCOMPARE(ready["reason"], Json("NodeStatusUnknown"));
        QCOMPARE(ready["message"], Json("Kubelet stopped posting node status."));
        QCOMPARE(condition(n1, "MemoryPressure")["status"], Json("Unknown"));
        QVERIFY(waitFor([&] {
            const Json n = node("n1");
            return hasTaint(n, "node.kubernetes.io/unreachable", "NoSchedule") &&
                   hasTaint(n, "node.kubernetes.io/unreachable", "NoExecute");
        }));
        QVERIFY(waitFor([&] { return hasEvent("NodeNotReady", "Node n1 status is now: NodeNotReady", "node-controller"); }));
        // Its pods are no longer ready (MarkPodsNotReady).
        QVERIFY(waitFor([&] { return condition(pod("web"), "Ready")["status"] == "False"; }));
        QVERIFY(waitFor([&] { return hasEvent("NodeNotReady", "Node is not ready", "node-controller"); }));
        // The healthy node stays as it is.
        QCOMPARE(condition(node("n2"), "Ready")["status"], Json("True"));
        QVERIFY(!has(node("n2"), {"spec", "taints"}));

        // Back: the kubelet posts Ready again and the taints go.
        Json back = node("n1");
        for (Json &c : back["status"]["conditions"])
            if (str(c, {"type"}) == "Ready") {
                c["status"] = "True";
                c["reason"] = "KubeletReady";
                c["lastHeartbeatTime"] = nowRfc3339();
            }
        QVERIFY(!m_cluster->updateStatus(back).is_null());
        m_alive.insert("n1");
        QVERIFY(waitFor([&] { return !has(node("n1"), {"spec", "taints"}); }));
    }

    void podsAreEvictedWhenTheirTolerationEnds()
    {
        addNode("n1");
        addNode("n2");
        const Json brief = Json::array({{{"key", "node.kubernetes.io/unreachable"},
                                         {"operator", "Exists"},
                                         {"effect", "NoExecute"},
                                         {"tolerationSeconds", 2}}});
        const Json forever = Json::array({{{"key", "node.kubernetes.io/unreachable"},
                                           {"operator", "Exists"},
                                           {"effect", "NoExecute"}}});
        addPod("brief", "n1", brief);
        addPod("forever", "n1", forever);
        addPod("elsewhere", "n2", brief);
        m_alive.erase("n1");
        QVERIFY(waitFor([&] { return hasTaint(node("n1"), "node.kubernetes.io/unreachable", "NoExecute"); }));
        QElapsedTimer since;
        since.start();
        // Deleted gracefully (no kubelet finishes it here): marked, with the reason on the pod.
        QVERIFY(waitFor([&] { return has(pod("brief"), {"metadata", "deletionTimestamp"}); }, 10000));
        QVERIFY2(since.elapsed() >= 1000, "evicted only after its toleration");
        const Json evicted = condition(pod("brief"), "DisruptionTarget");
        QCOMPARE(evicted["reason"], Json("DeletionByTaintManager"));
        QCOMPARE(evicted["message"], Json("Taint manager: deleting due to NoExecute taint"));
        QVERIFY(hasEvent("TaintManagerEviction", "Marking for deletion Pod default/brief", "taint-eviction-controller"));
        QTest::qWait(500);
        QVERIFY(!has(pod("forever"), {"metadata", "deletionTimestamp"}));
        QVERIFY(!has(pod("elsewhere"), {"metadata", "deletionTimestamp"}));
    }

    void untoleratedNoExecuteTaintEvictsAtOnce()
    {
        addNode("n1");
        addPod("plain", "n1");
        addPod("tolerant", "n1", Json::array({{{"key", "maintenance"}, {"operator", "Exists"}, {"effect", "NoExecute"}}}));
        // kubectl taint nodes n1 maintenance=now:NoExecute
        Json n1 = node("n1");
        n1["spec"]["taints"] = Json::array({{{"key", "maintenance"}, {"value", "now"}, {"effect", "NoExecute"}}});
        QVERIFY(!m_cluster->update(n1).is_null());
        QVERIFY(waitFor([&] { return has(pod("plain"), {"metadata", "deletionTimestamp"}); }, 5000));
        QTest::qWait(300);
        QVERIFY(!has(pod("tolerant"), {"metadata", "deletionTimestamp"}));
    }

    void podsOfADeletedNodeAreRemoved()
    {
        addNode("n1");
        addNode("gone");
        addPod("stranded", "gone");
        addPod("finished", "gone", Json(), false);
        addPod("safe", "n1");
        QVERIFY(m_cluster->remove("v1", "Node", "", "gone"));
        QVERIFY(waitFor([&] { return pod("stranded").is_null() && pod("finished").is_null(); }, 10000));
        QVERIFY(!pod("safe").is_null());
        QVERIFY(waitFor([&] { return hasEvent("RemovingNode", "Node gone event: Removing Node gone from Controller",
                                              "node-controller"); }));
    }

    void cordonedNodesGetTheUnschedulableTaint()
    {
        addNode("n1");
        QVERIFY(!m_cluster->patch("v1", "Node", "", "n1", {{"spec", {{"unschedulable", true}}}}).is_null());
        QVERIFY(waitFor([&] { return hasTaint(node("n1"), "node.kubernetes.io/unschedulable", "NoSchedule"); }));
        QVERIFY(!m_cluster->patch("v1", "Node", "", "n1", {{"spec", {{"unschedulable", nullptr}}}}).is_null());
        QVERIFY(waitFor([&] { return !has(node("n1"), {"spec", "taints"}); }));
    }

    void admissionAddsDefaultTolerations()
    {
        addNode("n1");
        const Json p = addPod("defaulted", "n1", Json(), false);
        // The API's default (Kubernetes' 300 s); the engine passes ControllerOptions' 30 s.
        QCOMPARE(p["spec"]["tolerations"],
                 Json::parse(R"([{"effect":"NoExecute","key":"node.kubernetes.io/not-ready","operator":"Exists","tolerationSeconds":300},
                                 {"effect":"NoExecute","key":"node.kubernetes.io/unreachable","operator":"Exists","tolerationSeconds":300}])"));
        Json spec = {{"tolerations", Json::array({{{"operator", "Exists"}}})}};
        api::DefaultTolerationSeconds::addTo(spec, 30);
        QCOMPARE(spec["tolerations"].size(), size_t(1));  // tolerates everything already
        Json other = Json::object();
        api::DefaultTolerationSeconds::addTo(other, 30);
        QCOMPARE(other["tolerations"][1]["tolerationSeconds"], Json(30));
    }
};

QTEST_GUILESS_MAIN(TestNodeLifecycle)
#include "tst_nodelifecycle.moc"
