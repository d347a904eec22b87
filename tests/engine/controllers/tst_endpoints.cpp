// The Endpoints and EndpointSlice controllers against an in-process control plane: the test
// plays the kubelet by writing pod status (IP, readiness) and checks what Kubernetes v1.32's
// endpoint and endpointslice controllers would write.
#include "engine/controllers/controllermanager.h"
#include "engine/core/clock.h"
#include "inprocesscluster.h"

#include <QtTest>

#include <set>

using namespace cd;

namespace {

const Json kNoPorts = Json::array();

std::set<std::string> ipsIn(const Json &subsets, const char *list)
{
    std::set<std::string> out;
    if (subsets.is_array())
        for (const Json &s : subsets)
            if (const Json *a = find(s, {list}); a && a->is_array())
                for (const Json &address : *a)
                    out.insert(str(address, {"ip"}));
    return out;
}

} // namespace

class TestEndpoints : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<QObject> m_controllers;

    Json service(const std::string &name, const Json &selector, const Json &ports, const Json &extra = Json::object())
    {
        Json object = {{"apiVersion", "v1"},
                       {"kind", "Service"},
                       {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"tier", "web"}}}}},
                       {"spec", {{"ports", ports}}}};
        if (!selector.is_null())
            object["spec"]["selector"] = selector;
        for (auto &[key, value] : extra.items())
            object["spec"][key] = value;
        Json created = m_cluster->create(object);
        if (created.is_null())
            qWarning("creating the Service failed: %s", m_cluster->lastError().c_str());
        return created;
    }
    // A pod with a named container port "http" (8080) unless told otherwise.
    Json pod(const std::string &name, const Json &labels, int httpPort = 8080, const Json &specExtra = Json::object())
    {
        Json object = {{"apiVersion", "v1"},
                       {"kind", "Pod"},
                       {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", labels}}},
                       {"spec",
                        {{"containers",
                          Json::array({{{"name", "main"},
                                        {"image", "nginx"},
                                        {"ports", Json::array({{{"name", "http"}, {"containerPort", httpPort}}})}}})}}}};
        for (auto &[key, value] : specExtra.items())
            object["spec"][key] = value;
        Json created = m_cluster->create(object);
        if (created.is_null())
            qWarning("creating the pod failed: %s", m_cluster->lastError().c_str());
        return created;
    }
    Json setPod(const std::string &name, const std::string &ip, bool ready, const std::string &phase = "Running")
    {
        Json p = m_cluster->get("v1", "Pod", "default", name);
        const std::string now = nowRfc3339();
        p["status"] = {{"phase", phase},
                       {"conditions",
                        Json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}, {"lastTransitionTime", now}}})}};
        if (!ip.empty()) {
            p["status"]["podIP"] = ip;
            p["status"]["podIPs"] = Json::array({{{"ip", ip}}});
        }
        Json updated = m_cluster->updateStatus(p);
        if (updated.is_null())
            qWarning("pod status update failed: %s", m_cluster->lastError().c_str());
        return updated;
    }
    Json endpoints(const std::string &name) { return m_cluster->get("v1", "Endpoints", "default", name); }
    std::vector<Json> slices(const std::string &service)
    {
        return m_cluster->list("discovery.k8s.io/v1", "EndpointSlice", "default", "kubernetes.io/service-name=" + service);
    }
    // Every endpoint of a Service's slices, by pod name.
    std::map<std::string, Json> sliceEndpoints(const std::string &service)
    {
        std::map<std::string, Json> out;
        for (const Json &slice : slices(service))
            if (const Json *eps = find(slice, {"endpoints"}); eps && eps->is_array())
                for (const Json &ep : *eps)
                    out[str(ep, {"targetRef", "name"})] = ep;
        return out;
    }

