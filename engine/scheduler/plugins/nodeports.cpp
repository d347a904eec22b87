// NodePorts (pkg/scheduler/framework/plugins/nodeports): the host ports a pod asks for must be
// free on the node; 0.0.0.0 conflicts with every address.
#include "engine/scheduler/plugins/plugins.h"

namespace cd::scheduler {
namespace {

constexpr const char *kAnyAddress = "0.0.0.0";

// HostPortInfo.CheckConflict.
bool conflicts(const HostPort &wanted, const HostPort &used)
{
    if (wanted.port != used.port || wanted.protocol != used.protocol)
        return false;
    return wanted.ip == kAnyAddress || used.ip == kAnyAddress || wanted.ip == used.ip;
}

} // namespace

bool nodePortsFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why, const long long *evictBelowPriority)
{
    for (const HostPort &wanted : pod.hostPorts)
        for (const UsedPort &used : node.usedPorts) {
            if (evictBelowPriority && used.priority < *evictBelowPriority)
                continue;
            if (!conflicts(wanted, used.port))
                continue;
            if (why)
                why->fail(NodePorts, FilterStatus::Code::Unschedulable,
                          "node(s) didn't have free ports for the requested pod ports");
            return false;
        }
    return true;
}

} // namespace cd::scheduler
