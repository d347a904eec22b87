// ResourceQuota admission through the real API pipeline: Kubernetes' 403 messages, nothing stored
// when refused, usage charged in the quota's status in the same request.
#include "apitestkit.h"

using namespace cd;
using namespace cd::api;
using namespace cd::test;

namespace {

Json resourceQuota(const std::string &name, Json hard, Json extraSpec = Json::object())
{
    Json spec = std::move(extraSpec);
    spec["hard"] = std::move(hard);
    return {{"apiVersion", "v1"}, {"kind", "ResourceQuota"}, {"metadata", {{"name", name}}}, {"spec", spec}};
}

} // namespace

class TestQuotaAdmission : public QObject {
    Q_OBJECT

    std::unique_ptr<ApiTestKit> m_kit;

    ApiResponse send(Method method, const std::string &path, const Json &body = Json(),
                     std::multimap<std::string, std::string> query = {})
    {
        return m_kit->send(method, path, body, std::move(query));
    }
    static std::string collection(const Json &object)
    {
        const std::string kind = str(object, {"kind"});
        std::string plural = kind == "Pod"                     ? "pods"
                             : kind == "ResourceQuota"         ? "resourcequotas"
                             : kind == "ConfigMap"             ? "configmaps"
                             : kind == "Secret"                ? "secrets"
                             : kind == "Service"               ? "services"
                             : kind == "PersistentVolumeClaim" ? "persistentvolumeclaims"
                                                               : "unknown";
        return "/api/v1/namespaces/default/" + plural;
    }
    // Creates and checks the status code; returns the answer's body.
    Json create(const Json &object, int expected = 201)
    {
        const ApiResponse r = send(Method::Post, collection(object), object);
        if (r.status != expected)
            qWarning("%s", r.body.c_str());
        [&] { QCOMPARE(r.status, expected); }();
        return Json::parse(r.body, nullptr, false);
    }
    Json get(const std::string &path)
    {
        const ApiResponse r = send(Method::Get, path);
        return r.status == 200 ? Json::parse(r.body) : Json();
    }
    Json used(const std::string &quotaName)
    {
        const Json q = get("/api/v1/namespaces/default/resourcequotas/" + quotaName);
        const Json *u = find(q, {"status", "used"});
        return u ? *u : Json();
    }
    void memCpuDemo()
    {
        create(resourceQuota("mem-cpu-demo",
                             {{"requests.cpu", "1"}, {"requests.memory", "1Gi"}, {"limits.cpu", "2"},
                              {"limits.memory", "2Gi"}}));
    }

private Q_SLOTS:
    void init()
    {
        m_kit = std::make_unique<ApiTestKit>();
        QVERIFY(m_kit->bootstrapped());
    }
    void cleanup() { m_kit.reset(); }

    void aNewQuotaHasItsStatusAtOnce()
    {
        const Json q = create(resourceQuota("mem-cpu-demo", {{"requests.cpu", "1"}, {"requests.memory", "1Gi"},
                                                             {"limits.cpu", "2"}, {"limits.memory", "2Gi"}}));
        QCOMPARE(q["status"]["hard"], q["spec"]["hard"]);
        QCOMPARE(q["status"]["used"], Json({{"limits.cpu", "0"},
                                            {"limits.memory", "0"},
                                            {"requests.cpu", "0"},
                                            {"requests.memory", "0"}}));
    }

    // The example of Kubernetes' "Configure Memory and CPU Quotas for a Namespace" task.
    void exceedingTheQuotaIsForbiddenAndNothingIsStored()
    {
        memCpuDemo();
        create(pod("quota-mem-cpu-demo", Json::array({container("quota-mem-cpu-demo-ctr",
                                                                {{"memory", "600Mi"}, {"cpu", "400m"}},
                                                                {{"memory", "800Mi"}, {"cpu", "800m"}})})));
        QCOMPARE(used("mem-cpu-demo"), Json({{"limits.cpu", "800m"},
                                             {"limits.memory", "800Mi"},
                                             {"requests.cpu", "400m"},
                                             {"requests.memory", "600Mi"}}));

        const Json refused = create(pod("quota-mem-cpu-demo-2",
                                        Json::array({container("quota-mem-cpu-demo-2-ctr",
                                                               {{"memory", "700Mi"}, {"cpu", "400m"}},
                                                               {{"memory", "1Gi"}, {"cpu", "800m"}})})),
                                    403);
        QCOMPARE(str(refused, {"message"}),
                 std::string("pods \"quota-mem-cpu-demo-2\" is forbidden: exceeded quota: mem-cpu-demo, requested: "
                             "requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi"));
        QCOMPARE(str(refused, {"reason"}), std::string("Forbidden"));
        QCOMPARE(str(refused, {"details", "kind"}), std::string("pods"));
        QCOMPARE(send(Method::Get, "/api/v1/namespaces/default/pods/quota-mem-cpu-demo-2").status, 404);
        QCOMPARE(str(used("mem-cpu-demo"), {"requests.memory"}), std::string("600Mi"));
    }