private Q_SLOTS:
    void init()
    {
        m_cluster = std::make_unique<test::InProcessCluster>();
        m_controllers = std::make_unique<QObject>();
        controllers::ControllerOptions options;
        options.maxEndpointsPerSlice = 3;  // small, to see slices fill and split
        controllers::ControllerContext context{&m_cluster->client(), &m_cluster->informers(), options,
                                               m_controllers.get()};
        controllers::startEndpointsController(context);
        QVERIFY(m_cluster->startInformers());
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("n1")).is_null());
    }
    void cleanup()
    {
        m_controllers.reset();
        m_cluster.reset();
    }

    void endpointsFollowReadiness()
    {
        const Json svc = service("web", {{"app", "web"}},
                                 Json::array({{{"name", "http"}, {"port", 80}, {"targetPort", "http"}}}));
        QVERIFY(!svc.is_null());
        pod("a", {{"app", "web"}}, 8080, {{"nodeName", "n1"}});
        pod("b", {{"app", "web"}}, 9090, {{"nodeName", "n1"}});
        pod("other", {{"app", "db"}});
        // Without a pod IP, a pod is in no endpoints: the Endpoints exist, empty.
        QVERIFY(m_cluster->waitFor([&] { return !endpoints("web").is_null(); }));
        QVERIFY(!endpoints("web").contains("subsets"));
        QCOMPARE(str(endpoints("web"), {"metadata", "labels", "tier"}), std::string("web"));

        setPod("a", "10.244.0.5", true);
        setPod("b", "10.244.0.6", false);
        setPod("other", "10.244.0.7", true);
        QVERIFY(m_cluster->waitFor([&] {
            const Json subsets = endpoints("web")["subsets"];
            return ipsIn(subsets, "addresses") == std::set<std::string>{"10.244.0.5"} &&
                   ipsIn(subsets, "notReadyAddresses") == std::set<std::string>{"10.244.0.6"};
        }));
        // The named targetPort resolves per pod: two ports, two subsets.
        const Json subsets = endpoints("web")["subsets"];
        QCOMPARE(subsets.size(), size_t(2));
        for (const Json &s : subsets) {
            const bool ready = s.contains("addresses");
            const Json &address = ready ? s["addresses"][0] : s["notReadyAddresses"][0];
            QCOMPARE(str(address, {"nodeName"}), std::string("n1"));
            QCOMPARE(str(address, {"targetRef", "kind"}), std::string("Pod"));
            QCOMPARE(str(address, {"targetRef", "namespace"}), std::string("default"));
            QCOMPARE(str(address, {"targetRef", "name"}), std::string(ready ? "a" : "b"));
            QVERIFY(!str(address, {"targetRef", "uid"}).empty());
            QCOMPARE(s["ports"].size(), size_t(1));
            QCOMPARE(str(s["ports"][0], {"name"}), std::string("http"));
            QCOMPARE(integer(s["ports"][0], {"port"}), ready ? 8080LL : 9090LL);
            QCOMPARE(str(s["ports"][0], {"protocol"}), std::string("TCP"));
        }

        // Readiness moves a pod between addresses and notReadyAddresses.
        setPod("a", "10.244.0.5", false);
        setPod("b", "10.244.0.6", true);
        QVERIFY(m_cluster->waitFor([&] {
            const Json s = endpoints("web")["subsets"];
            return ipsIn(s, "addresses") == std::set<std::string>{"10.244.0.6"} &&
                   ipsIn(s, "notReadyAddresses") == std::set<std::string>{"10.244.0.5"};
        }));
        // A finished pod leaves.
        setPod("b", "10.244.0.6", false, "Succeeded");
        QVERIFY(m_cluster->waitFor([&] {
            const Json s = endpoints("web")["subsets"];
            return ipsIn(s, "addresses").empty() && ipsIn(s, "notReadyAddresses") == std::set<std::string>{"10.244.0.5"};
        }));
    }

    void podsWithTheSamePortsShareASubset()
    {
        service("same", {{"app", "same"}},
                Json::array({{{"name", "http"}, {"port", 80}, {"targetPort", 8080}},
                             {{"name", "metrics"}, {"port", 9100}, {"targetPort", 9100}}}));
        for (const char *name : {"p1", "p2", "p3"})
            pod(name, {{"app", "same"}});
        setPod("p1", "10.244.0.11", true);
        setPod("p2", "10.244.0.2", true);
        setPod("p3", "10.244.0.3", false);
        QVERIFY(m_cluster->waitFor([&] {
            const Json s = endpoints("same")["subsets"];
            return ipsIn(s, "addresses").size() == 2 && ipsIn(s, "notReadyAddresses").size() == 1;
        }));
        const Json s = endpoints("same")["subsets"];
        QCOMPARE(s.size(), size_t(1));
        // Addresses in IP order, ports sorted.
        QCOMPARE(str(s[0]["addresses"][0], {"ip"}), std::string("10.244.0.2"));
        QCOMPARE(str(s[0]["addresses"][1], {"ip"}), std::string("10.244.0.11"));
        QCOMPARE(s[0]["ports"].size(), size_t(2));
        QVERIFY(!find(s[0]["addresses"][0], {"nodeName"}));
    }

    void headlessAndSelectorless()
    {
        service("headless", {{"app", "h"}}, kNoPorts, {{"clusterIP", "None"}});
        pod("h1", {{"app", "h"}}, 8080, {{"hostname", "h1"}, {"subdomain", "headless"}});
        setPod("h1", "10.244.0.21", true);
        QVERIFY(m_cluster->waitFor([&] { return ipsIn(endpoints("headless")["subsets"], "addresses").size() == 1; }));
        const Json e = endpoints("headless");
        QCOMPARE(str(e, {"metadata", "labels", "service.kubernetes.io/headless"}), std::string(""));
        QVERIFY(!e["subsets"][0].contains("ports"));
        QCOMPARE(str(e["subsets"][0]["addresses"][0], {"hostname"}), std::string("h1"));
        QVERIFY(m_cluster->waitFor([&] { return sliceEndpoints("headless").count("h1") == 1; }));
        const Json slice = slices("headless").front();
        QCOMPARE(str(slice, {"metadata", "labels", "service.kubernetes.io/headless"}), std::string(""));
        QVERIFY(slice["ports"].is_null());
        QCOMPARE(str(sliceEndpoints("headless")["h1"], {"hostname"}), std::string("h1"));

        // A Service without a selector is left to whoever writes its endpoints.
        service("manual", Json(), Json::array({{{"port", 80}}}));
        const Json manual = {{"apiVersion", "v1"},
                             {"kind", "Endpoints"},
                             {"metadata", {{"name", "manual"}, {"namespace", "default"}}},
                             {"subsets",
                              Json::array({{{"addresses", Json::array({{{"ip", "192.168.1.1"}}})},
                                            {"ports", Json::array({{{"port", 80}}})}}})}};
        QVERIFY(!m_cluster->create(manual).is_null());
        QTest::qWait(200);
        QCOMPARE(ipsIn(endpoints("manual")["subsets"], "addresses"), std::set<std::string>{"192.168.1.1"});
        QVERIFY(slices("manual").empty());
    }

    void endpointsGoWithTheService()
    {
        service("short", {{"app", "s"}}, Json::array({{{"port", 80}}}));
        QVERIFY(m_cluster->waitFor([&] { return !endpoints("short").is_null(); }));
        QVERIFY(m_cluster->remove("v1", "Service", "default", "short"));
        QVERIFY(m_cluster->waitFor([&] { return endpoints("short").is_null(); }));
    }

    void updatesOnlyWhenSomethingChanged()
    {
        service("quiet", {{"app", "q"}}, Json::array({{{"port", 80}, {"targetPort", 8080}}}));
        pod("q1", {{"app", "q"}});
        setPod("q1", "10.244.0.31", true);
        QVERIFY(m_cluster->waitFor([&] { return ipsIn(endpoints("quiet")["subsets"], "addresses").size() == 1; }));
        QVERIFY(m_cluster->waitFor([&] { return sliceEndpoints("quiet").size() == 1; }));
        QTest::qWait(200);
        const std::string endpointsVersion = str(endpoints("quiet"), {"metadata", "resourceVersion"});
        const std::string sliceVersion = str(slices("quiet").front(), {"metadata", "resourceVersion"});
        // A change endpoints are not made of (an annotation) writes nothing.
        QVERIFY(!m_cluster->patch("v1", "Pod", "default", "q1", {{"metadata", {{"annotations", {{"x", "y"}}}}}}).is_null());
        QTest::qWait(300);
        QCOMPARE(str(endpoints("quiet"), {"metadata", "resourceVersion"}), endpointsVersion);
        QCOMPARE(str(slices("quiet").front(), {"metadata", "resourceVersion"}), sliceVersion);
    }

    void endpointSlices()
    {
        const Json svc = service("shop", {{"app", "shop"}},
                                 Json::array({{{"name", "http"}, {"port", 80}, {"targetPort", "http"}}}));
        // No endpoints yet: one empty placeholder slice.
        QVERIFY(m_cluster->waitFor([&] { return slices("shop").size() == 1; }));
        Json placeholder = slices("shop").front();
        const std::string placeholderName = str(placeholder, {"metadata", "name"});
        QCOMPARE(str(placeholder, {"metadata", "generateName"}), std::string("shop-"));
        QVERIFY(placeholderName.rfind("shop-", 0) == 0 && placeholderName.size() == 10);
        QVERIFY(placeholder["endpoints"].is_null());
        QCOMPARE(str(placeholder, {"addressType"}), std::string("IPv4"));
        QCOMPARE(str(placeholder, {"metadata", "labels", "kubernetes.io/service-name"}), std::string("shop"));
        QCOMPARE(str(placeholder, {"metadata", "labels", "endpointslice.kubernetes.io/managed-by"}),
                 std::string("endpointslice-controller.k8s.io"));
        QCOMPARE(str(placeholder, {"metadata", "labels", "tier"}), std::string("web"));
        const Json &ref = placeholder["metadata"]["ownerReferences"][0];
        QCOMPARE(str(ref, {"kind"}), std::string("Service"));
        QCOMPARE(str(ref, {"apiVersion"}), std::string("v1"));
        QCOMPARE(str(ref, {"uid"}), str(svc, {"metadata", "uid"}));
        QVERIFY(boolean(ref, {"controller"}) && boolean(ref, {"blockOwnerDeletion"}));

        pod("s1", {{"app", "shop"}}, 8080, {{"nodeName", "n1"}});
        setPod("s1", "10.244.1.1", true);
        // The placeholder is reused for the first endpoints.
        QVERIFY(m_cluster->waitFor([&] { return sliceEndpoints("shop").count("s1") == 1; }));
        QCOMPARE(slices("shop").size(), size_t(1));
        const Json slice = slices("shop").front();
        QCOMPARE(str(slice, {"metadata", "name"}), placeholderName);
        QCOMPARE(slice["ports"], Json::parse(R"([{"name":"http","port":8080,"protocol":"TCP"}])"));
        const Json ep = sliceEndpoints("shop")["s1"];
        QCOMPARE(ep["addresses"], Json::array({"10.244.1.1"}));
        QCOMPARE(ep["conditions"], Json::parse(R"({"ready":true,"serving":true,"terminating":false})"));
        QCOMPARE(str(ep, {"nodeName"}), std::string("n1"));
        QCOMPARE(str(ep, {"targetRef", "kind"}), std::string("Pod"));
        QCOMPARE(str(ep, {"targetRef", "name"}), std::string("s1"));
        QVERIFY(!str(ep, {"targetRef", "uid"}).empty());

        // Not ready: ready and serving false. Then more pods than fit one slice (3 here).
        setPod("s1", "10.244.1.1", false);
        QVERIFY(m_cluster->waitFor([&] {
            return sliceEndpoints("shop")["s1"]["conditions"] ==
                   Json::parse(R"({"ready":false,"serving":false,"terminating":false})");
        }));
        for (int i = 2; i <= 5; ++i) {
            const std::string name = "s" + std::to_string(i);
            pod(name, {{"app", "shop"}});
            setPod(name, "10.244.1." + std::to_string(i), true);
        }
        QVERIFY(m_cluster->waitFor([&] { return sliceEndpoints("shop").size() == 5; }));
        QCOMPARE(slices("shop").size(), size_t(2));
        for (const Json &s : slices("shop"))
            QVERIFY(s["endpoints"].size() <= 3);

        // A terminating pod stays in its slice, terminating, serving as its readiness says.
        setPod("s1", "10.244.1.1", true);
        QVERIFY(m_cluster->remove("v1", "Pod", "default", "s1"));  // on a node: graceful
        QVERIFY(m_cluster->waitFor([&] {
            return sliceEndpoints("shop")["s1"]["conditions"] ==
                   Json::parse(R"({"ready":false,"serving":true,"terminating":true})");
        }));
        // ...but leaves Endpoints.
        QVERIFY(m_cluster->waitFor([&] {
            const Json s = endpoints("shop")["subsets"];
            return ipsIn(s, "addresses").size() == 4 && !ipsIn(s, "addresses").count("10.244.1.1");
        }));

        // Pods going away empty their slices, which go too.
        for (int i = 2; i <= 5; ++i)
            QVERIFY(m_cluster->remove("v1", "Pod", "default", "s" + std::to_string(i)));
        QVERIFY(m_cluster->waitFor([&] { return sliceEndpoints("shop").size() == 1; }));
        QCOMPARE(slices("shop").size(), size_t(1));
    }

    void slicesFollowNamedPortsPerPod()
    {
        service("multi", {{"app", "m"}}, Json::array({{{"name", "http"}, {"port", 80}, {"targetPort", "http"}}}));
        pod("m1", {{"app", "m"}}, 8080);
        pod("m2", {{"app", "m"}}, 9090);
        setPod("m1", "10.244.2.1", true);
        setPod("m2", "10.244.2.2", true);
        QVERIFY(m_cluster->waitFor([&] { return sliceEndpoints("multi").size() == 2; }));
        // Different resolved ports cannot share a slice.
        QCOMPARE(slices("multi").size(), size_t(2));
        std::set<long long> ports;
        for (const Json &s : slices("multi"))
            ports.insert(integer(s["ports"][0], {"port"}));
        QCOMPARE(ports, (std::set<long long>{8080, 9090}));
    }
};

QTEST_GUILESS_MAIN(TestEndpoints)
#include "tst_endpoints.moc"
