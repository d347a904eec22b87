// Every score of the scheduler, table-driven, with the values kube-scheduler v1.32 computes:
// the raw plugin scores (least_allocated.go, balanced_allocation.go, taint_toleration.go,
// node_affinity.go, podtopologyspread/scoring.go), their NormalizeScore, the default profile's
// weights, and the node the algorithm then picks.
#include "engine/scheduler/algorithm.h"
#include "engine/scheduler/objectfacts.h"
#include "engine/scheduler/plugins/plugins.h"

#include <QtTest>

#include <cmath>

using namespace cd;
using namespace cd::scheduler;

namespace {

// By value: a braced single Json ({x}) then makes a one-element array, as it does everywhere else
// (bound to a const reference, {x} would be x itself).
QByteArray text(Json json) { return QByteArray::fromStdString(json.dump()); }
Json parse(const QByteArray &bytes) { return bytes.isEmpty() ? Json() : Json::parse(bytes.toStdString()); }

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

Json spec(Json containers, Json more = Json::object())
{
    Json s = {{"containers", std::move(containers)}};
    s.update(more);
    return s;
}

Json podObject(const Json &podSpec, const std::string &name = "p", const std::string &node = {},
               const std::string &ownerUid = {})
{
    Json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}},
                {"spec", podSpec}};
    if (!node.empty())
        pod["spec"]["nodeName"] = node;
    if (!ownerUid.empty())
        pod["metadata"]["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                               {"kind", "ReplicaSet"},
                                               {"name", "rs"},
                                               {"uid", ownerUid},
                                               {"controller", true}}};
    return pod;
}

Json nodeObject(const std::string &name, Json labels = Json::object(), Json nodeSpec = Json::object(),
                Json allocatable = {{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}}, bool hostname = true)
{
    if (hostname)
        labels["kubernetes.io/hostname"] = name;
    return {{"apiVersion", "v1"},
            {"kind", "Node"},
            {"metadata", {{"name", name}, {"labels", labels}}},
            {"spec", nodeSpec},
            {"status",
             {{"allocatable", allocatable}, {"conditions", Json::array({{{"type", "Ready"}, {"status", "True"}}})}}}};
}

// A cache with one node and pods placed on it (given by their specs).
struct OneNode {
    Cache cache;
    OneNode(const Json &allocatable, const Json &placed)
    {
        cache.upsertNode(nodeInfoFrom(nodeObject("n1", Json::object(), Json::object(), allocatable)));
        int i = 0;
        for (const Json &s : placed)
            cache.updatePlacedPod(placedPodInfoFrom(podObject(s, "placed-" + std::to_string(i++), "n1")));
    }
    const NodeInfo &node() const { return cache.node(cache.nodeSlot("n1")); }
};

std::vector<int> slots(const Cache &cache, std::initializer_list<const char *> names)
{
    std::vector<int> out;
    for (const char *name : names)
        out.push_back(cache.nodeSlot(name));
    return out;
}

QList<qlonglong> qlist(const std::vector<long long> &v) { return QList<qlonglong>(v.begin(), v.end()); }

} // namespace

