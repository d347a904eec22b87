#include "engine/node/stats/statsjson.h"

#include "engine/core/clock.h"

namespace cd::node::stats {
namespace {

std::string timeOfMs(std::int64_t ms) { return rfc3339(TimePoint(std::chrono::milliseconds(ms))); }
std::string preciseTimeOfMs(std::int64_t ms) { return rfc3339Micro(TimePoint(std::chrono::milliseconds(ms))); }

// CPUStats: the rate only when it is known, as the kubelet leaves usageNanoCores out then.
Json cpuJson(const UsageSample &s)
{
    Json cpu = {{"time", timeOfMs(s.timeMs)}, {"usageCoreNanoSeconds", s.cpuCumulativeNs}};
    if (s.hasRate())
        cpu["usageNanoCores"] = s.cpuNanoCores;
    return cpu;
}

// MemoryStats of a container or pod: its processes' proportional resident memory is both its
// usage and its working set (there is no page cache to tell apart without a cgroup).
Json memoryJson(const UsageSample &s)
{
    return {{"time", timeOfMs(s.timeMs)},
            {"usageBytes", s.memoryWorkingSetBytes},
            {"workingSetBytes", s.memoryWorkingSetBytes}};
}

Json samples(const UsageSeries &series)
{
    Json out = Json::array();
    for (const UsageSample &s : series.samples())
        out.push_back(sampleJson(s));
    return out;
}

Json podRef(const PodStats &pod) { return {{"name", pod.name}, {"namespace", pod.ns}, {"uid", pod.uid}}; }

} // namespace

Json sampleJson(const UsageSample &s)
{
    Json cpu = {{"usageCoreNanoSeconds", s.cpuCumulativeNs}};
    Json sample = {{"time", preciseTimeOfMs(s.timeMs)}};
    if (s.hasRate()) {
        cpu["usageNanoCores"] = s.cpuNanoCores;
        sample["windowMs"] = s.windowMs;
    }
    sample["cpu"] = std::move(cpu);
    sample["memory"] = {{"workingSetBytes", s.memoryWorkingSetBytes}};
    return sample;
}

Json nodeSummary(const StatsCollector &collector, const NodeStats &node)
{
    const std::uint64_t round = collector.round();
    Json nodeJson = {{"nodeName", node.name}};
    const std::optional<MachineUsage> &machine = collector.machine();
    if (machine && machine->bootTimeSeconds > 0)
        nodeJson["startTime"] = timeOfMs(machine->bootTimeSeconds * 1000);
    if (const UsageSample *s = node.series.at(round); s && machine) {
        nodeJson["cpu"] = cpuJson(*s);
        nodeJson["memory"] = {{"time", timeOfMs(s->timeMs)},
                              {"availableBytes", machine->memoryAvailableBytes},
                              {"usageBytes", machine->memoryTotalBytes - machine->memoryFreeBytes},
                              {"workingSetBytes", s->memoryWorkingSetBytes}};
    }
    Json pods = Json::array();
    for (const auto &[key, pod] : node.pods) {
        const UsageSample *podSample = pod.series.at(round);
        if (!podSample)
            continue;  // nothing of it runs now
        Json containers = Json::array();
        for (const ContainerStats &c : pod.containers) {
            const UsageSample *s = c.series.at(round);
            if (!s)
                continue;
            containers.push_back({{"name", c.name},
                                  {"startTime", timeOfMs(c.startedMs)},
                                  {"cpu", cpuJson(*s)},
                                  {"memory", memoryJson(*s)}});
        }
        pods.push_back({{"podRef", podRef(pod)},
                        {"startTime", timeOfMs(pod.startMs)},
                        {"containers", std::move(containers)},
                        {"cpu", cpuJson(*podSample)},
                        {"memory", memoryJson(*podSample)}});
    }
    return {{"node", std::move(nodeJson)}, {"pods", std::move(pods)}};
}

Json summaryList(const StatsCollector &collector)
{
    Json items = Json::array();
    for (const auto &[name, node] : collector.nodes())
        items.push_back(nodeSummary(collector, node));
    return {{"kind", "SummaryList"},
            {"windowMs", collector.windowMs()},
            {"time", preciseTimeOfMs(collector.roundTimeMs())},
            {"items", std::move(items)}};
}

Json nodeHistory(const StatsCollector &collector, const NodeStats &node)
{
    return {{"kind", "StatsHistory"},
            {"node", node.name},
            {"intervalMs", collector.options().interval.count()},
            {"samples", samples(node.series)}};
}

Json podHistory(const StatsCollector &collector, const NodeStats &node, const PodStats &pod)
{
    Json containers = Json::array();
    for (const ContainerStats &c : pod.containers)
        containers.push_back({{"name", c.name}, {"samples", samples(c.series)}});
    return {{"kind", "StatsHistory"},
            {"node", node.name},
            {"podRef", podRef(pod)},
            {"intervalMs", collector.options().interval.count()},
            {"samples", samples(pod.series)},
            {"containers", std::move(containers)}};
}

} // namespace cd::node::stats
