// NodeReady: not a Kubernetes plugin. Kubernetes relies on node lifecycle tainting a NotReady
// node (node.kubernetes.io/not-ready), which TaintToleration then reports; a node whose Ready
// condition is not True but is not tainted yet (just registered, or lifecycle behind) is
// skipped here too, with the wording Kubernetes' old CheckNodeCondition predicate used.
#include "engine/scheduler/plugins/plugins.h"

namespace cd::scheduler {

bool nodeReadyFilter(const PodInfo &, const NodeInfo &node, FilterStatus *why)
{
    if (node.ready)
        return true;
    if (why)
        why->fail(NodeReady, FilterStatus::Code::UnschedulableAndUnresolvable, "node(s) were not ready");
    return false;
}

} // namespace cd::scheduler
