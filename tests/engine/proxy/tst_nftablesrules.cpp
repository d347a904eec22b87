// The proxy's nftables rules: the unit of each Service port (a DNAT chain, or a reject), the
// commands that move a unit from one state to another, and the planner that sends only what
// changed, removals first, in transactions small enough for an unprivileged nft. Then the real
// nft takes them — in a fresh user and network namespace, as root and as user nobody — for
// 1,000 Services, and a later change of ten is one small transaction.
#include "engine/proxy/ruleplanner.h"
#include "engine/proxy/rulesync.h"
#include "machinetools.h"

#include <QtTest>

#include <unistd.h>

using namespace cd;
using namespace cd::proxy;

using cd::test::systemTool;

namespace {

ServicePortInfo port(const std::string &name, const std::string &ip, int number, std::vector<Backend> backends,
                     const std::string &protocol = "TCP")
{
    ServicePortInfo info;
    info.ns = "shop";
    info.name = name;
    info.clusterIp = ip;
    info.port = number;
    info.protocol = protocol;
    info.backends = std::move(backends);
    return info;
}

// N Services of three backends each (every tenth without any).
std::vector<ServicePortInfo> manyServices(int count, int backendPort = 8080)
{
    std::vector<ServicePortInfo> ports;
    for (int i = 0; i < count; ++i) {
        std::vector<Backend> backends;
        if (i % 10)
            for (int b = 0; b < 3; ++b)
                backends.push_back(
                    {"10.244." + std::to_string(i / 200) + "." + std::to_string((i * 3 + b) % 250 + 2), backendPort});
        ports.push_back(port("svc-" + std::to_string(i),
                             "10.96." + std::to_string(1 + i / 250) + "." + std::to_string(i % 250 + 1), 80, backends));
    }
    return ports;
}

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run inNamespace(const QString &script, bool asNobody)
{
    QStringList argv;
    if (asNobody)
        argv << systemTool("setpriv") << "--reuid=65534"
             << "--regid=65534"
             << "--clear-groups"
             << "--";
    argv << systemTool("unshare") << "-Urn"
         << "/bin/sh"
         << "-c" << script;
    QProcess process;
    process.start(argv.takeFirst(), argv);
    Run run;
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitCode();
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

} // namespace

class TestNftablesRules : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void unitsOfServicePorts()
    {
        NftablesOptions options;
        options.locallyServed = {"10.96.0.10"};
        const auto units = ruleUnits(
            {port("web", "10.96.0.50", 80, {{"10.244.0.2", 8000}, {"10.244.0.3", 8000}}),
             port("empty", "10.96.0.51", 80, {}), port("dns", "10.96.0.53", 53, {{"10.244.0.9", 5353}}, "UDP"),
             port("kube-dns", "10.96.0.10", 53, {}, "UDP"),                           // served by the engine
             port("web", "10.96.0.50", 80, {{"10.244.0.7", 8000}}),                   // the same key again
             port("bad name", "10.96.0.52", 80, {{"10.244.0.4", 80}}),                // not an API name
             port("hostile", "10.96.0.55", 80, {{"10.244.0.4; flush ruleset", 80}})}, // a hostile backend
            options);
        QCOMPARE(units.size(), size_t(4));
        const RuleUnit &web = units.at("10.96.0.50 . tcp . 80");
        QCOMPARE(web.chain, std::string("svc-shop/web/tcp/80"));
        QCOMPARE(web.rule, std::string("meta l4proto tcp dnat ip to numgen random mod 2 map "
                                       "{ 0 : 10.244.0.2 . 8000, 1 : 10.244.0.3 . 8000 }"));
        QCOMPARE(units.at("10.96.0.53 . udp . 53").rule,
                 std::string("meta l4proto udp dnat ip to numgen random mod 1 map { 0 : 10.244.0.9 . 5353 }"));
        QVERIFY(units.at("10.96.0.51 . tcp . 80").rejected());
        QVERIFY(units.at("10.96.0.55 . tcp . 80").rejected()); // its only backend was dropped
        QVERIFY(!units.count("10.96.0.10 . udp . 53"));
        QVERIFY(!units.count("10.96.0.52 . tcp . 80"));
    }

