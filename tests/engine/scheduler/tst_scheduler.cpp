// The scheduler against an in-process control plane: pods bound through pods/binding with the
// Scheduled event; a pod that fits nowhere gets PodScheduled=False and FailedScheduling in
// kube-scheduler v1.32's words, and is scheduled once the cluster changes so that it fits.
#include "engine/scheduler/scheduler.h"
#include "inprocesscluster.h"

#include <QtTest>

#include <map>

using namespace cd;

namespace {

Json ctr(const std::string &cpu, const std::string &memory = {})
{
    Json requests = Json::object();
    if (!cpu.empty())
        requests["cpu"] = cpu;
    if (!memory.empty())
        requests["memory"] = memory;
    Json c = {{"name", "c"}, {"image", "nginx"}};
    if (!requests.empty())
        c["resources"] = {{"requests", requests}};
    return c;
}

Json pod(const std::string &name, Json spec = Json::object(), const std::string &ownerUid = {})
{
    if (!spec.contains("containers"))
        spec["containers"] = {ctr("")};
    Json object = {{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"metadata", {{"name", name}, {"namespace", "default"}}},
                   {"spec", spec}};
    if (!ownerUid.empty())
        object["metadata"]["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                                  {"kind", "ReplicaSet"},
                                                  {"name", "web"},
                                                  {"uid", ownerUid},
                                                  {"controller", true}}};
    return object;
}

Json taintedNode(const std::string &name)
{
    Json node = test::InProcessCluster::readyNode(name);
    node["spec"]["taints"] = {{{"key", "dedicated"}, {"value", "db"}, {"effect", "NoSchedule"}}};
    return node;
}

} // namespace

class TestScheduler : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<scheduler::Scheduler> m_scheduler;

    void start(scheduler::SchedulerOptions options = {})
    {
        // Short backoffs keep the retries of these tests quick; the waits below allow far more.
        options.initialBackoff = std::chrono::milliseconds(100);
        options.maxBackoff = std::chrono::milliseconds(500);
        options.seed = 7;
        m_scheduler = std::make_unique<scheduler::Scheduler>(&m_cluster->client(), &m_cluster->informers(), options);
        QVERIFY(m_cluster->startInformers());
    }

    Json get(const std::string &name) { return m_cluster->get("v1", "Pod", "default", name); }
    std::string nodeOf(const std::string &name) { return str(get(name), {"spec", "nodeName"}); }
    bool bound(const std::string &name) { return !nodeOf(name).empty(); }

    Json condition(const std::string &name)
    {
        const Json object = get(name);
        if (const Json *conditions = find(object, {"status", "conditions"}); conditions && conditions->is_array())
            for (const Json &c : *conditions)
                if (str(c, {"type"}) == "PodScheduled")
                    return c;
        return Json();
    }

    // Events about a pod with a reason, newest state (count included).
    std::vector<Json> events(const std::string &podName, const std::string &reason)
    {
        std::vector<Json> out;
        for (const Json &e : m_cluster->list("v1", "Event", "default"))
            if (str(e, {"involvedObject", "name"}) == podName && str(e, {"reason"}) == reason)
                out.push_back(e);
        return out;
    }

    bool deleteNow(const std::string &name)
    {
        return m_cluster
            ->send("DELETE", "/api/v1/namespaces/default/pods/" + name,
                   {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"gracePeriodSeconds", 0}})
            .ok();
    }

