#pragma once
// The engine's built-in resources as client Resources (so components need no discovery round trip).

#include "engine/client/client.h"

#include <vector>

namespace cd::client {

// Every resource the embedded API serves.
const std::vector<Resource> &builtinResources();
// One of them by plural and group ("pods", ""), or nullptr.
const Resource *builtinResource(const std::string &plural, const std::string &group = {});
// By apiVersion and kind, as in an ownerReference.
const Resource *builtinResourceForKind(const std::string &apiVersion, const std::string &kind);

} // namespace cd::client