    void commandsBetweenStates()
    {
        const RuleUnit two{"10.96.0.50 . tcp . 80", "svc-shop/web/tcp/80", "RULE2"};
        const RuleUnit one{"10.96.0.50 . tcp . 80", "svc-shop/web/tcp/80", "RULE1"};
        const RuleUnit rejected{"10.96.0.50 . tcp . 80", "", ""};
        const auto text = [](const RuleUnit *from, const RuleUnit *to) {
            return QString::fromStdString(unitCommands(from, to));
        };
        QCOMPARE(text(nullptr, &two), QString("add chain ip clusterdeck svc-shop/web/tcp/80\n"
                                              "flush chain ip clusterdeck svc-shop/web/tcp/80\n"
                                              "add rule ip clusterdeck svc-shop/web/tcp/80 RULE2\n"
                                              "add element ip clusterdeck service-ips { 10.96.0.50 . tcp . 80 : goto "
                                              "svc-shop/web/tcp/80 }\n"));
        // Backends changed: the chain is rewritten in place, the map stays.
        QCOMPARE(text(&two, &one), QString("add chain ip clusterdeck svc-shop/web/tcp/80\n"
                                           "flush chain ip clusterdeck svc-shop/web/tcp/80\n"
                                           "add rule ip clusterdeck svc-shop/web/tcp/80 RULE1\n"));
        // The last backend went: rejected, the chain deleted once nothing points to it.
        QCOMPARE(text(&one, &rejected),
                 QString("delete element ip clusterdeck service-ips { 10.96.0.50 . tcp . 80 }\n"
                         "add element ip clusterdeck no-endpoint-services { 10.96.0.50 . tcp . 80 "
                         ": goto reject-service }\n"
                         "delete chain ip clusterdeck svc-shop/web/tcp/80\n"));
        QCOMPARE(text(&rejected, nullptr),
                 QString("delete element ip clusterdeck no-endpoint-services { 10.96.0.50 . tcp . 80 }\n"));
        const QString reset = QString::fromStdString(resetCommands());
        QVERIFY(reset.startsWith("add table ip clusterdeck\ndelete table ip clusterdeck\ntable ip clusterdeck {\n"));
        QVERIFY(reset.contains("ct status dnat oifname \"cd0\" masquerade"));
        QVERIFY(reset.contains("meta l4proto tcp reject with tcp reset"));
        QVERIFY(!reset.contains("elements")); // nft refuses an empty element list
    }

    void plannerSendsOnlyChanges()
    {
        RulePlanner planner({}, 4000);
        auto desired = ruleUnits(manyServices(40));
        auto plan = planner.plan(desired);
        // First: a reset, then every unit, in transactions within the bound.
        QVERIFY(plan.size() > 1);
        QVERIFY(plan.front().reset);
        size_t units = 0;
        for (const RuleTransaction &t : plan) {
            QVERIFY(t.text.size() <= 4000 || t.units.size() == 1);
            units += t.units.size();
            planner.applied(t);
        }
        QCOMPARE(units, size_t(40));
        QVERIFY(planner.plan(desired).empty());
        // One Service's backends change, another goes, a third comes: one small transaction,
        // the removal first.
        auto changed = ruleUnits(manyServices(41, 9090));
        changed.erase("10.96.1.3 . tcp . 80");
        std::map<std::string, RuleUnit> next = desired;
        next["10.96.1.2 . tcp . 80"] = changed.at("10.96.1.2 . tcp . 80");
        next.erase("10.96.1.3 . tcp . 80");
        next["10.96.1.41 . tcp . 80"] = changed.at("10.96.1.41 . tcp . 80");
        plan = planner.plan(next);
        QCOMPARE(plan.size(), size_t(1));
        QVERIFY(!plan[0].reset);
        QCOMPARE(plan[0].units.size(), size_t(3));
        const QString text = QString::fromStdString(plan[0].text);
        QVERIFY(text.indexOf("delete chain ip clusterdeck svc-shop/svc-2/tcp/80") <
                text.indexOf("flush chain ip clusterdeck svc-shop/svc-1/tcp/80"));
        QVERIFY(text.contains("9090"));
        QVERIFY(!text.contains("svc-shop/svc-5/"));
        planner.applied(plan[0]);
        QVERIFY(planner.plan(next).empty());
        // One unit each, when looking for the one nft refuses.
        next.erase("10.96.1.2 . tcp . 80");
        next.erase("10.96.1.5 . tcp . 80");
        QCOMPARE(planner.plan(next, true).size(), size_t(2));
        // Forgotten (a restart): everything again, after a reset.
        planner.forget();
        plan = planner.plan(next, true);
        QVERIFY(plan.front().reset && plan.front().units.empty());
        QCOMPARE(plan.size(), next.size() + 1);
    }

