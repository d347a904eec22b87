// NodeResourcesBalancedAllocation (pkg/scheduler/framework/plugins/noderesources/
// balanced_allocation.go): prefers nodes whose cpu and memory would be used in like proportion.
#include "engine/scheduler/plugins/plugins.h"

#include <cmath>

namespace cd::scheduler {

long long balancedAllocationScore(const PodInfo &pod, const NodeInfo &node)
{
    double fractions[2];
    int count = 0;
    auto add = [&](long long requested, long long allocatable) {
        if (allocatable == 0)
            return;
        double fraction = double(requested) / double(allocatable);
        fractions[count++] = fraction > 1 ? 1 : fraction;
    };
    add(node.requested.milliCpu + pod.requests.milliCpu, node.allocatable.milliCpu);
    add(node.requested.memory + pod.requests.memory, node.allocatable.memory);
    const double deviation = count == 2 ? std::abs((fractions[0] - fractions[1]) / 2) : 0.0;
    return static_cast<long long>((1 - deviation) * double(kMaxNodeScore));
}

} // namespace cd::scheduler
