#pragma once
// A ReplicaSet's status from the pods it owns (pkg/controller/replicaset/replica_set_utils.go):
// replicas, fullyLabeledReplicas, readyReplicas, availableReplicas (ready for minReadySeconds)
// and the ReplicaFailure condition while creating or deleting pods fails.

#include "engine/controllers/common/podindex.h"
#include "engine/core/json.h"

#include <optional>
#include <string>
#include <vector>

namespace cd::controllers {

// Why managing the replicas failed, for the ReplicaFailure condition.
struct ReplicaFailure {
    std::string reason;  // FailedCreate or FailedDelete
    std::string message;
};

// The new status (observedGeneration left as it was: it is set when the status is written).
Json calculateReplicaSetStatus(const Json &replicaSet, const std::vector<PodFacts> &pods,
                               const std::optional<ReplicaFailure> &failure, TimePoint now);

// Whether writing `status` would change nothing (updateReplicaSetStatus' steady-state check).
bool replicaSetStatusCurrent(const Json &replicaSet, const Json &status);

// Sets a counter as Go's omitempty encodes it: absent when zero.
void setCount(Json &status, const char *field, long long value);

} // namespace cd::controllers
