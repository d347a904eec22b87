// The scheduling cycle: how many nodes are searched and from where, and the diagnosis of a pod
// that fits nowhere, worded as kube-scheduler v1.32's FitError with DefaultPreemption's
// PostFilter message (pkg/scheduler/framework/types.go, schedule_one.go,
// plugins/defaultpreemption, framework/preemption).
#include "engine/scheduler/algorithm.h"
#include "engine/scheduler/fiterror.h"
#include "engine/scheduler/objectfacts.h"

#include <QtTest>

using namespace cd;
using namespace cd::scheduler;

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

Json podObject(Json spec, const std::string &name = "p", const std::string &node = {})
{
    if (!spec.contains("containers"))
        spec["containers"] = {ctr("")};
    Json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}},
                {"spec", spec}};
    if (!node.empty())
        pod["spec"]["nodeName"] = node;
    return pod;
}

Json nodeObject(const std::string &name, const std::string &cpu = "4", Json nodeSpec = Json::object())
{
    return {{"apiVersion", "v1"},
            {"kind", "Node"},
            {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
            {"spec", nodeSpec},
            {"status",
             {{"allocatable", {{"cpu", cpu}, {"memory", "8Gi"}, {"pods", "110"}}},
              {"conditions", Json::array({{{"type", "Ready"}, {"status", "True"}}})}}}};
}

const Json dbTaint = {{"taints", {{{"key", "dedicated"}, {"value", "db"}, {"effect", "NoSchedule"}}}}};

QString messageFor(const PodInfo &pod, const Cache &cache, ScheduleResult *out = nullptr)
{
    Algorithm algorithm;
    ScheduleResult result = algorithm.schedule(pod, cache);
    if (out)
        *out = result;
    return result.slot >= 0 ? QString("(scheduled)") : QString::fromStdString(result.message);
}

PodInfo podWith(const Json &spec) { return podInfoFrom(podObject(spec)); }

} // namespace

