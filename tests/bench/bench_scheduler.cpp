// The scheduler's throughput, as kube-scheduler's scheduler_perf measures its
// SchedulingBasic/5000Nodes_10000Pods case: thousands of Ready nodes and pending pods already in
// the store, then the scheduler started; pods bound per second.
//
//   bench_scheduler [--nodes 5000] [--pods 10000] [--owners 0] [--rounds 1] [--memory]
//                   [--json PATH] [--timeout 120] [--hold SECONDS] [--events-in-step]
//
// --events-in-step writes each Scheduled event as its binding is answered, instead of after
// the burst (SchedulerOptions::deferEvents false), for comparison.
// --hold waits that long between loading and starting the scheduler, after printing
// "loaded, pid N": time to attach a profiler to the scheduling alone (perf record -p N).
//
// One process laid out as clusterdeckd lays itself out: the store and the API on the main thread
// (the store's writer thread behind them, an SQLite file in a temporary folder unless --memory),
// the scheduler on a "control" thread with its own in-process client and shared informers. No
// controllers and no node agents run, so every write the API takes is the scheduler's: bindings
// (pods/binding) and Scheduled events. Nodes look like simulated nodes (labels, capacity 4 cpu,
// 32Gi, 110 pods, Ready) and pods like kube-scheduler_perf's pod-default (one container asking
// 100m and 500Mi). With --owners K the pods belong to K ReplicaSets (spreading is scored).
//
// Figures: bindings answered per second from the first to the last, and from the scheduler's
// start (informers listing 5,000 nodes and 10,000 pods included); CPU per thread; RSS. The
// placement is checked afterwards: every pod bound, no node over its allocatable.
#include "engine/api/apiservice.h"
#include "engine/client/inprocessclient.h"
#include "engine/client/sharedinformers.h"
#include "engine/core/clock.h"
#include "engine/scheduler/scheduler.h"
#include "engine/store/store.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace cd;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct Options {
    int nodes = 5000;
    int pods = 10000;
    int owners = 0;
    int rounds = 1;
    bool memory = false;
    int timeoutSeconds = 120;
    int holdSeconds = 0;
    bool eventsInStep = false;
    QString jsonPath;
};

