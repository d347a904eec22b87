// The namespace controller against an in-process control plane: deleting a namespace marks it
// Terminating, refuses new content, deletes every namespaced object in it (also ones held by a
// finalizer, once released), then removes the namespace; other namespaces are untouched.
#include "engine/controllers/controllermanager.h"
#include "inprocesscluster.h"

#include <QtTest>

using namespace cd;

class TestNamespace : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<QObject> m_controllers;

    Json create(const std::string &ns, const std::string &kind, const std::string &name)
    {
        Json object = {{"apiVersion", "v1"}, {"kind", kind}, {"metadata", {{"name", name}, {"namespace", ns}}}};
        if (kind == "ConfigMap")
            object["data"] = {{"k", "v"}};
        if (kind == "Pod")
            object["spec"] = {{"containers", Json::array({{{"name", "app"}, {"image", "nginx"}}})}};
        if (kind == "Service")
            object["spec"] = {{"ports", Json::array({{{"port", 80}}})}};
        return m_cluster->create(object);
    }
    Json deployment(const std::string &ns)
    {
        const Json labels = {{"app", "web"}};
        return m_cluster->create(
            {{"apiVersion", "apps/v1"},
             {"kind", "Deployment"},
             {"metadata", {{"name", "web"}, {"namespace", ns}}},
             {"spec",
              {{"replicas", 1},
               {"selector", {{"matchLabels", labels}}},
               {"template",
                {{"metadata", {{"labels", labels}}},
                 {"spec", {{"containers", Json::array({{{"name", "app"}, {"image", "nginx"}}})}}}}}}}});
    }
    size_t objectsIn(const std::string &ns)
    {
        size_t n = 0;
        for (const char *kind : {"ConfigMap", "Pod", "Service", "Secret"})
            n += m_cluster->list("v1", kind, ns).size();
        return n + m_cluster->list("apps/v1", "Deployment", ns).size();
    }

private Q_SLOTS:
    void init()
    {
        m_cluster = std::make_unique<test::InProcessCluster>();
        m_controllers = std::make_unique<QObject>();
        controllers::ControllerContext context{&m_cluster->client(), &m_cluster->informers(), {}, m_controllers.get()};
        controllers::startNamespaceController(context);
        controllers::startGarbageCollector(context);
        QVERIFY(m_cluster->startInformers());
    }
    void cleanup()
    {
        m_controllers.reset();
        m_cluster.reset();
    }

    void deletingANamespaceEmptiesItThenRemovesIt()
    {
        for (const char *ns : {"doomed", "kept"}) {
            QVERIFY(!m_cluster->create({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}})
                         .is_null());
            QVERIFY(!create(ns, "ConfigMap", "settings").is_null());
            QVERIFY(!create(ns, "Pod", "solo").is_null());
            QVERIFY(!create(ns, "Service", "front").is_null());
            QVERIFY(!deployment(ns).is_null());
        }
        // A finalizer holds one object: the namespace waits for it.
        Json held = m_cluster->get("v1", "ConfigMap", "doomed", "settings");
        held["metadata"]["finalizers"] = Json::array({"example.com/hold"});
        QVERIFY(!m_cluster->update(held).is_null());

        QVERIFY(m_cluster->remove("v1", "Namespace", "", "doomed"));
        const Json terminating = m_cluster->get("v1", "Namespace", "", "doomed");
        QCOMPARE(str(terminating, {"status", "phase"}), std::string("Terminating"));
        QVERIFY(has(terminating, {"metadata", "deletionTimestamp"}));

        // New content is refused while it terminates, in Kubernetes' words.
        QVERIFY(create("doomed", "ConfigMap", "late").is_null());
        QCOMPARE(m_cluster->lastError(), std::string("configmaps \"late\" is forbidden: unable to create new content in "
                                                     "namespace doomed because it is being terminated"));

        QVERIFY(m_cluster->waitFor([&] {
            return m_cluster->list("v1", "Pod", "doomed").empty() && m_cluster->list("v1", "Service", "doomed").empty() &&
                   m_cluster->list("apps/v1", "Deployment", "doomed").empty();
        }, 10000));
        QTest::qWait(300);
        QVERIFY2(!m_cluster->get("v1", "Namespace", "", "doomed").is_null(), "held by the finalized ConfigMap");

        held = m_cluster->get("v1", "ConfigMap", "doomed", "settings");
        QVERIFY(has(held, {"metadata", "deletionTimestamp"}));
        held["metadata"].erase("finalizers");
        QVERIFY(!m_cluster->update(held).is_null());
        QVERIFY(m_cluster->waitFor([&] { return m_cluster->get("v1", "Namespace", "", "doomed").is_null(); }, 10000));
        QCOMPARE(objectsIn("doomed"), size_t(0));

        // The other namespace keeps everything.
        QCOMPARE(str(m_cluster->get("v1", "Namespace", "", "kept"), {"status", "phase"}), std::string("Active"));
        QCOMPARE(objectsIn("kept"), size_t(4));
    }
};

QTEST_GUILESS_MAIN(TestNamespace)
#include "tst_namespace.moc"
