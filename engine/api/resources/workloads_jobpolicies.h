#pragma once
// The policies of a batch/v1 Job spec (pkg/apis/batch/validation): podFailurePolicy,
// successPolicy and podReplacementPolicy, and how Go prints the two policy structs.

#include "engine/api/fielderrors.h"
#include "engine/core/json.h"

#include <string>

namespace cd::api::workloads {

// spec.podFailurePolicy: at most 20 rules, each with a known action and exactly one of
// onExitCodes and onPodConditions.
void validatePodFailurePolicy(const Json &spec, const FieldPath &path, FieldErrors &errors);

// spec.successPolicy of an Indexed Job: rules with succeededIndexes within completions and a
// succeededCount no larger than what they allow.
void validateSuccessPolicy(const Json &spec, const FieldPath &path, FieldErrors &errors);

// spec.podReplacementPolicy: Failed or TerminatingOrFailed (only Failed with a podFailurePolicy).
void validatePodReplacementPolicy(const Json &spec, const FieldPath &path, FieldErrors &errors);

// batch.PodFailurePolicy{Rules:...} and batch.SuccessPolicy{Rules:...} as Go's %#v writes them
// (pointer fields show a placeholder address where Go shows a real one).
std::string printPodFailurePolicy(const Json &policy);
std::string printSuccessPolicy(const Json &policy);

} // namespace cd::api::workloads