// Runs the event loop until done() holds or the deadline passes, sleeping while there is nothing
// to do (as clusterdeckd's exec() does): a busy loop here would take a core from the threads
// being measured.
template <typename Done>
void runUntil(Done done, QDeadlineTimer deadline = QDeadlineTimer(QDeadlineTimer::Forever))
{
    QTimer tick;  // wakes the loop now and then to look at done() and the deadline
    tick.start(10);
    while (!done() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
}

QString argumentValue(const QStringList &args, const QString &name, const QString &fallback)
{
    const int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args[i + 1] : fallback;
}

Json nodeObject(int index)
{
    const std::string name = "sim-node-" + std::to_string(index);
    const Json resources = {{"cpu", "4"},
                            {"memory", "32Gi"},
                            {"pods", "110"},
                            {"ephemeral-storage", "100Gi"},
                            {"hugepages-1Gi", "0"},
                            {"hugepages-2Mi", "0"}};
    const std::string now = nowRfc3339();
    auto condition = [&](const char *type, const char *status, const char *reason, const char *message) {
        return Json{{"type", type},          {"status", status},          {"reason", reason},
                    {"message", message},    {"lastHeartbeatTime", now}, {"lastTransitionTime", now}};
    };
    return {{"apiVersion", "v1"},
            {"kind", "Node"},
            {"metadata",
             {{"name", name},
              {"labels",
               {{"beta.kubernetes.io/arch", "amd64"},
                {"beta.kubernetes.io/os", "linux"},
                {"kubernetes.io/arch", "amd64"},
                {"kubernetes.io/hostname", name},
                {"kubernetes.io/os", "linux"}}},
              {"annotations", {{"node.alpha.kubernetes.io/ttl", "0"}}}}},
            {"spec",
             {{"podCIDR", "10.244." + std::to_string(index % 256) + ".0/24"},
              {"providerID", "clusterdeck-sim://" + name}}},
            {"status",
             {{"capacity", resources},
              {"allocatable", resources},
              {"conditions",
               {condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status")}},
              {"addresses",
               {{{"type", "InternalIP"}, {"address", "172.18." + std::to_string(index / 250) + "." + std::to_string(index % 250 + 2)}},
                {{"type", "Hostname"}, {"address", name}}}},
              {"nodeInfo",
               {{"kubeletVersion", "v1.32.0"},
                {"operatingSystem", "linux"},
                {"architecture", "amd64"},
                {"containerRuntimeVersion", "clusterdeck-sim://1.0"}}}}}};
}

Json podObject(int index, int owners)
{
    Json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata",
                 {{"name", "pod-" + std::to_string(index)},
                  {"namespace", "default"},
                  {"labels", {{"app", "bench-" + std::to_string(owners ? index % owners : 0)}}}}},
                {"spec",
                 {{"containers",
                   {{{"name", "pause"},
                     {"image", "registry.k8s.io/pause:3.10"},
                     {"ports", {{{"containerPort", 80}}}},
                     {"resources",
                      {{"requests", {{"cpu", "100m"}, {"memory", "500Mi"}}},
                       {"limits", {{"cpu", "100m"}, {"memory", "500Mi"}}}}}}}}}}};
    if (owners > 0) {
        const int owner = index % owners;
        pod["metadata"]["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                               {"kind", "ReplicaSet"},
                                               {"name", "bench-" + std::to_string(owner)},
                                               {"uid", "00000000-0000-4000-8000-" + std::to_string(100000000000 + owner)},
                                               {"controller", true},
                                               {"blockOwnerDeletion", true}}};
    }
    return pod;
}

// Sends the requests with at most `window` unanswered, running the event loop until all are
// answered. Returns the number that failed (and the first error).
int sendAll(client::Client &client, const std::vector<client::Request> &requests, int window, std::string *firstError)
{
    size_t next = 0;
    int inFlight = 0, failed = 0;
    std::function<void()> pump = [&] {
        while (inFlight < window && next < requests.size()) {
            ++inFlight;
            client.send(requests[next++], [&](const client::Response &r) {
                --inFlight;
                if (!r.ok()) {
                    if (failed++ == 0 && firstError)
                        *firstError = std::to_string(r.status) + " " + r.message();
                }
                pump();
            });
        }
    };
    pump();
    runUntil([&] { return inFlight == 0 && next >= requests.size(); });
    return failed;
}

// CPU seconds used so far by each of this process's threads, by thread name.
std::map<std::string, double> threadCpu()
{
    std::map<std::string, double> out;
    const long ticks = sysconf(_SC_CLK_TCK);
    const QDir tasks("/proc/self/task");
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        std::ifstream stat(("/proc/self/task/" + tid + "/stat").toStdString());
        std::string line;
        std::getline(stat, line);
        const size_t open = line.find('('), close = line.rfind(')');
        if (open == std::string::npos || close == std::string::npos)
            continue;
        const std::string name = line.substr(open + 1, close - open - 1);
        std::istringstream rest(line.substr(close + 2));
        std::string field;
        std::vector<std::string> fields;
        while (rest >> field)
            fields.push_back(field);
        if (fields.size() < 13)
            continue;
        // After the name: state(0) ... utime(11) stime(12). The main thread is the API's; the
        // only other unnamed thread is the store's writer.
        const std::string label = tid.toLongLong() == getpid() ? "main (API)"
                                  : name == "bench_scheduler" ? "store writer"
                                                              : name;
        out[label] += double(std::stoll(fields[11]) + std::stoll(fields[12])) / double(ticks);
    }
    return out;
}

long long rssKilobytes()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stoll(line.substr(6));
    return 0;
}

