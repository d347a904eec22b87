// LimitRanger admission through the real API pipeline: defaults written into new pods (and the
// annotation saying so), min/max/ratio refusals with Kubernetes' exact 403 messages, claims held to
// their storage range.
#include "apitestkit.h"

using namespace cd;
using namespace cd::api;
using namespace cd::test;

namespace {

Json limitRange(const std::string &name, Json limits)
{
    return {{"apiVersion", "v1"},
            {"kind", "LimitRange"},
            {"metadata", {{"name", name}}},
            {"spec", {{"limits", std::move(limits)}}}};
}

Json claim(const std::string &name, const std::string &size)
{
    return {{"apiVersion", "v1"},
            {"kind", "PersistentVolumeClaim"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"accessModes", {"ReadWriteOnce"}},
              {"storageClassName", ""},
              {"resources", {{"requests", {{"storage", size}}}}}}}};
}

} // namespace

class TestLimitRanger : public QObject {
    Q_OBJECT

    std::unique_ptr<ApiTestKit> m_kit;

    ApiResponse send(Method method, const std::string &path, const Json &body = Json(),
                     std::multimap<std::string, std::string> query = {})
    {
        return m_kit->send(method, path, body, std::move(query));
    }
    Json create(const std::string &plural, const Json &object, int expected = 201)
    {
        const ApiResponse r = send(Method::Post, "/api/v1/namespaces/default/" + plural, object);
        if (r.status != expected)
            qWarning("%s", r.body.c_str());
        [&] { QCOMPARE(r.status, expected); }();
        return Json::parse(r.body, nullptr, false);
    }
    std::string refusal(const Json &podObject) { return str(create("pods", podObject, 403), {"message"}); }

private Q_SLOTS:
    void init()
    {
        m_kit = std::make_unique<ApiTestKit>();
        QVERIFY(m_kit->bootstrapped());
    }
    void cleanup() { m_kit.reset(); }

    // Kubernetes' "Configure Default Memory Requests and Limits for a Namespace" task.
    void defaultsAreAppliedAndAnnotated()
    {
        create("limitranges", limitRange("mem-limit-range", Json::array({{{"type", "Container"},
                                                                          {"default", {{"memory", "512Mi"}}},
                                                                          {"defaultRequest", {{"memory", "256Mi"}}}}})));
        const Json p = create("pods", pod("default-mem-demo", Json::array({container("default-mem-demo-ctr")})));
        const Json &resources = p["spec"]["containers"][0]["resources"];
        QCOMPARE(resources, Json({{"limits", {{"memory", "512Mi"}}}, {"requests", {{"memory", "256Mi"}}}}));
        QCOMPARE(str(p, {"metadata", "annotations", "kubernetes.io/limit-ranger"}),
                 std::string("LimitRanger plugin set: memory request for container default-mem-demo-ctr; memory "
                             "limit for container default-mem-demo-ctr"));

        // A limit given without a request: the request is the limit (pod defaults), not the range's.
        const Json limited = create("pods", pod("default-mem-demo-2", Json::array({container(
                                                                          "c", Json(), {{"memory", "1Gi"}})})));
        QCOMPARE(limited["spec"]["containers"][0]["resources"],
                 Json({{"limits", {{"memory", "1Gi"}}}, {"requests", {{"memory", "1Gi"}}}}));
        QVERIFY(!find(limited, {"metadata", "annotations", "kubernetes.io/limit-ranger"}));

        // Init containers get defaults too, named as such.
        Json withInit = pod("with-init", Json::array({container("app", {{"memory", "100Mi"}}, {{"memory", "100Mi"}})}));
        withInit["spec"]["initContainers"] = Json::array({container("setup")});
        const Json initialized = create("pods", withInit);
        QCOMPARE(str(initialized, {"metadata", "annotations", "kubernetes.io/limit-ranger"}),
                 std::string("LimitRanger plugin set: memory request for init container setup; memory limit for init "
                             "container setup"));
    }

    // Kubernetes' "Configure Minimum and Maximum CPU Constraints for a Namespace" task.
    void minAndMaxPerContainer()
    {
        create("limitranges", limitRange("cpu-min-max-demo-lr",
                                         Json::array({{{"type", "Container"},
                                                       {"max", {{"cpu", "800m"}}},
                                                       {"min", {{"cpu", "200m"}}}}})));
        // Defaults from max (limit) and min... the default request is the default limit.
        const Json fits = create("pods", pod("constraints-cpu-demo", Json::array({container("c")})));
        QCOMPARE(fits["spec"]["containers"][0]["resources"],
                 Json({{"limits", {{"cpu", "800m"}}}, {"requests", {{"cpu", "800m"}}}}));
        QCOMPARE(refusal(pod("constraints-cpu-demo-2",
                             Json::array({container("c", {{"cpu", "500m"}}, {{"cpu", "1500m"}})}))),
                 std::string("pods \"constraints-cpu-demo-2\" is forbidden: maximum cpu usage per Container is 800m, "
                             "but limit is 1500m"));
        QCOMPARE(refusal(pod("constraints-cpu-demo-3",
                             Json::array({container("c", {{"cpu", "100m"}}, {{"cpu", "800m"}})}))),
                 std::string("pods \"constraints-cpu-demo-3\" is forbidden: minimum cpu usage per Container is 200m, "
                             "but request is 100m"));
        QCOMPARE(refusal(pod("constraints-cpu-demo-4",
                             Json::array({container("c", {{"cpu", "100m"}}, {{"cpu", "900m"}})}))),
                 std::string("pods \"constraints-cpu-demo-4\" is forbidden: [minimum cpu usage per Container is 200m, "
                             "but request is 100m, maximum cpu usage per Container is 800m, but limit is 900m]"));
        QCOMPARE(send(Method::Get, "/api/v1/namespaces/default/pods/constraints-cpu-demo-4").status, 404);
    }

