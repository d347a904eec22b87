// Simulated node agents against an in-process control plane: registration (every field kubectl
// and the scheduler read), Lease renewal, heartbeat faults, and the pod lifecycle — phases,
// status fields, restarts with back-off, exit codes, init containers, deletion.
#include "engine/node/nodemanager.h"
#include "inprocesscluster.h"

#include <QtTest>

#include <set>

using namespace cd;
using namespace cd::node;

class TestNodeAgent : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<NodeManager> m_nodes;

    NodeManagerOptions quickOptions(int count = 2)
    {
        NodeManagerOptions options;
        options.nodes = uniformNodes(count, "simulated");
        options.leaseRenewInterval = std::chrono::milliseconds(200);
        options.statusReportInterval = std::chrono::milliseconds(1000);
        options.startLatency = std::chrono::milliseconds(20);
        options.defaultRunTime = std::chrono::milliseconds(200);
        options.initRunTime = std::chrono::milliseconds(100);
        options.backoffBase = std::chrono::milliseconds(300);
        options.backoffMax = std::chrono::milliseconds(2400);
        return options;
    }

    void startNodes(NodeManagerOptions options)
    {
        m_nodes = std::make_unique<NodeManager>(&m_cluster->client(), std::move(options));
        m_nodes->start();
        const size_t count = m_nodes->nodeCount();
        QVERIFY(m_cluster->waitFor([&] { return m_nodes->registeredCount() == count; }, 20000));
    }

    Json pod(const std::string &name, const std::string &node, const Json &extraSpec = Json::object(),
             const Json &annotations = Json())
    {
        Json object = {{"apiVersion", "v1"},
                       {"kind", "Pod"},
                       {"metadata", {{"name", name}, {"namespace", "default"}}},
                       {"spec",
                        {{"nodeName", node},
                         {"containers", Json::array({{{"name", "app"}, {"image", "nginx:1.27"}}})}}}};
        for (auto it = extraSpec.begin(); it != extraSpec.end(); ++it)
            object["spec"][it.key()] = it.value();
        if (!annotations.is_null())
            object["metadata"]["annotations"] = annotations;
        const Json created = m_cluster->create(object);
        if (created.is_null())
            qWarning("create failed: %s", m_cluster->lastError().c_str());
        return created;
    }

    Json getPod(const std::string &name) { return m_cluster->get("v1", "Pod", "default", name); }

    bool waitForPod(const std::string &name, const std::function<bool(const Json &)> &predicate, int ms = 10000)
    {
        return m_cluster->waitFor([&] { return predicate(getPod(name)); }, ms);
    }

    static Json condition(const Json &object, const std::string &type)
    {
        if (const Json *list = find(object, {"status", "conditions"}); list && list->is_array())
            for (const Json &c : *list)
                if (str(c, {"type"}) == type)
                    return c;
        return Json();
    }

    static QString text(const Json &value) { return QString::fromStdString(value.dump()); }

