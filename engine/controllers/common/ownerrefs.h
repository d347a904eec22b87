#pragma once
// Controller references, as Kubernetes' ControllerRefManager writes them: an owner adopts an
// orphan that its selector matches and releases a dependent that stopped matching, each with a
// strategic merge patch that names the dependent's uid (so a pod deleted and made again under
// the same name is never adopted or released by mistake).

#include "engine/core/json.h"

#include <string>

namespace cd::controllers {

// The ownerReference with controller: true, or nullptr.
const Json *controllerRefOf(const Json &object);

// {apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true} (metav1.NewControllerRef).
Json controllerRef(const Json &owner, const std::string &apiVersion, const std::string &kind);

// Makes `owner` the controller of the object with dependentUid.
Json adoptPatch(const Json &owner, const std::string &apiVersion, const std::string &kind,
                const std::string &dependentUid);
// Removes the reference to ownerUid from the object with dependentUid.
Json releasePatch(const std::string &ownerUid, const std::string &dependentUid);

inline constexpr const char *kStrategicMergePatch = "application/strategic-merge-patch+json";

} // namespace cd::controllers
