#pragma once
// Kubernetes prints a bad value that is not a plain string or number with Go's %#v
// (apimachinery util/validation/field, Error.ErrorBody), so the messages users know read
// `map[string]string{"app":"web"}`, `[]string{"10.96.0.10"}` or `v1.LabelSelector{MatchLabels:...}`.
// These functions print values that way from the JSON object; the printed text goes into
// FieldErrors' invalidPrinted, duplicatePrinted and notSupportedPrinted.

#include "engine/core/json.h"

#include <string>
#include <string_view>

namespace cd::api::gosyntax {

// A Go string literal as %#v and %q write it: "..." with strconv.Quote's escapes.
std::string quote(std::string_view text);

// A slice under its Go type: []string{"a", "b"}, []core.IPFamily{"IPv4"}, []int32{1, 2}
// (strings quoted, numbers bare). []string(nil) when the list is missing or null, []string{}
// when it is empty, as Go tells a nil slice from an empty one.
std::string slice(const Json *values, std::string_view type = "[]string");

// map[string]string{"a":"1", "b":"2"} (keys sorted); map[string]string(nil) when the map is
// missing or null, map[string]string{} when it is empty.
std::string stringMap(const Json *map);

// v1.LabelSelector{MatchLabels:..., MatchExpressions:[]v1.LabelSelectorRequirement(nil)}
std::string labelSelector(const Json &selector);

// intstr.IntOrString{Type:0, IntVal:1, StrVal:""} for 1, {Type:1, IntVal:0, StrVal:"25%"} for "25%".
std::string intOrString(const Json &value);

// The start of a pod template as Go prints core.PodTemplateSpec: its ObjectMeta in full, the
// spec abbreviated (Go's own text holds pointer addresses, so it cannot be reproduced anyway).
std::string podTemplate(const Json &podTemplate);

// How ValidateImmutableField and friends print a pointer field: "null" (quoted, as Go's
// formatter substitutes the string) when it is missing.
std::string pointerOr(const Json *value, const std::string &printed);

} // namespace cd::api::gosyntax