class TestAlgorithm : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void numFeasibleNodesToFind_data()
    {
        QTest::addColumn<int>("percentage");
        QTest::addColumn<int>("nodes");
        QTest::addColumn<int>("expected");
        QTest::newRow("small clusters: every node") << 0 << 50 << 50;
        QTest::newRow("at least 100") << 0 << 150 << 100;
        QTest::newRow("adaptive: 50% - nodes/125") << 0 << 1000 << 420;
        QTest::newRow("adaptive at 5,000 nodes: 10%") << 0 << 5000 << 500;
        QTest::newRow("adaptive floor: 5%") << 0 << 10000 << 500;
        QTest::newRow("adaptive floor at 6,000") << 0 << 6000 << 300;
        QTest::newRow("configured") << 30 << 1000 << 300;
        QTest::newRow("configured, still at least 100") << 1 << 1000 << 100;
        QTest::newRow("100%") << 100 << 5000 << 5000;
    }

    void numFeasibleNodesToFind()
    {
        QFETCH(int, percentage);
        QFETCH(int, nodes);
        QFETCH(int, expected);
        QCOMPARE(Algorithm::numFeasibleNodesToFind(percentage, nodes), expected);
    }

    // Filtering stops once enough nodes fit and the next cycle starts where it stopped.
    void roundRobinOverNodes()
    {
        Cache cache;
        for (int i = 0; i < 250; ++i)
            cache.upsertNode(nodeInfoFrom(nodeObject("n" + std::to_string(i))));
        Algorithm algorithm;
        const PodInfo pod = podWith({{"containers", {ctr("100m")}}});
        // 250 nodes: 50 - 2 = 48% = 120 nodes to find.
        ScheduleResult first = algorithm.schedule(pod, cache);
        QCOMPARE(first.evaluatedNodes, 120);
        QCOMPARE(first.feasibleNodes, 120);
        QCOMPARE(algorithm.nextStartNodeIndex(), size_t(120));
        algorithm.schedule(pod, cache);
        QCOMPARE(algorithm.nextStartNodeIndex(), size_t(240));
        algorithm.schedule(pod, cache);
        QCOMPARE(algorithm.nextStartNodeIndex(), size_t(110));
    }

    // Nodes that fail are evaluated too: the search goes on until enough fit.
    void searchGoesPastNodesThatFail()
    {
        Cache cache;
        for (int i = 0; i < 200; ++i)
            cache.upsertNode(nodeInfoFrom(nodeObject("n" + std::to_string(i), i < 50 ? "100m" : "4")));
        Algorithm algorithm;
        const ScheduleResult result = algorithm.schedule(podWith({{"containers", {ctr("1")}}}), cache);
        QCOMPARE(result.feasibleNodes, 100);
        QCOMPARE(result.evaluatedNodes, 150);
        QVERIFY(result.slot >= 0);
        QVERIFY(cache.node(result.slot).allocatable.milliCpu == 4000);
    }

    // ---- The FitError message ----------------------------------------------------------------

    void fitErrorMessages_data()
    {
        QTest::addColumn<QByteArray>("nodes");   // [[name, cpu, spec, ready?, pods?]]
        QTest::addColumn<QByteArray>("placed");  // [[node, cpu, priority]]
        QTest::addColumn<QByteArray>("pod");     // the pod's spec
        QTest::addColumn<QString>("message");
        QTest::addColumn<uint>("rejectors");

        auto text = [](Json j) { return QByteArray::fromStdString(j.dump()); };  // by value: {x} is [x]
        const Json none = Json::array();
        const Json cpu2 = {{"containers", {ctr("2")}}};

        QTest::newRow("resources and taints")
            << text({{"n1", "1", Json::object()}, {"n2", "4", dbTaint}, {"n3", "4", dbTaint}}) << text(none) << text(cpu2)
            << "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: db}. "
               "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
               "2 Preemption is not helpful for scheduling.."
            << uint(NodeResourcesFit | TaintToleration);
        QTest::newRow("only taints")
            << text({{"n1", "4", dbTaint}, {"n2", "4", dbTaint}}) << text(none) << text(cpu2)
            << "0/2 nodes are available: 2 node(s) had untolerated taint {dedicated: db}. "
               "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.."
            << uint(TaintToleration);
        QTest::newRow("counts sort as strings")
            << text({{"n1", "1", Json::object()}, {"n2", "1", Json::object()}, {"n3", "1", Json::object()},
                     {"t1", "4", dbTaint}, {"t2", "4", dbTaint}, {"t3", "4", dbTaint}, {"t4", "4", dbTaint},
                     {"t5", "4", dbTaint}, {"t6", "4", dbTaint}, {"t7", "4", dbTaint}, {"t8", "4", dbTaint},
                     {"t9", "4", dbTaint}, {"t10", "4", dbTaint}})
            << text(none) << text(cpu2)
            << "0/13 nodes are available: 10 node(s) had untolerated taint {dedicated: db}, 3 Insufficient cpu. "
               "preemption: 0/13 nodes are available: 10 Preemption is not helpful for scheduling, "
               "3 No preemption victims found for incoming pod.."
            << uint(NodeResourcesFit | TaintToleration);
        QTest::newRow("several reasons on one node")
            << text({{"n1", "1", Json::object()}}) << text(none)
            << text({{"containers", {ctr("2", "9Gi")}}})
            << "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. "
               "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.."
            << uint(NodeResourcesFit);
        QTest::newRow("cordoned and selector")
            << text({{"n1", "4", {{"unschedulable", true}}}, {"n2", "4", Json::object()}}) << text(none)
            << text({{"nodeSelector", {{"disktype", "ssd"}}}})
            << "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, "
               "1 node(s) were unschedulable. "
               "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.."
            << uint(NodeAffinity | NodeUnschedulable);
        QTest::newRow("preemptionPolicy Never")
            << text({{"n1", "1", Json::object()}}) << text(none)
            << text({{"containers", {ctr("2")}}, {"preemptionPolicy", "Never"}})
            << "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.."
            << uint(NodeResourcesFit);
        // Lower-priority pods exist, but evicting them all would not make room.
        QTest::newRow("victims would not be enough")
            << text({{"n1", "2", Json::object()}}) << text({{"n1", "1", 0}, {"n1", "1", 200}})
            << text({{"containers", {ctr("2")}}, {"priority", 100}})
            << "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.."
            << uint(NodeResourcesFit);
        QTest::newRow("only higher-priority pods")
            << text({{"n1", "2", Json::object()}}) << text({{"n1", "2", 1000}})
            << text({{"containers", {ctr("1")}}, {"priority", 100}})
            << "0/1 nodes are available: 1 Insufficient cpu. "
               "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.."
            << uint(NodeResourcesFit);
        QTest::newRow("too many pods")
            << text({{"n1", "4", Json::object(), true, 2}}) << text(Json::array({{"n1", "", 0}, {"n1", "", 0}}))
            << text({{"containers", {ctr("")}}})
            << "0/1 nodes are available: 1 Too many pods. "
               "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.."
            << uint(NodeResourcesFit);
        // NodeAffinity's PreFilter: nodes it leaves out are counted under its own words.
        QTest::newRow("node names: left out")
            << text({{"n1", "1", Json::object()}, {"n2", "4", Json::object()}}) << text(none)
            << text({{"containers", {ctr("2")}},
                     {"affinity",
                      {{"nodeAffinity",
                        {{"requiredDuringSchedulingIgnoredDuringExecution",
                          {{"nodeSelectorTerms",
                            {{{"matchFields", {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n1"}}}}}}}}}}}}}}})
            << "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
               "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, "
               "1 Preemption is not helpful for scheduling.."
            << uint(NodeResourcesFit | NodeAffinity);
        QTest::newRow("node names: none exists")
            << text({{"n1", "4", Json::object()}, {"n2", "4", Json::object()}}) << text(none)
            << text({{"affinity",
                      {{"nodeAffinity",
                        {{"requiredDuringSchedulingIgnoredDuringExecution",
                          {{"nodeSelectorTerms",
                            {{{"matchFields", {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n9"}}}}}}}}}}}}}}})
            << "0/2 nodes are available: 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
               "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.."
            << uint(NodeAffinity);
        QTest::newRow("node names: conflict")
            << text({{"n1", "4", Json::object()}, {"n2", "4", Json::object()}}) << text(none)
            << text({{"affinity",
                      {{"nodeAffinity",
                        {{"requiredDuringSchedulingIgnoredDuringExecution",
                          {{"nodeSelectorTerms",
                            {{{"matchFields",
                               {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n1"}}},
                                {{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n2"}}}}}}}}}}}}}}})
            << "0/2 nodes are available: pod affinity terms conflict. "
               "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.."
            << uint(NodeAffinity);
        QTest::newRow("VolumeBinding PreFilter")
            << text({{"n1", "4", Json::object()}, {"n2", "4", Json::object()}}) << text(none)
            << text({{"volumes", {{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data"}}}}}}})
            << "0/2 nodes are available: persistentvolumeclaim \"data\" not found. "
               "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.."
            << uint(VolumeBinding);
        QTest::newRow("host ports")
            << text({{"n1", "4", Json::object()}}) << text({{"n1", "", 0, 8080}})
            << text({{"containers", {{{"name", "c"}, {"image", "i"}, {"ports", {{{"containerPort", 80}, {"hostPort", 8080}}}}}}}})
            << "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. "
               "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.."
            << uint(NodePorts);
        QTest::newRow("a not-ready node")
            << text({{"n1", "4", Json::object(), false}, {"n2", "1", Json::object()}}) << text(none) << text(cpu2)
            << "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were not ready. "
               "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, "
               "1 Preemption is not helpful for scheduling.."
            << uint(NodeResourcesFit | NodeReady);
    }

    void fitErrorMessages()
    {
        QFETCH(QByteArray, nodes);
        QFETCH(QByteArray, placed);
        QFETCH(QByteArray, pod);
        QFETCH(QString, message);
        QFETCH(uint, rejectors);

        Cache cache;
        for (const Json &n : Json::parse(nodes.toStdString())) {
            Json object = nodeObject(n[0], n[1], n[2]);
            if (n.size() > 3 && !n[3].get<bool>())
                object["status"]["conditions"][0]["status"] = "False";
            if (n.size() > 4)
                object["status"]["allocatable"]["pods"] = std::to_string(n[4].get<int>());
            cache.upsertNode(nodeInfoFrom(object));
        }
        int i = 0;
        for (const Json &p : Json::parse(placed.toStdString())) {
            Json podSpec = {{"containers", {ctr(p[1])}}, {"priority", p[2]}};
            if (p.size() > 3)
                podSpec["containers"][0]["ports"] = {{{"containerPort", 80}, {"hostPort", p[3]}}};
            cache.updatePlacedPod(placedPodInfoFrom(podObject(podSpec, "placed-" + std::to_string(i++), p[0])));
        }
        ScheduleResult result;
        QCOMPARE(messageFor(podInfoFrom(podObject(Json::parse(pod.toStdString()))), cache, &result), message);
        QVERIFY(result.fitError);
        QCOMPARE(result.rejectors, unsigned(rejectors));
    }

    void noNodes()
    {
        Cache cache;
        ScheduleResult result;
        QCOMPARE(messageFor(podWith(Json::object()), cache, &result), QString("no nodes available to schedule pods"));
        QVERIFY(!result.fitError);
        QCOMPARE(result.rejectors, unsigned(AllPlugins));
    }

    void fitErrorWithoutReasons()
    {
        QCOMPARE(QString::fromStdString(fitErrorMessage(3, {}, {}, {})), QString("0/3 nodes are available:"));
        QCOMPARE(QString::fromStdString(fitErrorMessage(3, "pod has unbound immediate PersistentVolumeClaims", {}, {})),
                 QString("0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."));
    }

    void eventMessagesAreTruncated()
    {
        const std::string shortMessage(1024, 'x');
        QCOMPARE(truncateEventMessage(shortMessage), shortMessage);
        const std::string longMessage(1500, 'y');
        const std::string truncated = truncateEventMessage(longMessage);
        QCOMPARE(truncated.size(), size_t(1024));
        QCOMPARE(truncated.substr(1020), std::string(" ..."));
    }

    // ---- The cache: what is counted where ----------------------------------------------------

    void assumedPodsCountUntilForgotten()
    {
        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1", "2")));
        const PodInfo pod = podInfoFrom(podObject({{"containers", {ctr("2")}}}, "a"));
        cache.assume(pod, "n1");
        QVERIFY(cache.isAssumed("uid-a"));
        const NodeInfo &node = cache.node(cache.nodeSlot("n1"));
        QCOMPARE(node.requested.milliCpu, 2000LL);
        QCOMPARE(node.podCount, 1LL);
        QCOMPARE(messageFor(podInfoFrom(podObject({{"containers", {ctr("1")}}}, "b")), cache),
                 QString("0/1 nodes are available: 1 Insufficient cpu. "
                         "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.."));
        cache.forget("uid-a");
        QCOMPARE(node.requested.milliCpu, 0LL);
        QCOMPARE(node.podCount, 0LL);
    }

    void confirmedPodsStay()
    {
        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1", "2")));
        const PodInfo pod = podInfoFrom(podObject({{"containers", {ctr("1")}}}, "a"));
        cache.assume(pod, "n1");
        cache.updatePlacedPod(placedPodInfoFrom(podObject({{"containers", {ctr("1")}}}, "a", "n1")));
        QVERIFY(!cache.isAssumed("uid-a"));
        cache.forget("uid-a");  // a confirmed pod is not forgotten
        QCOMPARE(cache.node(cache.nodeSlot("n1")).requested.milliCpu, 1000LL);
    }

    void boundElsewhereThanAssumed()
    {
        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1")));
        cache.upsertNode(nodeInfoFrom(nodeObject("n2")));
        cache.assume(podInfoFrom(podObject({{"containers", {ctr("1")}}}, "a")), "n1");
        QCOMPARE(cache.updatePlacedPod(placedPodInfoFrom(podObject({{"containers", {ctr("1")}}}, "a", "n2"))),
                 unsigned(NodeResourcesFit));
        QCOMPARE(cache.node(cache.nodeSlot("n1")).requested.milliCpu, 0LL);
        QCOMPARE(cache.node(cache.nodeSlot("n2")).requested.milliCpu, 1000LL);
    }

    // Pods of a deleted node keep counting (they still exist) and count again if it returns.
    void podsOutliveTheirNode()
    {
        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1")));
        cache.updatePlacedPod(placedPodInfoFrom(podObject({{"containers", {ctr("1")}}}, "a", "n1")));
        cache.removeNode("n1");
        QCOMPARE(cache.nodeCount(), size_t(0));
        QCOMPARE(cache.nodeSlot("n1"), -1);
        cache.upsertNode(nodeInfoFrom(nodeObject("n1")));
        QCOMPARE(cache.node(cache.nodeSlot("n1")).requested.milliCpu, 1000LL);
        cache.removePod("uid-a");
        QCOMPARE(cache.node(cache.nodeSlot("n1")).requested.milliCpu, 0LL);
    }

    void nodeChangesNameThePluginsTheyConcern()
    {
        Cache cache;
        QCOMPARE(cache.upsertNode(nodeInfoFrom(nodeObject("n1"))), unsigned(AllPlugins));
        QCOMPARE(cache.upsertNode(nodeInfoFrom(nodeObject("n1"))), 0u);
        QCOMPARE(cache.upsertNode(nodeInfoFrom(nodeObject("n1", "8"))), unsigned(NodeResourcesFit));
        QCOMPARE(cache.upsertNode(nodeInfoFrom(nodeObject("n1", "8", dbTaint))), unsigned(TaintToleration));
        QCOMPARE(cache.upsertNode(nodeInfoFrom(nodeObject("n1", "8", {{"taints", dbTaint["taints"]}, {"unschedulable", true}}))),
                 unsigned(NodeUnschedulable));
    }
};

QTEST_GUILESS_MAIN(TestAlgorithm)
#include "tst_algorithm.moc"
