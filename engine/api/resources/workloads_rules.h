#pragma once
// Rules the workload kinds (Deployment, ReplicaSet, Job) share: their label selector
// (apimachinery meta/v1 validation), non-negative counts, immutable fields, the semantic
// equality Kubernetes uses to decide whether a spec changed, and the pod template of a
// replica-keeping controller (apps validation ValidatePodTemplateSpecForReplicaSet).

#include "engine/api/fielderrors.h"
#include "engine/core/json.h"

#include <string_view>

namespace cd::api::workloads {

// ValidateLabelSelector plus the LabelSelectorAsSelector step: adds the field errors of a
// selector and returns whether it converts to a selector at all.
bool validateLabelSelector(const Json &selector, const FieldPath &path, FieldErrors &errors);

// Whether labels (an object, or null) match a LabelSelector as Kubernetes converts it: a
// missing selector matches nothing, an empty one everything.
bool selectorMatches(const Json *selector, const Json *labels);
// A selector with neither matchLabels nor matchExpressions entries.
bool selectorIsEmpty(const Json &selector);

// `must be greater than or equal to 0` for an integer field that is set.
void validateNonnegative(const Json &object, std::string_view field, const FieldPath &path, FieldErrors &errors);

// apiequality.Semantic.DeepEqual on JSON: null members and empty lists and maps count as unset.
bool semanticEqual(const Json *a, const Json *b);

// Selector, pod template and restart policy rules of Deployments and ReplicaSets (spec.*):
// selector required and non-empty, template labels matched, restartPolicy Always.
void validateReplicatedPods(const Json &spec, const FieldPath &specPath, FieldErrors &errors);

// spec.selector may not change after creation (apps/v1 and batch/v1).
void validateSelectorUnchanged(const Json &object, const Json &old, FieldErrors &errors);


} // namespace cd::api::workloads
