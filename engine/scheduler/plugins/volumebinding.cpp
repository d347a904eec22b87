// VolumeBinding: the topology of bound volumes and the binding of delayed claims.
#include "engine/scheduler/plugins/volumebinding.h"

#include <algorithm>

namespace cd::scheduler {
namespace {

const char *kNodeConflict = "node(s) had volume node affinity conflict";
const char *kBindConflict = "node(s) didn't find available persistent volumes to bind";
const char *kVolumeMissing = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";

// volumeutil.CheckNodeAffinity: the volume's terms against the node's labels (only labels: the
// node it builds has no name).
bool volumeReachable(const VolumeInfo &volume, const NodeInfo &node)
{
    return !volume.hasNodeAffinity || matchesAnyTerm(volume.nodeAffinity, node.labels, std::string_view());
}

bool provisionableOn(const ClaimInfo &claim, const VolumeCache &volumes, const NodeInfo &node)
{
    const ClassInfo *cls = volumes.storageClass(claim.className);
    if (!cls || cls->provisioner.empty() || cls->provisioner == "kubernetes.io/no-provisioner")
        return false;
    return cls->allowedTopologies.empty() || matchesAnyTerm(cls->allowedTopologies, node.labels, node.name);
}

// Delayed claims on one node: each finds a volume (none used twice) or a provisioner; claims
// already given a node by an earlier decision fit only there.
bool delayedClaimsFit(const VolumeBindingState &state, const VolumeCache &volumes, const NodeInfo &node,
                      VolumeDecisions *decisions)
{
    std::vector<const VolumeInfo *> chosen;
    for (const ClaimInfo *claim : state.delayedClaims) {
        if (!claim->selectedNode.empty()) {
            if (claim->selectedNode != node.name)
                return false;
            if (!provisionableOn(*claim, volumes, node))
                return false;
            if (decisions)
                decisions->provisions.push_back(claim);
            continue;
        }
        if (const VolumeInfo *volume = findMatchingVolume(*claim, volumes, node, chosen)) {
            chosen.push_back(volume);
            if (decisions)
                decisions->bindings.emplace_back(claim, volume);
            continue;
        }
        if (!provisionableOn(*claim, volumes, node))
            return false;
        if (decisions)
            decisions->provisions.push_back(claim);
    }
    return true;
}

} // namespace

std::string volumeBindingPreFilter(const PodInfo &pod, const VolumeCache &volumes, VolumeBindingState &state)
{
    state = VolumeBindingState{};
    if (pod.claims.empty())
        return {};
    state.skip = false;
    std::vector<const ClaimInfo *> claims;
    for (const PodClaim &ref : pod.claims) {
        const ClaimInfo *claim = volumes.claim(pod.ns, ref.name);
        if (!claim)
            return ref.ephemeral ? "waiting for ephemeral volume controller to create the persistentvolumeclaim \"" +
                                       ref.name + "\""
                                 : "persistentvolumeclaim \"" + ref.name + "\" not found";
        if (claim->lost)
            return "persistentvolumeclaim \"" + claim->name + "\" bound to non-existent persistentvolume \"" +
                   claim->volumeName + "\"";
        if (claim->deleting)
            return "persistentvolumeclaim \"" + claim->name + "\" is being deleted";
        claims.push_back(claim);
    }
    bool unboundImmediate = false;
    for (const ClaimInfo *claim : claims) {
        if (claim->fullyBound()) {
            state.boundVolumes.push_back(volumes.volume(claim->volumeName));
            continue;
        }
        const ClassInfo *cls = claim->className.empty() ? nullptr : volumes.storageClass(claim->className);
        const bool delayed = cls && cls->waitForFirstConsumer;
        if (delayed && claim->volumeName.empty())
            state.delayedClaims.push_back(claim);
        else
            unboundImmediate = true;  // including claims pre-bound to a volume the binder has yet to finish
    }
    if (unboundImmediate)
        return "pod has unbound immediate PersistentVolumeClaims";
    return {};
}

bool volumeBindingFilter(const VolumeBindingState &state, const VolumeCache &volumes, const NodeInfo &node,
                         FilterStatus *why)
{
    if (state.skip)
        return true;
    bool boundOk = true, volumesFound = true;
    for (const VolumeInfo *volume : state.boundVolumes) {
        if (!volume) {
            volumesFound = false;
            break;
        }
        if (!volumeReachable(*volume, node)) {
            boundOk = false;
            break;
        }
    }
    const bool delayedOk = state.delayedClaims.empty() || delayedClaimsFit(state, volumes, node, nullptr);
    if (boundOk && volumesFound && delayedOk)
        return true;
    if (why) {
        const auto code = FilterStatus::Code::UnschedulableAndUnresolvable;
        if (!boundOk)
            why->fail(VolumeBinding, code, kNodeConflict);
        if (!delayedOk)
            why->fail(VolumeBinding, code, kBindConflict);
        if (!volumesFound)
            why->fail(VolumeBinding, code, kVolumeMissing);
    }
    return false;
}

const VolumeInfo *findMatchingVolume(const ClaimInfo &claim, const VolumeCache &volumes, const NodeInfo &node,
                                     const std::vector<const VolumeInfo *> &excluded)
{
    const VolumeInfo *smallest = nullptr;
    for (const auto &[name, volume] : volumes.volumes()) {
        if (std::find(excluded.begin(), excluded.end(), &volume) != excluded.end())
            continue;
        if (volume.capacityBytes < claim.requestBytes || volume.block != claim.block || volume.deleting)
            continue;
        const bool reachable = volumeReachable(volume, node);
        if (volume.boundTo(claim))
            return reachable ? &volume : nullptr;  // pre-bound: this volume or none
        if (!volume.claimName.empty() || !volume.available)
            continue;
        if (claim.selector && !claim.selector->matches(volume.labels))
            continue;
        if (volume.className != claim.className || !reachable)
            continue;
        if ((volume.accessModes & claim.accessModes) != claim.accessModes)
            continue;
        if (!smallest || volume.capacityBytes < smallest->capacityBytes)
            smallest = &volume;
    }
    return smallest;
}

VolumeDecisions volumeBindingDecisions(const VolumeBindingState &state, const VolumeCache &volumes,
                                       const NodeInfo &node)
{
    VolumeDecisions decisions;
    if (!state.skip && !state.delayedClaims.empty())
        delayedClaimsFit(state, volumes, node, &decisions);
    return decisions;
}

} // namespace cd::scheduler
