#pragma once
// yaml-cpp nodes to JSON, shared by the plain reader (yaml.cpp) and the source-mapped reader
// (yamlsource.cpp). Only engine/core includes yaml-cpp.

#include "engine/core/json.h"
#include "engine/core/result.h"

#include <yaml-cpp/yaml.h>

namespace cd::yamlnode {

// YAML 1.2 core-schema scalars. On failure the error's message says what is wrong and `where`
// is the offending node's mark.
Result<Json> toJson(const YAML::Node &node, YAML::Mark &where);

// "yaml: line L, column C: message", as the API reports a body that does not read.
Error error(const YAML::Mark &mark, const std::string &message);

} // namespace cd::yamlnode