    void podsMustSetWhatTheQuotaTracks()
    {
        memCpuDemo();
        const Json refused = create(pod("nginx", Json::array({container("nginx")})), 403);
        QCOMPARE(str(refused, {"message"}),
                 std::string("pods \"nginx\" is forbidden: failed quota: mem-cpu-demo: must specify limits.cpu for: "
                             "nginx; limits.memory for: nginx; requests.cpu for: nginx; requests.memory for: nginx"));
        // Only the container that lacks a value is named.
        const Json partly = create(pod("two", Json::array({container("a", {{"cpu", "100m"}, {"memory", "10Mi"}},
                                                                     {{"cpu", "100m"}, {"memory", "10Mi"}}),
                                                           container("b", {{"cpu", "100m"}, {"memory", "10Mi"}})})),
                                   403);
        QCOMPARE(str(partly, {"message"}), std::string("pods \"two\" is forbidden: failed quota: mem-cpu-demo: must "
                                                       "specify limits.cpu for: b; limits.memory for: b"));
    }

    void aBurstOfCreatesNeverOvershoots()
    {
        create(resourceQuota("pod-count", {{"pods", "3"}}));
        int created = 0, refused = 0;
        for (int i = 0; i < 10; ++i) {
            const ApiResponse r = send(Method::Post, "/api/v1/namespaces/default/pods",
                                       pod("p" + std::to_string(i), Json::array({container("c")})));
            if (r.status == 201)
                ++created;
            else if (r.status == 403)
                ++refused;
        }
        QCOMPARE(created, 3);
        QCOMPARE(refused, 7);
        QCOMPARE(str(used("pod-count"), {"pods"}), std::string("3"));
        const ApiResponse last = send(Method::Post, "/api/v1/namespaces/default/pods", pod("p10", Json::array({container("c")})));
        QCOMPARE(str(Json::parse(last.body), {"message"}),
                 std::string("pods \"p10\" is forbidden: exceeded quota: pod-count, requested: pods=1, used: pods=3, "
                             "limited: pods=3"));
    }

