#pragma once
// kube-scheduler's default plugins as pure functions over the compact node and pod facts, one
// file per plugin (Kubernetes' names). Filters return whether the node passes; when `why` is
// given, a failure fills it with the plugin, the code and the reasons in Kubernetes' words
// (the fast path passes nullptr and builds no strings). Scores return the raw score; the
// normalizers map a plugin's raw scores over the feasible nodes to 0..100.

#include "engine/scheduler/types.h"

#include <string>
#include <vector>

namespace cd::scheduler {

class VolumeCache;

// Score weights of the default profile (pkg/scheduler/apis/config/v1/default_plugins.go).
constexpr long long kTaintTolerationWeight = 3;
constexpr long long kNodeAffinityWeight = 2;
constexpr long long kNodeResourcesFitWeight = 1;
constexpr long long kBalancedAllocationWeight = 1;
constexpr long long kPodTopologySpreadWeight = 2;

// ---- Filters, in the default profile's order --------------------------------------------

// NodeUnschedulable: spec.unschedulable, unless the pod tolerates
// node.kubernetes.io/unschedulable:NoSchedule.
bool nodeUnschedulableFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why);

// NodeName: spec.nodeName, when set, names this node.
bool nodeNameFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why);

// TaintToleration: every NoSchedule and NoExecute taint tolerated.
bool taintTolerationFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why);

// NodeAffinity: nodeSelector and requiredDuringSchedulingIgnoredDuringExecution.
bool nodeAffinityFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why);
// Its PreFilter: terms that all name nodes (matchFields metadata.name In) restrict the nodes
// evaluated; terms that name no common node conflict.
struct NodeNamesFromAffinity {
    bool restricted = false;
    bool conflict = false;  // "pod affinity terms conflict"
    std::vector<std::string> names;
};
NodeNamesFromAffinity nodeAffinityPreFilter(const PodInfo &pod);

// NodePorts: the pod's host ports free on the node. With `evictBelowPriority`, ports held by
// pods of lower priority count as free (the preemption diagnosis).
bool nodePortsFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why,
                     const long long *evictBelowPriority = nullptr);

// NodeResourcesFit: requests against allocatable minus the requests of the node's pods, and
// the pod count. `freed` (may be null) is usage to pretend gone (the preemption diagnosis).
bool nodeResourcesFitFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why,
                            const PriorityUsage *freed = nullptr);

// VolumeBinding: see volumebinding.h (it needs the claims and volumes).

// NodeReady (Clusterdeck's): a node whose Ready condition is not True takes no pods, even
// before node lifecycle has tainted it.
bool nodeReadyFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why);

// ---- Scores -------------------------------------------------------------------------------

// NodeResourcesFit, LeastAllocated strategy: cpu and memory weighted 1 each, with the
// non-zero requests; already 0..100.
long long leastAllocatedScore(const PodInfo &pod, const NodeInfo &node);

// NodeResourcesBalancedAllocation: 100 * (1 - std deviation of the cpu and memory fractions),
// with the actual requests. Best-effort pods are scored too, as v1.32 does (v1.33 skips them,
// kubernetes#129138).
long long balancedAllocationScore(const PodInfo &pod, const NodeInfo &node);

// NodeAffinity: the sum of the weights of the preferred terms the node matches.
long long nodeAffinityScore(const PodInfo &pod, const NodeInfo &node);

// TaintToleration: the number of PreferNoSchedule taints the pod does not tolerate (normalized
// in reverse: fewer is better).
long long taintTolerationScore(const PodInfo &pod, const NodeInfo &node);

// PodTopologySpread with the system default constraints (kubernetes.io/hostname maxSkew 3,
// topology.kubernetes.io/zone maxSkew 5, ScheduleAnyway), the pod's owner standing in for the
// selector of the controllers that own it.
struct SpreadWeights {
    double hostname = 0;  // log(feasible nodes + 2)
    double zone = 0;      // log(zones among feasible nodes + 2)
};
SpreadWeights podTopologySpreadWeights(size_t feasibleNodes, size_t zonesAmongFeasible);
// podsOnNode / podsInZone: the owner's pods (not terminating) on this node / in its zone.
long long podTopologySpreadScore(const NodeInfo &node, long long podsOnNode, long long podsInZone,
                                 const SpreadWeights &weights);

// ---- Normalizers ---------------------------------------------------------------------------

// helper.DefaultNormalizeScore: scale to 0..max by the highest score; reversed when asked.
void defaultNormalizeScore(std::vector<long long> &scores, bool reverse);
// PodTopologySpread's NormalizeScore: fewer matching pods is better, min..max mapped to 100..x.
void podTopologySpreadNormalize(std::vector<long long> &scores);

} // namespace cd::scheduler
