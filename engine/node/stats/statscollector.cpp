#include "engine/node/stats/statscollector.h"

#include "engine/core/clock.h"

#include <algorithm>

namespace cd::node::stats {
namespace {

std::int64_t wallMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::current().now().time_since_epoch()).count();
}

} // namespace

const ContainerStats *PodStats::container(const std::string &name) const
{
    for (const ContainerStats &c : containers)
        if (c.name == name)
            return &c;
    return nullptr;
}

StatsCollector::StatsCollector(StatsOptions options, Inventory inventory, std::unique_ptr<UsageReader> reader,
                               QObject *parent)
    : QObject(parent), m_options(options), m_inventory(std::move(inventory)), m_reader(std::move(reader)),
      m_capacity(static_cast<size_t>(std::max<std::int64_t>(
          2, m_options.history.count() / std::max<std::int64_t>(1, m_options.interval.count())))),
      m_timer(this)
{
    connect(&m_timer, &QTimer::timeout, this, &StatsCollector::sample);
}

StatsCollector::~StatsCollector() = default;

void StatsCollector::start()
{
    sample();
    m_timer.start(static_cast<int>(std::max<std::int64_t>(1, m_options.interval.count())));
}

const NodeStats *StatsCollector::node(const std::string &name) const
{
    auto it = m_nodes.find(name);
    return it == m_nodes.end() ? nullptr : &it->second;
}

const PodStats *StatsCollector::pod(const std::string &ns, const std::string &name, const NodeStats **on) const
{
    const std::string key = ns + "/" + name;
    for (const auto &[nodeName, node] : m_nodes)
        if (auto it = node.pods.find(key); it != node.pods.end()) {
            if (on)
                *on = &node;
            return &it->second;
        }
    return nullptr;
}

void StatsCollector::sample()
{
    const std::vector<NodeRef> inventory = m_inventory();
    const std::int64_t now = wallMs();
    m_windowMs = m_round ? now - m_roundTimeMs : 0;
    ++m_round;
    m_roundTimeMs = now;
    m_machine = inventory.empty() ? std::nullopt : m_reader->machine();
    m_reader->beginRound();

    std::map<std::string, NodeStats> sampled;
    for (const NodeRef &ref : inventory) {
        auto existing = m_nodes.find(ref.name);
        NodeStats node = existing != m_nodes.end() ? std::move(existing->second) : NodeStats{ref.name, UsageSeries(m_capacity), {}};
        if (m_machine)
            node.series.record(m_round, now, 0, m_machine->cpuNs, m_machine->workingSetBytes());
        std::map<std::string, PodStats> pods;
        for (const PodRef &podRef : ref.pods) {
            const std::string key = podRef.ns + "/" + podRef.name;
            auto old = node.pods.find(key);
            // A pod of the same name but another uid is another pod: its history starts anew.
            PodStats pod = old != node.pods.end() && old->second.uid == podRef.uid
                               ? std::move(old->second)
                               : PodStats{podRef.ns, podRef.name, podRef.uid, podRef.startMs, UsageSeries(m_capacity), {}};
            samplePod(pod, podRef);
            if (!pod.series.samples().empty())  // measured now or before (a container restarting)
                pods.emplace(key, std::move(pod));
        }
        node.pods = std::move(pods);  // pods that are gone take their history with them
        sampled.emplace(ref.name, std::move(node));
    }
    m_nodes = std::move(sampled);
}

void StatsCollector::samplePod(PodStats &pod, const PodRef &ref)
{
    pod.startMs = ref.startMs;
    UsageSample sum;
    sum.round = m_round;
    sum.timeMs = m_roundTimeMs;
    sum.cpuNanoCores = 0;
    bool measured = false;
    bool allRates = true;
    for (const ContainerRef &c : ref.containers) {
        if (c.pid <= 0)
            continue;
        const std::optional<TreeUsage> usage = m_reader->container(c.pid);
        if (!usage)
            continue;
        auto it = std::find_if(pod.containers.begin(), pod.containers.end(),
                               [&](const ContainerStats &s) { return s.name == c.name; });
        if (it == pod.containers.end()) {
            pod.containers.push_back(ContainerStats{c.name, c.startedMs, UsageSeries(m_capacity)});
            it = pod.containers.end() - 1;
        }
        it->startedMs = c.startedMs;
        const UsageSample &s = it->series.record(m_round, m_roundTimeMs, c.instance, usage->cpuNs, usage->memoryBytes);
        measured = true;
        sum.cpuCumulativeNs += s.cpuCumulativeNs;
        sum.memoryWorkingSetBytes += s.memoryWorkingSetBytes;
        if (s.hasRate()) {
            sum.cpuNanoCores += s.cpuNanoCores;
            sum.windowMs = s.windowMs;
        } else {
            allRates = false;
        }
    }
    if (!measured)
        return;
    // The pod's rate is known when every running container's is (one just restarted: not yet).
    if (!allRates) {
        sum.cpuNanoCores = -1;
        sum.windowMs = 0;
    }
    pod.series.append(sum);
}

} // namespace cd::node::stats
