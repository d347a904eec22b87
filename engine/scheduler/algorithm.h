#pragma once
// One scheduling cycle (kube-scheduler's schedulePod): PreFilter, then Filter over the nodes in
// round robin until enough feasible nodes are found (percentageOfNodesToScore), Score and
// normalize those, pick the best (ties at random). A pod that fits nowhere gets the diagnosis:
// the FitError message, with the preemption sentence, and the plugins that rejected it.
// Working buffers are kept between cycles: a cycle allocates nothing proportional to the cluster.

#include "engine/scheduler/cache.h"
#include "engine/scheduler/plugins/volumebinding.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace cd::scheduler {

struct ScheduleResult {
    int slot = -1;            // the chosen node's slot in the cache, or -1
    std::string message;      // when no node: the FitError message (or "no nodes available ...")
    bool fitError = false;    // false for "no nodes available" (Kubernetes words it without counts)
    unsigned rejectors = 0;   // plugins that rejected the pod somewhere
    int evaluatedNodes = 0;
    int feasibleNodes = 0;
    VolumeBindingState volumes;  // for the chosen node's volume decisions
};

class Algorithm {
public:
    explicit Algorithm(uint64_t seed = 0x2545F4914F6CDD1DULL) : m_random(seed ? seed : 1) {}

    // 0: adaptive (50% - nodes/125, at least 5%, at least 100 nodes), as kube-scheduler.
    int percentageOfNodesToScore = 0;

    ScheduleResult schedule(const PodInfo &pod, const Cache &cache);

    // The scores of the feasible nodes (cache slots), per plugin as its NormalizeScore leaves
    // them (unweighted; a plugin that skips the pod leaves zeros), and the weighted total that
    // selectHost compares, as kube-scheduler's RunScorePlugins computes them.
    struct Scores {
        std::vector<long long> taintToleration;
        std::vector<long long> nodeAffinity;
        std::vector<long long> leastAllocated;
        std::vector<long long> balancedAllocation;
        std::vector<long long> podTopologySpread;
        std::vector<long long> total;
    };
    const Scores &score(const PodInfo &pod, const Cache &cache, const std::vector<int> &feasible);

    static int numFeasibleNodesToFind(int percentage, int numAllNodes);
    size_t nextStartNodeIndex() const { return m_nextStart; }

    // Every filter in the default order; the first failure decides (with `why`, its reasons).
    static bool runFilters(const PodInfo &pod, const NodeInfo &node, const VolumeBindingState &volumes,
                           const VolumeCache &volumeCache, FilterStatus *why);

private:
    void diagnose(const PodInfo &pod, const Cache &cache, const std::vector<int> &candidates,
                  const VolumeBindingState &volumes, ScheduleResult &result);
    std::string preemptionMessage(const PodInfo &pod, const Cache &cache, const std::vector<int> &potential,
                                  const VolumeBindingState &volumes) const;
    int scoreAndSelect(const PodInfo &pod, const Cache &cache);
    void spreadScores(const PodInfo &pod, const Cache &cache, const std::vector<int> &feasible,
                      std::vector<long long> &out);
    uint64_t nextRandom();

    size_t m_nextStart = 0;
    uint64_t m_random;
    std::vector<int> m_candidates;
    std::vector<int> m_feasible;
    Scores m_scores;
    std::vector<const std::string *> m_zones;
    std::unordered_map<std::string, long long> m_zoneCounts;
};

} // namespace cd::scheduler
