// The metrics.k8s.io API end to end in one process: process and simulated node agents with
// their kubelet server, the API server reaching them over loopback HTTP (the real kubelet
// client), and real sandboxed containers that burn CPU. Also the objects' shapes (quantities,
// windows, discovery) and metrics-server's errors; and all of it as an unprivileged user.
#include "engine/api/metricsobjects.h"
#include "engine/core/quantity.h"
#include "engine/node/nodemanager.h"
#include "engine/server/kubeletclient.h"
#include "inprocesscluster.h"
#include "machinetools.h"

#include <QtTest>

#include <unistd.h>

using namespace cd;
using namespace cd::node;
namespace metrics = cd::api::metrics;

namespace {

const QByteArray kToken = "metrics-test-kubelet-token";

Json burner(const std::string &name, const std::string &node, const Json &labels)
{
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", labels}}},
            {"spec",
             {{"nodeName", node},
              {"terminationGracePeriodSeconds", 1},
              {"containers",
               Json::array({{{"name", "burn"}, {"image", "host"}, {"command", {"sh", "-c", "while :; do :; done"}}},
                            {{"name", "idle"}, {"image", "host"}, {"command", {"sleep", "600"}}}})}}}};
}

long long milliCores(const Json &usage) { return Quantity::parse(str(usage, {"cpu"})).value().milliValue(); }

} // namespace

class TestMetricsApi : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<NodeManager> m_nodes;

    client::Response get(const std::string &path, std::multimap<std::string, std::string> query = {})
    {
        client::Request request;
        request.path = path;
        request.query = std::move(query);
        std::optional<client::Response> answer;
        m_cluster->client().send(request, [&answer](const client::Response &r) { answer = r; });
        QDeadlineTimer deadline(15000);
        while (!answer && !deadline.hasExpired())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        return answer.value_or(client::Response{504, "no answer", {}, {}});
    }

    static QByteArray text(const client::Response &r) { return QByteArray::fromStdString(std::to_string(r.status) + " " + r.body); }