private Q_SLOTS:
    void init() { m_cluster = std::make_unique<test::InProcessCluster>(); }
    void cleanup()
    {
        m_nodes.reset();
        m_cluster.reset();
    }

    void registersTheNodeAsTheKubeletDoes()
    {
        NodeManagerOptions options = quickOptions(1);
        options.nodes[0].labels = {{"disk", "ssd"}};
        options.nodes[0].taints = Json::array({{{"key", "dedicated"}, {"value", "db"}, {"effect", "NoSchedule"}}});
        startNodes(options);
        const Json node = m_cluster->get("v1", "Node", "", "node-1");
        QVERIFY(!node.is_null());
        const Json &labels = node["metadata"]["labels"];
        QCOMPARE(labels["kubernetes.io/hostname"], Json("node-1"));
        QCOMPARE(labels["kubernetes.io/os"], Json("linux"));
        QCOMPARE(labels["beta.kubernetes.io/os"], Json("linux"));
        QVERIFY(labels.contains("kubernetes.io/arch") && labels.contains("beta.kubernetes.io/arch"));
        QCOMPARE(labels["disk"], Json("ssd"));
        QCOMPARE(node["spec"]["taints"][0]["key"], Json("dedicated"));
        QCOMPARE(node["spec"]["podCIDR"], Json("10.244.1.0/24"));
        QCOMPARE(node["spec"]["podCIDRs"], Json::array({"10.244.1.0/24"}));

        const Json &status = node["status"];
        QCOMPARE(status["capacity"]["cpu"], Json("4"));
        QCOMPARE(status["capacity"]["memory"], Json("8Gi"));
        QCOMPARE(status["capacity"]["pods"], Json("110"));
        QCOMPARE(status["allocatable"], status["capacity"]);
        QCOMPARE(status["addresses"], Json::parse(R"([{"type":"InternalIP","address":"172.18.0.2"},
                                                      {"type":"Hostname","address":"node-1"}])"));
        QCOMPARE(status["daemonEndpoints"]["kubeletEndpoint"]["Port"], Json(10250));
        const Json &info = status["nodeInfo"];
        for (const char *field : {"machineID", "systemUUID", "bootID", "kernelVersion", "osImage",
                                  "containerRuntimeVersion", "kubeletVersion", "kubeProxyVersion", "operatingSystem",
                                  "architecture"})
            QVERIFY2(info.contains(field) && !str(info, {field}).empty(), field);
        QCOMPARE(info["containerRuntimeVersion"], Json("clusterdeck-sim://0.1.0"));
        QCOMPARE(info["kubeletVersion"], Json("v1.32.0"));
        QCOMPARE(info["operatingSystem"], Json("linux"));

        const Json ready = condition(node, "Ready");
        QCOMPARE(ready["status"], Json("True"));
        QCOMPARE(ready["reason"], Json("KubeletReady"));
        QCOMPARE(ready["message"], Json("kubelet is posting ready status"));
        QCOMPARE(condition(node, "MemoryPressure")["reason"], Json("KubeletHasSufficientMemory"));
        QCOMPARE(condition(node, "MemoryPressure")["status"], Json("False"));
        QCOMPARE(condition(node, "DiskPressure")["message"], Json("kubelet has no disk pressure"));
        QCOMPARE(condition(node, "PIDPressure")["reason"], Json("KubeletHasSufficientPID"));

        // The kubelet's events about its node (the node's name as its UID).
        QVERIFY(m_cluster->waitFor([&] {
            for (const Json &e : m_cluster->list("v1", "Event", "default"))
                if (str(e, {"reason"}) == "NodeReady" && str(e, {"source", "component"}) == "kubelet" &&
                    str(e, {"message"}) == "Node node-1 status is now: NodeReady" &&
                    str(e, {"involvedObject", "uid"}) == "node-1")
                    return true;
            return false;
        }));
    }

    void renewsItsLease()
    {
        startNodes(quickOptions(1));
        Json lease;
        QVERIFY(m_cluster->waitFor([&] {
            lease = m_cluster->get("coordination.k8s.io/v1", "Lease", "kube-node-lease", "node-1");
            return !lease.is_null();
        }));
        QCOMPARE(lease["spec"]["holderIdentity"], Json("node-1"));
        QCOMPARE(lease["spec"]["leaseDurationSeconds"], Json(40));
        QCOMPARE(lease["metadata"]["ownerReferences"][0]["kind"], Json("Node"));
        const std::string first = str(lease, {"spec", "renewTime"});
        QVERIFY2(QString::fromStdString(first).contains('.'), "renewTime is a MicroTime");
        QVERIFY(m_cluster->waitFor([&] {
            const Json now = m_cluster->get("coordination.k8s.io/v1", "Lease", "kube-node-lease", "node-1");
            return str(now, {"spec", "renewTime"}) != first;
        }));
    }

    void stopsAndResumesHeartbeats()
    {
        startNodes(quickOptions(2));
        const auto renewTime = [&](const char *node) {
            return str(m_cluster->get("coordination.k8s.io/v1", "Lease", "kube-node-lease", node), {"spec", "renewTime"});
        };
        QVERIFY(m_cluster->waitFor([&] { return !renewTime("node-1").empty(); }));
        QVERIFY(m_nodes->stopHeartbeat("node-1"));
        QVERIFY(!m_nodes->heartbeating("node-1"));
        QTest::qWait(300);  // a renewal in flight may still land
        const std::string frozen = renewTime("node-1");
        const std::string other = renewTime("node-2");
        QTest::qWait(800);
        QCOMPARE(renewTime("node-1"), frozen);
        QVERIFY(renewTime("node-2") != other);
        QVERIFY(m_nodes->resume("node-1"));
        QVERIFY(m_cluster->waitFor([&] { return renewTime("node-1") != frozen; }));

        // The annotation does the same, for kubectl annotate.
        QVERIFY(!m_cluster->patch("v1", "Node", "", "node-2",
                                  {{"metadata", {{"annotations", {{kHeartbeatAnnotation, "stopped"}}}}}})
                     .is_null());
        QVERIFY(m_cluster->waitFor([&] { return !m_nodes->heartbeating("node-2"); }));
        QVERIFY(!m_cluster->patch("v1", "Node", "", "node-2",
                                  {{"metadata", {{"annotations", {{kHeartbeatAnnotation, nullptr}}}}}})
                     .is_null());
        QVERIFY(m_cluster->waitFor([&] { return m_nodes->heartbeating("node-2"); }));
    }

    void walksAPodToRunningAndReady()
    {
        NodeManagerOptions options = quickOptions(1);
        options.startLatency = std::chrono::milliseconds(1500);  // long enough to see ContainerCreating
        startNodes(options);
        QVERIFY(!pod("web", "node-1").is_null());
        QVERIFY(waitForPod("web", [](const Json &p) {
            return find(p, {"status", "containerStatuses"}) &&
                   str(p["status"]["containerStatuses"][0], {"state", "waiting", "reason"}) == "ContainerCreating";
        }));
        Json p = getPod("web");
        QCOMPARE(p["status"]["phase"], Json("Pending"));
        QCOMPARE(condition(p, "Ready")["reason"], Json("ContainersNotReady"));
        QCOMPARE(condition(p, "Ready")["message"], Json("containers with unready status: [app]"));
        QCOMPARE(condition(p, "ContainersReady")["status"], Json("False"));
        QCOMPARE(condition(p, "Initialized")["status"], Json("True"));
        QCOMPARE(p["status"]["containerStatuses"][0]["image"], Json("nginx:1.27"));
        QCOMPARE(p["status"]["containerStatuses"][0]["imageID"], Json(""));
        QCOMPARE(p["status"]["containerStatuses"][0]["started"], Json(false));

        QVERIFY(waitForPod("web", [](const Json &p) { return str(p, {"status", "phase"}) == "Running"; }));
        p = getPod("web");
        const Json &status = p["status"];
        QCOMPARE(status["hostIP"], Json("172.18.0.2"));
        QCOMPARE(status["hostIPs"], Json::parse(R"([{"ip":"172.18.0.2"}])"));
        const QString ip = QString::fromStdString(str(status, {"podIP"}));
        QVERIFY2(ip.startsWith("10.244.1.") && ip != "10.244.1.0" && ip != "10.244.1.1", qPrintable(ip));
        QCOMPARE(status["podIPs"][0]["ip"], status["podIP"]);
        QVERIFY(status.contains("startTime"));
        QCOMPARE(status["qosClass"], Json("BestEffort"));
        const Json &c = status["containerStatuses"][0];
        QCOMPARE(c["name"], Json("app"));
        QCOMPARE(c["ready"], Json(true));
        QCOMPARE(c["started"], Json(true));
        QCOMPARE(c["restartCount"], Json(0));
        QCOMPARE(c["image"], Json("docker.io/library/nginx:1.27"));
        QVERIFY(QString::fromStdString(str(c, {"imageID"})).startsWith("docker.io/library/nginx@sha256:"));
        QVERIFY(QString::fromStdString(str(c, {"containerID"})).startsWith("sim://"));
        QVERIFY(c["state"]["running"].contains("startedAt"));
        QCOMPARE(c["lastState"], Json::object());
        for (const char *type : {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"})
            QVERIFY2(condition(p, type)["status"] == "True", type);

        // The kubelet's events for the container.
        QVERIFY(m_cluster->waitFor([&] {
            std::set<std::string> messages;
            for (const Json &e : m_cluster->list("v1", "Event", "default"))
                if (str(e, {"involvedObject", "name"}) == "web")
                    messages.insert(str(e, {"reason"}) + ": " + str(e, {"message"}));
            return messages.count("Pulled: Container image \"nginx:1.27\" already present on machine") &&
                   messages.count("Created: Created container: app") && messages.count("Started: Started container app");
        }));
    }

    void jobPodsComplete()
    {
        startNodes(quickOptions(1));
        QVERIFY(!pod("pi", "node-1", {{"restartPolicy", "Never"}}).is_null());
        QVERIFY(waitForPod("pi", [](const Json &p) { return str(p, {"status", "phase"}) == "Succeeded"; }));
        const Json p = getPod("pi");
        const Json &terminated = p["status"]["containerStatuses"][0]["state"]["terminated"];
        QCOMPARE(terminated["exitCode"], Json(0));
        QCOMPARE(terminated["reason"], Json("Completed"));
        QVERIFY(terminated.contains("startedAt") && terminated.contains("finishedAt") && terminated.contains("containerID"));
        QCOMPARE(condition(p, "Ready")["reason"], Json("PodCompleted"));
        QCOMPARE(condition(p, "PodReadyToStartContainers")["status"], Json("False"));
    }

    void exitCodesFailPods()
    {
        startNodes(quickOptions(1));
        QVERIFY(!pod("crash", "node-1", {{"restartPolicy", "Never"}},
                     {{kExitAfterAnnotation, "100ms"}, {kExitCodeAnnotation, "3"}})
                     .is_null());
        QVERIFY(waitForPod("crash", [](const Json &p) { return str(p, {"status", "phase"}) == "Failed"; }));
        const Json terminated = getPod("crash")["status"]["containerStatuses"][0]["state"]["terminated"];
        QCOMPARE(terminated["exitCode"], Json(3));
        QCOMPARE(terminated["reason"], Json("Error"));

        // OnFailure: a clean exit completes the pod.
        QVERIFY(!pod("once", "node-1", {{"restartPolicy", "OnFailure"}}).is_null());
        QVERIFY(waitForPod("once", [](const Json &p) { return str(p, {"status", "phase"}) == "Succeeded"; }));
    }

    void restartsWithBackOff()
    {
        startNodes(quickOptions(1));
        const Json created = pod("loop", "node-1", Json::object(), {{kExitAfterAnnotation, "100ms"}, {kExitCodeAnnotation, "1"}});
        QVERIFY(!created.is_null());
        const std::string uid = str(created, {"metadata", "uid"});
        // First restart at once, then CrashLoopBackOff with the growing delay.
        QVERIFY(waitForPod("loop", [](const Json &p) {
            const Json *s = find(p, {"status", "containerStatuses"});
            return s && s->is_array() && !s->empty() &&
                   str((*s)[0], {"state", "waiting", "reason"}) == "CrashLoopBackOff";
        }));
        Json c = getPod("loop")["status"]["containerStatuses"][0];
        QVERIFY(c["restartCount"].get<int>() >= 1);
        QCOMPARE(c["lastState"]["terminated"]["exitCode"], Json(1));
        QCOMPARE(c["lastState"]["terminated"]["reason"], Json("Error"));
        const QString message = QString::fromStdString(str(c, {"state", "waiting", "message"}));
        QVERIFY2(QRegularExpression("^back-off (300ms|600ms|1.2s|2.4s) restarting failed container=app "
                                    "pod=loop_default\\(" + QString::fromStdString(uid) + "\\)$")
                     .match(message)
                     .hasMatch(),
                 qPrintable(message));
        QCOMPARE(getPod("loop")["status"]["phase"], Json("Running"));
        QVERIFY(waitForPod("loop", [](const Json &p) {
            return integer(p["status"]["containerStatuses"][0], {"restartCount"}) >= 3;
        }));
        QVERIFY(m_cluster->waitFor([&] {
            for (const Json &e : m_cluster->list("v1", "Event", "default"))
                if (str(e, {"reason"}) == "BackOff" && str(e, {"type"}) == "Warning" &&
                    str(e, {"message"}) == "Back-off restarting failed container app in pod loop_default(" + uid + ")")
                    return true;
            return false;
        }));
    }

    void runsInitContainersFirst()
    {
        startNodes(quickOptions(1));
        const Json init = Json::array({{{"name", "setup"}, {"image", "busybox"}}});
        QVERIFY(!pod("staged", "node-1", {{"initContainers", init}}).is_null());
        QVERIFY(waitForPod("staged", [](const Json &p) {
            return str(p, {"status", "phase"}) == "Running" && condition(p, "Ready")["status"] == "True";
        }));
        const Json p = getPod("staged");
        const Json &s = p["status"]["initContainerStatuses"][0];
        QCOMPARE(s["name"], Json("setup"));
        QCOMPARE(s["state"]["terminated"]["reason"], Json("Completed"));
        QCOMPARE(s["ready"], Json(true));
        QCOMPARE(condition(p, "Initialized")["status"], Json("True"));
    }

    void stopsThenDeletesAPodMarkedForDeletion()
    {
        startNodes(quickOptions(1));
        QVERIFY(!pod("web", "node-1").is_null());
        QVERIFY(waitForPod("web", [](const Json &p) { return str(p, {"status", "phase"}) == "Running"; }));
        // A graceful delete only marks the pod; the node agent stops it and deletes it for good.
        QVERIFY(m_cluster->remove("v1", "Pod", "default", "web"));
        QVERIFY(m_cluster->waitFor([&] { return getPod("web").is_null(); }));
        QVERIFY(m_cluster->waitFor([&] {
            for (const Json &e : m_cluster->list("v1", "Event", "default"))
                if (str(e, {"reason"}) == "Killing" && str(e, {"message"}) == "Stopping container app")
                    return true;
            return false;
        }));
        QCOMPARE(m_nodes->podCount(), size_t(0));
    }

    void manyNodesRegister()
    {
        NodeManagerOptions options = quickOptions(500);
        options.events = false;
        options.leaseRenewInterval = std::chrono::seconds(3);
        startNodes(options);
        QCOMPARE(m_cluster->list("v1", "Node").size(), size_t(500));
        const Json last = m_cluster->get("v1", "Node", "", "node-500");
        QCOMPARE(last["spec"]["podCIDR"], Json("10.245.244.0/24"));
        QCOMPARE(condition(last, "Ready")["status"], Json("True"));
    }
};

QTEST_GUILESS_MAIN(TestNodeAgent)
#include "tst_nodeagent.moc"
