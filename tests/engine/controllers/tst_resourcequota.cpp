// The resource quota controller against an in-process control plane: status.used follows what the
// namespace holds (up when objects come, down when they go or finish), wrong figures are put
// right, and a burst of creates racing the controller never overshoots the quota.
#include "engine/controllers/controllermanager.h"
#include "inprocesscluster.h"

#include <QtTest>

using namespace cd;

namespace {

Json pod(const std::string &name, const std::string &cpu = {})
{
    Json c = {{"name", "c"}, {"image", "nginx"}};
    if (!cpu.empty())
        c["resources"] = {{"requests", {{"cpu", cpu}}}, {"limits", {{"cpu", cpu}}}};
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec", {{"containers", Json::array({c})}}}};
}

Json resourceQuota(const std::string &name, Json hard)
{
    return {{"apiVersion", "v1"},
            {"kind", "ResourceQuota"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec", {{"hard", std::move(hard)}}}};
}

} // namespace

class TestResourceQuota : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<QObject> m_controllers;

    Json used(const std::string &quota)
    {
        const Json q = m_cluster->get("v1", "ResourceQuota", "default", quota);
        const Json *u = find(q, {"status", "used"});
        return u ? *u : Json();
    }
    bool usedBecomes(const std::string &quota, const Json &expected, int timeoutMs = 5000)
    {
        const bool ok = m_cluster->waitFor([&] { return used(quota) == expected; }, timeoutMs);
        if (!ok)
            qWarning("used: %s, expected %s", used(quota).dump().c_str(), expected.dump().c_str());
        return ok;
    }

private Q_SLOTS:
    void init()
    {
        m_cluster = std::make_unique<test::InProcessCluster>();
        m_controllers = std::make_unique<QObject>();
        controllers::ControllerContext context{&m_cluster->client(), &m_cluster->informers(), {}, m_controllers.get()};
        controllers::startResourceQuotaController(context);
        QVERIFY(m_cluster->startInformers());
    }
    void cleanup()
    {
        m_controllers.reset();
        m_cluster.reset();
    }

    void usageFollowsTheNamespace()
    {
        QVERIFY(!m_cluster->create(resourceQuota("compute", {{"pods", "5"}, {"requests.cpu", "2"}, {"limits.cpu", "2"}}))
                     .is_null());
        QVERIFY(!m_cluster->create(pod("a", "500m")).is_null());
        QVERIFY(!m_cluster->create(pod("b", "250m")).is_null());
        QVERIFY(usedBecomes("compute", {{"limits.cpu", "750m"}, {"pods", "2"}, {"requests.cpu", "750m"}}));

        // Gone: usage is given back.
        QVERIFY(m_cluster->remove("v1", "Pod", "default", "a"));
        QVERIFY(usedBecomes("compute", {{"limits.cpu", "250m"}, {"pods", "1"}, {"requests.cpu", "250m"}}));

        // Finished: a terminal pod no longer counts.
        Json b = m_cluster->get("v1", "Pod", "default", "b");
        b["status"]["phase"] = "Succeeded";
        QVERIFY(!m_cluster->updateStatus(b).is_null());
        QVERIFY(usedBecomes("compute", {{"limits.cpu", "0"}, {"pods", "0"}, {"requests.cpu", "0"}}));
    }

    void objectCountsOfAnyResource()
    {
        QVERIFY(!m_cluster->create(resourceQuota("counts", {{"count/deployments.apps", "2"}, {"configmaps", "3"}}))
                     .is_null());
        const Json deployment = {
            {"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", {{"name", "web"}, {"namespace", "default"}}},
            {"spec",
             {{"selector", {{"matchLabels", {{"app", "web"}}}}},
              {"template",
               {{"metadata", {{"labels", {{"app", "web"}}}}},
                {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "nginx"}}})}}}}}}}};
        QVERIFY(!m_cluster->create(deployment).is_null());
        QVERIFY(!m_cluster->create({{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                                    {"metadata", {{"name", "cm"}, {"namespace", "default"}}}})
                     .is_null());
        QVERIFY(usedBecomes("counts", {{"configmaps", "1"}, {"count/deployments.apps", "1"}}));
        QVERIFY(m_cluster->remove("apps/v1", "Deployment", "default", "web"));
        QVERIFY(m_cluster->remove("v1", "ConfigMap", "default", "cm"));
        QVERIFY(usedBecomes("counts", {{"configmaps", "0"}, {"count/deployments.apps", "0"}}));
    }

    void wrongFiguresArePutRight()
    {
        QVERIFY(!m_cluster->create(resourceQuota("pods", {{"pods", "10"}})).is_null());
        QVERIFY(!m_cluster->create(pod("a")).is_null());
        QVERIFY(usedBecomes("pods", {{"pods", "1"}}));
        for (const char *bogus : {"7", "0"}) {
            Json q = m_cluster->get("v1", "ResourceQuota", "default", "pods");
            q["status"]["used"]["pods"] = bogus;
            QVERIFY(!m_cluster->updateStatus(q).is_null());
            QVERIFY(usedBecomes("pods", {{"pods", "1"}}));
        }
        // A status with no hard figures at all is rebuilt from the spec.
        Json q = m_cluster->get("v1", "ResourceQuota", "default", "pods");
        q["status"] = Json::object();
        QVERIFY(!m_cluster->updateStatus(q).is_null());
        QVERIFY(m_cluster->waitFor([&] {
            const Json now = m_cluster->get("v1", "ResourceQuota", "default", "pods");
            return str(now, {"status", "hard", "pods"}) == "10" && str(now, {"status", "used", "pods"}) == "1";
        }));
    }

    void aBurstRacingTheControllerNeverOvershoots()
    {
        QVERIFY(!m_cluster->create(resourceQuota("five", {{"pods", "5"}})).is_null());
        // Twenty creates in flight at once while the controller recounts.
        int answered = 0, created = 0, refused = 0;
        for (int i = 0; i < 20; ++i) {
            client::Request request;
            request.method = "POST";
            request.path = "/api/v1/namespaces/default/pods";
            request.body = dump(pod("burst-" + std::to_string(i)));
            m_cluster->client().send(request, [&](const client::Response &r) {
                ++answered;
                created += r.status == 201;
                refused += r.status == 403;
            });
        }
        QVERIFY(m_cluster->waitFor([&] { return answered == 20; }));
        QCOMPARE(created, 5);
        QCOMPARE(refused, 15);
        QCOMPARE(m_cluster->list("v1", "Pod", "default").size(), size_t(5));
        QVERIFY(usedBecomes("five", {{"pods", "5"}}));

        // Deleting two makes room for exactly two more.
        QVERIFY(m_cluster->remove("v1", "Pod", "default", "burst-0"));
        QVERIFY(m_cluster->remove("v1", "Pod", "default", "burst-1"));
        QVERIFY(usedBecomes("five", {{"pods", "3"}}));
        QVERIFY(!m_cluster->create(pod("again-1")).is_null());
        QVERIFY(!m_cluster->create(pod("again-2")).is_null());
        QVERIFY(m_cluster->create(pod("again-3")).is_null());
        QCOMPARE(m_cluster->lastError(), std::string("pods \"again-3\" is forbidden: exceeded quota: five, requested: "
                                                     "pods=1, used: pods=5, limited: pods=5"));
    }

    void quotasOfOtherNamespacesAreSeparate()
    {
        QVERIFY(!m_cluster->create({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "team-b"}}}})
                     .is_null());
        QVERIFY(!m_cluster->create(resourceQuota("pods", {{"pods", "1"}})).is_null());
        Json other = resourceQuota("pods", {{"pods", "1"}});
        other["metadata"]["namespace"] = "team-b";
        QVERIFY(!m_cluster->create(other).is_null());
        QVERIFY(!m_cluster->create(pod("a")).is_null());
        Json elsewhere = pod("a");
        elsewhere["metadata"]["namespace"] = "team-b";
        QVERIFY(!m_cluster->create(elsewhere).is_null());
        QVERIFY(usedBecomes("pods", {{"pods", "1"}}));
        QVERIFY(m_cluster->remove("v1", "Pod", "team-b", "a"));
        QVERIFY(m_cluster->waitFor([&] {
            return str(m_cluster->get("v1", "ResourceQuota", "team-b", "pods"), {"status", "used", "pods"}) == "0";
        }));
        QCOMPARE(str(used("pods"), {"pods"}), std::string("1"));
    }
};

QTEST_GUILESS_MAIN(TestResourceQuota)
#include "tst_resourcequota.moc"