// The scheduler and its informers, on the control thread.
class ControlSide : public QObject {
public:
    ControlSide(api::ApiService *api, int expected, bool eventsInStep)
        : m_api(api), m_expected(expected), m_eventsInStep(eventsInStep)
    {
    }

    void start()
    {
        m_client = new client::InProcessClient(m_api, this);
        m_informers = new client::SharedInformers(m_client, this);
        scheduler::SchedulerOptions options;
        options.deferEvents = !m_eventsInStep;
        m_scheduler = new scheduler::Scheduler(m_client, m_informers, options, this);
        QObject::connect(m_scheduler, &scheduler::Scheduler::podBound, this, [this] {
            const auto now = SteadyClock::now();
            const int n = ++boundCount;
            if (n == 1) {
                firstBind = now;
                cpuAtFirstBind = threadCpu();
            }
            lastBind = now;
            const int inFlight = m_scheduler->bindingsInFlight();
            maxInFlight = std::max(maxInFlight, inFlight);
            maxDeferredEvents = std::max(maxDeferredEvents, m_scheduler->deferredEvents());
            sumInFlight += inFlight;
            if (n == m_expected) {
                cpuAtLastBind = threadCpu();
                deferredEventsAtLastBind = m_scheduler->deferredEvents();
                const scheduler::SchedulerStats &s = m_scheduler->stats();
                attempts = s.attempts;
                unschedulable = s.unschedulable;
                bindingFailures = s.bindingFailures;
                done = true;
            }
        });
        // Once every Scheduled event has been sent, a GET queued behind them tells when the API
        // has handled them all (it takes requests in order).
        auto *tick = new QTimer(this);
        QObject::connect(tick, &QTimer::timeout, this, [this, tick] {
            if (!done || m_scheduler->stats().scheduledEvents < m_expected)
                return;
            tick->stop();
            client::Request ping;
            ping.path = "/api/v1/namespaces/default/pods/pod-0";
            m_client->send(ping, [this](const client::Response &) {
                eventsWritten = SteadyClock::now();
                eventsDone = true;
            });
        });
        tick->start(5);
        started = SteadyClock::now();
        m_informers->start();
    }

    std::atomic<int> boundCount{0};
    std::atomic<bool> done{false};
    std::atomic<bool> eventsDone{false};
    SteadyClock::time_point eventsWritten;  // written before eventsDone is set
    // Written on the control thread before `done` is set, read after.
    SteadyClock::time_point started, firstBind, lastBind;
    long long attempts = 0, unschedulable = 0, bindingFailures = 0;
    std::map<std::string, double> cpuAtFirstBind, cpuAtLastBind;
    size_t deferredEventsAtLastBind = 0;
    size_t maxDeferredEvents = 0;
    int maxInFlight = 0;
    long long sumInFlight = 0;

private:
    api::ApiService *m_api;
    int m_expected;
    bool m_eventsInStep;
    client::InProcessClient *m_client = nullptr;
    client::SharedInformers *m_informers = nullptr;
    scheduler::Scheduler *m_scheduler = nullptr;
};

struct RoundResult {
    bool ok = false;
    std::string error;
    int bound = 0;
    double loadSeconds = 0;
    double firstToLast = 0;
    double startToLast = 0;
    double startToFirst = 0;
    double startToEvents = 0;  // until the API has taken every Scheduled event
    double firstBindMonotonic = 0, lastBindMonotonic = 0;  // seconds, to match a perf record -k CLOCK_MONOTONIC
    long long attempts = 0, unschedulable = 0, bindingFailures = 0;
    std::map<std::string, double> cpu;        // from the scheduler's start to 300 ms after the last bind
    std::map<std::string, double> windowCpu;  // from the first bind to the last
    size_t deferredEvents = 0;  // Scheduled events waiting for the bindings, at most
    int maxInFlight = 0;
    double meanInFlight = 0;
    long long rssBefore = 0, rssAfter = 0;
    int minPerNode = 0, maxPerNode = 0, nodesUsed = 0;
};

