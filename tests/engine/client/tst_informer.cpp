// The informer's cache: lists, follows a watch, reports each change with the state before it, and
// keeps its texts packed once they add up to more than its limit — reads, events and lists see
// exactly the stored objects either way.
#include "engine/client/informer.h"
#include "inprocesscluster.h"

#include <QtTest>

using namespace cd;

namespace {

const client::Resource kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};

Json configMap(int i, const std::string &extra = {})
{
    Json data = Json::object();
    for (int k = 0; k < 20; ++k)
        data["setting-" + std::to_string(k)] = "value " + std::to_string(k * i) + extra;
    return {{"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata", {{"name", "cm-" + std::to_string(i)}, {"namespace", "default"}, {"labels", {{"app", "web"}}}}},
            {"data", data}};
}

struct Seen {
    client::InformerEvent::Kind kind;
    Json object;
    Json previous;
};

} // namespace

class TestInformer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void packedCacheReadsTheSame()
    {
        test::InProcessCluster cluster;
        for (int i = 0; i < 40; ++i)
            QVERIFY2(!cluster.create(configMap(i)).is_null(), cluster.lastError().c_str());
        client::Informer informer(&cluster.client(), kConfigMaps);
        informer.setPackTextsAbove(0);
        std::vector<Seen> seen;
        informer.addHandler([&seen](const client::InformerEvent &event) {
            const client::ObjectPtr previous = event.parsePrevious();
            seen.push_back({event.kind, *event.object, previous ? *previous : Json()});
        });
        informer.start();
        QVERIFY(cluster.waitFor([&] { return informer.hasSynced(); }));
        QCOMPARE(seen.size(), size_t(40));
        // Packed half a second after being written.
        QVERIFY(cluster.waitFor([&] { return informer.packedCount() == 40; }));
        for (int i = 0; i < 40; ++i) {
            const std::string name = "cm-" + std::to_string(i);
            QCOMPARE(*informer.get("default", name), cluster.get("v1", "ConfigMap", "default", name));
        }

        // A change of a packed object is reported with the state it replaced.
        const Json before3 = cluster.get("v1", "ConfigMap", "default", "cm-3");
        const Json before4 = cluster.get("v1", "ConfigMap", "default", "cm-4");
        Json changed = before3;
        changed["data"]["new"] = "yes";
        QVERIFY2(!cluster.update(changed).is_null(), cluster.lastError().c_str());
        QVERIFY(cluster.remove("v1", "ConfigMap", "default", "cm-4"));
        QVERIFY(cluster.waitFor([&] { return seen.size() == 42; }));
        QCOMPARE(seen[40].kind, client::InformerEvent::Kind::Updated);
        QCOMPARE(seen[40].previous, before3);
        QCOMPARE(str(seen[40].object, {"data", "new"}), std::string("yes"));
        QCOMPARE(seen[41].kind, client::InformerEvent::Kind::Deleted);
        QCOMPARE(seen[41].previous, before4);

        QVERIFY(cluster.waitFor([&] { return informer.packedCount() == 39; }));
        size_t visited = 0;
        informer.forEachRaw("default", [&](const client::RawObject &raw) {
            const Json object = Json::parse(*raw);
            QCOMPARE(object, cluster.get("v1", "ConfigMap", "default", str(object, {"metadata", "name"})));
            ++visited;
        });
        QCOMPARE(visited, size_t(39));
        QCOMPARE(str(*informer.get("default", "cm-3"), {"data", "new"}), std::string("yes"));
        QVERIFY(!informer.get("default", "cm-4"));
    }

    void smallCacheStaysPlain()
    {
        test::InProcessCluster cluster;
        for (int i = 0; i < 10; ++i)
            QVERIFY(!cluster.create(configMap(i)).is_null());
        client::Informer informer(&cluster.client(), kConfigMaps);
        informer.start();
        QVERIFY(cluster.waitFor([&] { return informer.hasSynced(); }));
        QTest::qWait(700);
        QCOMPARE(informer.size(), size_t(10));
        QCOMPARE(informer.packedCount(), size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestInformer)
#include "tst_informer.moc"
