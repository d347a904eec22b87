#pragma once
// A Deployment's status as kube-controller-manager writes it (sync.go calculateStatus,
// progress.go, deployment_util.go): the replica counts summed over its ReplicaSets, the
// Available condition, and the Progressing condition that `kubectl rollout status` reads —
// NewReplicaSetCreated, ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded,
// DeploymentPaused and DeploymentResumed — with the times Kubernetes keeps on each.

#include "engine/controllers/common/conditions.h"
#include "engine/core/clock.h"
#include "engine/core/json.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace cd::controllers::deployment {

inline constexpr const char *kReplicaSetUpdatedReason = "ReplicaSetUpdated";
inline constexpr const char *kFailedReplicaSetCreateReason = "ReplicaSetCreateError";
inline constexpr const char *kNewReplicaSetReason = "NewReplicaSetCreated";
inline constexpr const char *kFoundNewReplicaSetReason = "FoundNewReplicaSet";
inline constexpr const char *kNewReplicaSetAvailableReason = "NewReplicaSetAvailable";
inline constexpr const char *kTimedOutReason = "ProgressDeadlineExceeded";
inline constexpr const char *kPausedReason = "DeploymentPaused";
inline constexpr const char *kResumedReason = "DeploymentResumed";
inline constexpr const char *kMinimumReplicasAvailable = "MinimumReplicasAvailable";
inline constexpr const char *kMinimumReplicasUnavailable = "MinimumReplicasUnavailable";

// The object's status, or an empty one (a reference that outlives the call, never a temporary).
const Json &statusOf(const Json &object);

// ---- conditions -------------------------------------------------------------------------------

Json newCondition(const std::string &type, const std::string &status, const std::string &reason,
                  const std::string &message, TimePoint now);
// SetDeploymentCondition: nothing when status and reason are the same; otherwise the condition
// replaces the old one (moved to the end), keeping lastTransitionTime when the status did not change.
void setCondition(Json &status, Json condition);
void removeCondition(Json &status, const std::string &type);

// ---- status -----------------------------------------------------------------------------------

// progressDeadlineSeconds is set and not MaxInt32.
bool hasProgressDeadline(const Json &deployment);

// calculateStatus: counts from the ReplicaSets, the Deployment's conditions with Available set.
Json calculateStatus(const std::vector<Json> &allReplicaSets, const Json *newReplicaSet, const Json &deployment,
                     TimePoint now);

// syncRolloutStatus' status: calculateStatus plus the Progressing condition judged against the
// deadline, and the ReplicaFailure condition of the ReplicaSets (the new one's first).
Json rolloutStatus(const std::vector<Json> &allReplicaSets, const Json *newReplicaSet, const Json &deployment,
                   TimePoint now);

// DeploymentComplete: every replica updated and available, and the latest spec observed.
bool deploymentComplete(const Json &deployment, const Json &newStatus);
// DeploymentProgressing: more updated, ready or available replicas, or fewer old ones, than the
// status says.
bool deploymentProgressing(const Json &deployment, const Json &newStatus);
// DeploymentTimedOut: no progress reported for progressDeadlineSeconds.
bool deploymentTimedOut(const Json &deployment, const Json &newStatus, TimePoint now);

// requeueStuckDeployment: when to look again for a rollout that made no progress, so it times
// out without any other event (nothing when there is no deadline to watch).
std::optional<std::chrono::milliseconds> progressCheckDelay(const Json &deployment, const Json &newStatus,
                                                            TimePoint now);

// checkPausedConditions: sets Progressing Unknown DeploymentPaused / DeploymentResumed when the
// paused flag changed (unless the deadline was already exceeded); true when the status changed.
bool updatePausedCondition(Json &deployment, TimePoint now);

// Whether writing newStatus would change the Deployment's status.
bool statusChanged(const Json &deployment, const Json &newStatus);

} // namespace cd::controllers::deployment
