#pragma once
// Request bodies to JSON: JSON, YAML or Kubernetes protobuf by Content-Type, with a nesting limit,
// duplicate-field detection (for fieldValidation=Strict) and errors that give the line and column
// (or, for protobuf, the byte offset and field path).

#include "engine/core/json.h"
#include "engine/core/result.h"

#include <string>
#include <vector>

namespace cd::api {

constexpr int kMaxNestingDepth = 100;

struct DecodedBody {
    Json value;
    std::vector<std::string> duplicateFields;  // dotted paths of fields given twice
    std::vector<std::string> unknownFields;    // protobuf field numbers no schema knows ("spec.#42")
};

Result<DecodedBody> decodeBody(const std::string &body, const std::string &contentType);

// Line and column (1-based) of a byte offset in text.
std::pair<int, int> lineColumn(const std::string &text, size_t offset);

} // namespace cd::api
