// The Recreate strategy (pkg/controller/deployment/recreate.go): every old ReplicaSet is scaled
// to zero, and only once none of their pods is left (terminating ones included) is the new
// ReplicaSet made and scaled up, so old and new pods never run side by side.
#include "engine/controllers/deployment/deploymentcontroller.h"

#include "engine/controllers/deployment/deploymentstatus.h"
#include "engine/controllers/deployment/replicacounts.h"

namespace cd::controllers::deployment {

Task<bool> DeploymentController::rolloutRecreate(Json &deployment, std::vector<Json> &replicaSets)
{
    // The new ReplicaSet is not made yet: it must not grow before the old ones are gone.
    ReplicaSets sets;
    if (!co_await newAndOldReplicaSets(deployment, replicaSets, false, sets))
        co_return false;

    bool scaledDown = false;
    for (Json rs : activeReplicaSets(sets.oldRSs)) {
        const Step step = co_await scaleReplicaSetAndRecordEvent(rs, 0, deployment);
        if (!step.ok)
            co_return false;
        scaledDown = scaledDown || step.changed;
    }
    if (scaledDown || oldPodsRunning(sets))
        co_return co_await syncRolloutStatus(sets, deployment);

    if (!sets.newRS) {
        if (!co_await newAndOldReplicaSets(deployment, replicaSets, true, sets))
            co_return false;
    }
    if (sets.newRS) {
        Json newRS = *sets.newRS;
        if (!(co_await scaleReplicaSetAndRecordEvent(newRS, deploymentReplicas(deployment), deployment)).ok)
            co_return false;
    }

    if (deploymentComplete(deployment, statusOf(deployment))) {
        if (!co_await cleanupDeployment(sets.oldRSs, deployment))
            co_return false;
    }
    co_return co_await syncRolloutStatus(sets, deployment);
}

bool DeploymentController::oldPodsRunning(const ReplicaSets &sets) const
{
    if (sumStatusReplicas(sets.oldRSs) > 0)
        return true;
    for (const Json &rs : sets.oldRSs)
        for (const PodFacts *pod : m_pods->controlledBy(str(rs, {"metadata", "uid"})))
            // Finished pods do not count; any other (Unknown included) is still running.
            if (pod->phase != PodFacts::Phase::Succeeded && pod->phase != PodFacts::Phase::Failed)
                return true;
    return false;
}

} // namespace cd::controllers::deployment
