#pragma once
// Which ReplicaSet of a Deployment is which (pkg/controller/deployment/util/deployment_util.go):
// the pod-template-hash that names a new ReplicaSet, the template comparison that finds the
// ReplicaSet a template already has (so `rollout undo` reuses it), the revision annotations that
// `kubectl rollout history` reads, the desired/max replicas annotations proportional scaling
// needs, and which old ReplicaSets the history limit lets go.

#include "engine/core/json.h"

#include <optional>
#include <string>
#include <vector>

namespace cd::controllers::deployment {

inline constexpr const char *kPodTemplateHashLabel = "pod-template-hash";
inline constexpr const char *kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr const char *kRevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
inline constexpr const char *kDesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
inline constexpr const char *kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
// The revision-history annotation keeps at most this many characters (maxRevHistoryLengthInChars).
inline constexpr size_t kMaxRevisionHistoryChars = 2000;

// Kubernetes' ComputeHash: FNV-32a over the pod template (and the collision count, when set),
// its decimal value spelled with rand.SafeEncodeString's consonants and digits ("5d9c7f6b8").
// Kubernetes hashes the Go struct's printed form, which cannot be reproduced outside Go; we hash
// the template's canonical JSON, so names have the same shape, and stay stable across restarts.
std::string podTemplateHash(const Json &podTemplate, std::optional<long long> collisionCount);

// EqualIgnoreHash: two pod templates are the same once the pod-template-hash label is dropped
// (and, as Go's semantic equality does, empty and missing values count as equal).
bool equalIgnoringHash(const Json &templateA, const Json &templateB);

// The revision annotation as a number (0 when missing or not a number).
long long revisionOf(const Json &replicaSet);
long long maxRevision(const std::vector<Json> &replicaSets);

// The oldest ReplicaSet whose template is the Deployment's (FindNewReplicaSet), or -1.
int findNewReplicaSet(const Json &deployment, const std::vector<Json> &replicaSets);

// SetNewReplicaSetAnnotations: copies the Deployment's annotations (but its own bookkeeping and
// kubectl's last-applied configuration), raises the revision to newRevision when lower (keeping
// the revisions it had in revision-history), and for a ReplicaSet about to be created, the
// desired/max replicas annotations. True when anything changed.
bool setNewReplicaSetAnnotations(const Json &deployment, Json &replicaSet, long long newRevision, bool exists);

// SetDeploymentRevision: true when the Deployment's revision annotation changed.
bool setDeploymentRevision(Json &deployment, const std::string &revision);

// SetReplicasAnnotations / ReplicasAnnotationsNeedUpdate.
bool setReplicasAnnotations(Json &replicaSet, long long desiredReplicas, long long maxReplicas);
bool replicasAnnotationsNeedUpdate(const Json &replicaSet, long long desiredReplicas, long long maxReplicas);
// The desired-replicas / max-replicas annotation, when present and a 32-bit number.
std::optional<long long> desiredReplicasAnnotation(const Json &replicaSet);
std::optional<long long> maxReplicasAnnotation(const Json &replicaSet);

// cleanupDeployment's choice: the old ReplicaSets beyond revisionHistoryLimit, oldest revision
// first, that are scaled to zero, have no pods and whose spec their controller has seen.
std::vector<Json> replicaSetsToCleanUp(const Json &deployment, const std::vector<Json> &oldReplicaSets);

} // namespace cd::controllers::deployment
