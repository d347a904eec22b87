#pragma once
// The node agents' resource statistics (the kubelet's cAdvisor role): every interval one
// sampling round measures each running container of the process nodes, sums them per pod, and
// measures the node; a short history of each (15 minutes by default) stays in memory for the
// IDE's dashboards. Served by the kubelet server (statsroutes.h) as the Summary API that
// metrics-server reads, plus the history.
//
// Process nodes all run on this one machine, so each reports the machine's CPU and memory
// (/proc/stat, /proc/meminfo). Simulated nodes run nothing and have no statistics, as a node
// without metrics has none in Kubernetes.

#include "engine/node/stats/usagereader.h"
#include "engine/node/stats/usageseries.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cd::node::stats {

// What runs where, as the node agents know it at the start of a round.
struct ContainerRef {
    std::string name;
    int pid = 0;                 // host pid of the main process; 0 when not running
    std::uint64_t instance = 0;  // changes when the container restarts (its runtime handle)
    std::int64_t startedMs = 0;  // wall ms
};
struct PodRef {
    std::string ns, name, uid;
    std::int64_t startMs = 0;
    std::vector<ContainerRef> containers;
};
struct NodeRef {
    std::string name;
    std::vector<PodRef> pods;
};

struct StatsOptions {
    std::chrono::milliseconds interval{std::chrono::seconds(10)};
    std::chrono::milliseconds history{std::chrono::minutes(15)};
};

struct ContainerStats {
    std::string name;
    std::int64_t startedMs = 0;
    UsageSeries series;
};

struct PodStats {
    std::string ns, name, uid;
    std::int64_t startMs = 0;
    UsageSeries series;                     // the sum of its containers, per round
    std::vector<ContainerStats> containers;  // in the order first seen
    const ContainerStats *container(const std::string &name) const;
};

struct NodeStats {
    std::string name;
    UsageSeries series;
    std::map<std::string, PodStats> pods;  // by namespace/name
};

class StatsCollector : public QObject {
    Q_OBJECT
public:
    using Inventory = std::function<std::vector<NodeRef>()>;

    StatsCollector(StatsOptions options, Inventory inventory, std::unique_ptr<UsageReader> reader,
                   QObject *parent = nullptr);
    ~StatsCollector() override;

    // Samples now, then every interval.
    void start();
    // One sampling round (the timer's; tests call it by hand).
    void sample();

    const StatsOptions &options() const { return m_options; }
    size_t historyCapacity() const { return m_capacity; }
    std::uint64_t round() const { return m_round; }
    std::int64_t roundTimeMs() const { return m_roundTimeMs; }
    std::int64_t windowMs() const { return m_windowMs; }  // between the last two rounds; 0 after the first
    // The machine as last read (process nodes share it).
    const std::optional<MachineUsage> &machine() const { return m_machine; }

    const std::map<std::string, NodeStats> &nodes() const { return m_nodes; }
    const NodeStats *node(const std::string &name) const;
    // A pod on whichever node runs it.
    const PodStats *pod(const std::string &ns, const std::string &name, const NodeStats **on = nullptr) const;

private:
    void samplePod(PodStats &pod, const PodRef &ref);

    StatsOptions m_options;
    Inventory m_inventory;
    std::unique_ptr<UsageReader> m_reader;
    size_t m_capacity;
    QTimer m_timer;
    std::uint64_t m_round = 0;
    std::int64_t m_roundTimeMs = 0;
    std::int64_t m_windowMs = 0;
    std::optional<MachineUsage> m_machine;
    std::map<std::string, NodeStats> m_nodes;
};

} // namespace cd::node::stats