    void nftAcceptsIt_data()
    {
        QTest::addColumn<bool>("asNobody");
        QTest::newRow("root") << false;
        QTest::newRow("nobody") << true;
    }

    void nftAcceptsIt()
    {
        QFETCH(bool, asNobody);
        const QString nft = RuleSync::findNft();
        if (nft.isEmpty())
            CD_SKIP_OR_FAIL("nft (nftables) is not installed");
        if (asNobody && ::geteuid() != 0)
            QSKIP("not root: the other row runs unprivileged already");
        if (asNobody && systemTool("setpriv").isEmpty())
            CD_SKIP_OR_FAIL("setpriv (util-linux) is not installed");
        const Run probe = inNamespace("true", asNobody);
        if (probe.exitCode != 0)
            CD_SKIP_OR_FAIL("no user namespace here: " + probe.err);
        // 1,000 Services from nothing, then ten of them changed: the transactions as files,
        // applied in order inside one fresh namespace.
        QTemporaryDir dir(QDir::tempPath() + "/nft-XXXXXX");
        QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                              QFileDevice::ReadOther | QFileDevice::ExeOther);
        RulePlanner planner;
        int files = 0;
        const auto write = [&](const std::vector<RuleTransaction> &plan, const char *phase) {
            for (const RuleTransaction &t : plan) {
                QFile file(dir.filePath(QString("%1-%2.nft").arg(phase).arg(files++, 4, 10, QChar('0'))));
                file.open(QIODevice::WriteOnly);
                file.write(t.text.data(), qint64(t.text.size()));
                file.setPermissions(file.permissions() | QFileDevice::ReadOther);
                planner.applied(t);
            }
            return plan.size();
        };
        const size_t initial = write(planner.plan(ruleUnits(manyServices(1000))), "a");
        auto changed = manyServices(1000);
        for (int i = 1; i <= 10; ++i)
            changed[size_t(i) * 7].backends = {{"10.244.9.9", 7777}};
        const size_t later = write(planner.plan(ruleUnits(changed)), "b");
        qInfo("1,000 Services: %zu transactions; ten changed: %zu", initial, later);
        QVERIFY(initial >= 2); // an unprivileged nft cannot take them at once
        QCOMPARE(later, size_t(1));
        const QString script =
            QStringLiteral("set -e; start=$(date +%s%N); for f in %1/a-*.nft; do %2 -f $f; done; mid=$(date +%s%N);"
                           "for f in %1/b-*.nft; do %2 -f $f; done; end=$(date +%s%N);"
                           "echo initial=$(( (mid-start)/1000000 )) change=$(( (end-mid)/1000000 ));"
                           "%2 list table ip clusterdeck")
                .arg(dir.path(), nft);
        const Run run = inNamespace(script, asNobody);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err.left(3000)));
        qInfo("nft, 1,000 Services: %s", qPrintable(run.out.section('\n', 0, 0)));
        // 900 with three backends, nine of them changed to one; the tenth changed had none.
        QCOMPARE(run.out.count("dnat ip to numgen random mod 3 map"), 891);
        QCOMPARE(run.out.count("dnat ip to numgen random mod 1 map { 0 : 10.244.9.9 . 7777 }"), 10);
        QCOMPARE(run.out.count(": goto reject-service"), 100 - 1); // i=70 got a backend
        const QString change = run.out.section("change=", 1, 1).section('\n', 0, 0);
        QVERIFY2(change.toInt() < 5000, qPrintable(run.out.left(200))); // generous: a loaded 2-core machine
    }
};

QTEST_GUILESS_MAIN(TestNftablesRules)
#include "tst_nftablesrules.moc"
