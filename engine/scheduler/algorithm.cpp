#include "engine/scheduler/algorithm.h"

#include "engine/scheduler/fiterror.h"
#include "engine/scheduler/plugins/plugins.h"

#include <algorithm>
#include <map>

namespace cd::scheduler {
namespace {

constexpr int kMinFeasibleNodesToFind = 100;
constexpr int kMinFeasibleNodesPercentageToFind = 5;

} // namespace

int Algorithm::numFeasibleNodesToFind(int percentage, int numAllNodes)
{
    if (numAllNodes < kMinFeasibleNodesToFind)
        return numAllNodes;
    if (percentage <= 0) {
        percentage = 50 - numAllNodes / 125;
        if (percentage < kMinFeasibleNodesPercentageToFind)
            percentage = kMinFeasibleNodesPercentageToFind;
    }
    const int numNodes = int((long long)numAllNodes * percentage / 100);
    return numNodes < kMinFeasibleNodesToFind ? kMinFeasibleNodesToFind : numNodes;
}

bool Algorithm::runFilters(const PodInfo &pod, const NodeInfo &node, const VolumeBindingState &volumes,
                           const VolumeCache &volumeCache, FilterStatus *why)
{
    return nodeUnschedulableFilter(pod, node, why) && nodeNameFilter(pod, node, why) &&
           taintTolerationFilter(pod, node, why) && nodeAffinityFilter(pod, node, why) &&
           nodeResourcesFitFilter(pod, node, why) && volumeBindingFilter(volumes, volumeCache, node, why) &&
           nodeReadyFilter(pod, node, why);
}

uint64_t Algorithm::nextRandom()
{
    // xorshift64*: cheap and good enough to break ties.
    m_random ^= m_random >> 12;
    m_random ^= m_random << 25;
    m_random ^= m_random >> 27;
    return m_random * 0x2545F4914F6CDD1DULL;
}

ScheduleResult Algorithm::schedule(const PodInfo &pod, const Cache &cache)
{
    ScheduleResult result;
    const std::vector<int> &allNodes = cache.nodeOrder();
    const long long numAllNodes = (long long)allNodes.size();
    if (numAllNodes == 0) {
        result.message = kNoNodesAvailable;
        result.rejectors = AllPlugins;
        return result;
    }

    // PreFilter: a rejection here holds on every node.
    const NodeNamesFromAffinity names = nodeAffinityPreFilter(pod);
    std::string preFilterMessage;
    Plugin preFilterPlugin = NodeAffinity;
    if (names.conflict) {
        preFilterMessage = "pod affinity terms conflict";
    } else {
        preFilterMessage = volumeBindingPreFilter(pod, cache.volumes(), result.volumes);
        preFilterPlugin = VolumeBinding;
    }
    if (!preFilterMessage.empty()) {
        result.fitError = true;
        result.rejectors = preFilterPlugin;
        result.message = fitErrorMessage(numAllNodes, preFilterMessage, {},
                                         preemptionMessage(pod, cache, {}, result.volumes));
        return result;
    }

    const std::vector<int> *candidates = &allNodes;
    if (names.restricted) {
        m_candidates.clear();
        for (const std::string &name : names.names)
            if (int slot = cache.nodeSlot(name); slot >= 0)
                m_candidates.push_back(slot);
        candidates = &m_candidates;
    }

    // Filter, from where the last cycle stopped, until enough nodes fit.
    m_feasible.clear();
    const size_t count = candidates->size();
    const size_t wanted = size_t(numFeasibleNodesToFind(percentageOfNodesToScore, int(count)));
    size_t processed = 0;
    for (size_t i = 0; i < count && m_feasible.size() < wanted; ++i) {
        const int slot = (*candidates)[(m_nextStart + i) % count];
        ++processed;
        if (runFilters(pod, cache.node(slot), result.volumes, cache.volumes(), nullptr))
            m_feasible.push_back(slot);
    }
    m_nextStart = (m_nextStart + processed) % size_t(numAllNodes);
    result.evaluatedNodes = int(processed);
    result.feasibleNodes = int(m_feasible.size());

    if (m_feasible.empty()) {
        diagnose(pod, cache, *candidates, result.volumes, result);
        return result;
    }
    result.slot = m_feasible.size() == 1 ? m_feasible.front() : scoreAndSelect(pod, cache);
    return result;
}

void Algorithm::diagnose(const PodInfo &pod, const Cache &cache, const std::vector<int> &candidates,
                         const VolumeBindingState &volumes, ScheduleResult &result)
{
    const long long numAllNodes = (long long)cache.nodeCount();
    std::map<std::string, long long> reasons;
    std::vector<int> potential;  // nodes where removing pods might help (code Unschedulable)
    for (int slot : candidates) {
        FilterStatus status;
        if (runFilters(pod, cache.node(slot), volumes, cache.volumes(), &status))
            continue;
        for (const std::string &reason : status.reasons)
            ++reasons[reason];
        result.rejectors |= status.plugin;
        if (status.code == FilterStatus::Code::Unschedulable)
            potential.push_back(slot);
    }
    // Nodes the NodeAffinity PreFilter left out.
    if (const long long absent = numAllNodes - (long long)candidates.size(); absent > 0) {
        reasons["node(s) didn't satisfy plugin(s) [NodeAffinity]"] += absent;
        result.rejectors |= NodeAffinity;
    }
    result.fitError = true;
    result.message = fitErrorMessage(numAllNodes, {}, reasons, preemptionMessage(pod, cache, potential, volumes));
}

// DefaultPreemption's verdict, without preempting: nodes that failed for reasons no eviction
// can change are "not helpful"; on the others, lower-priority pods are the only candidates.
std::string Algorithm::preemptionMessage(const PodInfo &pod, const Cache &cache, const std::vector<int> &potential,
                                         const VolumeBindingState &volumes) const
{
    if (pod.preemptNever)
        return "preemption: not eligible due to preemptionPolicy=Never.";
    const long long numAllNodes = (long long)cache.nodeCount();
    std::map<std::string, long long> reasons;
    for (int slot : potential) {
        const NodeInfo &node = cache.node(slot);
        const PriorityUsage below = node.usageBelow(pod.priority);
        if (below.pods == 0) {
            ++reasons["No preemption victims found for incoming pod"];
            continue;
        }
        FilterStatus status;
        if (!nodeResourcesFitFilter(pod, node, &status, &below) ||
            !volumeBindingFilter(volumes, cache.volumes(), node, &status) || !nodeReadyFilter(pod, node, &status)) {
            for (const std::string &reason : status.reasons)
                ++reasons[reason];
            continue;
        }
        // Evicting lower-priority pods would make room; Clusterdeck does not preempt.
        ++reasons["No preemption victims found for incoming pod"];
    }
    if (const long long absent = numAllNodes - (long long)potential.size(); absent > 0)
        reasons["Preemption is not helpful for scheduling"] += absent;
    return "preemption: " + fitErrorMessage(numAllNodes, {}, reasons, {});
}

int Algorithm::scoreAndSelect(const PodInfo &pod, const Cache &cache)
{
    const size_t n = m_feasible.size();
    m_total.assign(n, 0);
    auto accumulate = [&](long long weight) {
        for (size_t i = 0; i < n; ++i)
            m_total[i] += weight * m_scores[i];
    };
    m_scores.resize(n);

    // TaintToleration: fewer untolerated PreferNoSchedule taints is better.
    for (size_t i = 0; i < n; ++i)
        m_scores[i] = taintTolerationScore(pod, cache.node(m_feasible[i]));
    defaultNormalizeScore(m_scores, true);
    accumulate(kTaintTolerationWeight);

    // NodeAffinity: preferred terms (skipped, i.e. 0 everywhere, without any).
    if (!pod.preferredTerms.empty()) {
        for (size_t i = 0; i < n; ++i)
            m_scores[i] = nodeAffinityScore(pod, cache.node(m_feasible[i]));
        defaultNormalizeScore(m_scores, false);
        accumulate(kNodeAffinityWeight);
    }

    // NodeResourcesFit (LeastAllocated).
    for (size_t i = 0; i < n; ++i)
        m_scores[i] = leastAllocatedScore(pod, cache.node(m_feasible[i]));
    accumulate(kNodeResourcesFitWeight);

    // NodeResourcesBalancedAllocation.
    if (!balancedAllocationSkips(pod)) {
        for (size_t i = 0; i < n; ++i)
            m_scores[i] = balancedAllocationScore(pod, cache.node(m_feasible[i]));
        accumulate(kBalancedAllocationWeight);
    }

    // PodTopologySpread's default spreading of the owner's pods.
    if (!pod.ownerUid.empty()) {
        const OwnerSpread *owner = cache.owner(pod.ownerUid);
        m_zones.clear();
        for (int slot : m_feasible)
            if (const NodeInfo &node = cache.node(slot); node.hasZone)
                m_zones.push_back(&node.zone);
        std::sort(m_zones.begin(), m_zones.end(), [](const std::string *a, const std::string *b) { return *a < *b; });
        m_zones.erase(std::unique(m_zones.begin(), m_zones.end(),
                                  [](const std::string *a, const std::string *b) { return *a == *b; }),
                      m_zones.end());
        const SpreadWeights weights = podTopologySpreadWeights(n, m_zones.size());
        for (size_t i = 0; i < n; ++i) {
            const NodeInfo &node = cache.node(m_feasible[i]);
            long long onNode = 0, inZone = 0;
            if (owner) {
                if (auto it = owner->perNode.find(m_feasible[i]); it != owner->perNode.end())
                    onNode = it->second;
                if (node.hasZone)
                    if (auto it = owner->perZone.find(node.zone); it != owner->perZone.end())
                        inZone = it->second;
            }
            m_scores[i] = podTopologySpreadScore(node, onNode, inZone, weights);
        }
        podTopologySpreadNormalize(m_scores);
        accumulate(kPodTopologySpreadWeight);
    }

    // The best total; ties broken at random (reservoir sampling), as selectHost does.
    size_t best = 0;
    long long ties = 1;
    for (size_t i = 1; i < n; ++i) {
        if (m_total[i] > m_total[best]) {
            best = i;
            ties = 1;
        } else if (m_total[i] == m_total[best] && nextRandom() % uint64_t(++ties) == 0) {
            best = i;
        }
    }
    return m_feasible[best];
}

} // namespace cd::scheduler
