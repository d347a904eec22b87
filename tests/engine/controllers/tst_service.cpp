// The service controller against an in-process control plane: LoadBalancer Services get a
// loopback address in status.loadBalancer.ingress, the cleanup finalizer and the events the
// cloud provider's service controller writes; addresses are never given twice.
#include "engine/controllers/controllermanager.h"
#include "inprocesscluster.h"

#include <QtTest>

#include <set>

using namespace cd;

namespace {

constexpr const char *kFinalizer = "service.kubernetes.io/load-balancer-cleanup";

bool hasFinalizer(const Json &object)
{
    const Json *f = find(object, {"metadata", "finalizers"});
    return f && f->is_array() && std::find(f->begin(), f->end(), Json(kFinalizer)) != f->end();
}

std::string ingressIp(const Json &service)
{
    const Json *ingress = find(service, {"status", "loadBalancer", "ingress"});
    return ingress && ingress->is_array() && !ingress->empty() ? str((*ingress)[0], {"ip"}) : std::string();
}

} // namespace

class TestService : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<QObject> m_controllers;

    Json service(const std::string &name, const std::string &type = "LoadBalancer")
    {
        Json object = {{"apiVersion", "v1"},
                       {"kind", "Service"},
                       {"metadata", {{"name", name}, {"namespace", "default"}}},
                       {"spec", {{"type", type}, {"selector", {{"app", name}}}, {"ports", Json::array({{{"port", 80}}})}}}};
        Json created = m_cluster->create(object);
        if (created.is_null())
            qWarning("creating the Service failed: %s", m_cluster->lastError().c_str());
        return created;
    }
    Json get(const std::string &name) { return m_cluster->get("v1", "Service", "default", name); }
    int events(const std::string &name, const std::string &reason, const std::string &message)
    {
        int count = 0;
        for (const Json &e : m_cluster->list("v1", "Event", "default"))
            if (str(e, {"involvedObject", "name"}) == name && str(e, {"reason"}) == reason &&
                str(e, {"message"}) == message && str(e, {"type"}) == "Normal" &&
                str(e, {"source", "component"}) == "service-controller")
                count += int(integer(e, {"count"}, 1));
        return count;
    }