    void limitToRequestRatio()
    {
        create("limitranges", limitRange("ratio", Json::array({{{"type", "Container"},
                                                                {"maxLimitRequestRatio", {{"memory", "2"}}}}})));
        QCOMPARE(refusal(pod("greedy", Json::array({container("c", {{"memory", "100Mi"}}, {{"memory", "800Mi"}})}))),
                 std::string("pods \"greedy\" is forbidden: memory max limit to request ratio per Container is 2, but "
                             "provided ratio is 8.000000"));
        QCOMPARE(refusal(pod("unlimited", Json::array({container("c", {{"memory", "100Mi"}})}))),
                 std::string("pods \"unlimited\" is forbidden: memory max limit to request ratio per Container is 2, "
                             "but no limit is specified or limit is 0"));
        create("pods", pod("modest", Json::array({container("c", {{"memory", "100Mi"}}, {{"memory", "200Mi"}})})));
    }

    void podWideLimits()
    {
        create("limitranges", limitRange("per-pod", Json::array({{{"type", "Pod"},
                                                                  {"max", {{"cpu", "1"}}},
                                                                  {"min", {{"memory", "100Mi"}}}}})));
        QCOMPARE(refusal(pod("wide", Json::array({container("a", {{"cpu", "600m"}, {"memory", "100Mi"}},
                                                            {{"cpu", "600m"}}),
                                                  container("b", {{"cpu", "600m"}, {"memory", "100Mi"}},
                                                            {{"cpu", "600m"}})}))),
                 std::string("pods \"wide\" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m"));
        QCOMPARE(refusal(pod("no-memory", Json::array({container("a", {{"cpu", "100m"}}, {{"cpu", "100m"}})}))),
                 std::string("pods \"no-memory\" is forbidden: minimum memory usage per Pod is 100Mi.  No request is "
                             "specified"));
        create("pods", pod("narrow", Json::array({container("a", {{"cpu", "500m"}, {"memory", "50Mi"}}, {{"cpu", "500m"}}),
                                                  container("b", {{"cpu", "500m"}, {"memory", "50Mi"}},
                                                            {{"cpu", "500m"}})})));
    }

    // Kubernetes' "Limit Storage Consumption" task (storagelimits.yaml).
    void claimsAreHeldToTheirStorageRange()
    {
        create("limitranges", limitRange("storagelimits", Json::array({{{"type", "PersistentVolumeClaim"},
                                                                        {"max", {{"storage", "2Gi"}}},
                                                                        {"min", {{"storage", "1Gi"}}}}})));
        QCOMPARE(str(create("persistentvolumeclaims", claim("tiny", "500Mi"), 403), {"message"}),
                 std::string("persistentvolumeclaims \"tiny\" is forbidden: minimum storage usage per "
                             "PersistentVolumeClaim is 1Gi, but request is 500Mi"));
        QCOMPARE(str(create("persistentvolumeclaims", claim("huge", "5Gi"), 403), {"message"}),
                 std::string("persistentvolumeclaims \"huge\" is forbidden: maximum storage usage per "
                             "PersistentVolumeClaim is 2Gi, but request is 5Gi"));
        create("persistentvolumeclaims", claim("fits", "1536Mi"));
        // Pods are not held to a claim range.
        create("pods", pod("unrelated", Json::array({container("c")})));
    }

    void podUpdatesAreNotLimited()
    {
        const Json p = create("pods", pod("before", Json::array({container("c")})));
        create("limitranges", limitRange("strict", Json::array({{{"type", "Container"}, {"min", {{"cpu", "1"}}}}})));
        Json changed = p;
        changed["metadata"]["labels"] = {{"tier", "web"}};
        QCOMPARE(send(Method::Put, "/api/v1/namespaces/default/pods/before", changed).status, 200);
    }

    void defaultsSatisfyAQuota()
    {
        create("limitranges", limitRange("defaults", Json::array({{{"type", "Container"},
                                                                   {"default", {{"cpu", "500m"}, {"memory", "256Mi"}}},
                                                                   {"defaultRequest",
                                                                    {{"cpu", "250m"}, {"memory", "128Mi"}}}}})));
        create("resourcequotas",
               {{"apiVersion", "v1"},
                {"kind", "ResourceQuota"},
                {"metadata", {{"name", "compute"}}},
                {"spec", {{"hard", {{"limits.cpu", "1"}, {"limits.memory", "1Gi"}, {"requests.cpu", "1"}}}}}});
        create("pods", pod("first", Json::array({container("c")})));
        create("pods", pod("second", Json::array({container("c")})));
        QCOMPARE(refusal(pod("third", Json::array({container("c")}))),
                 std::string("pods \"third\" is forbidden: exceeded quota: compute, requested: limits.cpu=500m, used: "
                             "limits.cpu=1, limited: limits.cpu=1"));
    }
};

QTEST_GUILESS_MAIN(TestLimitRanger)
#include "tst_limitranger.moc"