private Q_SLOTS:
    void objectShapes()
    {
        QCOMPARE(metrics::cpuQuantity(1234567), std::string("1234567n"));
        QCOMPARE(metrics::cpuQuantity(0), std::string("0"));
        QCOMPARE(metrics::memoryQuantity(50 * 1024 * 1024), std::string("51200Ki"));
        QCOMPARE(metrics::memoryQuantity(1000), std::string("1000"));
        QCOMPARE(Quantity::parse(metrics::cpuQuantity(1500000000)).value().milliValue(), 1500LL);
        QCOMPARE(metrics::goDuration(10000), std::string("10s"));
        QCOMPARE(metrics::goDuration(1002), std::string("1.002s"));
        QCOMPARE(metrics::goDuration(1500), std::string("1.5s"));
        QCOMPARE(metrics::goDuration(500), std::string("500ms"));
        QCOMPARE(metrics::goDuration(90000), std::string("1m30s"));
        QCOMPARE(metrics::goDuration(3600000), std::string("1h0m0s"));

        const Json node = {{"metadata", {{"name", "node-1"}, {"labels", {{"kubernetes.io/hostname", "node-1"}}}}}};
        const Json summary = {{"node",
                               {{"nodeName", "node-1"},
                                {"cpu", {{"time", "2025-01-01T00:00:10Z"}, {"usageNanoCores", 250000000}}},
                                {"memory", {{"workingSetBytes", 2048}}}}}};
        const Json m = metrics::nodeMetrics(node, summary, 10000).value();
        QCOMPARE(str(m, {"kind"}), std::string("NodeMetrics"));
        QCOMPARE(str(m, {"apiVersion"}), std::string("metrics.k8s.io/v1beta1"));
        QCOMPARE(str(m, {"metadata", "name"}), std::string("node-1"));
        QCOMPARE(str(m, {"metadata", "labels", "kubernetes.io/hostname"}), std::string("node-1"));
        QVERIFY(has(m, {"metadata", "creationTimestamp"}));
        QCOMPARE(str(m, {"timestamp"}), std::string("2025-01-01T00:00:10Z"));
        QCOMPARE(str(m, {"window"}), std::string("10s"));
        QCOMPARE(str(m, {"usage", "cpu"}), std::string("250000000n"));
        QCOMPARE(str(m, {"usage", "memory"}), std::string("2Ki"));
        // No rate yet: no metrics.
        QVERIFY(!metrics::nodeMetrics(node, Json{{"node", {{"cpu", {{"usageCoreNanoSeconds", 5}}}}}}, 0));

        const Json pod = {{"metadata", {{"name", "web"}, {"namespace", "shop"}}}};
        const Json podSummary = {
            {"cpu", {{"time", "2025-01-01T00:00:10Z"}}},
            {"containers",
             Json::array({{{"name", "a"}, {"cpu", {{"usageNanoCores", 1}}}, {"memory", {{"workingSetBytes", 1024}}}},
                          {{"name", "b"}, {"cpu", {{"usageNanoCores", 2}}}, {"memory", {{"workingSetBytes", 0}}}}})}};
        const Json pm = metrics::podMetrics(pod, podSummary, 1000).value();
        QCOMPARE(str(pm, {"kind"}), std::string("PodMetrics"));
        QCOMPARE(str(pm, {"metadata", "namespace"}), std::string("shop"));
        QVERIFY(!has(pm, {"metadata", "labels"}));
        QCOMPARE(str(pm, {"window"}), std::string("1s"));
        QCOMPARE(pm["containers"].size(), size_t(2));
        QCOMPARE(str(pm["containers"][0], {"usage", "memory"}), std::string("1Ki"));
        QCOMPARE(str(pm["containers"][1], {"usage", "cpu"}), std::string("2n"));
        Json partial = podSummary;
        partial["containers"][1]["cpu"].erase("usageNanoCores");
        QVERIFY(!metrics::podMetrics(pod, partial, 1000));  // a container without a rate: left out

        const Json resources = metrics::apiResourceList();
        QCOMPARE(str(resources, {"groupVersion"}), std::string("metrics.k8s.io/v1beta1"));
        QCOMPARE(resources["resources"].size(), size_t(2));
        QCOMPARE(str(resources["resources"][0], {"kind"}), std::string("NodeMetrics"));
        QCOMPARE(resources["resources"][0]["namespaced"], Json(false));
        QCOMPARE(str(resources["resources"][1], {"name"}), std::string("pods"));
        QVERIFY(resources["resources"][1]["verbs"] == Json::array({"get", "list"}));
    }

    // An API server that reaches no kubelet has no metrics API (kubectl: "Metrics API not available").
    void notServedWithoutKubelets()
    {
        test::InProcessCluster plain;
        const client::Response groups = plain.send("GET", "/apis");
        QVERIFY(groups.ok());
        QVERIFY(groups.body.find("metrics.k8s.io") == std::string::npos);
        QCOMPARE(plain.send("GET", "/apis/metrics.k8s.io/v1beta1/nodes").status, 404);
    }

    void endToEnd()
    {
        CD_REQUIRE_TOOL(QStringLiteral("bwrap"));
        QVERIFY(m_dir.isValid());
        m_cluster = std::make_unique<test::InProcessCluster>();
        m_cluster->api().context().setKubeletConnector(std::make_unique<server::KubeletClient>(kToken));
        NodeManagerOptions options;
        options.nodes = uniformNodes(1, "process");
        NodeSpec simulated;
        simulated.name = "sim-1";
        simulated.kind = "simulated";
        options.nodes.push_back(simulated);
        options.dataDir = m_dir.path();
        options.hiddenPaths = {m_dir.path().toStdString()};
        options.kubeletToken = kToken;
        options.statsInterval = std::chrono::milliseconds(300);
        options.leaseRenewInterval = std::chrono::milliseconds(500);
        m_nodes = std::make_unique<NodeManager>(&m_cluster->client(), options);
        m_nodes->start();
        QVERIFY(m_cluster->waitFor([&] { return m_nodes->registeredCount() == 2; }, 20000));
        auto cleanup = qScopeGuard([&] {
            // Containers outlive their node agents (engine restarts): stop them first.
            for (const char *name : {"burner", "other"})
                m_cluster->remove("v1", "Pod", "default", name);
            m_cluster->waitFor([&] { return m_cluster->list("v1", "Pod", "default").empty(); }, 20000);
            m_nodes.reset();
            m_cluster.reset();
        });

        // Discovery, as kubectl top checks it.
        const client::Response groups = get("/apis");
        QVERIFY2(groups.body.find("\"metrics.k8s.io\"") != std::string::npos, text(groups));
        const Json group = get("/apis/metrics.k8s.io").json();
        QCOMPARE(str(group, {"kind"}), std::string("APIGroup"));
        QCOMPARE(str(group, {"preferredVersion", "groupVersion"}), std::string("metrics.k8s.io/v1beta1"));
        QCOMPARE(str(get("/apis/metrics.k8s.io/v1beta1").json(), {"kind"}), std::string("APIResourceList"));
        QCOMPARE(get("/apis/metrics.k8s.io/v2").status, 404);
        QCOMPARE(get("/apis/metrics.k8s.io/v1beta1/services").status, 404);

        QVERIFY(!m_cluster->create(burner("burner", "node-1", {{"app", "burn"}})).is_null());
        QVERIFY(!m_cluster->create(burner("other", "node-1", {{"app", "other"}})).is_null());
        QVERIFY(m_cluster->waitFor([&] {
            return str(m_cluster->get("v1", "Pod", "default", "burner"), {"status", "phase"}) == "Running";
        }, 20000));

        // PodMetrics once two samples have been taken; the busy loop uses about a core.
        client::Response pod;
        QVERIFY(m_cluster->waitFor([&] {
            pod = get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/burner");
            return pod.ok();
        }, 15000));
        Json metricsOfPod = pod.json();
        QCOMPARE(str(metricsOfPod, {"kind"}), std::string("PodMetrics"));
        QCOMPARE(str(metricsOfPod, {"metadata", "labels", "app"}), std::string("burn"));
        QCOMPARE(metricsOfPod["containers"].size(), size_t(2));
        // The busy loop gets what the scheduler gives it (a core on an idle machine, less on a
        // busy one); the sleeping container next to it nearly nothing.
        QVERIFY2(m_cluster->waitFor([&] {
            metricsOfPod = get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/burner").json();
            return milliCores(metricsOfPod["containers"][0]["usage"]) > 200;
        }, 10000), metricsOfPod.dump().c_str());
        QCOMPARE(str(metricsOfPod["containers"][0], {"name"}), std::string("burn"));
        QVERIFY2(milliCores(metricsOfPod["containers"][1]["usage"]) < 100, metricsOfPod.dump().c_str());
        QVERIFY(Quantity::parse(str(metricsOfPod["containers"][1], {"usage", "memory"})).value().value() > 0);
        QVERIFY2(str(metricsOfPod, {"window"}).back() == 's', metricsOfPod.dump().c_str());

        // Lists: in a namespace, everywhere, and by label.
        QVERIFY(m_cluster->waitFor([&] {
            return get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods").json()["items"].size() == 2;
        }, 10000));
        const Json all = get("/apis/metrics.k8s.io/v1beta1/pods").json();
        QCOMPARE(str(all, {"kind"}), std::string("PodMetricsList"));
        QCOMPARE(all["items"].size(), size_t(2));
        const Json selected = get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", {{"labelSelector", "app=burn"}}).json();
        QCOMPARE(selected["items"].size(), size_t(1));
        QCOMPARE(str(selected["items"][0], {"metadata", "name"}), std::string("burner"));
        QCOMPARE(get("/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods").json()["items"].size(), size_t(0));
        QCOMPARE(get("/apis/metrics.k8s.io/v1beta1/pods", {{"labelSelector", "app in (x"}}).status, 400);

        // Nodes: the process node has metrics, the simulated one none (kubectl shows <unknown>).
        const Json nodes = get("/apis/metrics.k8s.io/v1beta1/nodes").json();
        QCOMPARE(str(nodes, {"kind"}), std::string("NodeMetricsList"));
        QCOMPARE(nodes["items"].size(), size_t(1));
        QCOMPARE(str(nodes["items"][0], {"metadata", "name"}), std::string("node-1"));
        QVERIFY2(milliCores(nodes["items"][0]["usage"]) > 200, nodes.dump().c_str());
        QVERIFY(Quantity::parse(str(nodes["items"][0], {"usage", "memory"})).value().value() > 0);
        QCOMPARE(get("/apis/metrics.k8s.io/v1beta1/nodes/node-1").json()["kind"], Json("NodeMetrics"));
        QCOMPARE(get("/apis/metrics.k8s.io/v1beta1/nodes", {{"labelSelector", "kubernetes.io/hostname=sim-1"}})
                     .json()["items"].size(),
                 size_t(0));

        // metrics-server's errors.
        client::Response missing = get("/apis/metrics.k8s.io/v1beta1/nodes/sim-1");
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.message(), std::string("nodemetrics.metrics.k8s.io \"sim-1\" not found"));
        missing = get("/apis/metrics.k8s.io/v1beta1/nodes/nowhere");
        QCOMPARE(missing.message(), std::string("nodes \"nowhere\" not found"));
        missing = get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/ghost");
        QCOMPARE(missing.message(), std::string("pods \"ghost\" not found"));
        client::Request post;
        post.method = "POST";
        post.path = "/apis/metrics.k8s.io/v1beta1/nodes";
        post.body = "{}";
        std::optional<client::Response> posted;
        m_cluster->client().send(post, [&](const client::Response &r) { posted = r; });
        QVERIFY(QTest::qWaitFor([&] { return posted.has_value(); }, 5000));
        QCOMPARE(posted->status, 405);

        // The kubelet's statistics through the node proxy (kubectl get --raw), for dashboards.
        const client::Response proxied = get("/api/v1/nodes/node-1/proxy/stats/summary");
        QVERIFY2(proxied.ok(), text(proxied).constData());
        const Json summary = proxied.json();
        QCOMPARE(str(summary, {"node", "nodeName"}), std::string("node-1"));
        QCOMPARE(summary["pods"].size(), size_t(2));
        Json history;
        QVERIFY2(m_cluster->waitFor([&] {
            history = get("/api/v1/nodes/node-1/proxy/stats/history", {{"namespace", "default"}, {"pod", "burner"}}).json();
            return history["samples"].size() >= 4;  // one more each round
        }, 5000), history.dump().c_str());
        QCOMPARE(str(history, {"podRef", "name"}), std::string("burner"));
        QCOMPARE(integer(history, {"intervalMs"}), 300LL);
        QCOMPARE(history["containers"].size(), size_t(2));
        QCOMPARE(get("/api/v1/nodes/sim-1/proxy/stats/summary").status, 404);
        QCOMPARE(get("/api/v1/nodes/nowhere/proxy/stats/summary").status, 404);
    }

    // Everything above as an unprivileged user (the desktop case): the test runs itself again.
    void unprivileged()
    {
        CD_RERUN_AS_NOBODY(120000, QStringLiteral("endToEnd"));
    }
};

QTEST_GUILESS_MAIN(TestMetricsApi)
#include "tst_metricsapi.moc"
