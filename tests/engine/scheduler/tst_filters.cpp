// Every filter of the scheduler, table-driven, against the plugin functions over facts read from
// API objects (podInfoFrom, nodeInfoFrom and the cache's usage), with the verdicts, status codes
// and reasons kube-scheduler v1.32 gives (pkg/scheduler/framework/plugins/*).
#include "engine/scheduler/algorithm.h"
#include "engine/scheduler/objectfacts.h"
#include "engine/scheduler/plugins/plugins.h"
#include "engine/scheduler/plugins/volumebinding.h"

#include <QtTest>

using namespace cd;
using namespace cd::scheduler;

namespace {

using Code = FilterStatus::Code;

// By value: a braced single Json ({x}) then makes a one-element array, as it does everywhere else
// (bound to a const reference, {x} would be x itself).
QByteArray text(Json json) { return QByteArray::fromStdString(json.dump()); }
Json parse(const QByteArray &bytes) { return bytes.isEmpty() ? Json() : Json::parse(bytes.toStdString()); }

// A container requesting cpu and memory (either may be empty: not requested).
Json ctr(const std::string &cpu, const std::string &memory = {}, Json more = Json::object())
{
    Json requests = Json::object();
    if (!cpu.empty())
        requests["cpu"] = cpu;
    if (!memory.empty())
        requests["memory"] = memory;
    Json c = {{"name", "c"}, {"image", "nginx"}};
    if (!requests.empty())
        c["resources"] = {{"requests", requests}};
    c.update(more);
    return c;
}

Json spec(Json containers, Json more = Json::object())
{
    Json s = {{"containers", std::move(containers)}};
    s.update(more);
    return s;
}

Json podObject(const Json &podSpec, const std::string &name = "p", const std::string &node = {})
{
    Json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}},
                {"spec", podSpec}};
    if (!node.empty())
        pod["spec"]["nodeName"] = node;
    return pod;
}

Json nodeObject(const std::string &name, Json labels = Json::object(), Json nodeSpec = Json::object(),
                Json allocatable = {{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}})
{
    labels["kubernetes.io/hostname"] = name;
    return {{"apiVersion", "v1"},
            {"kind", "Node"},
            {"metadata", {{"name", name}, {"labels", labels}}},
            {"spec", nodeSpec},
            {"status",
             {{"allocatable", allocatable}, {"conditions", Json::array({{{"type", "Ready"}, {"status", "True"}}})}}}};
}

QStringList qlist(const std::vector<std::string> &v)
{
    QStringList out;
    for (const std::string &s : v)
        out << QString::fromStdString(s);
    return out;
}

const char *codeName(Code code)
{
    switch (code) {
    case Code::Success: return "Success";
    case Code::Unschedulable: return "Unschedulable";
    case Code::UnschedulableAndUnresolvable: return "UnschedulableAndUnresolvable";
    }
    return "?";
}

// Checks a filter's verdict both ways: the fast path (no status) and the diagnosis.
template <typename Filter>
void expectVerdict(Filter filter, bool fits, const QStringList &reasons, const QString &code, Plugin plugin)
{
    QCOMPARE(filter(nullptr), fits);
    FilterStatus status;
    QCOMPARE(filter(&status), fits);
    QCOMPARE(qlist(status.reasons), reasons);
    QCOMPARE(QString(codeName(status.code)), code);
    if (!fits)
        QCOMPARE(QString(pluginName(status.plugin)), QString(pluginName(plugin)));
}

} // namespace

