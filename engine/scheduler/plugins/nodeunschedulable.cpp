// NodeUnschedulable (pkg/scheduler/framework/plugins/nodeunschedulable): cordoned nodes take
// only pods that tolerate the unschedulable taint.
#include "engine/scheduler/plugins/plugins.h"

namespace cd::scheduler {

bool nodeUnschedulableFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why)
{
    if (!node.unschedulable)
        return true;
    static const Taint unschedulableTaint{"node.kubernetes.io/unschedulable", "", TaintEffect::NoSchedule};
    if (toleratesTaint(pod.tolerations, unschedulableTaint))
        return true;
    if (why)
        why->fail(NodeUnschedulable, FilterStatus::Code::UnschedulableAndUnresolvable, "node(s) were unschedulable");
    return false;
}

} // namespace cd::scheduler
