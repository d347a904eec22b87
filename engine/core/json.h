#pragma once
// API objects are handled as JSON trees (like client-go's unstructured objects); this header gives
// the few helpers every part uses to read them without a chain of contains()/is_string() checks.

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

namespace cd {

using Json = nlohmann::json;

// The value at a path of object keys, or nullptr when any step is missing or not an object.
const Json *find(const Json &object, std::initializer_list<std::string_view> path);
Json *find(Json &object, std::initializer_list<std::string_view> path);
// The answer points into the object, so a temporary object would leave it dangling.
const Json *find(Json &&object, std::initializer_list<std::string_view> path) = delete;
// Whether a value exists at the path (safe on a temporary).
bool has(const Json &object, std::initializer_list<std::string_view> path);

// A string at a path, or the fallback when missing or not a string.
std::string str(const Json &object, std::initializer_list<std::string_view> path, std::string_view fallback = {});
// An integer at a path, or the fallback.
long long integer(const Json &object, std::initializer_list<std::string_view> path, long long fallback = 0);
bool boolean(const Json &object, std::initializer_list<std::string_view> path, bool fallback = false);

// The object at a path, created (as {}) along the way where missing.
Json &ensureObject(Json &object, std::initializer_list<std::string_view> path);

// A string map (labels, annotations, selector) at a path; non-string values are skipped.
std::map<std::string, std::string> stringMap(const Json &object, std::initializer_list<std::string_view> path);

// Compact serialization without throwing on invalid UTF-8 (replaced), as the server writes it.
std::string dump(const Json &value);

// The shape of JSON text, read without parsing it (brackets and colons inside strings ignored).
struct JsonTextShape {
    int depth = 0;       // the deepest nesting of [ and {; the scan stops once it passes stopAbove
    size_t members = 0;  // object members written (a colon outside a string only ever ends a key)
};
JsonTextShape jsonTextShape(std::string_view text, int stopAbove);

// Depth of the deepest nesting of [ and { in JSON text, ignoring brackets inside strings.
// Checked before parsing so a hostile body cannot make the parser recurse without bound.
int nestingDepth(std::string_view text, int stopAbove);

} // namespace cd