private Q_SLOTS:
    void init()
    {
        m_cluster = std::make_unique<test::InProcessCluster>();
        m_controllers = std::make_unique<QObject>();
        controllers::ControllerContext context{&m_cluster->client(), &m_cluster->informers(), {}, m_controllers.get()};
        controllers::startServiceController(context);
        QVERIFY(m_cluster->startInformers());
    }
    void cleanup()
    {
        m_controllers.reset();
        m_cluster.reset();
    }

    void loadBalancerGetsALoopbackAddress()
    {
        QVERIFY(!service("web").is_null());
        QVERIFY(m_cluster->waitFor([&] { return !ingressIp(get("web")).empty(); }));
        const Json svc = get("web");
        QCOMPARE(svc["status"]["loadBalancer"]["ingress"],
                 Json::parse(R"([{"ip":"127.0.10.1","ipMode":"VIP"}])"));
        QVERIFY2(hasFinalizer(svc), "the cleanup finalizer comes before the address");
        QVERIFY(m_cluster->waitFor([&] {
            return events("web", "EnsuringLoadBalancer", "Ensuring load balancer") >= 1 &&
                   events("web", "EnsuredLoadBalancer", "Ensured load balancer") >= 1;
        }));
        // Other types get nothing.
        QVERIFY(!service("internal", "ClusterIP").is_null());
        QVERIFY(!service("ports", "NodePort").is_null());
        QTest::qWait(200);
        QVERIFY(ingressIp(get("internal")).empty() && !hasFinalizer(get("internal")));
        QVERIFY(ingressIp(get("ports")).empty() && !hasFinalizer(get("ports")));
    }

    void addressesAreNeverGivenTwice()
    {
        for (const char *name : {"a", "b", "c"})
            QVERIFY(!service(name).is_null());
        QVERIFY(m_cluster->waitFor([&] {
            return !ingressIp(get("a")).empty() && !ingressIp(get("b")).empty() && !ingressIp(get("c")).empty();
        }));
        const std::set<std::string> given = {ingressIp(get("a")), ingressIp(get("b")), ingressIp(get("c"))};
        QCOMPARE(given, (std::set<std::string>{"127.0.10.1", "127.0.10.2", "127.0.10.3"}));
        // Deleting one frees its address (after the finalizer is removed), and only then.
        const std::string freed = ingressIp(get("b"));
        QVERIFY(m_cluster->remove("v1", "Service", "default", "b"));
        QVERIFY(m_cluster->waitFor([&] { return get("b").is_null(); }));
        QVERIFY(m_cluster->waitFor([&] {
            return events("b", "DeletingLoadBalancer", "Deleting load balancer") >= 1 &&
                   events("b", "DeletedLoadBalancer", "Deleted load balancer") >= 1;
        }));
        QVERIFY(!service("d").is_null());
        QVERIFY(m_cluster->waitFor([&] { return !ingressIp(get("d")).empty(); }));
        QCOMPARE(ingressIp(get("d")), freed);
        const std::set<std::string> now = {ingressIp(get("a")), ingressIp(get("c")), ingressIp(get("d"))};
        QCOMPARE(now.size(), size_t(3));
    }

    void addressStaysWithItsService()
    {
        QVERIFY(!service("keep").is_null());
        QVERIFY(m_cluster->waitFor([&] { return !ingressIp(get("keep")).empty(); }));
        const std::string ip = ingressIp(get("keep"));
        // A change the load balancer cares about keeps the same address.
        QVERIFY(!m_cluster->patch("v1", "Service", "default", "keep",
                                  {{"spec", {{"ports", Json::array({{{"port", 8080}}})}}}})
                     .is_null());
        QVERIFY(m_cluster->waitFor([&] { return events("keep", "EnsuredLoadBalancer", "Ensured load balancer") >= 2; }));
        QCOMPARE(ingressIp(get("keep")), ip);
    }

    void typeChangeClearsTheLoadBalancer()
    {
        QVERIFY(!service("switch").is_null());
        QVERIFY(m_cluster->waitFor([&] { return !ingressIp(get("switch")).empty(); }));
        Json svc = get("switch");
        svc["spec"]["type"] = "ClusterIP";
        for (Json &port : svc["spec"]["ports"])
            port.erase("nodePort");
        QVERIFY2(!m_cluster->update(svc).is_null(), m_cluster->lastError().c_str());
        QVERIFY(m_cluster->waitFor([&] {
            const Json s = get("switch");
            return ingressIp(s).empty() && !hasFinalizer(s);
        }));
        QVERIFY(m_cluster->waitFor([&] {
            for (const Json &e : m_cluster->list("v1", "Event", "default"))
                if (str(e, {"involvedObject", "name"}) == "switch" && str(e, {"reason"}) == "Type" &&
                    str(e, {"message"}) == "LoadBalancer -> ClusterIP")
                    return true;
            return false;
        }));
        QVERIFY(m_cluster->waitFor([&] { return events("switch", "DeletedLoadBalancer", "Deleted load balancer") >= 1; }));
        // Its address is free for the next one.
        QVERIFY(!service("next").is_null());
        QVERIFY(m_cluster->waitFor([&] { return ingressIp(get("next")) == "127.0.10.1"; }));
    }

    void takenAddressesAreReadFromTheServices()
    {
        // A restarted controller learns what is taken from the Services' status.
        QVERIFY(!service("first").is_null());
        QVERIFY(m_cluster->waitFor([&] { return ingressIp(get("first")) == "127.0.10.1"; }));
        m_controllers.reset();
        m_controllers = std::make_unique<QObject>();
        // Fresh informers, as a restarted engine would have.
        auto informers = std::make_unique<client::SharedInformers>(&m_cluster->client());
        controllers::ControllerContext context{&m_cluster->client(), informers.get(), {}, m_controllers.get()};
        controllers::startServiceController(context);
        informers->start();
        QVERIFY(m_cluster->waitFor([&] { return informers->allSynced(); }));
        QVERIFY(!service("second").is_null());
        QVERIFY(m_cluster->waitFor([&] { return !ingressIp(get("second")).empty(); }));
        QCOMPARE(ingressIp(get("second")), std::string("127.0.10.2"));
        QCOMPARE(ingressIp(get("first")), std::string("127.0.10.1"));
        m_controllers.reset();
    }
};

QTEST_GUILESS_MAIN(TestService)
#include "tst_service.moc"
