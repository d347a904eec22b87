#pragma once
// yaml-cpp nodes to JSON, shared by the plain reader (yaml.cpp) and the source-mapped reader
// (yamlsource.cpp). Only engine/core includes yaml-cpp.

#include "engine/core/json.h"
#include "engine/core/result.h"

#include <yaml-cpp/yaml.h>

namespace cd::yamlnode {

// YAML 1.2 core-schema scalars; errors carry "line L, column C" of the node (0-based marks
// shifted by lineOffset, so a document cut out of a larger text reports the file's lines).
Result<Json> toJson(const YAML::Node &node, int lineOffset = 0);

Error error(const YAML::Mark &mark, const std::string &message, int lineOffset = 0);

} // namespace cd::yamlnode
