#pragma once
// The statistics as JSON: the kubelet's Summary API (stats/v1alpha1, what metrics-server reads)
// for one node, a list of them for every node of the engine (one scrape for all: the engine's
// nodes share one kubelet server), and the history of a node or a pod for the IDE's dashboards.

#include "engine/core/json.h"
#include "engine/node/stats/statscollector.h"

namespace cd::node::stats {

// {"node": {...}, "pods": [...]}: what was measured in the latest round.
Json nodeSummary(const StatsCollector &collector, const NodeStats &node);
// {"kind": "SummaryList", "windowMs": ..., "items": [Summary...]}: every node with statistics.
Json summaryList(const StatsCollector &collector);

// {"kind": "StatsHistory", "node": ..., "intervalMs": ..., "samples": [...]}; oldest first.
Json nodeHistory(const StatsCollector &collector, const NodeStats &node);
// The same for a pod, with "podRef" and each container's samples under "containers".
Json podHistory(const StatsCollector &collector, const NodeStats &node, const PodStats &pod);

// One sample: {"time", "windowMs", "cpu": {"usageNanoCores", "usageCoreNanoSeconds"},
// "memory": {"workingSetBytes"}}; no usageNanoCores (and no window) while the rate is unknown.
Json sampleJson(const UsageSample &sample);

} // namespace cd::node::stats
