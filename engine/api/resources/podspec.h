#pragma once
// The pod spec rules shared by Pods and by the pod templates of ReplicaSets, Deployments and
// Jobs: Kubernetes' defaults (pkg/apis/core/v1/defaults.go) and validation
// (pkg/apis/core/validation/validation.go).

#include "engine/api/fielderrors.h"
#include "engine/core/json.h"

#include <string>

namespace cd::api {

// The defaults every pod spec gets (Pods and templates alike): restartPolicy, dnsPolicy,
// schedulerName, securityContext, terminationGracePeriodSeconds, container and volume defaults.
void defaultPodSpec(Json &spec);
// Validates a spec as Kubernetes validates an embedded one (a template's); call after the defaults.
void validatePodSpec(const Json &spec, const FieldPath &path, FieldErrors &errors);

// A pod template: {metadata: {labels, annotations}, spec}.
void defaultPodTemplate(Json &podTemplate);
// Labels, annotations and spec of a template at `path` (e.g. spec.template). Call after
// defaultPodTemplate. Rules of the owning kind come on top (see validateReplicaSetTemplateRules).
void validatePodTemplate(const Json &podTemplate, const FieldPath &path, FieldErrors &errors);
// What ReplicaSets and Deployments add (apps ValidatePodTemplateSpecForReplicaSet): restartPolicy
// must be Always and activeDeadlineSeconds is not supported. The selector check is the caller's.
void validateReplicaSetTemplateRules(const Json &podTemplate, const FieldPath &path, FieldErrors &errors);

// Changes Kubernetes forbids on a running pod (most of the spec is immutable).
void validatePodSpecUpdate(const Json &spec, const Json &oldSpec, const FieldPath &path, FieldErrors &errors);

// Volume source rules Kubernetes applies alike to a pod's volumes and to PersistentVolumes
// (validateHostPathVolumeSource, validateNFSVolumeSource, ValidateCSIDriverName), at the
// source's path (spec.volumes[0].hostPath, spec.hostPath).
void validateHostPathVolumeSource(const Json &source, const FieldPath &path, FieldErrors &errors);
void validateNfsVolumeSource(const Json &source, const FieldPath &path, FieldErrors &errors);
void validateCsiDriverName(const std::string &driver, const FieldPath &path, FieldErrors &errors);
// A path without a '..' element (volume paths, subPath, devicePath): one error at most.
void validatePathNoBacksteps(const std::string &path, const FieldPath &fieldPath, FieldErrors &errors);

// A whole Pod: defaultPodSpec plus what only Pods get (requests from limits, enableServiceLinks,
// host network ports) and what the API server's default admission adds at creation (service
// account "default", priority, the not-ready/unreachable tolerations).
void defaultPod(Json &pod);
// ValidatePodCreate: the spec with the stricter rules of a Pod, plus pod-only annotations.
void validatePod(const Json &pod, FieldErrors &errors);
// Guaranteed, Burstable or BestEffort, from the containers' cpu and memory requests and limits
// (requests missing for a limited resource count as equal to the limit, as the Pod defaults make them).
std::string podQosClass(const Json &spec);

} // namespace cd::api
