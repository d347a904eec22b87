// The garbage collector against an in-process control plane: background, foreground and orphan.
#include "engine/controllers/controllermanager.h"
#include "inprocesscluster.h"

#include <QtTest>

using namespace cd;

class TestGarbageCollector : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<QObject> m_controllers;

    Json configMap(const std::string &name, const Json &owner = Json())
    {
        Json object = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}};
        if (!owner.is_null())
            object["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "v1"},
                                                                  {"kind", "ConfigMap"},
                                                                  {"name", str(owner, {"metadata", "name"})},
                                                                  {"uid", str(owner, {"metadata", "uid"})},
                                                                  {"blockOwnerDeletion", true}}});
        return m_cluster->create(object);
    }
    bool exists(const std::string &name) { return !m_cluster->get("v1", "ConfigMap", "default", name).is_null(); }

private Q_SLOTS:
    void init()
    {
        m_cluster = std::make_unique<test::InProcessCluster>();
        m_controllers = std::make_unique<QObject>();
        controllers::ControllerContext context{&m_cluster->client(), &m_cluster->informers(), {}, m_controllers.get()};
        controllers::startGarbageCollector(context);
        QVERIFY(m_cluster->startInformers());
    }
    void cleanup()
    {
        m_controllers.reset();
        m_cluster.reset();
    }

    void backgroundDeletesDependents()
    {
        const Json owner = configMap("owner");
        configMap("child", owner);
        QVERIFY(m_cluster->remove("v1", "ConfigMap", "default", "owner", "Background"));
        QVERIFY(m_cluster->waitFor([&] { return !exists("child"); }));
    }

    void foregroundDeletesDependentsFirst()
    {
        const Json owner = configMap("owner");
        Json child = configMap("child", owner);
        // A finalizer holds the dependent, so the owner must wait for it.
        child["metadata"]["finalizers"] = Json::array({"example.com/hold"});
        child = m_cluster->update(child);
        QVERIFY(!child.is_null());
        QVERIFY(m_cluster->remove("v1", "ConfigMap", "default", "owner", "Foreground"));
        QVERIFY(m_cluster->waitFor([&] {
            const Json c = m_cluster->get("v1", "ConfigMap", "default", "child");
            return c.contains("metadata") && c["metadata"].contains("deletionTimestamp");
        }));
        const Json waiting = m_cluster->get("v1", "ConfigMap", "default", "owner");
        QVERIFY2(waiting.contains("metadata") && waiting["metadata"].contains("deletionTimestamp"),
                 "the owner waits, marked for deletion, while its dependent is held");
        child = m_cluster->get("v1", "ConfigMap", "default", "child");
        child["metadata"].erase("finalizers");
        m_cluster->update(child);
        QVERIFY(m_cluster->waitFor([&] { return !exists("child") && !exists("owner"); }));
    }

    void orphanKeepsDependentsWithoutTheReference()
    {
        const Json owner = configMap("owner");
        configMap("child", owner);
        QVERIFY(m_cluster->remove("v1", "ConfigMap", "default", "owner", "Orphan"));
        QVERIFY(m_cluster->waitFor([&] { return !exists("owner"); }));
        const Json child = m_cluster->get("v1", "ConfigMap", "default", "child");
        QVERIFY(!child.is_null());
        QVERIFY(!child["metadata"].contains("ownerReferences"));
    }
};

QTEST_GUILESS_MAIN(TestGarbageCollector)
#include "tst_garbagecollector.moc"
