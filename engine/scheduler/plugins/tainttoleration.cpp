// TaintToleration (pkg/scheduler/framework/plugins/tainttoleration): NoSchedule and NoExecute
// taints must be tolerated; untolerated PreferNoSchedule taints lower the score.
#include "engine/scheduler/plugins/plugins.h"

namespace cd::scheduler {

bool taintTolerationFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why)
{
    for (const Taint &taint : node.taints) {
        if (taint.effect != TaintEffect::NoSchedule && taint.effect != TaintEffect::NoExecute)
            continue;
        if (toleratesTaint(pod.tolerations, taint))
            continue;
        // The first untolerated taint, in the node's order, names the reason.
        if (why)
            why->fail(TaintToleration, FilterStatus::Code::UnschedulableAndUnresolvable,
                      "node(s) had untolerated taint {" + taint.key + ": " + taint.value + "}");
        return false;
    }
    return true;
}

long long taintTolerationScore(const PodInfo &pod, const NodeInfo &node)
{
    long long intolerable = 0;
    for (const Taint &taint : node.taints)
        if (taint.effect == TaintEffect::PreferNoSchedule && !toleratesTaint(pod.tolerations, taint))
            ++intolerable;
    return intolerable;
}

} // namespace cd::scheduler
