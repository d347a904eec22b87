#pragma once
// PersistentVolume and PersistentVolumeClaim rules, as Kubernetes v1.32 applies them
// (pkg/apis/core/validation, pkg/registry/core/persistentvolume{,claim}). volumes.cpp
// registers the kinds and holds the claim rules; volumes_validation.cpp checks volumes.

#include "engine/api/fielderrors.h"
#include "engine/core/json.h"

#include <string>

namespace cd::api {

// Access modes shared by volumes and claims: required, known, ReadWriteOncePod alone.
void validateAccessModes(const Json &spec, const FieldPath &path, const std::string &requiredDetail,
                         FieldErrors &errors);

// How Kubernetes shows what changed in an immutable struct, under its Go type: a line for each
// field as it was (-) and as it is now (+).
std::string immutableDiff(const std::string &goType, const Json &before, const Json &after);

void validatePersistentVolume(const Json &volume, FieldErrors &errors);
void validatePersistentVolumeUpdate(const Json &volume, const Json &old, FieldErrors &errors);

} // namespace cd::api