RoundResult runRound(const Options &options)
{
    RoundResult result;
    QTemporaryDir dir;
    store::StoreOptions storeOptions;
    if (!options.memory)
        storeOptions.path = dir.filePath("store.db");
    auto opened = store::Store::open(storeOptions);
    if (!opened.ok()) {
        result.error = "store: " + opened.error().message;
        return result;
    }
    std::unique_ptr<store::Store> store = std::move(opened).value();
    auto api = std::make_unique<api::ApiService>(*store);
    (void)api->bootstrap();

    // The cluster before the scheduler starts: nodes, then pending pods.
    const auto loadStart = SteadyClock::now();
    {
        client::InProcessClient loader(api.get());
        std::vector<client::Request> requests;
        requests.reserve(size_t(options.nodes + options.pods));
        for (int i = 0; i < options.nodes; ++i) {
            client::Request r;
            r.method = "POST";
            r.path = "/api/v1/nodes";
            r.contentType = "application/json";
            r.body = dump(nodeObject(i));
            requests.push_back(std::move(r));
        }
        for (int i = 0; i < options.pods; ++i) {
            client::Request r;
            r.method = "POST";
            r.path = "/api/v1/namespaces/default/pods";
            r.contentType = "application/json";
            r.body = dump(podObject(i, options.owners));
            requests.push_back(std::move(r));
        }
        std::string firstError;
        if (const int failed = sendAll(loader, requests, 256, &firstError)) {
            result.error = std::to_string(failed) + " creates failed, the first: " + firstError;
            return result;
        }
    }
    result.loadSeconds = std::chrono::duration<double>(SteadyClock::now() - loadStart).count();
    store->flush();
    result.rssBefore = rssKilobytes();
    if (options.holdSeconds > 0) {
        std::printf("loaded, pid %d\n", int(getpid()));
        std::fflush(stdout);
        QThread::sleep(options.holdSeconds);
    }

    // The scheduler on its own thread, as in clusterdeckd.
    QThread control;
    control.setObjectName(QStringLiteral("control"));
    auto *side = new ControlSide(api.get(), options.pods, options.eventsInStep);
    side->moveToThread(&control);
    control.start();
    const std::map<std::string, double> cpuBefore = threadCpu();
    QMetaObject::invokeMethod(side, [side] { side->start(); }, Qt::QueuedConnection);

    const QDeadlineTimer deadline(std::chrono::seconds(options.timeoutSeconds));
    runUntil([side] { return bool(side->done); }, deadline);
    runUntil([side] { return bool(side->eventsDone); }, deadline);
    // Let the trailing writes (events) land before reading CPU and checking placement.
    runUntil([] { return false; }, QDeadlineTimer(std::chrono::milliseconds(300)));
    const std::map<std::string, double> cpuAfter = threadCpu();
    for (const auto &[name, seconds] : cpuAfter) {
        auto before = cpuBefore.find(name);
        result.cpu[name] = seconds - (before == cpuBefore.end() ? 0.0 : before->second);
    }
    result.rssAfter = rssKilobytes();
    result.bound = side->boundCount;

    if (side->done) {
        auto secs = [](SteadyClock::time_point a, SteadyClock::time_point b) { return std::chrono::duration<double>(b - a).count(); };
        result.firstToLast = secs(side->firstBind, side->lastBind);
        result.startToLast = secs(side->started, side->lastBind);
        result.startToFirst = secs(side->started, side->firstBind);
        result.firstBindMonotonic = std::chrono::duration<double>(side->firstBind.time_since_epoch()).count();
        result.lastBindMonotonic = std::chrono::duration<double>(side->lastBind.time_since_epoch()).count();
        if (side->eventsDone)
            result.startToEvents = secs(side->started, side->eventsWritten);
        result.attempts = side->attempts;
        result.unschedulable = side->unschedulable;
        result.bindingFailures = side->bindingFailures;
        result.deferredEvents = side->maxDeferredEvents;
        result.maxInFlight = side->maxInFlight;
        result.meanInFlight = double(side->sumInFlight) / std::max(1, int(side->boundCount));
        for (const auto &[name, seconds] : side->cpuAtLastBind) {
            auto before = side->cpuAtFirstBind.find(name);
            result.windowCpu[name] = seconds - (before == side->cpuAtFirstBind.end() ? 0.0 : before->second);
        }
    }
    QMetaObject::invokeMethod(side, [side] { delete side; }, Qt::BlockingQueuedConnection);
    control.quit();
    control.wait();

    if (result.bound < options.pods) {
        result.error = "only " + std::to_string(result.bound) + " of " + std::to_string(options.pods) +
                       " pods bound within " + std::to_string(options.timeoutSeconds) + " s";
        return result;
    }

    // The placement, read back from the API: every pod bound, no node over its allocatable.
    {
        client::InProcessClient reader(api.get());
        client::Request list;
        list.path = "/api/v1/namespaces/default/pods";
        std::optional<client::Response> answer;
        reader.send(list, [&](const client::Response &r) { answer = r; });
        runUntil([&] { return answer.has_value(); });
        const Json pods = answer->json();
        std::map<std::string, int> perNode;
        int unbound = 0;
        for (const Json &pod : pods["items"]) {
            const std::string node = str(pod, {"spec", "nodeName"});
            if (node.empty())
                ++unbound;
            else
                ++perNode[node];
        }
        if (unbound) {
            result.error = std::to_string(unbound) + " pods have no nodeName";
            return result;
        }
        result.nodesUsed = int(perNode.size());
        result.minPerNode = perNode.empty() ? 0 : options.pods;
        for (const auto &[node, count] : perNode) {
            result.minPerNode = std::min(result.minPerNode, count);
            result.maxPerNode = std::max(result.maxPerNode, count);
        }
        // 4 cpu / 100m = 40 pods, 32Gi / 500Mi = 65, 110 pods: at most 40 per node.
        if (result.maxPerNode > 40) {
            result.error = "a node holds " + std::to_string(result.maxPerNode) + " pods, more than fit";
            return result;
        }
    }
    result.ok = true;
    api.reset();
    store.reset();
    return result;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    Options options;
    options.nodes = argumentValue(args, "--nodes", "5000").toInt();
    options.pods = argumentValue(args, "--pods", "10000").toInt();
    options.owners = argumentValue(args, "--owners", "0").toInt();
    options.rounds = std::max(1, argumentValue(args, "--rounds", "1").toInt());
    options.timeoutSeconds = argumentValue(args, "--timeout", "120").toInt();
    options.memory = args.contains("--memory");
    options.holdSeconds = argumentValue(args, "--hold", "0").toInt();
    options.eventsInStep = args.contains("--events-in-step");
    options.jsonPath = argumentValue(args, "--json", {});

    Json rounds = Json::array();
    bool allOk = true;
    for (int round = 1; round <= options.rounds; ++round) {
        double load[3] = {0, 0, 0};
        getloadavg(load, 3);
        const RoundResult r = runRound(options);
        const double perSecond = r.firstToLast > 0 ? (r.bound - 1) / r.firstToLast : 0;
        const double fromStart = r.startToLast > 0 ? r.bound / r.startToLast : 0;
        std::printf("round %d: %d nodes, %d pods%s (store %s%s), load %.2f\n", round, options.nodes, options.pods,
                    options.owners ? (", " + std::to_string(options.owners) + " owners").c_str() : "",
                    options.memory ? "in memory" : "on disk", options.eventsInStep ? ", events in step" : "", load[0]);
        if (!r.ok) {
            std::printf("  FAILED: %s\n", r.error.c_str());
            allOk = false;
        } else {
            std::printf("  loaded in %.2f s; scheduler start to first bind %.3f s\n", r.loadSeconds, r.startToFirst);
            std::printf("  first to last bind: %.3f s = %.0f pods/s (CLOCK_MONOTONIC %.6f to %.6f)\n", r.firstToLast,
                        perSecond, r.firstBindMonotonic, r.lastBindMonotonic);
            std::printf("  start to last bind: %.3f s = %.0f pods/s\n", r.startToLast, fromStart);
            std::printf("  start to the last Scheduled event taken by the API: %.3f s\n", r.startToEvents);
            std::printf("  attempts %lld, unschedulable %lld, binding failures %lld; pods per node %d..%d on %d nodes\n",
                        r.attempts, r.unschedulable, r.bindingFailures, r.minPerNode, r.maxPerNode, r.nodesUsed);
            std::printf("  RSS %.0f MB before the scheduler, %.0f MB after\n", r.rssBefore / 1024.0, r.rssAfter / 1024.0);
        }
        std::string cpuLine;
        Json cpu = Json::object();
        for (const auto &[name, seconds] : r.cpu)
            if (seconds >= 0.01) {
                cpuLine += " " + name + " " + std::to_string(seconds).substr(0, 5) + " s;";
                cpu[name] = seconds;
            }
        std::printf("  CPU from the scheduler's start until 300 ms after the last bind:%s\n", cpuLine.c_str());
        std::string windowLine;
        Json windowCpu = Json::object();
        double busiest = 0;
        for (const auto &[name, seconds] : r.windowCpu)
            if (seconds >= 0.01) {
                windowLine += " " + name + " " + std::to_string(seconds).substr(0, 5) + " s;";
                windowCpu[name] = seconds;
                busiest = std::max(busiest, seconds);
            }
        if (r.ok) {
            std::printf("  CPU from the first bind to the last:%s\n", windowLine.c_str());
            std::printf("  bindings in flight when one is answered: mean %.0f, max %d; Scheduled events "
                        "deferred behind bindings: at most %zu\n",
                        r.meanInFlight, r.maxInFlight, r.deferredEvents);
            if (busiest > 0)
                std::printf("  busiest thread: %.0f us of CPU per pod, i.e. %.0f pods/s with a core of its own\n",
                            busiest * 1e6 / r.bound, (r.bound - 1) / busiest);
        }
        std::fflush(stdout);
        rounds.push_back({{"round", round},
                          {"ok", r.ok},
                          {"error", r.error},
                          {"nodes", options.nodes},
                          {"pods", options.pods},
                          {"owners", options.owners},
                          {"store", options.memory ? "memory" : "disk"},
                          {"events_in_step", options.eventsInStep},
                          {"load_average_1m", load[0]},
                          {"load_seconds", r.loadSeconds},
                          {"bound", r.bound},
                          {"start_to_first_seconds", r.startToFirst},
                          {"first_to_last_seconds", r.firstToLast},
                          {"start_to_last_seconds", r.startToLast},
                          {"start_to_events_written_seconds", r.startToEvents},
                          {"pods_per_second", perSecond},
                          {"pods_per_second_from_start", fromStart},
                          {"attempts", r.attempts},
                          {"unschedulable", r.unschedulable},
                          {"binding_failures", r.bindingFailures},
                          {"pods_per_node_min", r.minPerNode},
                          {"pods_per_node_max", r.maxPerNode},
                          {"rss_kb_before", r.rssBefore},
                          {"rss_kb_after", r.rssAfter},
                          {"cpu_seconds", cpu},
                          {"window_cpu_seconds", windowCpu},
                          {"deferred_events_max", r.deferredEvents}});
    }
    if (!options.jsonPath.isEmpty()) {
        QFile out(options.jsonPath);
        if (out.open(QIODevice::WriteOnly))
            out.write(QByteArray::fromStdString(rounds.dump(2)));
    }
    return allOk ? 0 : 1;
}