    void objectCounts()
    {
        create(resourceQuota("object-counts", {{"configmaps", "1"},
                                               {"count/secrets", "1"},
                                               {"services", "2"},
                                               {"services.nodeports", "1"},
                                               {"services.loadbalancers", "0"},
                                               {"persistentvolumeclaims", "2"},
                                               {"requests.storage", "5Gi"}}));
        const Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "cm1"}}}};
        create(cm);
        Json cm2 = cm;
        cm2["metadata"]["name"] = "cm2";
        QCOMPARE(str(create(cm2, 403), {"message"}),
                 std::string("configmaps \"cm2\" is forbidden: exceeded quota: object-counts, requested: "
                             "configmaps=1, used: configmaps=1, limited: configmaps=1"));
        const Json secret = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s1"}}}};
        create(secret);
        Json secret2 = secret;
        secret2["metadata"]["name"] = "s2";
        QCOMPARE(str(create(secret2, 403), {"message"}),
                 std::string("secrets \"s2\" is forbidden: exceeded quota: object-counts, requested: count/secrets=1, "
                             "used: count/secrets=1, limited: count/secrets=1"));

        auto service = [](const std::string &name, const std::string &type, int ports) {
            Json list = Json::array();
            for (int i = 0; i < ports; ++i)
                list.push_back({{"name", "p" + std::to_string(i)}, {"port", 80 + i}});
            return Json{{"apiVersion", "v1"},
                        {"kind", "Service"},
                        {"metadata", {{"name", name}}},
                        {"spec", {{"type", type}, {"selector", {{"app", name}}}, {"ports", list}}}};
        };
        QCOMPARE(str(create(service("np", "NodePort", 2), 403), {"message"}),
                 std::string("services \"np\" is forbidden: exceeded quota: object-counts, requested: "
                             "services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1"));
        QCOMPARE(str(create(service("lb", "LoadBalancer", 1), 403), {"message"}),
                 std::string("services \"lb\" is forbidden: exceeded quota: object-counts, requested: "
                             "services.loadbalancers=1, used: services.loadbalancers=0, limited: "
                             "services.loadbalancers=0"));
        create(service("web", "ClusterIP", 1));
        // An update that makes a Service cost more is measured too.
        Json web = get("/api/v1/namespaces/default/services/web");
        web["spec"]["type"] = "NodePort";
        web["spec"]["ports"].push_back({{"name", "p1"}, {"port", 81}});
        const ApiResponse grown = send(Method::Put, "/api/v1/namespaces/default/services/web", web);
        QCOMPARE(grown.status, 403);
        QCOMPARE(str(Json::parse(grown.body), {"message"}),
                 std::string("services \"web\" is forbidden: exceeded quota: object-counts, requested: "
                             "services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1"));

        auto claim = [](const std::string &name, const std::string &size) {
            return Json{{"apiVersion", "v1"},
                        {"kind", "PersistentVolumeClaim"},
                        {"metadata", {{"name", name}}},
                        {"spec",
                         {{"accessModes", {"ReadWriteOnce"}},
                          {"storageClassName", "manual"},
                          {"resources", {{"requests", {{"storage", size}}}}}}}};
        };
        create(claim("small", "3Gi"));
        QCOMPARE(str(create(claim("big", "3Gi"), 403), {"message"}),
                 std::string("persistentvolumeclaims \"big\" is forbidden: exceeded quota: object-counts, requested: "
                             "requests.storage=3Gi, used: requests.storage=3Gi, limited: requests.storage=5Gi"));
        const Json u = used("object-counts");
        QCOMPARE(u, Json({{"configmaps", "1"},
                          {"count/secrets", "1"},
                          {"persistentvolumeclaims", "1"},
                          {"requests.storage", "3Gi"},
                          {"services", "1"},
                          {"services.loadbalancers", "0"},
                          {"services.nodeports", "0"}}));
    }

    void existingObjectsAreCountedWhenTheQuotaIsCreated()
    {
        create(pod("a", Json::array({container("c", {{"cpu", "250m"}, {"memory", "64Mi"}})})));
        create(pod("b", Json::array({container("c", {{"cpu", "250m"}, {"memory", "64Mi"}})})));
        Json done = get("/api/v1/namespaces/default/pods/b");
        done["status"]["phase"] = "Succeeded";
        QCOMPARE(send(Method::Put, "/api/v1/namespaces/default/pods/b/status", done).status, 200);
        const Json q = create(resourceQuota("counted", {{"pods", "10"}, {"count/pods", "10"}, {"requests.cpu", "4"}}));
        // A finished pod still exists (count/pods) but no longer runs (pods, cpu).
        QCOMPARE(q["status"]["used"], Json({{"count/pods", "2"}, {"pods", "1"}, {"requests.cpu", "250m"}}));
    }

    void scopesSelectThePodsAQuotaCounts()
    {
        create(resourceQuota("best-effort", {{"pods", "1"}}, {{"scopes", {"BestEffort"}}}));
        create(pod("be1", Json::array({container("c")})));
        // A pod with requests is not BestEffort: this quota does not count it.
        create(pod("burstable", Json::array({container("c", {{"cpu", "100m"}})})));
        QCOMPARE(str(create(pod("be2", Json::array({container("c")})), 403), {"message"}),
                 std::string("pods \"be2\" is forbidden: exceeded quota: best-effort, requested: pods=1, used: "
                             "pods=1, limited: pods=1"));
    }

    void refusedOrDryRunWritesAreNotCharged()
    {
        create(resourceQuota("pod-count", {{"pods", "1"}}));
        // Invalid: refused by validation, so never charged.
        Json invalid = pod("bad", Json::array({container("c")}));
        invalid["spec"]["containers"][0]["image"] = "";
        create(invalid, 422);
        QCOMPARE(str(used("pod-count"), {"pods"}), std::string("0"));
        const ApiResponse dry = send(Method::Post, "/api/v1/namespaces/default/pods",
                                     pod("dry", Json::array({container("c")})), {{"dryRun", "All"}});
        QCOMPARE(dry.status, 201);
        QCOMPARE(str(used("pod-count"), {"pods"}), std::string("0"));
        create(pod("real", Json::array({container("c")})));
        QCOMPARE(str(used("pod-count"), {"pods"}), std::string("1"));
        // A taken name within quota is refused by the store, and not charged.
        Json q = get("/api/v1/namespaces/default/resourcequotas/pod-count");
        q["spec"]["hard"]["pods"] = "5";
        QCOMPARE(send(Method::Put, "/api/v1/namespaces/default/resourcequotas/pod-count", q).status, 200);
        create(pod("real", Json::array({container("c")})), 409);
        QCOMPARE(str(used("pod-count"), {"pods"}), std::string("1"));
    }

    void raisingAHardLimitRecountsAtOnce()
    {
        create(resourceQuota("pod-count", {{"pods", "1"}}));
        create(pod("one", Json::array({container("c")})));
        create(pod("two", Json::array({container("c")})), 403);
        Json q = get("/api/v1/namespaces/default/resourcequotas/pod-count");
        q["spec"]["hard"] = {{"pods", "2"}, {"count/configmaps", "3"}};
        const ApiResponse updated = send(Method::Put, "/api/v1/namespaces/default/resourcequotas/pod-count", q);
        QCOMPARE(updated.status, 200);
        const Json stored = Json::parse(updated.body);
        QCOMPARE(stored["status"]["hard"], Json({{"count/configmaps", "3"}, {"pods", "2"}}));
        QCOMPARE(stored["status"]["used"], Json({{"count/configmaps", "0"}, {"pods", "1"}}));
        create(pod("two", Json::array({container("c")})));
    }
};

QTEST_GUILESS_MAIN(TestQuotaAdmission)
#include "tst_quota_admission.moc"
