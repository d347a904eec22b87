// The RollingUpdate strategy (pkg/controller/deployment/rolling.go): each sync grows the new
// ReplicaSet as far as maxSurge allows, or else shrinks the old ones as far as maxUnavailable
// allows (their unhealthy pods first), and the rollout advances as pods become available.
#include "engine/controllers/deployment/deploymentcontroller.h"

#include "engine/controllers/deployment/deploymentstatus.h"
#include "engine/controllers/deployment/replicacounts.h"

#include <algorithm>

namespace cd::controllers::deployment {
namespace {

// Available replicas a ReplicaSet can be counted on for. Kubernetes reads status alone; a
// ReplicaSet just scaled down still reports the pods it is about to delete, and counting those
// would let the next sync scale down again below maxUnavailable.
long long countedAvailable(const Json &replicaSet)
{
    return std::min(integer(replicaSet, {"status", "availableReplicas"}), specReplicas(replicaSet));
}

} // namespace

Task<bool> DeploymentController::rolloutRolling(Json &deployment, std::vector<Json> &replicaSets)
{
    ReplicaSets sets;
    if (!co_await newAndOldReplicaSets(deployment, replicaSets, true, sets))
        co_return false;
    if (!sets.newRS)
        co_return false;
    const std::vector<Json> all = sets.all();

    // Scale up, if we can. (The status below is computed from the ReplicaSets as they were,
    // as Kubernetes does: scaling changes specs, not the pods counted.)
    Json newRS = *sets.newRS;
    const Step up = co_await reconcileNewReplicaSet(all, newRS, deployment);
    if (!up.ok)
        co_return false;
    if (up.changed)
        co_return co_await syncRolloutStatus(sets, deployment);

    // Scale down, if we can.
    const Step down =
        co_await reconcileOldReplicaSets(all, activeReplicaSets(sets.oldRSs), *sets.newRS, deployment);
    if (!down.ok)
        co_return false;
    if (down.changed)
        co_return co_await syncRolloutStatus(sets, deployment);

    if (deploymentComplete(deployment, statusOf(deployment))) {
        if (!co_await cleanupDeployment(sets.oldRSs, deployment))
            co_return false;
    }
    co_return co_await syncRolloutStatus(sets, deployment);
}

Task<DeploymentController::Step> DeploymentController::reconcileNewReplicaSet(const std::vector<Json> &allRSs,
                                                                              Json &newRS, const Json &deployment)
{
    const long long replicas = deploymentReplicas(deployment);
    if (specReplicas(newRS) == replicas)
        co_return Step{};
    if (specReplicas(newRS) > replicas)
        co_return co_await scaleReplicaSetAndRecordEvent(newRS, replicas, deployment);
    const long long target = newReplicaSetReplicas(deployment, allRSs, newRS);
    co_return co_await scaleReplicaSetAndRecordEvent(newRS, target, deployment);
}

Task<DeploymentController::Step> DeploymentController::reconcileOldReplicaSets(const std::vector<Json> &allRSs,
                                                                               std::vector<Json> oldRSs,
                                                                               const Json &newRS,
                                                                               const Json &deployment)
{
    if (sumSpecReplicas(oldRSs) == 0)
        co_return Step{};  // nothing left to scale down

    // How far the old ReplicaSets may shrink: what exists beyond the minimum available, less
    // what the new ReplicaSet has not made available yet (so a new template that never becomes
    // available cannot eat the old pods away). Example: 10 replicas, maxUnavailable 2, maxSurge
    // 3, the new pods crash-looping: 13 - 8 - 5 = 0, nothing more is scaled down.
    const long long allPods = sumSpecReplicas(allRSs);
    const long long minAvailable = deploymentReplicas(deployment) - maxUnavailable(deployment);
    const long long newUnavailable = specReplicas(newRS) - countedAvailable(newRS);
    const long long maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0)
        co_return Step{};

    // Unhealthy old replicas go first: removing them costs no availability, and left alone
    // they would block the rollout until it times out.
    long long cleanedUp = 0;
    if (!(co_await cleanupUnhealthyReplicas(oldRSs, deployment, maxScaledDown, cleanedUp)).ok)
        co_return Step{false, false};

    std::vector<Json> all = oldRSs;
    all.push_back(newRS);
    long long scaledDown = 0;
    if (!(co_await scaleDownOldReplicaSetsForRollingUpdate(all, oldRSs, deployment, scaledDown)).ok)
        co_return Step{false, false};
    co_return Step{true, cleanedUp + scaledDown > 0};
}

Task<DeploymentController::Step> DeploymentController::cleanupUnhealthyReplicas(std::vector<Json> &oldRSs,
                                                                                const Json &deployment,
                                                                                long long maxCleanup,
                                                                                long long &scaledDown)
{
    std::sort(oldRSs.begin(), oldRSs.end(), createdBefore);
    scaledDown = 0;
    for (Json &rs : oldRSs) {
        if (scaledDown >= maxCleanup)
            break;
        const long long size = specReplicas(rs);
        const long long available = countedAvailable(rs);
        if (size == 0 || size == available)
            continue;  // nothing to scale down, or no unhealthy replica
        const long long count = std::min(maxCleanup - scaledDown, size - available);
        // The ReplicaSet controller removes not-ready pods before ready ones.
        if (!(co_await scaleReplicaSetAndRecordEvent(rs, size - count, deployment)).ok)
            co_return Step{false, false};
        scaledDown += count;
    }
    co_return Step{true, scaledDown > 0};
}

Task<DeploymentController::Step> DeploymentController::scaleDownOldReplicaSetsForRollingUpdate(
    const std::vector<Json> &allRSs, std::vector<Json> &oldRSs, const Json &deployment, long long &scaledDown)
{
    scaledDown = 0;
    const long long minAvailable = deploymentReplicas(deployment) - maxUnavailable(deployment);
    long long available = 0;
    for (const Json &rs : allRSs)
        available += countedAvailable(rs);
    if (available <= minAvailable)
        co_return Step{};

    std::sort(oldRSs.begin(), oldRSs.end(), createdBefore);  // the oldest go first
    const long long toScaleDown = available - minAvailable;
    for (Json &rs : oldRSs) {
        if (scaledDown >= toScaleDown)
            break;
        const long long size = specReplicas(rs);
        if (size == 0)
            continue;
        const long long count = std::min(size, toScaleDown - scaledDown);
        if (!(co_await scaleReplicaSetAndRecordEvent(rs, size - count, deployment)).ok)
            co_return Step{false, false};
        scaledDown += count;
    }
    co_return Step{true, scaledDown > 0};
}

} // namespace cd::controllers::deployment
