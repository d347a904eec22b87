#pragma once
// VolumeBinding (pkg/scheduler/framework/plugins/volumebinding): claims must exist; bound
// claims' volumes must be reachable from the node (their node affinity); unbound claims of a
// WaitForFirstConsumer class must find a volume or a provisioner usable on the node; unbound
// claims of an Immediate class make the pod wait for the volume binder.

#include "engine/scheduler/types.h"
#include "engine/scheduler/volumes.h"

#include <string>
#include <vector>

namespace cd::scheduler {

// What the PreFilter resolved once per scheduling cycle.
struct VolumeBindingState {
    bool skip = true;  // no claims: nothing to check
    std::vector<const VolumeInfo *> boundVolumes;  // null where the bound volume does not exist
    std::vector<const ClaimInfo *> delayedClaims;  // unbound, WaitForFirstConsumer
};

// PreFilter: an empty string, or the reason that rejects the pod on every node
// (UnschedulableAndUnresolvable).
std::string volumeBindingPreFilter(const PodInfo &pod, const VolumeCache &volumes, VolumeBindingState &state);

bool volumeBindingFilter(const VolumeBindingState &state, const VolumeCache &volumes, const NodeInfo &node,
                         FilterStatus *why);

// pvutil.FindMatchingVolume on the scheduler's path: a volume pre-bound to the claim, else the
// smallest available one of its class, size, access modes, volume mode and selector whose node
// affinity admits the node.
const VolumeInfo *findMatchingVolume(const ClaimInfo &claim, const VolumeCache &volumes, const NodeInfo &node,
                                     const std::vector<const VolumeInfo *> &excluded);

// For the chosen node: volumes to bind to delayed claims, and claims to provision there.
struct VolumeDecisions {
    std::vector<std::pair<const ClaimInfo *, const VolumeInfo *>> bindings;
    std::vector<const ClaimInfo *> provisions;
};
VolumeDecisions volumeBindingDecisions(const VolumeBindingState &state, const VolumeCache &volumes,
                                       const NodeInfo &node);

} // namespace cd::scheduler
