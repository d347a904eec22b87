// NodeResourcesFit (pkg/scheduler/framework/plugins/noderesources/fit.go, least_allocated.go):
// the pod's requests must fit in allocatable minus what the node's pods request; the
// LeastAllocated score prefers emptier nodes.
#include "engine/scheduler/plugins/plugins.h"

namespace cd::scheduler {

bool nodeResourcesFitFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why, const PriorityUsage *freed)
{
    const long long pods = node.podCount - (freed ? freed->pods : 0);
    const Resources *gone = freed ? &freed->requested : nullptr;
    auto used = [&](long long Resources::*field) { return node.requested.*field - (gone ? gone->*field : 0); };
    bool fits = true;
    auto insufficient = [&](const std::string &reason) {
        fits = false;
        if (why)
            why->fail(NodeResourcesFit, FilterStatus::Code::Unschedulable, reason);
    };
    if (pods + 1 > node.allowedPods) {
        insufficient("Too many pods");
        if (!why)
            return false;
    }
    if (pod.requests.isZero())
        return fits;
    if (pod.requests.milliCpu > 0 && pod.requests.milliCpu > node.allocatable.milliCpu - used(&Resources::milliCpu)) {
        insufficient("Insufficient cpu");
        if (!why)
            return false;
    }
    if (pod.requests.memory > 0 && pod.requests.memory > node.allocatable.memory - used(&Resources::memory)) {
        insufficient("Insufficient memory");
        if (!why)
            return false;
    }
    if (pod.requests.ephemeralStorage > 0 &&
        pod.requests.ephemeralStorage > node.allocatable.ephemeralStorage - used(&Resources::ephemeralStorage)) {
        insufficient("Insufficient ephemeral-storage");
        if (!why)
            return false;
    }
    for (const ScalarResource &s : pod.requests.scalars) {
        if (s.value == 0)
            continue;
        const long long inUse = node.requested.scalar(s.name) - (gone ? gone->scalar(s.name) : 0);
        if (s.value > node.allocatable.scalar(s.name) - inUse) {
            insufficient("Insufficient " + s.name);
            if (!why)
                return false;
        }
    }
    return fits;
}

namespace {

long long leastRequested(long long requested, long long capacity)
{
    if (capacity == 0 || requested > capacity)
        return 0;
    return (capacity - requested) * kMaxNodeScore / capacity;
}

} // namespace

long long leastAllocatedScore(const PodInfo &pod, const NodeInfo &node)
{
    long long score = 0, weights = 0;
    // cpu and memory, weight 1 each; a resource the node does not offer is left out.
    if (node.allocatable.milliCpu != 0) {
        score += leastRequested(node.nonZeroMilliCpu + pod.nonZeroMilliCpu, node.allocatable.milliCpu);
        weights += 1;
    }
    if (node.allocatable.memory != 0) {
        score += leastRequested(node.nonZeroMemory + pod.nonZeroMemory, node.allocatable.memory);
        weights += 1;
    }
    return weights == 0 ? 0 : score / weights;
}

} // namespace cd::scheduler
