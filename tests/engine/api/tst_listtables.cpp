// A LIST as a Table gives each row the cells a GET of that object as a Table gives: from the
// kept summaries, or (for events, whose cells are not kept) worked out as the rows are read.
#include "inprocesscluster.h"

#include <QtTest>

using namespace cd;

namespace {

const char *const kTable = "application/json;as=Table;v=v1;g=meta.k8s.io";

Json eventObject(const std::string &name, const std::string &reason, const std::string &message)
{
    return {{"apiVersion", "v1"},
            {"kind", "Event"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"involvedObject", {{"kind", "Pod"}, {"name", "web-1"}, {"namespace", "default"}}},
            {"reason", reason},
            {"message", message},
            {"type", "Normal"},
            {"count", 2},
            {"firstTimestamp", "2026-11-28T02:06:21Z"},
            {"lastTimestamp", "2026-11-28T02:07:21Z"},
            {"source", {{"component", "kubelet"}, {"host", "node-1"}}}};
}

} // namespace

class TestListTables : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rowsMatchSingleGets_data()
    {
        QTest::addColumn<QString>("plural");
        QTest::newRow("events (cells on read)") << QStringLiteral("events");
        QTest::newRow("configmaps (cells kept)") << QStringLiteral("configmaps");
    }

    void rowsMatchSingleGets()
    {
        QFETCH(QString, plural);
        test::InProcessCluster cluster;
        for (int i = 0; i < 5; ++i) {
            const std::string name = "e" + std::to_string(i);
            const Json object = plural == "events"
                                    ? eventObject(name, i % 2 ? "Started" : "Pulled", "message " + std::to_string(i))
                                    : Json{{"apiVersion", "v1"},
                                           {"kind", "ConfigMap"},
                                           {"metadata", {{"name", name}, {"namespace", "default"}}},
                                           {"data", {{"k", std::to_string(i)}}}};
            QVERIFY2(!cluster.create(object).is_null(), cluster.lastError().c_str());
        }
        const std::string base = "/api/v1/namespaces/default/" + plural.toStdString();
        const client::Response list = cluster.send("GET", base, Json(), "application/json", kTable);
        QCOMPARE(list.status, 200);
        const Json rows = list.json()["rows"];
        QCOMPARE(rows.size(), size_t(5));
        for (const Json &row : rows) {
            const std::string name = str(row, {"object", "metadata", "name"});
            const client::Response one = cluster.send("GET", base + "/" + name, Json(), "application/json", kTable);
            QCOMPARE(one.status, 200);
            QCOMPARE(row["cells"], one.json()["rows"][0]["cells"]);
            QVERIFY(row["cells"].size() >= 2);
        }
        if (plural == "events") {
            client::Request request;
            request.path = base;
            request.accept = kTable;
            request.query.emplace("fieldSelector", "reason=Started");
            std::optional<client::Response> started;
            cluster.client().send(request, [&started](const client::Response &r) { started = r; });
            QVERIFY(cluster.waitFor([&] { return started.has_value(); }));
            QCOMPARE(started->json()["rows"].size(), size_t(2));
            for (const Json &row : started->json()["rows"])
                QCOMPARE(row["cells"][2], Json("Started"));
        }
    }
};

QTEST_GUILESS_MAIN(TestListTables)
#include "tst_listtables.moc"
