#pragma once
// Kubernetes prints a bad value that is not a plain string or number with Go's %#v
// (apimachinery util/validation/field, Error.ErrorBody), so the messages users know read
// `map[string]string{"app":"web"}` or `v1.LabelSelector{MatchLabels:...}`. These functions print
// the values the workload rules report that way, from the JSON object.

#include "engine/api/fielderrors.h"
#include "engine/core/json.h"

#include <string>
#include <string_view>
#include <vector>

namespace cd::api::gosyntax {

// A Go string literal as %#v writes it: "..." with strconv.Quote's escapes.
std::string quote(std::string_view text);

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

// Adds `Invalid value: <printed>: <detail>` where <printed> is already Go syntax (empty: the
// value is omitted, as for Go's field.OmitValueType).
inline void invalid(FieldErrors &errors, const FieldPath &path, const std::string &printed, const std::string &detail)
{
    errors.invalidPrinted(path, printed, detail);
}

// The same for `Unsupported value: <printed>: supported values: ...`.
inline void notSupported(FieldErrors &errors, const FieldPath &path, const std::string &printed,
                         const std::vector<std::string> &supported)
{
    errors.notSupportedPrinted(path, printed, supported);
}

} // namespace cd::api::gosyntax
