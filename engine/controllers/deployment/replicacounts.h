#pragma once
// How many replicas each ReplicaSet of a Deployment may have (deployment_util.go and
// controller_utils.go): maxSurge and maxUnavailable resolved against spec.replicas with
// Kubernetes' rounding, the size of a rolling update's next step, proportional scaling when a
// Deployment is scaled mid-rollout, and the orders in which ReplicaSets are scaled.

#include "engine/core/json.h"

#include <optional>
#include <vector>

namespace cd::controllers::deployment {

// ---- reading the objects ----------------------------------------------------------------------

long long deploymentReplicas(const Json &deployment);  // spec.replicas (defaulted to 1)
long long specReplicas(const Json &replicaSet);        // spec.replicas (defaulted to 1)
bool isRollingUpdate(const Json &deployment);
bool isRecreate(const Json &deployment);

// Sums over ReplicaSets: spec.replicas (GetReplicaCountForReplicaSets), status.replicas
// (GetActualReplicaCountForReplicaSets), status.readyReplicas, status.availableReplicas.
long long sumSpecReplicas(const std::vector<Json> &replicaSets);
long long sumStatusReplicas(const std::vector<Json> &replicaSets);
long long sumReadyReplicas(const std::vector<Json> &replicaSets);
long long sumAvailableReplicas(const std::vector<Json> &replicaSets);

// The ReplicaSets with spec.replicas > 0 (FilterActiveReplicaSets).
std::vector<Json> activeReplicaSets(const std::vector<Json> &replicaSets);

// ---- maxSurge and maxUnavailable --------------------------------------------------------------

// GetScaledValueFromIntOrPercent: an int as is, "25%" of total rounded up or down; nothing for
// anything else.
std::optional<long long> scaledValue(const Json *intOrPercent, long long total, bool roundUp);

// ResolveFenceposts: surge rounded up, unavailable rounded down, and never both zero (then one
// pod may be unavailable).
struct Fenceposts {
    long long surge = 0;
    long long unavailable = 0;
};
Fenceposts resolveFenceposts(const Json *maxSurge, const Json *maxUnavailable, long long desired);

long long maxSurge(const Json &deployment);        // 0 unless RollingUpdate
long long maxUnavailable(const Json &deployment);  // 0 unless RollingUpdate, at most spec.replicas

// ---- a rollout's steps ------------------------------------------------------------------------

// NewRSNewReplicas: the new ReplicaSet's size for the next step. Kubernetes counts the pods of
// every ReplicaSet by spec.replicas; we count a ReplicaSet whose pods are not gone yet by its
// status.replicas, so maxSurge holds for pods, not only for specs.
long long newReplicaSetReplicas(const Json &deployment, const std::vector<Json> &allReplicaSets,
                                const Json &newReplicaSet);

// IsSaturated: the new ReplicaSet has all the Deployment's replicas, available.
bool isSaturated(const Json &deployment, const Json *newReplicaSet);

// GetProportion: how many replicas a ReplicaSet gains (or loses) when a Deployment of several
// active ReplicaSets is scaled, from the max-replicas annotation it was sized for.
long long proportion(const Json &replicaSet, const Json &deployment, long long toAdd, long long added);

// ---- orders -----------------------------------------------------------------------------------

// ReplicaSetsByCreationTimestamp: older first, then by name.
bool createdBefore(const Json &a, const Json &b);
// ReplicaSetsBySizeNewer (scaling up): larger first, then newer.
bool largerThenNewer(const Json &a, const Json &b);
// ReplicaSetsBySizeOlder (scaling down): larger first, then older.
bool largerThenOlder(const Json &a, const Json &b);

// FindActiveOrLatest: the one active ReplicaSet, or the newest when none is active; null when
// several are active (or there is none at all).
const Json *findActiveOrLatest(const Json *newReplicaSet, const std::vector<Json> &oldReplicaSets);

} // namespace cd::controllers::deployment