class TestScores : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // ---- NodeResourcesFit, LeastAllocated ----------------------------------------------------
    // (capacity - requested) * 100 / capacity per resource, cpu and memory weighted 1, with the
    // non-zero requests (100m and 200Mi for containers that state none).

    void leastAllocated_data()
    {
        QTest::addColumn<QByteArray>("allocatable");
        QTest::addColumn<QByteArray>("placed");
        QTest::addColumn<QByteArray>("pod");
        QTest::addColumn<qlonglong>("score");

        const Json node4 = {{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}};
        // cpu (4000-2000)*100/4000 = 50; memory (8Gi-3Gi)*100/8Gi = 62.5 -> 62; (50+62)/2 = 56.
        QTest::newRow("requests on a partly used node")
            << text(node4) << text({spec({ctr("1", "2Gi")})}) << text(spec({ctr("1", "1Gi")})) << 56LL;
        // cpu 3900*100/4000 = 97.5 -> 97; memory 7992*100/8192 = 97.5 -> 97.
        QTest::newRow("a best-effort pod counts 100m and 200Mi") << text(node4) << text(Json::array())
                                                                << text(spec({ctr("")})) << 97LL;
        // Two best-effort pods placed: 300m and 600Mi with the new one: 92.5 -> 92, 92.67 -> 92.
        QTest::newRow("best-effort pods placed count too")
            << text(node4) << text({spec({ctr("")}), spec({ctr("")})}) << text(spec({ctr("")})) << 92LL;
        // cpu 2000 > 1000: 0; memory (8192-400)*100/8192 = 95.1 -> 95; (0+95)/2 = 47.
        QTest::newRow("over capacity scores 0 for that resource")
            << text(Json{{"cpu", "1"}, {"memory", "8Gi"}, {"pods", "110"}}) << text({spec({ctr("1")})})
            << text(spec({ctr("1")})) << 47LL;
        // Only cpu is offered: (4000-1000)*100/4000 = 75.
        QTest::newRow("a resource the node does not offer is left out")
            << text(Json{{"cpu", "4"}, {"pods", "110"}}) << text(Json::array()) << text(spec({ctr("1", "1Gi")}))
            << 75LL;
        QTest::newRow("a node offering neither scores 0") << text(Json{{"pods", "110"}}) << text(Json::array())
                                                          << text(spec({ctr("1", "1Gi")})) << 0LL;
        QTest::newRow("exactly full") << text(node4) << text({spec({ctr("3", "7Gi")})}) << text(spec({ctr("1", "1Gi")}))
                                      << 0LL;
    }

    void leastAllocated()
    {
        QFETCH(QByteArray, allocatable);
        QFETCH(QByteArray, placed);
        QFETCH(QByteArray, pod);
        QFETCH(qlonglong, score);
        const OneNode fixture(parse(allocatable), parse(placed));
        QCOMPARE(qlonglong(leastAllocatedScore(podInfoFrom(podObject(parse(pod))), fixture.node())), score);
    }

    // ---- NodeResourcesBalancedAllocation -----------------------------------------------------
    // (1 - |cpuFraction - memoryFraction| / 2) * 100 with the actual requests, fractions capped
    // at 1; v1.32 scores best-effort pods too.

    void balancedAllocation_data()
    {
        QTest::addColumn<QByteArray>("allocatable");
        QTest::addColumn<QByteArray>("placed");
        QTest::addColumn<QByteArray>("pod");
        QTest::addColumn<qlonglong>("score");

        const Json node4 = {{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}};
        QTest::newRow("cpu and memory in like proportion")
            << text(node4) << text({spec({ctr("1", "1Gi")})}) << text(spec({ctr("1", "3Gi")})) << 100LL;
        // 0.25 and 0: 1 - 0.125.
        QTest::newRow("cpu only") << text(node4) << text(Json::array()) << text(spec({ctr("1")})) << 87LL;
        // 0.5 and 0.125: 1 - 0.1875 = 81.25.
        QTest::newRow("uneven") << text(node4) << text({spec({ctr("1", "1Gi")})}) << text(spec({ctr("1")})) << 81LL;
        // cpu 6/4 capped at 1, memory 0.5: 1 - 0.25.
        QTest::newRow("fraction capped at 1")
            << text(node4) << text({spec({ctr("3")})}) << text(spec({ctr("3", "4Gi")})) << 75LL;
        // The node's own requests decide: 0.5 and 0.
        QTest::newRow("best-effort pod on an uneven node") << text(node4) << text({spec({ctr("2")})})
                                                           << text(spec({ctr("")})) << 75LL;
        QTest::newRow("best-effort pod on an empty node") << text(node4) << text(Json::array())
                                                          << text(spec({ctr("")})) << 100LL;
        QTest::newRow("one resource offered: no deviation")
            << text(Json{{"cpu", "4"}, {"pods", "110"}}) << text(Json::array()) << text(spec({ctr("1", "1Gi")}))
            << 100LL;
    }

    void balancedAllocation()
    {
        QFETCH(QByteArray, allocatable);
        QFETCH(QByteArray, placed);
        QFETCH(QByteArray, pod);
        QFETCH(qlonglong, score);
        const OneNode fixture(parse(allocatable), parse(placed));
        QCOMPARE(qlonglong(balancedAllocationScore(podInfoFrom(podObject(parse(pod))), fixture.node())), score);
    }

    // ---- TaintToleration ---------------------------------------------------------------------
    // Raw: untolerated PreferNoSchedule taints; normalized in reverse (fewer is better).

    void taintToleration_data()
    {
        QTest::addColumn<QByteArray>("tolerations");
        QTest::addColumn<QList<qlonglong>>("raw");
        QTest::addColumn<QList<qlonglong>>("normalized");

        // n1: none; n2: a PreferNoSchedule; n3: two PreferNoSchedule and a NoSchedule.
        QTest::newRow("no tolerations") << text(Json::array()) << QList<qlonglong>{0, 1, 2}
                                        << QList<qlonglong>{100, 50, 0};
        QTest::newRow("one tolerated") << text({{{"key", "spot"}, {"operator", "Exists"}, {"effect", "PreferNoSchedule"}}})
                                       << QList<qlonglong>{0, 0, 1} << QList<qlonglong>{100, 100, 0};
        QTest::newRow("a toleration without effect counts")
            << text({{{"key", "spot"}, {"operator", "Exists"}}}) << QList<qlonglong>{0, 0, 1}
            << QList<qlonglong>{100, 100, 0};
        QTest::newRow("a NoSchedule toleration does not")
            << text({{{"key", "spot"}, {"operator", "Exists"}, {"effect", "NoSchedule"}}}) << QList<qlonglong>{0, 1, 2}
            << QList<qlonglong>{100, 50, 0};
        QTest::newRow("everything tolerated") << text({{{"operator", "Exists"}}}) << QList<qlonglong>{0, 0, 0}
                                              << QList<qlonglong>{100, 100, 100};
    }

    void taintToleration()
    {
        QFETCH(QByteArray, tolerations);
        QFETCH(QList<qlonglong>, raw);
        QFETCH(QList<qlonglong>, normalized);
        Cache cache;
        auto prefer = [](const std::string &key) { return Json{{"key", key}, {"effect", "PreferNoSchedule"}}; };
        cache.upsertNode(nodeInfoFrom(nodeObject("n1")));
        cache.upsertNode(nodeInfoFrom(nodeObject("n2", Json::object(), {{"taints", {prefer("spot")}}})));
        cache.upsertNode(nodeInfoFrom(nodeObject(
            "n3", Json::object(),
            {{"taints", {prefer("spot"), prefer("old"), {{"key", "db"}, {"effect", "NoSchedule"}}}}})));
        const PodInfo pod = podInfoFrom(podObject(spec({ctr("1", "1Gi")}, {{"tolerations", parse(tolerations)}})));
        const std::vector<int> feasible = slots(cache, {"n1", "n2", "n3"});
        std::vector<long long> rawScores;
        for (int slot : feasible)
            rawScores.push_back(taintTolerationScore(pod, cache.node(slot)));
        QCOMPARE(qlist(rawScores), raw);
        Algorithm algorithm;
        QCOMPARE(qlist(algorithm.score(pod, cache, feasible).taintToleration), normalized);
    }

    // ---- NodeAffinity (preferred terms) ------------------------------------------------------
    // Raw: the sum of the weights of the matching terms; normalized by the highest.

    void nodeAffinity_data()
    {
        QTest::addColumn<QByteArray>("preferred");
        QTest::addColumn<QList<qlonglong>>("raw");
        QTest::addColumn<QList<qlonglong>>("normalized");

        auto term = [](long long weight, Json expressions, Json fields = nullptr) {
            Json preference = {{"matchExpressions", expressions}};
            if (!fields.is_null())
                preference["matchFields"] = fields;
            return Json{{"weight", weight}, {"preference", preference}};
        };
        auto in = [](const std::string &key, const std::string &value) {
            return Json{{"key", key}, {"operator", "In"}, {"values", {value}}};
        };
        // n1 {zone: a, disktype: ssd}, n2 {zone: a}, n3 {}.
        QTest::newRow("weights add up") << text({term(2, {in("zone", "a")}), term(5, {in("disktype", "ssd")})})
                                        << QList<qlonglong>{7, 2, 0} << QList<qlonglong>{100, 28, 0};
        QTest::newRow("a term matches when all its requirements do")
            << text({term(3, {in("zone", "a"), in("disktype", "ssd")})}) << QList<qlonglong>{3, 0, 0}
            << QList<qlonglong>{100, 0, 0};
        QTest::newRow("matchFields by node name")
            << text({term(4, Json::array(), {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n3"}}}})})
            << QList<qlonglong>{0, 0, 4} << QList<qlonglong>{0, 0, 100};
        QTest::newRow("NotIn and DoesNotExist")
            << text({term(1, {{{"key", "disktype"}, {"operator", "NotIn"}, {"values", {"ssd"}}}}),
                     term(10, {{{"key", "zone"}, {"operator", "DoesNotExist"}}})})
            << QList<qlonglong>{0, 1, 11} << QList<qlonglong>{0, 9, 100};
        QTest::newRow("no node matches") << text({term(5, {in("zone", "z")})}) << QList<qlonglong>{0, 0, 0}
                                         << QList<qlonglong>{0, 0, 0};
        QTest::newRow("an empty preference never matches") << text({Json{{"weight", 5}, {"preference", Json::object()}}})
                                                           << QList<qlonglong>{0, 0, 0} << QList<qlonglong>{0, 0, 0};
    }

    void nodeAffinity()
    {
        QFETCH(QByteArray, preferred);
        QFETCH(QList<qlonglong>, raw);
        QFETCH(QList<qlonglong>, normalized);
        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1", {{"zone", "a"}, {"disktype", "ssd"}})));
        cache.upsertNode(nodeInfoFrom(nodeObject("n2", {{"zone", "a"}})));
        cache.upsertNode(nodeInfoFrom(nodeObject("n3")));
        const PodInfo pod = podInfoFrom(podObject(spec(
            {ctr("1")}, {{"affinity", {{"nodeAffinity", {{"preferredDuringSchedulingIgnoredDuringExecution", parse(preferred)}}}}}})));
        const std::vector<int> feasible = slots(cache, {"n1", "n2", "n3"});
        std::vector<long long> rawScores;
        for (int slot : feasible)
            rawScores.push_back(nodeAffinityScore(pod, cache.node(slot)));
        QCOMPARE(qlist(rawScores), raw);
        Algorithm algorithm;
        QCOMPARE(qlist(algorithm.score(pod, cache, feasible).nodeAffinity), normalized);
    }

    // ---- PodTopologySpread (system default constraints: an owner's pods) ---------------------
    // Per node: count * log(domains + 2) + (maxSkew - 1) for hostname (maxSkew 3) and zone
    // (maxSkew 5), rounded; normalized as 100 * (max + min - score) / max.

    void topologySpread_data()
    {
        QTest::addColumn<QByteArray>("nodes");     // [{name, zone?, feasible}]
        QTest::addColumn<QByteArray>("ownerPods"); // {node: count}
        QTest::addColumn<QByteArray>("selector");  // the pod's nodeSelector
        QTest::addColumn<QList<qlonglong>>("normalized");

        // Hostname only, weight log(5): raw 2, round(3.61) = 4, round(5.22) = 5.
        QTest::newRow("hostname only")
            << text({{{"name", "n1"}}, {{"name", "n2"}}, {{"name", "n3"}}}) << text({{"n2", 1}, {"n3", 2}})
            << text(Json::object()) << QList<qlonglong>{100, 60, 40};
        // Weights log(6) and log(4); zone a holds 3 (2 on n5, which is not feasible):
        // n1 2 + 3*1.386 + 4 = 10.16 -> 10; n2 12; n3, n4 6.
        QTest::newRow("hostname and zone")
            << text({{{"name", "n1"}, {"zone", "a"}},
                     {{"name", "n2"}, {"zone", "a"}},
                     {{"name", "n3"}, {"zone", "b"}},
                     {{"name", "n4"}, {"zone", "b"}},
                     {{"name", "n5"}, {"zone", "a"}, {"feasible", false}}})
            << text({{"n2", 1}, {"n5", 2}}) << text(Json::object()) << QList<qlonglong>{66, 50, 100, 100};
        // Zone counts honor the pod's nodeSelector: n3's pods (hdd) do not count for zone a.
        QTest::newRow("zone counts follow the pod's node selection")
            << text({{{"name", "n1"}, {"zone", "a"}, {"disktype", "ssd"}},
                     {{"name", "n2"}, {"zone", "b"}, {"disktype", "ssd"}},
                     {{"name", "n3"}, {"zone", "a"}, {"disktype", "hdd"}, {"feasible", false}}})
            << text({{"n3", 3}}) << text({{"disktype", "ssd"}}) << QList<qlonglong>{100, 100};
        QTest::newRow("without a selector they count")
            << text({{{"name", "n1"}, {"zone", "a"}, {"disktype", "ssd"}},
                     {{"name", "n2"}, {"zone", "b"}, {"disktype", "ssd"}},
                     {{"name", "n3"}, {"zone", "a"}, {"disktype", "hdd"}, {"feasible", false}}})
            << text({{"n3", 3}}) << text(Json::object()) << QList<qlonglong>{60, 100};
        // A feasible node without a zone adds the empty zone: log(4), not log(3).
        // n1 2 + 2*1.386 + 4 = 8.77 -> 9; n2 (no zone) 2: 100*(11-9)/9 = 22.
        QTest::newRow("a node without zone counts as a domain")
            << text({{{"name", "n1"}, {"zone", "a"}}, {{"name", "n2"}}, {{"name", "n3"}, {"zone", "a"}, {"feasible", false}}})
            << text({{"n3", 2}}) << text(Json::object()) << QList<qlonglong>{22, 100};
        QTest::newRow("no pods yet: all alike") << text({{{"name", "n1"}}, {{"name", "n2"}}}) << text(Json::object())
                                                << text(Json::object()) << QList<qlonglong>{100, 100};
        // A node without the hostname label scores 0 raw, which is the best.
        QTest::newRow("a node without hostname label")
            << text({{{"name", "n1"}}, {{"name", "n2"}, {"hostname", false}}}) << text({{"n1", 1}})
            << text(Json::object()) << QList<qlonglong>{0, 100};
    }

    void topologySpread()
    {
        QFETCH(QByteArray, nodes);
        QFETCH(QByteArray, ownerPods);
        QFETCH(QByteArray, selector);
        QFETCH(QList<qlonglong>, normalized);

        Cache cache;
        std::vector<int> feasible;
        for (const Json &n : parse(nodes)) {
            Json labels = Json::object();
            for (const char *key : {"zone", "disktype"})
                if (n.contains(key))
                    labels[key == std::string("zone") ? "topology.kubernetes.io/zone" : key] = n[key];
            const std::string name = n["name"];
            cache.upsertNode(nodeInfoFrom(nodeObject(name, labels, Json::object(),
                                                     {{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}},
                                                     n.value("hostname", true))));
            if (n.value("feasible", true))
                feasible.push_back(cache.nodeSlot(name));
        }
        int i = 0;
        const Json owned = parse(ownerPods);  // kept: items() refers into it
        for (const auto &[node, count] : owned.items())
            for (int k = 0; k < count.get<int>(); ++k)
                cache.updatePlacedPod(placedPodInfoFrom(podObject(spec({ctr("")}), "sib-" + std::to_string(i++), node, "rs-1")));
        // A sibling being deleted does not count (countPodsMatchSelector skips terminating pods).
        Json leaving = podObject(spec({ctr("")}), "leaving", cache.node(feasible.front()).name, "rs-1");
        leaving["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
        cache.updatePlacedPod(placedPodInfoFrom(leaving));

        Json podSpec = spec({ctr("100m")});
        if (!parse(selector).empty())
            podSpec["nodeSelector"] = parse(selector);
        const PodInfo pod = podInfoFrom(podObject(podSpec, "new", {}, "rs-1"));
        Algorithm algorithm;
        QCOMPARE(qlist(algorithm.score(pod, cache, feasible).podTopologySpread), normalized);
    }

    void topologySpreadWeights()
    {
        const SpreadWeights w = podTopologySpreadWeights(3, 0);
        QCOMPARE(w.hostname, std::log(5.0));
        QCOMPARE(w.zone, std::log(2.0));
        NodeInfo node;
        node.hasHostname = true;
        node.hasZone = true;
        // 2 * log(5) + 2, 3 * log(2) + 4: 5.22 + 6.08 = 11.3 -> 11.
        QCOMPARE(podTopologySpreadScore(node, 2, 3, w), 11LL);
        std::vector<long long> scores{0, 0};
        podTopologySpreadNormalize(scores);
        QCOMPARE(qlist(scores), (QList<qlonglong>{100, 100}));
    }

    void podWithoutOwnerIsNotSpread()
    {
        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1")));
        cache.upsertNode(nodeInfoFrom(nodeObject("n2")));
        Algorithm algorithm;
        const PodInfo pod = podInfoFrom(podObject(spec({ctr("1")})));
        QCOMPARE(qlist(algorithm.score(pod, cache, slots(cache, {"n1", "n2"})).podTopologySpread),
                 (QList<qlonglong>{0, 0}));
    }

    // DefaultSelector follows ReplicaSets, ReplicationControllers and StatefulSets: a Job's pods
    // are not spread by PodTopologySpread (LeastAllocated still spreads them).
    void onlySelectorOwnersSpread_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<bool>("controller");
        QTest::addColumn<bool>("spread");
        QTest::newRow("ReplicaSet") << "ReplicaSet" << true << true;
        QTest::newRow("StatefulSet") << "StatefulSet" << true << true;
        QTest::newRow("ReplicationController") << "ReplicationController" << true << true;
        QTest::newRow("Job") << "Job" << true << false;
        QTest::newRow("DaemonSet") << "DaemonSet" << true << false;
        QTest::newRow("ReplicaSet, not the controller") << "ReplicaSet" << false << false;
    }

    void onlySelectorOwnersSpread()
    {
        QFETCH(QString, kind);
        QFETCH(bool, controller);
        QFETCH(bool, spread);
        auto owned = [&](const std::string &name, const std::string &node) {
            Json pod = podObject(spec({ctr("100m")}), name, node, "owner-1");
            pod["metadata"]["ownerReferences"][0]["kind"] = kind.toStdString();
            pod["metadata"]["ownerReferences"][0]["controller"] = controller;
            return pod;
        };
        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1")));
        cache.upsertNode(nodeInfoFrom(nodeObject("n2")));
        cache.updatePlacedPod(placedPodInfoFrom(owned("sibling", "n1")));
        const PodInfo pod = podInfoFrom(owned("new", {}));
        QCOMPARE(pod.ownerUid.empty(), !spread);
        Algorithm algorithm;
        // n1 holds a sibling: raw 2 + log(4) = 3.39 -> 3 against 2: 100 * (5 - 3) / 3 = 66.
        QCOMPARE(qlist(algorithm.score(pod, cache, slots(cache, {"n1", "n2"})).podTopologySpread),
                 spread ? (QList<qlonglong>{66, 100}) : (QList<qlonglong>{0, 0}));
    }

    // ---- DefaultNormalizeScore ---------------------------------------------------------------

    void defaultNormalize_data()
    {
        QTest::addColumn<QList<qlonglong>>("raw");
        QTest::addColumn<bool>("reverse");
        QTest::addColumn<QList<qlonglong>>("normalized");
        QTest::newRow("scaled by the highest") << QList<qlonglong>{7, 2, 0} << false << QList<qlonglong>{100, 28, 0};
        QTest::newRow("reversed") << QList<qlonglong>{3, 1, 0} << true << QList<qlonglong>{0, 67, 100};
        QTest::newRow("all zero") << QList<qlonglong>{0, 0} << false << QList<qlonglong>{0, 0};
        QTest::newRow("all zero, reversed") << QList<qlonglong>{0, 0} << true << QList<qlonglong>{100, 100};
    }

    void defaultNormalize()
    {
        QFETCH(QList<qlonglong>, raw);
        QFETCH(bool, reverse);
        QFETCH(QList<qlonglong>, normalized);
        std::vector<long long> scores(raw.begin(), raw.end());
        defaultNormalizeScore(scores, reverse);
        QCOMPARE(qlist(scores), normalized);
    }

    // ---- The weighted total and the choice ---------------------------------------------------

    void totalIsWeightedSum()
    {
        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1")));
        cache.upsertNode(nodeInfoFrom(
            nodeObject("n2", Json::object(), {{"taints", {{{"key", "spot"}, {"effect", "PreferNoSchedule"}}}}})));
        const PodInfo pod = podInfoFrom(podObject(spec({ctr("1", "1Gi")})));
        Algorithm algorithm;
        const Algorithm::Scores &s = algorithm.score(pod, cache, slots(cache, {"n1", "n2"}));
        QCOMPARE(qlist(s.taintToleration), (QList<qlonglong>{100, 0}));
        QCOMPARE(qlist(s.nodeAffinity), (QList<qlonglong>{0, 0}));
        // cpu 75, memory 87.5 -> 87: 81. Balanced: 0.25 and 0.125: 93.75 -> 93.
        QCOMPARE(qlist(s.leastAllocated), (QList<qlonglong>{81, 81}));
        QCOMPARE(qlist(s.balancedAllocation), (QList<qlonglong>{93, 93}));
        // Weights: TaintToleration 3, NodeAffinity 2, NodeResourcesFit 1, BalancedAllocation 1,
        // PodTopologySpread 2.
        QCOMPARE(qlist(s.total), (QList<qlonglong>{3 * 100 + 81 + 93, 81 + 93}));

        const ScheduleResult result = algorithm.schedule(pod, cache);
        QCOMPARE(result.slot, cache.nodeSlot("n1"));
        QCOMPARE(result.feasibleNodes, 2);
    }

    void weightsCombine()
    {
        // n1: preferred by affinity (weight 2 * 100) but busy; n2: empty.
        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1", {{"disktype", "ssd"}})));
        cache.upsertNode(nodeInfoFrom(nodeObject("n2")));
        cache.updatePlacedPod(placedPodInfoFrom(podObject(spec({ctr("2", "4Gi")}), "busy", "n1")));
        const PodInfo pod = podInfoFrom(podObject(spec(
            {ctr("1", "1Gi")},
            {{"affinity",
              {{"nodeAffinity",
                {{"preferredDuringSchedulingIgnoredDuringExecution",
                  {{{"weight", 1},
                    {"preference", {{"matchExpressions", {{{"key", "disktype"}, {"operator", "In"}, {"values", {"ssd"}}}}}}}}}}}}}}})));
        Algorithm algorithm;
        const Algorithm::Scores &s = algorithm.score(pod, cache, slots(cache, {"n1", "n2"}));
        // n1: least (25 + 37) / 2 = 31, balanced 0.75 vs 0.625: 93; n2: 81 and 93.
        QCOMPARE(qlist(s.leastAllocated), (QList<qlonglong>{31, 81}));
        QCOMPARE(qlist(s.balancedAllocation), (QList<qlonglong>{93, 93}));
        QCOMPARE(qlist(s.nodeAffinity), (QList<qlonglong>{100, 0}));
        QCOMPARE(qlist(s.total), (QList<qlonglong>{300 + 200 + 31 + 93, 300 + 81 + 93}));
        QCOMPARE(algorithm.schedule(pod, cache).slot, cache.nodeSlot("n1"));
    }

    // Equal totals: each of the best nodes is picked now and then (selectHost's reservoir).
    void tiesAreBrokenAtRandom()
    {
        Cache cache;
        for (const char *name : {"n1", "n2", "n3"})
            cache.upsertNode(nodeInfoFrom(nodeObject(name)));
        const PodInfo pod = podInfoFrom(podObject(spec({ctr("1", "1Gi")})));
        Algorithm algorithm(42);
        std::map<int, int> picks;
        for (int i = 0; i < 300; ++i)
            ++picks[algorithm.schedule(pod, cache).slot];
        QCOMPARE(picks.size(), size_t(3));
        for (const auto &[slot, count] : picks)
            QVERIFY2(count > 30, "every tied node is chosen a fair share of the time");
    }
};

QTEST_GUILESS_MAIN(TestScores)
#include "tst_scores.moc"
