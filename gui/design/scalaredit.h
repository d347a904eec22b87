#pragma once
// Changing an object without rewriting its text: when an edit only replaces scalar values
// (replicas 3 -> 5, an image, a Service type), only those values' characters change in the
// document, so its comments, key order and flow style stay as the person wrote them.

#include "engine/core/json.h"
#include "engine/core/yamlsource.h"

#include <optional>
#include <string>
#include <string_view>

namespace cd::gui {

// The document's text (`text` is the document's own text, as SourceDocument::begin..end cut it
// from its file) with `updated`'s scalars written over `document.value`'s, or nullopt when the
// change is more than replaced scalars or the result would not read back as `updated`.
std::optional<std::string> replaceScalars(std::string_view text, const SourceDocument &document, const Json &updated);

} // namespace cd::gui
