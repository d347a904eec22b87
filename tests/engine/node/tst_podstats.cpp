// Resource statistics on the node (engine/node/stats): the CPU rate maths and the history,
// the /proc parsers and process trees, a collector's rounds over a fake reader (pod sums,
// restarts, pods that go), the Summary and history JSON and the kubelet's /stats routes, and
// real processes measured through /proc — as root and as an unprivileged user.
#include "engine/core/clock.h"
#include "engine/node/stats/procfs.h"
#include "engine/node/stats/statscollector.h"
#include "engine/node/stats/statsjson.h"
#include "engine/node/stats/statsroutes.h"
#include "machinetools.h"

#include <QProcess>
#include <QScopeGuard>
#include <QtTest>

#include <csignal>
#include <unistd.h>

using namespace cd;
using namespace cd::node::stats;
using namespace std::chrono_literals;

namespace {

// Usage by main pid, set by the test between rounds.
class FakeReader : public UsageReader {
public:
    std::map<int, TreeUsage> containers;
    std::optional<MachineUsage> machineUsage;
    int rounds = 0;

    void beginRound() override { ++rounds; }
    std::optional<TreeUsage> container(int pid) override
    {
        auto it = containers.find(pid);
        return it == containers.end() ? std::nullopt : std::optional<TreeUsage>(it->second);
    }
    std::optional<MachineUsage> machine() override { return machineUsage; }
};

struct CaptureSink : api::ResponseSink {
    api::ApiResponse response;
    void respond(api::ApiResponse r) override { response = std::move(r); }
    void startStream(int status, const std::string &) override { response.status = status; }
    void write(const std::string &chunk) override { response.body += chunk; }
    void finish() override {}
    Json json() const { return Json::parse(response.body, nullptr, false); }
};

api::ApiResponse get(const StatsCollector *collector, const std::string &path,
                     std::multimap<std::string, std::string> query = {})
{
    api::ApiRequest request;
    request.path = path;
    request.query = std::move(query);
    auto sink = std::make_shared<CaptureSink>();
    serveStats(collector, request, sink);
    return sink->response;
}

constexpr std::int64_t kSecond = 1000000000LL;  // ns

// The scheduler's own count of a process's time on CPU (ns), a second opinion on the ticks
// of /proc/<pid>/stat; -1 without schedstat.
std::int64_t schedulerRuntimeNs(int pid)
{
    QFile file(QStringLiteral("/proc/%1/schedstat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    bool ok = false;
    const std::int64_t ns = file.readAll().split(' ').value(0).toLongLong(&ok);
    return ok ? ns : -1;
}

// A process tree's CPU rate read twice a second apart, the scheduler's rate for the same
// processes, and its memory.
struct Measured {
    std::int64_t nanoCores = -1;
    std::int64_t schedulerNanoCores = -1;
    std::int64_t memoryBytes = 0;
    int processes = 0;
};

Measured measure(int pid)
{
    ProcUsageReader reader;
    const auto runtime = [](const std::vector<int> &pids) {
        std::int64_t sum = 0;
        for (int p : pids) {
            const std::int64_t ns = schedulerRuntimeNs(p);
            if (ns < 0)
                return std::int64_t(-1);
            sum += ns;
        }
        return sum;
    };
    const std::vector<int> pids = ProcReader().processes().tree(pid);
    reader.beginRound();
    const std::int64_t scheduledBefore = runtime(pids);
    const auto first = reader.container(pid);
    QElapsedTimer timer;
    timer.start();
    QTest::qWait(1000);
    reader.beginRound();
    const auto second = reader.container(pid);
    const std::int64_t scheduledAfter = runtime(pids);
    const std::int64_t elapsedMs = timer.elapsed();
    Measured m;
    if (!first || !second)
        return m;
    m.nanoCores = (second->cpuNs - first->cpuNs) * 1000 / elapsedMs;
    if (scheduledBefore >= 0 && scheduledAfter >= 0)
        m.schedulerNanoCores = (scheduledAfter - scheduledBefore) * 1000 / elapsedMs;
    m.memoryBytes = second->memoryBytes;
    m.processes = second->processes;
    return m;
}

// The ticks agree with the scheduler (to a quarter, and a few ticks), and the process did run:
// on a loaded machine a busy loop gets what the scheduler gives it, not necessarily a core.
bool plausibleBusy(const Measured &m)
{
    if (m.nanoCores < kSecond / 20)
        return false;
    if (m.schedulerNanoCores < 0)
        return true;
    return std::llabs(m.nanoCores - m.schedulerNanoCores) <= m.schedulerNanoCores / 4 + kSecond / 20;
}

QString text(const Measured &m)
{
    return QStringLiteral("ticks %1 nanocores, scheduler %2 nanocores, %3 processes, %4 bytes")
        .arg(m.nanoCores)
        .arg(m.schedulerNanoCores)
        .arg(m.processes)
        .arg(m.memoryBytes);
}

} // namespace

class TestPodStats : public QObject {
    Q_OBJECT

    FakeClock m_clock;

private Q_SLOTS:
    void initTestCase() { Clock::install(&m_clock); }
    void cleanupTestCase() { Clock::install(nullptr); }

    void rateMaths()
    {
        QCOMPARE(nanoCoresBetween(0, 0, kSecond, 1000), kSecond);             // one core for a second
        QCOMPARE(nanoCoresBetween(kSecond, 1000, 6 * kSecond, 11000), kSecond / 2);  // 5 s of CPU in 10 s
        QCOMPARE(nanoCoresBetween(0, 0, 3 * kSecond / 2, 500), 3 * kSecond);  // three cores
        QCOMPARE(nanoCoresBetween(5, 1000, 5, 2000), 0LL);                     // idle
        QCOMPARE(nanoCoresBetween(5 * kSecond, 1000, kSecond, 2000), -1LL);    // counter went back
        QCOMPARE(nanoCoresBetween(0, 1000, kSecond, 1000), -1LL);              // no time passed
        // A day of 64 cores does not overflow.
        QCOMPARE(nanoCoresBetween(0, 0, 64 * 86400 * kSecond, 86400000), 64 * kSecond);
    }

    void seriesRatesAndCapacity()
    {
        UsageSeries series(3);
        QVERIFY(!series.record(1, 1000, 7, 0, 100).hasRate());  // the first sample has no rate
        const UsageSample second = series.record(2, 2000, 7, kSecond / 4, 200);
        QCOMPARE(second.cpuNanoCores, kSecond / 4);
        QCOMPARE(second.windowMs, 1000LL);
        QCOMPARE(second.memoryWorkingSetBytes, 200LL);
        // A skipped round: the window would not be the round's, so no rate.
        QVERIFY(!series.record(4, 4000, 7, kSecond, 200).hasRate());
        // A new instance (the container restarted) counts from zero: no rate either.
        QVERIFY(!series.record(5, 5000, 8, kSecond / 10, 200).hasRate());
        QCOMPARE(series.record(6, 6000, 8, kSecond / 5, 200).cpuNanoCores, kSecond / 10);
        QCOMPARE(series.samples().size(), size_t(3));
        QCOMPARE(series.samples().front().round, std::uint64_t(4));
        QVERIFY(series.at(6));
        QVERIFY(!series.at(5));
    }

    void parsesProcStat()
    {
        // A command name with spaces and parentheses.
        const auto stat = parseProcStat("4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 350 0 0 0 "
                                        "120 30 7 3 20 0 1 0 12345 1000000 250 18446744073709551615");
        QVERIFY(stat);
        QCOMPARE(stat->pid, 4242);
        QCOMPARE(stat->ppid, 17);
        QCOMPARE(stat->utime, 120LL);
        QCOMPARE(stat->stime, 30LL);
        QCOMPARE(stat->cpuTicks(), 160LL);
        QVERIFY(!parseProcStat("garbage"));
        QVERIFY(!parseProcStat("12 (short) S 1 2 3"));

        QCOMPARE(parseSmapsRollupPss("55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:  1688 kB\nPss:   206 kB\n"
                                     "Pss_Dirty: 112 kB\n"),
                 std::optional<std::int64_t>(206 * 1024));
        QCOMPARE(parseSmapsRollupPss("Rss: 12 kB\n"), std::optional<std::int64_t>());
        QCOMPARE(parseStatmResident("765 424 396 5 0 123 0\n", 4096), std::optional<std::int64_t>(424 * 4096));
    }

    void parsesMachine()
    {
        MachineUsage usage;
        QVERIFY(parseMachineCpu("cpu  100 20 30 5000 40 5 6 7 0 0\ncpu0 50 10 15 2500 20 2 3 3 0 0\n"
                                "intr 1 2 3\nbtime 1735700000\n",
                                10000000, usage));
        // user+nice+system+irq+softirq+steal ticks (not idle nor iowait), at 10 ms a tick.
        QCOMPARE(usage.cpuNs, (100 + 20 + 30 + 5 + 6 + 7) * 10000000LL);
        QCOMPARE(usage.bootTimeSeconds, 1735700000LL);
        QVERIFY(parseMeminfo("MemTotal:       24731708 kB\nMemFree:         5276660 kB\n"
                             "MemAvailable:   22741912 kB\nBuffers: 1 kB\n",
                             usage));
        QCOMPARE(usage.memoryTotalBytes, 24731708LL * 1024);
        QCOMPARE(usage.workingSetBytes(), (24731708LL - 22741912LL) * 1024);
        QVERIFY(!parseMeminfo("Buffers: 1 kB\n", usage));
        QVERIFY(!parseMachineCpu("intr 1\n", 1, usage));
    }

    void processTrees()
    {
        ProcessTable table;
        for (auto [pid, ppid] : std::vector<std::pair<int, int>>{{1, 0}, {100, 1}, {101, 100}, {102, 100},
                                                                 {103, 102}, {200, 1}, {201, 200}})
            table.add(ProcStat{pid, ppid, 1, 0, 0, 0});
        std::vector<int> tree = table.tree(100);
        std::sort(tree.begin(), tree.end());
        QCOMPARE(tree, (std::vector<int>{100, 101, 102, 103}));
        QCOMPARE(table.tree(103), std::vector<int>{103});
        QVERIFY(table.tree(999).empty());
        QVERIFY(table.tree(0).empty());
    }

    // Rounds over a fake reader: per-container rates, their sum per pod, the node's machine
    // numbers, restarts and pods that go.
    void collectorRounds()
    {
        FakeReader *reader = new FakeReader;
        reader->machineUsage = MachineUsage{10 * kSecond, 8LL << 30, 2LL << 30, 6LL << 30, 1735000000};
        reader->containers[10] = {0, 10 << 20, 1};
        reader->containers[11] = {0, 20 << 20, 2};
        std::vector<NodeRef> inventory = {
            {"node-1",
             {{"default", "web", "uid-1", 1000, {{"app", 10, 1, 2000}, {"sidecar", 11, 2, 2000}}},
              {"default", "idle", "uid-2", 1000, {{"app", 0, 0, 0}}}}},
            {"node-2", {}}};
        StatsOptions options;
        options.interval = 1s;
        options.history = 5s;
        StatsCollector collector(options, [&] { return inventory; }, std::unique_ptr<UsageReader>(reader));
        QCOMPARE(collector.historyCapacity(), size_t(5));

        collector.sample();
        QCOMPARE(collector.nodes().size(), size_t(2));
        const PodStats *web = collector.pod("default", "web");
        QVERIFY(web);
        QVERIFY(!web->series.latest()->hasRate());
        QVERIFY(!collector.pod("default", "idle"));  // nothing of it runs: not measured
        Json summary = nodeSummary(collector, *collector.node("node-1"));
        QVERIFY2(!cd::has(summary, {"node", "cpu", "usageNanoCores"}), summary.dump().c_str());

        m_clock.advance(1000ms);
        reader->machineUsage->cpuNs += kSecond / 2;
        reader->containers[10].cpuNs += kSecond;      // one core
        reader->containers[11].cpuNs += kSecond / 4;  // a quarter
        reader->containers[11].memoryBytes = 30 << 20;
        collector.sample();
        QCOMPARE(collector.windowMs(), 1000LL);
        web = collector.pod("default", "web");
        QCOMPARE(web->container("app")->series.latest()->cpuNanoCores, kSecond);
        QCOMPARE(web->container("sidecar")->series.latest()->cpuNanoCores, kSecond / 4);
        QCOMPARE(web->series.latest()->cpuNanoCores, kSecond * 5 / 4);
        QCOMPARE(web->series.latest()->memoryWorkingSetBytes, 40LL << 20);
        QCOMPARE(collector.node("node-2")->series.latest()->cpuNanoCores, kSecond / 2);  // the machine's

        // The Summary API shape metrics-server reads.
        summary = nodeSummary(collector, *collector.node("node-1"));
        QCOMPARE(str(summary, {"node", "nodeName"}), std::string("node-1"));
        QCOMPARE(integer(summary, {"node", "cpu", "usageNanoCores"}), kSecond / 2);
        QCOMPARE(integer(summary, {"node", "memory", "workingSetBytes"}), 2LL << 30);
        QCOMPARE(integer(summary, {"node", "memory", "availableBytes"}), 6LL << 30);
        QCOMPARE(str(summary, {"node", "startTime"}), rfc3339(TimePoint(1735000000s)));
        const Json &pod = summary["pods"][0];
        QCOMPARE(summary["pods"].size(), size_t(1));
        QCOMPARE(str(pod, {"podRef", "name"}), std::string("web"));
        QCOMPARE(str(pod, {"podRef", "namespace"}), std::string("default"));
        QCOMPARE(str(pod, {"podRef", "uid"}), std::string("uid-1"));
        QCOMPARE(integer(pod, {"cpu", "usageNanoCores"}), kSecond * 5 / 4);
        QCOMPARE(integer(pod, {"cpu", "usageCoreNanoSeconds"}), kSecond * 5 / 4);
        QCOMPARE(str(pod, {"cpu", "time"}), rfc3339(m_clock.now()));
        QCOMPARE(pod["containers"].size(), size_t(2));
        QCOMPARE(str(pod["containers"][1], {"name"}), std::string("sidecar"));
        QCOMPARE(integer(pod["containers"][1], {"memory", "workingSetBytes"}), 30LL << 20);
        QCOMPARE(str(pod["containers"][1], {"startTime"}), rfc3339(TimePoint(2000ms)));

        // The sidecar restarts (a new process counting from zero): its rate and the pod's are
        // unknown for a round; the app's is not.
        m_clock.advance(1000ms);
        inventory[0].pods[0].containers[1] = {"sidecar", 12, 3, 4000};
        reader->containers[12] = {kSecond / 100, 5 << 20, 1};
        reader->containers[10].cpuNs += kSecond / 2;
        collector.sample();
        summary = nodeSummary(collector, *collector.node("node-1"));
        QVERIFY(!cd::has(summary["pods"][0], {"cpu", "usageNanoCores"}));
        QCOMPARE(integer(summary["pods"][0]["containers"][0], {"cpu", "usageNanoCores"}), kSecond / 2);
        QVERIFY(!cd::has(summary["pods"][0]["containers"][1], {"cpu", "usageNanoCores"}));

        // History: oldest first, bounded by the capacity.
        for (int i = 0; i < 4; ++i) {
            m_clock.advance(1000ms);
            reader->containers[10].cpuNs += kSecond / 10;
            collector.sample();
        }
        const Json history = podHistory(collector, *collector.node("node-1"), *collector.pod("default", "web"));
        QCOMPARE(str(history, {"kind"}), std::string("StatsHistory"));
        QCOMPARE(integer(history, {"intervalMs"}), 1000LL);
        QCOMPARE(history["samples"].size(), size_t(5));
        QCOMPARE(history["containers"].size(), size_t(2));
        QCOMPARE(integer(history["containers"][0]["samples"][4], {"cpu", "usageNanoCores"}), kSecond / 10);
        QCOMPARE(integer(history["containers"][0]["samples"][4], {"windowMs"}), 1000LL);
        QVERIFY(str(history["samples"][0], {"time"}) < str(history["samples"][4], {"time"}));
        QCOMPARE(nodeHistory(collector, *collector.node("node-2"))["samples"].size(), size_t(5));

        // The pod goes: its statistics go with it. A pod of the same name later starts afresh.
        inventory[0].pods.erase(inventory[0].pods.begin());
        collector.sample();
        QVERIFY(!collector.pod("default", "web"));
        inventory[0].pods.push_back({"default", "web", "uid-3", 9000, {{"app", 10, 9, 9000}}});
        collector.sample();
        QCOMPARE(collector.pod("default", "web")->uid, std::string("uid-3"));
        QCOMPARE(collector.pod("default", "web")->series.samples().size(), size_t(1));

        // A node leaves the plan.
        inventory.pop_back();
        collector.sample();
        QVERIFY(!collector.node("node-2"));
        QCOMPARE(summaryList(collector)["items"].size(), size_t(1));
    }

    void kubeletRoutes()
    {
        auto *reader = new FakeReader;
        reader->machineUsage = MachineUsage{kSecond, 4LL << 30, 1LL << 30, 2LL << 30, 0};
        reader->containers[10] = {0, 1 << 20, 1};
        std::vector<NodeRef> inventory = {{"node-1", {{"team", "api", "u1", 0, {{"main", 10, 1, 0}}}}},
                                          {"node-2", {}}};
        StatsCollector collector({}, [&] { return inventory; }, std::unique_ptr<UsageReader>(reader));
        collector.sample();
        m_clock.advance(1000ms);
        reader->containers[10].cpuNs += kSecond;
        collector.sample();

        api::ApiResponse r = get(&collector, "/stats/summary", {{"node", "node-1"}});
        QCOMPARE(r.status, 200);
        Json body = Json::parse(r.body);
        QCOMPARE(integer(body["pods"][0], {"cpu", "usageNanoCores"}), kSecond);

        r = get(&collector, "/stats/summary");  // two nodes: which one?
        QCOMPARE(r.status, 400);
        QVERIFY2(r.body.find("name one with ?node=NAME") != std::string::npos, r.body.c_str());
        r = get(&collector, "/stats/summary", {{"node", "sim-1"}});
        QCOMPARE(r.status, 404);
        QVERIFY2(r.body.find("only process and container nodes") != std::string::npos, r.body.c_str());

        r = get(&collector, "/stats/nodes");
        body = Json::parse(r.body);
        QCOMPARE(str(body, {"kind"}), std::string("SummaryList"));
        QCOMPARE(integer(body, {"windowMs"}), 1000LL);
        QCOMPARE(body["items"].size(), size_t(2));
        QCOMPARE(str(body["items"][1], {"node", "nodeName"}), std::string("node-2"));

        r = get(&collector, "/stats/history", {{"namespace", "team"}, {"pod", "api"}});
        QCOMPARE(r.status, 200);
        body = Json::parse(r.body);
        QCOMPARE(str(body, {"node"}), std::string("node-1"));
        QCOMPARE(body["containers"][0]["samples"].size(), size_t(2));
        QCOMPARE(get(&collector, "/stats/history", {{"namespace", "team"}, {"pod", "api"}, {"node", "node-2"}}).status, 404);
        QCOMPARE(get(&collector, "/stats/history", {{"pod", "api"}}).status, 404);  // default namespace
        QCOMPARE(get(&collector, "/stats/history", {{"node", "node-2"}}).status, 200);
        QCOMPARE(get(&collector, "/stats/other").status, 404);

        // An engine without process nodes has no collector: nothing to measure.
        QCOMPARE(get(nullptr, "/stats/summary", {{"node", "node-1"}}).status, 404);
        QCOMPARE(Json::parse(get(nullptr, "/stats/nodes").body)["items"].size(), size_t(0));
        api::ApiRequest post;
        post.method = api::Method::Post;
        post.path = "/stats/summary";
        auto sink = std::make_shared<CaptureSink>();
        serveStats(&collector, post, sink);
        QCOMPARE(sink->response.status, 405);
    }

    // Real processes through /proc: a busy loop's CPU, a child's CPU counted in its parent's
    // tree, and memory held by python.
    void realProcesses()
    {
        Clock::install(nullptr);
        auto restore = qScopeGuard([this] { Clock::install(&m_clock); });
        QProcess busy;
        busy.start(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("while :; do :; done")});
        QVERIFY(busy.waitForStarted());
        auto stopBusy = qScopeGuard([&] { busy.kill(); busy.waitForFinished(); });
        // The shell only waits; its child burns the CPU.
        QProcess parent;
        parent.start(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("sh -c 'while :; do :; done' & wait")});
        QVERIFY(parent.waitForStarted());
        auto stopParent = qScopeGuard([&] {
            // The busy child first (found by its parent's pid), then the shell.
            for (int pid : ProcReader().processes().tree(static_cast<int>(parent.processId())))
                if (pid != parent.processId())
                    ::kill(pid, SIGKILL);
            parent.kill();
            parent.waitForFinished();
        });
        QTest::qWait(200);

        const Measured loop = measure(static_cast<int>(busy.processId()));
        QVERIFY2(plausibleBusy(loop), qPrintable(text(loop)));
        QVERIFY(loop.memoryBytes > 0);
        const Measured tree = measure(static_cast<int>(parent.processId()));
        QCOMPARE(tree.processes, 2);
        QVERIFY2(plausibleBusy(tree), qPrintable(text(tree)));
        QProcess sleeper;
        sleeper.start(QStringLiteral("sleep"), {QStringLiteral("30")});
        QVERIFY(sleeper.waitForStarted());
        auto stopSleeper = qScopeGuard([&] { sleeper.kill(); sleeper.waitForFinished(); });
        const Measured idle = measure(static_cast<int>(sleeper.processId()));
        QVERIFY2(idle.nanoCores >= 0 && idle.nanoCores < kSecond / 50, qPrintable(text(idle)));

        CD_REQUIRE_TOOL(QStringLiteral("python3"));
        QProcess holder;
        holder.start(QStringLiteral("python3"),
                     {QStringLiteral("-c"), QStringLiteral("b = bytearray(50*1024*1024); print('ready', flush=True); "
                                                           "import time; time.sleep(600)")});
        QVERIFY(holder.waitForStarted());
        auto stopHolder = qScopeGuard([&] { holder.kill(); holder.waitForFinished(); });
        QVERIFY(holder.waitForReadyRead(10000));
        ProcUsageReader reader;
        reader.beginRound();
        const auto held = reader.container(static_cast<int>(holder.processId()));
        QVERIFY(held);
        QVERIFY2(held->memoryBytes > 45LL * 1024 * 1024, qPrintable(QString::number(held->memoryBytes)));
        QVERIFY(held->memoryBytes < 200LL * 1024 * 1024);
        // The machine, as process nodes report it.
        const auto machine = reader.machine();
        QVERIFY(machine);
        QVERIFY(machine->cpuNs > 0 && machine->workingSetBytes() > 0);
        QVERIFY(machine->memoryTotalBytes > machine->workingSetBytes());
        QVERIFY(!reader.container(999999999));
    }

    // The same measurements as an unprivileged user (the desktop case): the test runs itself again.
    void unprivileged()
    {
        CD_RERUN_AS_NOBODY(60000, QStringLiteral("realProcesses"));
    }
};

QTEST_GUILESS_MAIN(TestPodStats)
#include "tst_podstats.moc"
