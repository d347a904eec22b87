// NodeName (pkg/scheduler/framework/plugins/nodename): a pod that names its node fits only there.
#include "engine/scheduler/plugins/plugins.h"

namespace cd::scheduler {

bool nodeNameFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why)
{
    if (pod.nodeName.empty() || pod.nodeName == node.name)
        return true;
    if (why)
        why->fail(NodeName, FilterStatus::Code::UnschedulableAndUnresolvable,
                  "node(s) didn't match the requested node name");
    return false;
}

} // namespace cd::scheduler