private Q_SLOTS:
    void init() { m_cluster = std::make_unique<test::InProcessCluster>(); }
    void cleanup()
    {
        m_scheduler.reset();
        m_cluster.reset();
    }

    void bindsAndRecordsScheduled()
    {
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("n1")).is_null());
        start();
        QVERIFY(!m_cluster->create(pod("p", {{"containers", {ctr("500m", "256Mi")}}})).is_null());
        QVERIFY(m_cluster->waitFor([&] { return bound("p"); }, 10000));
        QCOMPARE(nodeOf("p"), std::string("n1"));

        QVERIFY(m_cluster->waitFor([&] { return !events("p", "Scheduled").empty(); }, 10000));
        const Json event = events("p", "Scheduled").front();
        QCOMPARE(str(event, {"type"}), std::string("Normal"));
        QCOMPARE(str(event, {"message"}), std::string("Successfully assigned default/p to n1"));
        QCOMPARE(str(event, {"source", "component"}), std::string("default-scheduler"));
        QCOMPARE(str(event, {"involvedObject", "kind"}), std::string("Pod"));
        QCOMPARE(str(condition("p"), {"status"}), std::string("True"));
        QCOMPARE(m_scheduler->stats().bound, 1LL);
    }

    void podOfAnotherSchedulerIsLeftAlone()
    {
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("n1")).is_null());
        start();
        m_cluster->create(pod("theirs", {{"schedulerName", "other-scheduler"}}));
        m_cluster->create(pod("ours"));
        QVERIFY(m_cluster->waitFor([&] { return bound("ours"); }, 10000));
        QTest::qWait(300);
        QVERIFY(!bound("theirs"));
        QVERIFY(events("theirs", "FailedScheduling").empty());
    }

    // The example: nothing fits; the pod says why, in Kubernetes' words, and is bound
    // as soon as a node that fits arrives.
    void fitsNowhereThenANodeArrives()
    {
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("n1", "1")).is_null());
        QVERIFY(!m_cluster->create(taintedNode("n2")).is_null());
        QVERIFY(!m_cluster->create(taintedNode("n3")).is_null());
        start();
        QVERIFY(!m_cluster->create(pod("big", {{"containers", {ctr("2")}}})).is_null());

        const std::string expected =
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: db}. "
            "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
            "2 Preemption is not helpful for scheduling..";
        QVERIFY(m_cluster->waitFor([&] { return str(condition("big"), {"status"}) == "False"; }, 10000));
        const Json c = condition("big");
        QCOMPARE(str(c, {"reason"}), std::string("Unschedulable"));
        QCOMPARE(str(c, {"message"}), expected);
        QVERIFY(!str(c, {"lastTransitionTime"}).empty());

        QVERIFY(m_cluster->waitFor([&] { return !events("big", "FailedScheduling").empty(); }, 10000));
        const Json failed = events("big", "FailedScheduling").front();
        QCOMPARE(str(failed, {"type"}), std::string("Warning"));
        QCOMPARE(str(failed, {"message"}), expected);
        QCOMPARE(str(failed, {"source", "component"}), std::string("default-scheduler"));
        QVERIFY(!bound("big"));

        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("n4", "4")).is_null());
        QVERIFY(m_cluster->waitFor([&] { return bound("big"); }, 10000));
        QCOMPARE(nodeOf("big"), std::string("n4"));
        QVERIFY(m_cluster->waitFor([&] { return !events("big", "Scheduled").empty(); }, 10000));
        QCOMPARE(str(events("big", "Scheduled").front(), {"message"}),
                 std::string("Successfully assigned default/big to n4"));
        QCOMPARE(str(condition("big"), {"status"}), std::string("True"));
    }

    void noNodesThenOne()
    {
        start();
        m_cluster->create(pod("early"));
        QVERIFY(m_cluster->waitFor([&] { return str(condition("early"), {"status"}) == "False"; }, 10000));
        QCOMPARE(str(condition("early"), {"message"}), std::string("no nodes available to schedule pods"));
        QCOMPARE(str(condition("early"), {"reason"}), std::string("Unschedulable"));
        m_cluster->create(test::InProcessCluster::readyNode("n1"));
        QVERIFY(m_cluster->waitFor([&] { return bound("early"); }, 10000));
    }

    // Node changes move the pods their plugins rejected: a taint removed, a label added, a node
    // uncordoned.
    void nodeUpdatesRetryThePod()
    {
        QVERIFY(!m_cluster->create(taintedNode("n1")).is_null());
        start();
        m_cluster->create(pod("tainted"));
        QVERIFY(m_cluster->waitFor([&] { return !events("tainted", "FailedScheduling").empty(); }, 10000));
        QVERIFY(!m_cluster->patch("v1", "Node", "", "n1", {{"spec", {{"taints", nullptr}}}}).is_null());
        QVERIFY(m_cluster->waitFor([&] { return bound("tainted"); }, 10000));

        m_cluster->create(pod("selective", {{"nodeSelector", {{"disktype", "ssd"}}}}));
        QVERIFY(m_cluster->waitFor([&] {
            return str(condition("selective"), {"message"}) ==
                   "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
                   "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..";
        }, 10000));
        QVERIFY(!m_cluster->patch("v1", "Node", "", "n1", {{"metadata", {{"labels", {{"disktype", "ssd"}}}}}}).is_null());
        QVERIFY(m_cluster->waitFor([&] { return bound("selective"); }, 10000));

        QVERIFY(!m_cluster->patch("v1", "Node", "", "n1", {{"spec", {{"unschedulable", true}}}}).is_null());
        m_cluster->create(pod("cordoned"));
        QVERIFY(m_cluster->waitFor([&] {
            return str(condition("cordoned"), {"message"}) ==
                   "0/1 nodes are available: 1 node(s) were unschedulable. "
                   "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..";
        }, 10000));
        QVERIFY(!m_cluster->patch("v1", "Node", "", "n1", {{"spec", {{"unschedulable", false}}}}).is_null());
        QVERIFY(m_cluster->waitFor([&] { return bound("cordoned"); }, 10000));
    }

    // A full node: the second pod waits until the first is deleted and frees the room.
    void retriedWhenAPodIsDeleted()
    {
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("n1", "1")).is_null());
        start();
        m_cluster->create(pod("first", {{"containers", {ctr("800m")}}}));
        QVERIFY(m_cluster->waitFor([&] { return bound("first"); }, 10000));
        m_cluster->create(pod("second", {{"containers", {ctr("800m")}}}));
        QVERIFY(m_cluster->waitFor([&] {
            return str(condition("second"), {"message"}) ==
                   "0/1 nodes are available: 1 Insufficient cpu. "
                   "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..";
        }, 10000));
        QVERIFY(!bound("second"));
        QVERIFY(deleteNow("first"));
        QVERIFY(m_cluster->waitFor([&] { return bound("second"); }, 10000));
        QCOMPARE(nodeOf("second"), std::string("n1"));
    }

    // A gated pod is not tried; removing its last gate (a pod update) queues it.
    void schedulingGates()
    {
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("n1")).is_null());
        start();
        m_cluster->create(pod("gated", {{"schedulingGates", {{{"name", "example.com/wait"}}}}}));
        QTest::qWait(300);
        QVERIFY(!bound("gated"));
        QVERIFY(events("gated", "FailedScheduling").empty());
        QVERIFY(!m_cluster->patch("v1", "Pod", "default", "gated", {{"spec", {{"schedulingGates", nullptr}}}}).is_null());
        QVERIFY(m_cluster->waitFor([&] { return bound("gated"); }, 10000));
    }

    // An owner's pods spread over the nodes. The nodes are so large that resource scores are
    // alike everywhere: only PodTopologySpread tells the nodes apart.
    void ownersPodsSpread()
    {
        for (const char *name : {"n1", "n2", "n3"})
            QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode(name, "1000", "1000Ti", 1000)).is_null());
        start();
        for (int i = 0; i < 9; ++i)
            QVERIFY(!m_cluster->create(pod("web-" + std::to_string(i), Json::object(), "rs-uid-1")).is_null());
        std::map<std::string, int> perNode;
        QVERIFY(m_cluster->waitFor([&] {
            perNode.clear();
            for (int i = 0; i < 9; ++i) {
                const std::string node = nodeOf("web-" + std::to_string(i));
                if (node.empty())
                    return false;
                ++perNode[node];
            }
            return true;
        }, 10000));
        QCOMPARE(perNode.size(), size_t(3));
        for (const auto &[node, count] : perNode)
            QCOMPARE(count, 3);
    }

    // Requests spread pods too (LeastAllocated), and nodes fill up to their allocatable.
    void fillsNodesUpToAllocatable()
    {
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("n1", "2")).is_null());
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("n2", "2")).is_null());
        start();
        for (int i = 0; i < 5; ++i)
            m_cluster->create(pod("w-" + std::to_string(i), {{"containers", {ctr("1")}}}));
        int boundCount = 0;
        QVERIFY(m_cluster->waitFor([&] {
            boundCount = 0;
            for (int i = 0; i < 5; ++i)
                boundCount += bound("w-" + std::to_string(i)) ? 1 : 0;
            return boundCount == 4 && m_scheduler->stats().unschedulable > 0;
        }, 10000));
        std::map<std::string, int> perNode;
        std::string waiting;
        for (int i = 0; i < 5; ++i) {
            const std::string name = "w-" + std::to_string(i);
            if (bound(name))
                ++perNode[nodeOf(name)];
            else
                waiting = name;
        }
        QCOMPARE(perNode["n1"], 2);
        QCOMPARE(perNode["n2"], 2);
        QVERIFY(m_cluster->waitFor([&] { return !events(waiting, "FailedScheduling").empty(); }, 10000));
        QCOMPARE(str(events(waiting, "FailedScheduling").front(), {"message"}),
                 std::string("0/2 nodes are available: 2 Insufficient cpu. "
                             "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.."));
    }

    // Higher priority first: with room for one pod, the pod of higher priority gets it.
    void priorityOrdersTheQueue()
    {
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("n1", "1")).is_null());
        // The pods wait in the store before the scheduler starts, so both are queued together.
        m_cluster->create(pod("low", {{"containers", {ctr("1")}}, {"priority", 10}}));
        m_cluster->create(pod("high", {{"containers", {ctr("1")}}, {"priority", 1000}}));
        start();
        QVERIFY(m_cluster->waitFor([&] { return bound("high"); }, 10000));
        QVERIFY(m_cluster->waitFor([&] { return !events("low", "FailedScheduling").empty(); }, 10000));
        QVERIFY(!bound("low"));
    }

    // A burst: every pod bound, each once, and each gets its Scheduled event (events wait while
    // bindings crowd the API, and are all written once the burst is bound).
    void burstEveryPodGetsItsEvent()
    {
        for (int i = 0; i < 20; ++i)
            QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("n" + std::to_string(i))).is_null());
        const int pods = 300;
        for (int i = 0; i < pods; ++i)
            QVERIFY(!m_cluster->create(pod("burst-" + std::to_string(i), {{"containers", {ctr("100m", "64Mi")}}})).is_null());
        start();
        QVERIFY(m_cluster->waitFor([&] { return m_scheduler->stats().bound == pods; }, 20000));
        QVERIFY(m_cluster->waitFor([&] {
            int scheduled = 0;
            for (const Json &e : m_cluster->list("v1", "Event", "default"))
                scheduled += str(e, {"reason"}) == "Scheduled" ? 1 : 0;
            return scheduled == pods;
        }, 20000));
        QCOMPARE(m_scheduler->deferredEvents(), size_t(0));
        QCOMPARE(m_scheduler->stats().scheduledEvents, (long long)pods);
        std::map<std::string, int> perNode;
        for (const Json &p : m_cluster->list("v1", "Pod", "default"))
            ++perNode[str(p, {"spec", "nodeName"})];
        QCOMPARE(perNode.count(""), size_t(0));
        QCOMPARE(perNode.size(), size_t(20));
        // LeastAllocated and BalancedAllocation even them out (integer scores may tie by one pod).
        for (const auto &[node, count] : perNode)
            QVERIFY2(count >= 14 && count <= 16, (node + " holds " + std::to_string(count)).c_str());
    }

    // Pods deleted while they wait leave the queue.
    void deletedPodLeavesTheQueue()
    {
        start();
        m_cluster->create(pod("doomed"));
        QVERIFY(m_cluster->waitFor([&] { return !events("doomed", "FailedScheduling").empty(); }, 10000));
        QCOMPARE(m_scheduler->queuedPods(), size_t(1));
        QVERIFY(deleteNow("doomed"));
        QVERIFY(m_cluster->waitFor([&] { return m_scheduler->queuedPods() == 0; }, 10000));
    }
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