class TestFilters : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // ---- NodeResourcesFit --------------------------------------------------------------------

    void resourcesFit_data()
    {
        QTest::addColumn<QByteArray>("pod");
        QTest::addColumn<QByteArray>("allocatable");
        QTest::addColumn<QByteArray>("placed");  // specs of pods already on the node
        QTest::addColumn<bool>("fits");
        QTest::addColumn<QStringList>("reasons");

        const Json node4 = {{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}};
        const Json none = Json::array();
        const Json threeCpusUsed = Json::array({spec({ctr("3", "1Gi")})});

        QTest::newRow("fits an empty node") << text(spec({ctr("1", "1Gi")})) << text(node4) << text(none) << true
                                           << QStringList();
        QTest::newRow("exactly the free cpu fits")
            << text(spec({ctr("1", "1Gi")})) << text(node4) << text(threeCpusUsed) << true << QStringList();
        QTest::newRow("one millicore more does not")
            << text(spec({ctr("1001m", "1Gi")})) << text(node4) << text(threeCpusUsed) << false
            << QStringList{"Insufficient cpu"};
        QTest::newRow("cpu and memory both short, both reasons")
            << text(spec({ctr("2", "8Gi")})) << text(node4) << text(threeCpusUsed) << false
            << QStringList{"Insufficient cpu", "Insufficient memory"};
        QTest::newRow("memory in bytes")
            << text(spec({ctr("100m", "7Gi")})) << text(node4) << text(Json::array({spec({ctr("", "1025Mi")})}))
            << false << QStringList{"Insufficient memory"};
        QTest::newRow("requests of several containers add up")
            << text(spec({ctr("600m"), ctr("500m")})) << text(node4) << text(threeCpusUsed) << false
            << QStringList{"Insufficient cpu"};
        QTest::newRow("a best-effort pod fits a full node")
            << text(spec({ctr("")})) << text(node4) << text(Json::array({spec({ctr("4", "8Gi")})})) << true
            << QStringList();
        QTest::newRow("a zero cpu request is not checked")
            << text(spec({ctr("0", "1Gi")})) << text(node4) << text(Json::array({spec({ctr("4")})})) << true
            << QStringList();
        QTest::newRow("pod count: the last slot fits")
            << text(spec({ctr("")})) << text(Json{{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "2"}})
            << text(Json::array({spec({ctr("")})})) << true << QStringList();
        QTest::newRow("pod count: too many pods, even without requests")
            << text(spec({ctr("")})) << text(Json{{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "2"}})
            << text(Json::array({spec({ctr("")}), spec({ctr("")})})) << false << QStringList{"Too many pods"};
        QTest::newRow("too many pods comes first, then resources")
            << text(spec({ctr("5")})) << text(Json{{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "1"}})
            << text(Json::array({spec({ctr("")})})) << false << QStringList{"Too many pods", "Insufficient cpu"};
        QTest::newRow("a node without a pods allocatable takes none")
            << text(spec({ctr("")})) << text(Json{{"cpu", "4"}, {"memory", "8Gi"}}) << text(none) << false
            << QStringList{"Too many pods"};
        // Init containers run one after another: the largest counts, against the sum of the
        // regular containers.
        QTest::newRow("init container larger than the containers")
            << text(spec({ctr("500m")}, {{"initContainers", {ctr("1500m")}}})) << text(node4) << text(threeCpusUsed)
            << false << QStringList{"Insufficient cpu"};
        QTest::newRow("init containers: the maximum, not the sum")
            << text(spec({ctr("500m")}, {{"initContainers", {ctr("1"), ctr("1")}}})) << text(node4)
            << text(threeCpusUsed) << true << QStringList();
        QTest::newRow("init container smaller than the containers")
            << text(spec({ctr("600m"), ctr("400m")}, {{"initContainers", {ctr("900m")}}})) << text(node4)
            << text(threeCpusUsed) << true << QStringList();
        // A restartable init container (sidecar) keeps running: added to the containers, and to
        // every init container that starts after it.
        QTest::newRow("sidecar adds to the containers")
            << text(spec({ctr("600m")}, {{"initContainers", {ctr("500m", "", {{"restartPolicy", "Always"}})}}}))
            << text(node4) << text(threeCpusUsed) << false << QStringList{"Insufficient cpu"};
        QTest::newRow("init container after a sidecar runs beside it")
            << text(spec({ctr("100m")}, {{"initContainers",
                                          {ctr("300m", "", {{"restartPolicy", "Always"}}), ctr("800m")}}}))
            << text(node4) << text(threeCpusUsed) << false << QStringList{"Insufficient cpu"};
        QTest::newRow("init container before a sidecar does not")
            << text(spec({ctr("100m")}, {{"initContainers",
                                          {ctr("800m"), ctr("300m", "", {{"restartPolicy", "Always"}})}}}))
            << text(node4) << text(threeCpusUsed) << true << QStringList();
        QTest::newRow("overhead is added")
            << text(spec({ctr("900m")}, {{"overhead", {{"cpu", "200m"}}}})) << text(node4) << text(threeCpusUsed)
            << false << QStringList{"Insufficient cpu"};
        QTest::newRow("placed pods' init containers and overhead count too")
            << text(spec({ctr("500m")})) << text(node4)
            << text(Json::array({spec({ctr("1")}, {{"initContainers", {ctr("3")}}, {"overhead", {{"cpu", "600m"}}}})}))
            << false << QStringList{"Insufficient cpu"};
        QTest::newRow("ephemeral-storage")
            << text(spec({ctr("", "", {{"resources", {{"requests", {{"ephemeral-storage", "20Gi"}}}}}})}))
            << text(Json{{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}, {"ephemeral-storage", "10Gi"}})
            << text(none) << false << QStringList{"Insufficient ephemeral-storage"};
        QTest::newRow("extended resource the node lacks")
            << text(spec({ctr("", "", {{"resources", {{"requests", {{"example.com/gpu", "1"}}}}}})})) << text(node4)
            << text(none) << false << QStringList{"Insufficient example.com/gpu"};
        QTest::newRow("extended resource the node has")
            << text(spec({ctr("", "", {{"resources", {{"requests", {{"example.com/gpu", "2"}}}}}})}))
            << text(Json{{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}, {"example.com/gpu", "2"}}) << text(none)
            << true << QStringList();
        QTest::newRow("extended resource used by a placed pod")
            << text(spec({ctr("", "", {{"resources", {{"requests", {{"example.com/gpu", "1"}}}}}})}))
            << text(Json{{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}, {"example.com/gpu", "2"}})
            << text(Json::array({spec({ctr("", "", {{"resources", {{"requests", {{"example.com/gpu", "2"}}}}}})})}))
            << false << QStringList{"Insufficient example.com/gpu"};
        QTest::newRow("hugepages")
            << text(spec({ctr("", "", {{"resources", {{"requests", {{"hugepages-2Mi", "4Mi"}}}}}})}))
            << text(Json{{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}, {"hugepages-2Mi", "2Mi"}}) << text(none)
            << false << QStringList{"Insufficient hugepages-2Mi"};
    }

    void resourcesFit()
    {
        QFETCH(QByteArray, pod);
        QFETCH(QByteArray, allocatable);
        QFETCH(QByteArray, placed);
        QFETCH(bool, fits);
        QFETCH(QStringList, reasons);

        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1", Json::object(), Json::object(), parse(allocatable))));
        int i = 0;
        for (const Json &placedSpec : parse(placed))
            cache.updatePlacedPod(placedPodInfoFrom(podObject(placedSpec, "placed-" + std::to_string(i++), "n1")));
        const NodeInfo &node = cache.node(cache.nodeSlot("n1"));
        const PodInfo info = podInfoFrom(podObject(parse(pod)));
        expectVerdict([&](FilterStatus *why) { return nodeResourcesFitFilter(info, node, why); }, fits, reasons,
                      fits ? "Success" : "Unschedulable", NodeResourcesFit);
    }

    // The requests read from a spec, as resourcehelper.PodRequests sums them, with and without
    // the defaults (100m, 200Mi) that scoring gives containers stating none.
    void podRequests_data()
    {
        QTest::addColumn<QByteArray>("spec");
        QTest::addColumn<qlonglong>("milliCpu");
        QTest::addColumn<qlonglong>("memory");
        QTest::addColumn<qlonglong>("nonZeroMilliCpu");
        QTest::addColumn<qlonglong>("nonZeroMemory");

        const qlonglong Mi = 1024 * 1024;
        QTest::newRow("best effort") << text(spec({ctr("")})) << 0LL << 0LL << 100LL << 200 * Mi;
        QTest::newRow("cpu only") << text(spec({ctr("250m")})) << 250LL << 0LL << 250LL << 200 * Mi;
        QTest::newRow("explicit zero stays zero") << text(spec({ctr("0", "0")})) << 0LL << 0LL << 0LL << 0LL;
        QTest::newRow("two containers, one without requests")
            << text(spec({ctr("1", "1Gi"), ctr("")})) << 1000LL << 1024 * Mi << 1100LL << 1224 * Mi;
        QTest::newRow("init container without requests gets the defaults too")
            << text(spec({ctr("50m", "10Mi")}, {{"initContainers", {ctr("")}}})) << 50LL << 10 * Mi << 100LL << 200 * Mi;
        QTest::newRow("sidecar then init then containers")
            << text(spec({ctr("1", "1Gi")},
                         {{"initContainers", {ctr("500m", "512Mi", {{"restartPolicy", "Always"}}), ctr("2", "256Mi")}}}))
            << 2500LL << 1536 * Mi << 2500LL << 1536 * Mi;
        QTest::newRow("overhead") << text(spec({ctr("1", "1Gi")}, {{"overhead", {{"cpu", "250m"}, {"memory", "64Mi"}}}}))
                                  << 1250LL << 1088 * Mi << 1250LL << 1088 * Mi;
    }

    void podRequests()
    {
        QFETCH(QByteArray, spec);
        QFETCH(qlonglong, milliCpu);
        QFETCH(qlonglong, memory);
        QFETCH(qlonglong, nonZeroMilliCpu);
        QFETCH(qlonglong, nonZeroMemory);
        const PodInfo info = podInfoFrom(podObject(parse(spec)));
        QCOMPARE(qlonglong(info.requests.milliCpu), milliCpu);
        QCOMPARE(qlonglong(info.requests.memory), memory);
        QCOMPARE(qlonglong(info.nonZeroMilliCpu), nonZeroMilliCpu);
        QCOMPARE(qlonglong(info.nonZeroMemory), nonZeroMemory);
    }

    // ---- NodeName ----------------------------------------------------------------------------

    void nodeName_data()
    {
        QTest::addColumn<QString>("wanted");
        QTest::addColumn<bool>("fits");
        QTest::newRow("no node named") << "" << true;
        QTest::newRow("this node") << "n1" << true;
        QTest::newRow("another node") << "n2" << false;
    }

    void nodeName()
    {
        QFETCH(QString, wanted);
        QFETCH(bool, fits);
        PodInfo pod = podInfoFrom(podObject(spec({ctr("")})));
        pod.nodeName = wanted.toStdString();
        const NodeInfo node = nodeInfoFrom(nodeObject("n1"));
        expectVerdict([&](FilterStatus *why) { return nodeNameFilter(pod, node, why); }, fits,
                      fits ? QStringList() : QStringList{"node(s) didn't match the requested node name"},
                      fits ? "Success" : "UnschedulableAndUnresolvable", NodeName);
    }

    // ---- NodeAffinity: nodeSelector and required node affinity -------------------------------

    void nodeAffinity_data()
    {
        QTest::addColumn<QByteArray>("podSpec");
        QTest::addColumn<bool>("fits");

        // The node: n1 {disktype: ssd, zone: a, cpus: "8", kubernetes.io/hostname: n1}.
        auto selector = [](Json labels) { return text(spec({ctr("")}, {{"nodeSelector", labels}})); };
        auto required = [](Json terms) {
            return text(spec({ctr("")}, {{"affinity",
                                          {{"nodeAffinity",
                                            {{"requiredDuringSchedulingIgnoredDuringExecution",
                                              {{"nodeSelectorTerms", terms}}}}}}}}));
        };
        auto expr = [](const std::string &key, const std::string &op, Json values = nullptr) {
            Json r = {{"key", key}, {"operator", op}};
            if (!values.is_null())
                r["values"] = values;
            return r;
        };
        auto term = [](Json expressions, Json fields = nullptr) {
            Json t = Json::object();
            if (!expressions.is_null())
                t["matchExpressions"] = expressions;
            if (!fields.is_null())
                t["matchFields"] = fields;
            return t;
        };

        QTest::newRow("nodeSelector matches") << selector({{"disktype", "ssd"}}) << true;
        QTest::newRow("nodeSelector: every label") << selector({{"disktype", "ssd"}, {"zone", "b"}}) << false;
        QTest::newRow("nodeSelector: other value") << selector({{"disktype", "hdd"}}) << false;
        QTest::newRow("nodeSelector: missing label") << selector({{"gpu", "yes"}}) << false;
        QTest::newRow("nodeSelector: empty value is a value") << selector({{"disktype", ""}}) << false;

        QTest::newRow("In matches") << required({term({expr("disktype", "In", {"hdd", "ssd"})})}) << true;
        QTest::newRow("In: other values") << required({term({expr("disktype", "In", {"hdd"})})}) << false;
        QTest::newRow("In: missing label") << required({term({expr("gpu", "In", {"yes"})})}) << false;
        QTest::newRow("NotIn: other values") << required({term({expr("disktype", "NotIn", {"hdd"})})}) << true;
        QTest::newRow("NotIn: its value") << required({term({expr("disktype", "NotIn", {"ssd"})})}) << false;
        QTest::newRow("NotIn: missing label") << required({term({expr("gpu", "NotIn", {"yes"})})}) << true;
        QTest::newRow("Exists") << required({term({expr("zone", "Exists")})}) << true;
        QTest::newRow("Exists: missing label") << required({term({expr("gpu", "Exists")})}) << false;
        QTest::newRow("DoesNotExist") << required({term({expr("gpu", "DoesNotExist")})}) << true;
        QTest::newRow("DoesNotExist: present") << required({term({expr("zone", "DoesNotExist")})}) << false;
        QTest::newRow("Gt: 8 > 4") << required({term({expr("cpus", "Gt", {"4"})})}) << true;
        QTest::newRow("Gt: 8 > 8") << required({term({expr("cpus", "Gt", {"8"})})}) << false;
        QTest::newRow("Lt: 8 < 10") << required({term({expr("cpus", "Lt", {"10"})})}) << true;
        QTest::newRow("Lt: 8 < 8") << required({term({expr("cpus", "Lt", {"8"})})}) << false;
        QTest::newRow("Gt: negative bound") << required({term({expr("cpus", "Gt", {"-1"})})}) << true;
        QTest::newRow("Gt: label not a number") << required({term({expr("disktype", "Gt", {"1"})})}) << false;
        QTest::newRow("Gt: missing label") << required({term({expr("gpu", "Gt", {"1"})})}) << false;
        QTest::newRow("Gt: bound not a number: the term is invalid")
            << required({term({expr("cpus", "Gt", {"four"})})}) << false;
        QTest::newRow("In without values: the term is invalid") << required({term({expr("disktype", "In", {})})})
                                                                << false;
        QTest::newRow("expressions of a term are ANDed")
            << required({term({expr("disktype", "In", {"ssd"}), expr("zone", "In", {"b"})})}) << false;
        QTest::newRow("terms are ORed")
            << required({term({expr("zone", "In", {"b"})}), term({expr("disktype", "In", {"ssd"})})}) << true;
        QTest::newRow("an invalid term does not spoil a valid one")
            << required({term({expr("zone", "Bogus", {"a"})}), term({expr("zone", "In", {"a"})})}) << true;
        QTest::newRow("an empty term matches nothing") << required({Json::object()}) << false;
        QTest::newRow("no terms match nothing") << required(Json::array()) << false;
        QTest::newRow("matchFields metadata.name In")
            << required({term(nullptr, {expr("metadata.name", "In", {"n1"})})}) << true;
        QTest::newRow("matchFields metadata.name In another")
            << required({term(nullptr, {expr("metadata.name", "In", {"n2"})})}) << false;
        QTest::newRow("matchFields metadata.name NotIn itself")
            << required({term(nullptr, {expr("metadata.name", "NotIn", {"n1"})})}) << false;
        QTest::newRow("matchFields metadata.name NotIn another")
            << required({term(nullptr, {expr("metadata.name", "NotIn", {"n2"})})}) << true;
        QTest::newRow("matchFields takes one value only")
            << required({term(nullptr, {expr("metadata.name", "In", {"n1", "n2"})})}) << false;
        QTest::newRow("matchFields supports In and NotIn only")
            << required({term(nullptr, {expr("metadata.name", "Exists")})}) << false;
        QTest::newRow("matchFields and matchExpressions ANDed")
            << required({term({expr("zone", "In", {"b"})}, {expr("metadata.name", "In", {"n1"})})}) << false;
        QTest::newRow("nodeSelector and affinity must both hold")
            << QByteArray(text(spec(
                   {ctr("")},
                   {{"nodeSelector", {{"disktype", "hdd"}}},
                    {"affinity",
                     {{"nodeAffinity",
                       {{"requiredDuringSchedulingIgnoredDuringExecution",
                         {{"nodeSelectorTerms", {term({expr("zone", "In", {"a"})})}}}}}}}}})))
            << false;
        QTest::newRow("preferred terms never filter")
            << QByteArray(text(spec({ctr("")}, {{"affinity",
                                                 {{"nodeAffinity",
                                                   {{"preferredDuringSchedulingIgnoredDuringExecution",
                                                     {{{"weight", 10},
                                                       {"preference", term({expr("zone", "In", {"b"})})}}}}}}}}})))
            << true;
    }

    void nodeAffinity()
    {
        QFETCH(QByteArray, podSpec);
        QFETCH(bool, fits);
        const NodeInfo node =
            nodeInfoFrom(nodeObject("n1", {{"disktype", "ssd"}, {"zone", "a"}, {"cpus", "8"}}));
        const PodInfo pod = podInfoFrom(podObject(parse(podSpec)));
        expectVerdict([&](FilterStatus *why) { return nodeAffinityFilter(pod, node, why); }, fits,
                      fits ? QStringList() : QStringList{"node(s) didn't match Pod's node affinity/selector"},
                      fits ? "Success" : "UnschedulableAndUnresolvable", NodeAffinity);
    }

    // NodeAffinity's PreFilter: terms that all name nodes (matchFields metadata.name In)
    // restrict the nodes to evaluate.
    void nodeAffinityPreFilter_data()
    {
        QTest::addColumn<QByteArray>("terms");
        QTest::addColumn<bool>("restricted");
        QTest::addColumn<bool>("conflict");
        QTest::addColumn<QStringList>("names");

        auto names = [](Json values) {
            return Json{{"key", "metadata.name"}, {"operator", "In"}, {"values", values}};
        };
        QTest::newRow("no node names") << text(Json::array({{{"matchExpressions",
                                                              {{{"key", "zone"}, {"operator", "Exists"}}}}}}))
                                       << false << false << QStringList();
        QTest::newRow("one term naming nodes")
            << text(Json::array({{{"matchFields", {names({"n2", "n1"})}}}})) << true << false
            << QStringList{"n1", "n2"};
        QTest::newRow("requirements of a term intersect")
            << text(Json::array({{{"matchFields", {names({"n1", "n2"}), names({"n2", "n3"})}}}})) << true << false
            << QStringList{"n2"};
        QTest::newRow("terms unite")
            << text(Json::array({{{"matchFields", {names({"n1"})}}}, {{"matchFields", {names({"n3"})}}}})) << true
            << false << QStringList{"n1", "n3"};
        QTest::newRow("a term without names admits every node")
            << text(Json::array({{{"matchFields", {names({"n1"})}}},
                                 {{"matchExpressions", {{{"key", "zone"}, {"operator", "Exists"}}}}}}))
            << false << false << QStringList();
        QTest::newRow("disjoint requirements conflict")
            << text(Json::array({{{"matchFields", {names({"n1"}), names({"n2"})}}}})) << true << true
            << QStringList();
    }

    void nodeAffinityPreFilter()
    {
        QFETCH(QByteArray, terms);
        QFETCH(bool, restricted);
        QFETCH(bool, conflict);
        QFETCH(QStringList, names);
        const PodInfo pod = podInfoFrom(podObject(spec(
            {ctr("")},
            {{"affinity",
              {{"nodeAffinity", {{"requiredDuringSchedulingIgnoredDuringExecution", {{"nodeSelectorTerms", parse(terms)}}}}}}}})));
        const NodeNamesFromAffinity result = scheduler::nodeAffinityPreFilter(pod);
        QCOMPARE(result.restricted, restricted);
        QCOMPARE(result.conflict, conflict);
        QCOMPARE(qlist(result.names), names);
    }

    // ---- TaintToleration ---------------------------------------------------------------------

    void taintToleration_data()
    {
        QTest::addColumn<QByteArray>("taints");
        QTest::addColumn<QByteArray>("tolerations");
        QTest::addColumn<bool>("fits");
        QTest::addColumn<QString>("reason");

        auto taint = [](const std::string &key, const std::string &value, const std::string &effect) {
            Json t = {{"key", key}, {"effect", effect}};
            if (!value.empty())
                t["value"] = value;
            return t;
        };
        auto toleration = [](const std::string &key, const std::string &op, const std::string &value,
                             const std::string &effect) {
            Json t = Json::object();
            if (!key.empty())
                t["key"] = key;
            if (!op.empty())
                t["operator"] = op;
            if (!value.empty())
                t["value"] = value;
            if (!effect.empty())
                t["effect"] = effect;
            return t;
        };
        const Json db = taint("dedicated", "db", "NoSchedule");
        const QString dbReason = "node(s) had untolerated taint {dedicated: db}";

        QTest::newRow("no taints") << text(Json::array()) << text(Json::array()) << true << "";
        QTest::newRow("NoSchedule untolerated") << text({db}) << text(Json::array()) << false << dbReason;
        QTest::newRow("NoExecute untolerated") << text({taint("dedicated", "db", "NoExecute")})
                                               << text(Json::array()) << false << dbReason;
        QTest::newRow("PreferNoSchedule never filters") << text({taint("dedicated", "db", "PreferNoSchedule")})
                                                        << text(Json::array()) << true << "";
        QTest::newRow("Equal: key, value and effect") << text({db})
                                                      << text({toleration("dedicated", "Equal", "db", "NoSchedule")})
                                                      << true << "";
        QTest::newRow("Equal: other value") << text({db}) << text({toleration("dedicated", "Equal", "web", "NoSchedule")})
                                            << false << dbReason;
        QTest::newRow("Equal: other key") << text({db}) << text({toleration("team", "Equal", "db", "NoSchedule")})
                                          << false << dbReason;
        QTest::newRow("empty operator means Equal") << text({db}) << text({toleration("dedicated", "", "db", "")})
                                                    << true << "";
        QTest::newRow("Exists: any value") << text({db}) << text({toleration("dedicated", "Exists", "", "NoSchedule")})
                                           << true << "";
        QTest::newRow("Exists without a key: every taint") << text({db, taint("gpu", "", "NoExecute")})
                                                           << text({toleration("", "Exists", "", "")}) << true << "";
        QTest::newRow("Exists without a key, one effect only")
            << text({db, taint("gpu", "", "NoExecute")}) << text({toleration("", "Exists", "", "NoSchedule")}) << false
            << "node(s) had untolerated taint {gpu: }";
        QTest::newRow("no effect: every effect") << text({taint("dedicated", "db", "NoExecute")})
                                                 << text({toleration("dedicated", "Equal", "db", "")}) << true << "";
        QTest::newRow("NoSchedule toleration does not cover NoExecute")
            << text({taint("dedicated", "db", "NoExecute")}) << text({toleration("dedicated", "Equal", "db", "NoSchedule")})
            << false << dbReason;
        QTest::newRow("a taint without value matches an empty Equal")
            << text({taint("gpu", "", "NoSchedule")}) << text({toleration("gpu", "Equal", "", "NoSchedule")}) << true
            << "";
        QTest::newRow("the first untolerated taint is named")
            << text({db, taint("gpu", "", "NoSchedule"), taint("zone", "x", "NoSchedule")})
            << text({toleration("dedicated", "Exists", "", "")}) << false << "node(s) had untolerated taint {gpu: }";
        QTest::newRow("unknown operator tolerates nothing")
            << text({db}) << text({toleration("dedicated", "Gt", "db", "")}) << false << dbReason;
    }

    void taintToleration()
    {
        QFETCH(QByteArray, taints);
        QFETCH(QByteArray, tolerations);
        QFETCH(bool, fits);
        QFETCH(QString, reason);
        const NodeInfo node = nodeInfoFrom(nodeObject("n1", Json::object(), {{"taints", parse(taints)}}));
        const PodInfo pod = podInfoFrom(podObject(spec({ctr("")}, {{"tolerations", parse(tolerations)}})));
        expectVerdict([&](FilterStatus *why) { return taintTolerationFilter(pod, node, why); }, fits,
                      fits ? QStringList() : QStringList{reason}, fits ? "Success" : "UnschedulableAndUnresolvable",
                      TaintToleration);
    }

    // ---- NodeUnschedulable -------------------------------------------------------------------

    void nodeUnschedulable_data()
    {
        QTest::addColumn<bool>("unschedulable");
        QTest::addColumn<QByteArray>("tolerations");
        QTest::addColumn<bool>("fits");

        const Json exact = {{"key", "node.kubernetes.io/unschedulable"}, {"operator", "Exists"}, {"effect", "NoSchedule"}};
        QTest::newRow("schedulable") << false << text(Json::array()) << true;
        QTest::newRow("cordoned") << true << text(Json::array()) << false;
        QTest::newRow("cordoned, tolerated") << true << text({exact}) << true;
        QTest::newRow("cordoned, tolerated by Exists without key") << true << text({{{"operator", "Exists"}}}) << true;
        QTest::newRow("cordoned, toleration for NoExecute only")
            << true
            << text({{{"key", "node.kubernetes.io/unschedulable"}, {"operator", "Exists"}, {"effect", "NoExecute"}}})
            << false;
        QTest::newRow("cordoned, toleration of another key")
            << true << text({{{"key", "node.kubernetes.io/not-ready"}, {"operator", "Exists"}}}) << false;
    }

    void nodeUnschedulable()
    {
        QFETCH(bool, unschedulable);
        QFETCH(QByteArray, tolerations);
        QFETCH(bool, fits);
        const NodeInfo node = nodeInfoFrom(nodeObject("n1", Json::object(), {{"unschedulable", unschedulable}}));
        const PodInfo pod = podInfoFrom(podObject(spec({ctr("")}, {{"tolerations", parse(tolerations)}})));
        expectVerdict([&](FilterStatus *why) { return nodeUnschedulableFilter(pod, node, why); }, fits,
                      fits ? QStringList() : QStringList{"node(s) were unschedulable"},
                      fits ? "Success" : "UnschedulableAndUnresolvable", NodeUnschedulable);
    }

    // ---- NodeReady (Clusterdeck's) -----------------------------------------------------------

    void nodeReady_data()
    {
        QTest::addColumn<QByteArray>("conditions");
        QTest::addColumn<bool>("fits");
        QTest::newRow("Ready True") << text({{{"type", "Ready"}, {"status", "True"}}}) << true;
        QTest::newRow("Ready False") << text({{{"type", "Ready"}, {"status", "False"}}}) << false;
        QTest::newRow("Ready Unknown") << text({{{"type", "Ready"}, {"status", "Unknown"}}}) << false;
        QTest::newRow("no Ready condition yet") << text(Json::array()) << false;
    }

    void nodeReady()
    {
        QFETCH(QByteArray, conditions);
        QFETCH(bool, fits);
        Json object = nodeObject("n1");
        object["status"]["conditions"] = parse(conditions);
        const NodeInfo node = nodeInfoFrom(object);
        const PodInfo pod = podInfoFrom(podObject(spec({ctr("")})));
        expectVerdict([&](FilterStatus *why) { return nodeReadyFilter(pod, node, why); }, fits,
                      fits ? QStringList() : QStringList{"node(s) were not ready"},
                      fits ? "Success" : "UnschedulableAndUnresolvable", NodeReady);
    }

    // ---- NodePorts ---------------------------------------------------------------------------

    void nodePorts_data()
    {
        QTest::addColumn<QByteArray>("wanted");  // the pod's container ports
        QTest::addColumn<QByteArray>("used");    // ports of the pod already on the node
        QTest::addColumn<bool>("fits");

        auto port = [](int hostPort, const std::string &protocol = {}, const std::string &ip = {}) {
            Json p = {{"containerPort", 80}, {"hostPort", hostPort}};
            if (!protocol.empty())
                p["protocol"] = protocol;
            if (!ip.empty())
                p["hostIP"] = ip;
            return p;
        };
        QTest::newRow("no host ports") << text({{{"containerPort", 80}}}) << text({port(80)}) << true;
        QTest::newRow("free port") << text({port(8080)}) << text({port(80)}) << true;
        QTest::newRow("same port") << text({port(80)}) << text({port(80)}) << false;
        QTest::newRow("TCP is the default protocol") << text({port(80, "TCP")}) << text({port(80)}) << false;
        QTest::newRow("other protocol") << text({port(80, "UDP")}) << text({port(80)}) << true;
        QTest::newRow("different addresses") << text({port(80, "", "10.0.0.1")}) << text({port(80, "", "10.0.0.2")})
                                             << true;
        QTest::newRow("same address") << text({port(80, "", "10.0.0.1")}) << text({port(80, "", "10.0.0.1")}) << false;
        QTest::newRow("0.0.0.0 wanted conflicts with any address")
            << text({port(80, "", "0.0.0.0")}) << text({port(80, "", "10.0.0.2")}) << false;
        QTest::newRow("an address conflicts with 0.0.0.0 in use")
            << text({port(80, "", "10.0.0.1")}) << text({port(80)}) << false;
        QTest::newRow("one of several ports taken") << text({port(8080), port(80)}) << text({port(80)}) << false;
    }

    void nodePorts()
    {
        QFETCH(QByteArray, wanted);
        QFETCH(QByteArray, used);
        QFETCH(bool, fits);
        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1")));
        cache.updatePlacedPod(placedPodInfoFrom(podObject(spec({ctr("", "", {{"ports", parse(used)}})}), "web", "n1")));
        const NodeInfo &node = cache.node(cache.nodeSlot("n1"));
        const PodInfo pod = podInfoFrom(podObject(spec({ctr("", "", {{"ports", parse(wanted)}})})));
        expectVerdict([&](FilterStatus *why) { return nodePortsFilter(pod, node, why); }, fits,
                      fits ? QStringList() : QStringList{"node(s) didn't have free ports for the requested pod ports"},
                      fits ? "Success" : "Unschedulable", NodePorts);
    }

    void nodePortsFreedWhenThePodGoes()
    {
        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1")));
        const Json holder =
            podObject(spec({ctr("", "", {{"ports", {{{"containerPort", 80}, {"hostPort", 80}}}}})}), "holder", "n1");
        cache.updatePlacedPod(placedPodInfoFrom(holder));
        const PodInfo pod = podInfoFrom(podObject(spec({ctr("", "", {{"ports", {{{"containerPort", 80}, {"hostPort", 80}}}}})})));
        QVERIFY(!nodePortsFilter(pod, cache.node(cache.nodeSlot("n1")), nullptr));
        QCOMPARE(cache.removePod("uid-holder"), unsigned(NodeResourcesFit | NodePorts));
        QVERIFY(nodePortsFilter(pod, cache.node(cache.nodeSlot("n1")), nullptr));
    }

    // ---- VolumeBinding -----------------------------------------------------------------------

    void volumeBinding_data()
    {
        QTest::addColumn<QByteArray>("volumes");     // the pod's spec.volumes
        QTest::addColumn<QString>("nodeZone");
        QTest::addColumn<QString>("preFilter");      // PreFilter's rejection, or empty
        QTest::addColumn<QStringList>("reasons");    // Filter's reasons on the node, empty when it fits

        auto claimVolume = [](const std::string &claim) {
            return Json{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", claim}}}};
        };
        const QString conflict = "node(s) had volume node affinity conflict";
        QTest::newRow("no claims") << text({{{"name", "cfg"}, {"emptyDir", Json::object()}}}) << "a" << ""
                                   << QStringList();
        QTest::newRow("missing claim") << text({claimVolume("nope")}) << "a"
                                       << "persistentvolumeclaim \"nope\" not found" << QStringList();
        QTest::newRow("ephemeral claim not created yet")
            << text({{{"name", "scratch"}, {"ephemeral", {{"volumeClaimTemplate", Json::object()}}}}}) << "a"
            << "waiting for ephemeral volume controller to create the persistentvolumeclaim \"p-scratch\""
            << QStringList();
        QTest::newRow("lost claim") << text({claimVolume("lost")}) << "a"
                                    << "persistentvolumeclaim \"lost\" bound to non-existent persistentvolume \"gone\""
                                    << QStringList();
        QTest::newRow("claim being deleted") << text({claimVolume("deleting")}) << "a"
                                             << "persistentvolumeclaim \"deleting\" is being deleted" << QStringList();
        QTest::newRow("unbound claim of an Immediate class")
            << text({claimVolume("pending")}) << "a" << "pod has unbound immediate PersistentVolumeClaims"
            << QStringList();
        QTest::newRow("bound volume reachable") << text({claimVolume("bound-a")}) << "a" << "" << QStringList();
        QTest::newRow("bound volume in another zone") << text({claimVolume("bound-a")}) << "b" << ""
                                                      << QStringList{conflict};
        QTest::newRow("bound volume without node affinity") << text({claimVolume("bound-anywhere")}) << "b" << ""
                                                            << QStringList();
        QTest::newRow("bound to a volume that does not exist")
            << text({claimVolume("bound-missing")}) << "a" << ""
            << QStringList{"node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"};
        QTest::newRow("WaitForFirstConsumer: a local volume in the zone") << text({claimVolume("wait-local")}) << "a"
                                                                         << "" << QStringList();
        QTest::newRow("WaitForFirstConsumer: no volume, no provisioner")
            << text({claimVolume("wait-local")}) << "b" << ""
            << QStringList{"node(s) didn't find available persistent volumes to bind"};
        QTest::newRow("WaitForFirstConsumer: provisioned anywhere") << text({claimVolume("wait-dynamic")}) << "b"
                                                                   << "" << QStringList();
        QTest::newRow("WaitForFirstConsumer: allowed topologies")
            << text({claimVolume("wait-zoned")}) << "b" << ""
            << QStringList{"node(s) didn't find available persistent volumes to bind"};
        QTest::newRow("WaitForFirstConsumer: allowed topologies met") << text({claimVolume("wait-zoned")}) << "a"
                                                                     << "" << QStringList();
    }

    void volumeBinding()
    {
        QFETCH(QByteArray, volumes);
        QFETCH(QString, nodeZone);
        QFETCH(QString, preFilter);
        QFETCH(QStringList, reasons);

        VolumeCache cache;
        auto claim = [&](const std::string &name, Json spec, Json status = Json::object(), Json meta = Json::object()) {
            Json object = {{"apiVersion", "v1"},
                           {"kind", "PersistentVolumeClaim"},
                           {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}},
                           {"spec", spec},
                           {"status", status}};
            object["metadata"].update(meta);
            cache.upsertClaim(object);
        };
        auto volume = [&](const std::string &name, Json spec, const std::string &phase) {
            cache.upsertVolume({{"apiVersion", "v1"},
                                {"kind", "PersistentVolume"},
                                {"metadata", {{"name", name}}},
                                {"spec", spec},
                                {"status", {{"phase", phase}}}});
        };
        auto storageClass = [&](const std::string &name, const std::string &provisioner, const std::string &mode,
                                Json more = Json::object()) {
            Json object = {{"apiVersion", "storage.k8s.io/v1"},
                           {"kind", "StorageClass"},
                           {"metadata", {{"name", name}}},
                           {"provisioner", provisioner},
                           {"volumeBindingMode", mode}};
            object.update(more);
            cache.upsertClass(object);
        };
        const Json zoneA = {{"required",
                             {{"nodeSelectorTerms",
                               {{{"matchExpressions", {{{"key", "zone"}, {"operator", "In"}, {"values", {"a"}}}}}}}}}}};
        const Json request = {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}};
        auto claimSpec = [&](const std::string &cls, const std::string &volumeName = {}) {
            Json s = request;
            s["storageClassName"] = cls;
            if (!volumeName.empty())
                s["volumeName"] = volumeName;
            return s;
        };

        storageClass("standard", "clusterdeck.io/local", "Immediate");
        storageClass("local", "kubernetes.io/no-provisioner", "WaitForFirstConsumer");
        storageClass("dynamic", "clusterdeck.io/local", "WaitForFirstConsumer");
        storageClass("zoned", "clusterdeck.io/local", "WaitForFirstConsumer",
                     {{"allowedTopologies", {{{"matchLabelExpressions", {{{"key", "zone"}, {"values", {"a"}}}}}}}}});

        claim("lost", claimSpec("standard", "gone"), {{"phase", "Lost"}});
        claim("deleting", claimSpec("standard"), Json::object(), {{"deletionTimestamp", "2024-01-01T00:00:00Z"}});
        claim("pending", claimSpec("standard"), {{"phase", "Pending"}});
        claim("bound-a", claimSpec("standard", "pv-a"), {{"phase", "Bound"}});
        claim("bound-anywhere", claimSpec("standard", "pv-anywhere"), {{"phase", "Bound"}});
        claim("bound-missing", claimSpec("standard", "pv-missing"), {{"phase", "Bound"}});
        claim("wait-local", claimSpec("local"), {{"phase", "Pending"}});
        claim("wait-dynamic", claimSpec("dynamic"), {{"phase", "Pending"}});
        claim("wait-zoned", claimSpec("zoned"), {{"phase", "Pending"}});

        Json boundA = {{"capacity", {{"storage", "1Gi"}}},
                       {"accessModes", {"ReadWriteOnce"}},
                       {"storageClassName", "standard"},
                       {"nodeAffinity", zoneA},
                       {"claimRef", {{"namespace", "default"}, {"name", "bound-a"}, {"uid", "uid-bound-a"}}}};
        volume("pv-a", boundA, "Bound");
        volume("pv-anywhere",
               {{"capacity", {{"storage", "1Gi"}}},
                {"accessModes", {"ReadWriteOnce"}},
                {"storageClassName", "standard"},
                {"claimRef", {{"namespace", "default"}, {"name", "bound-anywhere"}, {"uid", "uid-bound-anywhere"}}}},
               "Bound");
        volume("local-a",
               {{"capacity", {{"storage", "5Gi"}}},
                {"accessModes", {"ReadWriteOnce"}},
                {"storageClassName", "local"},
                {"nodeAffinity", zoneA}},
               "Available");

        const PodInfo pod = podInfoFrom(podObject(spec({ctr("")}, {{"volumes", parse(volumes)}})));
        VolumeBindingState state;
        const std::string rejected = volumeBindingPreFilter(pod, cache, state);
        QCOMPARE(QString::fromStdString(rejected), preFilter);
        if (!rejected.empty())
            return;
        const NodeInfo node = nodeInfoFrom(nodeObject("n1", {{"zone", nodeZone.toStdString()}}));
        const bool fits = reasons.isEmpty();
        expectVerdict([&](FilterStatus *why) { return volumeBindingFilter(state, cache, node, why); }, fits, reasons,
                      fits ? "Success" : "UnschedulableAndUnresolvable", VolumeBinding);
    }

    // Every filter, in the default profile's order: the first that fails names the reason.
    void filtersRunInKubernetesOrder()
    {
        Cache cache;
        cache.upsertNode(nodeInfoFrom(nodeObject("n1", {{"disktype", "hdd"}},
                                                 {{"unschedulable", true},
                                                  {"taints", {{{"key", "dedicated"}, {"value", "db"}, {"effect", "NoSchedule"}}}}},
                                                 {{"cpu", "1"}, {"memory", "1Gi"}, {"pods", "110"}})));
        const NodeInfo &node = cache.node(cache.nodeSlot("n1"));
        const VolumeBindingState noVolumes;
        auto firstReason = [&](const Json &podSpec) {
            FilterStatus status;
            Algorithm::runFilters(podInfoFrom(podObject(podSpec)), node, noVolumes, cache.volumes(), &status);
            return status.reasons.empty() ? QString() : QString::fromStdString(status.reasons.front());
        };
        const Json everything = {{"operator", "Exists"}};
        QCOMPARE(firstReason(spec({ctr("2")}, {{"nodeSelector", {{"disktype", "ssd"}}}})),
                 QString("node(s) were unschedulable"));
        QCOMPARE(firstReason(spec({ctr("2")}, {{"nodeSelector", {{"disktype", "ssd"}}},
                                               {"tolerations", {{{"key", "node.kubernetes.io/unschedulable"}, {"operator", "Exists"}}}}})),
                 QString("node(s) had untolerated taint {dedicated: db}"));
        QCOMPARE(firstReason(spec({ctr("2")}, {{"nodeSelector", {{"disktype", "ssd"}}}, {"tolerations", {everything}}})),
                 QString("node(s) didn't match Pod's node affinity/selector"));
        QCOMPARE(firstReason(spec({ctr("2")}, {{"tolerations", {everything}}})), QString("Insufficient cpu"));
        QCOMPARE(firstReason(spec({ctr("1")}, {{"tolerations", {everything}}})), QString());
    }
};

QTEST_GUILESS_MAIN(TestFilters)
#include "tst_filters.moc"
