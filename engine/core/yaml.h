#pragma once
// YAML to JSON, the way manifests are read everywhere (API bodies, the schema build step, the
// IDE): YAML 1.2 core-schema scalars, multi-document streams, and errors with line and column.

#include "engine/core/json.h"
#include "engine/core/result.h"

#include <functional>
#include <string_view>
#include <vector>

namespace cd {

struct YamlDocument {
    Json value;
    int line = 0;  // 1-based line where the document starts
};

// Every document of a stream; empty documents (a lone `---`) are skipped.
Result<std::vector<YamlDocument>> parseYamlDocuments(std::string_view text);
// Exactly one document (an empty text gives null).
Result<Json> parseYaml(std::string_view text);

// Orders mapping keys when writing YAML: lower ranks first, equal ranks alphabetically.
using YamlKeyRank = std::function<int(const std::string &key)>;

// Block-style YAML for a JSON value, keys in the object's order (or by rank).
std::string toYaml(const Json &value, const YamlKeyRank &rank = {});

} // namespace cd
