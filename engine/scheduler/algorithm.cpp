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
           (pod.hostPorts.empty() || nodePortsFilter(pod, node, why)) && nodeResourcesFitFilter(pod, node, why) &&
           volumeBindingFilter(volumes, volumeCache, node, why) && nodeReadyFilter(pod, node, why);
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
        if (!nodePortsFilter(pod, node, &status, &pod.priority) ||
            !nodeResourcesFitFilter(pod, node, &status, &below) ||
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

const Algorithm::Scores &Algorithm::score(const PodInfo &pod, const Cache &cache, const std::vector<int> &feasible)
{
    const size_t n = feasible.size();
    Scores &s = m_scores;
    s.taintToleration.resize(n);
    s.nodeAffinity.assign(n, 0);
    s.leastAllocated.resize(n);
    s.balancedAllocation.resize(n);
    s.podTopologySpread.assign(n, 0);

    // The raw scores in one pass over the nodes (each node's facts read once):
    // TaintToleration counts untolerated PreferNoSchedule taints; NodeAffinity sums the weights
    // of matching preferred terms (skipped, i.e. 0 everywhere, without any); NodeResourcesFit's
    // LeastAllocated and NodeResourcesBalancedAllocation are 0..100 already.
    const bool preferred = !pod.preferredTerms.empty();
    for (size_t i = 0; i < n; ++i) {
        const NodeInfo &node = cache.node(feasible[i]);
        s.taintToleration[i] = node.taints.empty() ? 0 : taintTolerationScore(pod, node);
        if (preferred)
            s.nodeAffinity[i] = nodeAffinityScore(pod, node);
        s.leastAllocated[i] = leastAllocatedScore(pod, node);
        s.balancedAllocation[i] = balancedAllocationScore(pod, node);
    }
    defaultNormalizeScore(s.taintToleration, true);  // fewer is better
    if (preferred)
        defaultNormalizeScore(s.nodeAffinity, false);

    // PodTopologySpread's system default constraints, for pods a ReplicaSet (...) owns.
    const bool spread = !pod.ownerUid.empty();
    if (spread) {
        spreadScores(pod, cache, feasible, s.podTopologySpread);
        podTopologySpreadNormalize(s.podTopologySpread);
    }

    // The default profile's weights.
    s.total.resize(n);
    for (size_t i = 0; i < n; ++i)
        s.total[i] = kTaintTolerationWeight * s.taintToleration[i] + kNodeAffinityWeight * s.nodeAffinity[i] +
                     kNodeResourcesFitWeight * s.leastAllocated[i] +
                     kBalancedAllocationWeight * s.balancedAllocation[i] +
                     kPodTopologySpreadWeight * s.podTopologySpread[i];
    return s;
}

// PodTopologySpread's PreScore and Score with the system default constraints. The owner's pods
// stand in for the pods DefaultSelector matches; a node scores by the owner's pods on it
// (kubernetes.io/hostname) and in its zone (topology.kubernetes.io/zone), only for the labels
// it has. Zone counts cover every node that satisfies the pod's nodeSelector and required
// affinity (nodeAffinityPolicy Honor), not only the feasible ones; the normalizing weights count
// the feasible nodes and their zones, where a feasible node without a zone label adds the empty
// zone as Kubernetes does.
void Algorithm::spreadScores(const PodInfo &pod, const Cache &cache, const std::vector<int> &feasible,
                             std::vector<long long> &out)
{
    const OwnerSpread *owner = cache.owner(pod.ownerUid);
    m_zones.clear();
    static const std::string noZone;
    bool anyZone = false;
    for (int slot : feasible) {
        const NodeInfo &node = cache.node(slot);
        m_zones.push_back(node.hasZone ? &node.zone : &noZone);
        anyZone |= node.hasZone;
    }
    std::sort(m_zones.begin(), m_zones.end(), [](const std::string *a, const std::string *b) { return *a < *b; });
    m_zones.erase(std::unique(m_zones.begin(), m_zones.end(),
                              [](const std::string *a, const std::string *b) { return *a == *b; }),
                  m_zones.end());
    const SpreadWeights weights = podTopologySpreadWeights(feasible.size(), m_zones.size());

    // Zone counts: the cache keeps them over all nodes; a pod that selects nodes counts only
    // the pods on nodes it could select.
    const bool honorAffinity = !pod.nodeSelector.empty() || pod.hasRequiredAffinity;
    m_zoneCounts.clear();
    if (owner && anyZone && honorAffinity)
        for (const auto &[slot, count] : owner->perNode) {
            const NodeInfo &node = cache.node(slot);
            if (node.hasZone && cache.hasNode(slot) && nodeAffinityFilter(pod, node, nullptr))
                m_zoneCounts[node.zone] += count;
        }

    for (size_t i = 0; i < feasible.size(); ++i) {
        const NodeInfo &node = cache.node(feasible[i]);
        long long onNode = 0, inZone = 0;
        if (owner) {
            if (auto it = owner->perNode.find(feasible[i]); it != owner->perNode.end())
                onNode = it->second;
            if (node.hasZone) {
                if (honorAffinity) {
                    if (auto it = m_zoneCounts.find(node.zone); it != m_zoneCounts.end())
                        inZone = it->second;
                } else if (auto it = owner->perZone.find(node.zone); it != owner->perZone.end()) {
                    inZone = it->second;
                }
            }
        }
        out[i] = podTopologySpreadScore(node, onNode, inZone, weights);
    }
}

int Algorithm::scoreAndSelect(const PodInfo &pod, const Cache &cache)
{
    const std::vector<long long> &total = score(pod, cache, m_feasible).total;
    // The best total; ties broken at random (reservoir sampling), as selectHost does.
    size_t best = 0;
    long long ties = 1;
    for (size_t i = 1; i < total.size(); ++i) {
        if (total[i] > total[best]) {
            best = i;
            ties = 1;
        } else if (total[i] == total[best] && nextRandom() % uint64_t(++ties) == 0) {
            best = i;
        }
    }
    return m_feasible[best];
}

} // namespace cd::scheduler
