#pragma once
// The pod spec rules shared by Pods and by the pod templates of ReplicaSets, Deployments and
// Jobs: Kubernetes' defaults (pkg/apis/core/v1/defaults.go) and validation
// (pkg/apis/core/validation/validation.go).

#include "engine/api/fielderrors.h"
#include "engine/core/json.h"

namespace cd::api {

void defaultPodSpec(Json &spec);
void validatePodSpec(const Json &spec, const FieldPath &path, FieldErrors &errors);

// A pod template: {metadata: {labels, annotations}, spec}.
void defaultPodTemplate(Json &podTemplate);
void validatePodTemplate(const Json &podTemplate, const FieldPath &path, FieldErrors &errors);

// Changes Kubernetes forbids on a running pod (most of the spec is immutable).
void validatePodSpecUpdate(const Json &spec, const Json &oldSpec, const FieldPath &path, FieldErrors &errors);

} // namespace cd::api
