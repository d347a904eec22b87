// Helpers shared by the pod spec rules: safe JSON access and the small checks Kubernetes reuses
// everywhere (IP addresses, local paths, label selectors).

#include "engine/api/objectmeta.h"
#include "engine/api/resources/podspec_internal.h"

#include <arpa/inet.h>

namespace cd::api {

void validatePathNoBacksteps(const std::string &path, const FieldPath &fieldPath, FieldErrors &errors)
{
    size_t start = 0;
    while (start <= path.size()) {
        size_t slash = path.find('/', start);
        if (slash == std::string::npos)
            slash = path.size();
        if (path.compare(start, slash - start, "..") == 0) {
            // One error is enough, even for ../../..
            errors.invalid(fieldPath, path, "must not contain '..'");
            return;
        }
        start = slash + 1;
    }
}

} // namespace cd::api

namespace cd::api::podspec {

const Json &arrayAt(const Json &object, std::string_view key)
{
    static const Json empty = Json::array();
    if (!object.is_object())
        return empty;
    auto it = object.find(key);
    return it != object.end() && it->is_array() ? *it : empty;
}

const Json &objectAt(const Json &object, std::string_view key)
{
    static const Json empty = Json::object();
    if (!object.is_object())
        return empty;
    auto it = object.find(key);
    return it != object.end() && it->is_object() ? *it : empty;
}

bool present(const Json &object, std::string_view key)
{
    if (!object.is_object())
        return false;
    auto it = object.find(key);
    return it != object.end() && !it->is_null();
}

std::string text(const Json &value)
{
    return value.is_string() ? value.get<std::string>() : std::string();
}

std::optional<long long> number(const Json &object, std::string_view key)
{
    if (!object.is_object())
        return std::nullopt;
    auto it = object.find(key);
    if (it == object.end())
        return std::nullopt;
    if (it->is_number_integer())
        return it->get<long long>();
    if (it->is_number_float())
        return static_cast<long long>(it->get<double>());
    return std::nullopt;
}

std::optional<Quantity> quantityOf(const Json &value)
{
    auto parsed = Quantity::fromJson(value);
    if (!parsed.ok())
        return std::nullopt;
    return parsed.value();
}

std::string inclusiveRange(long long low, long long high)
{
    return "must be between " + std::to_string(low) + " and " + std::to_string(high) + ", inclusive";
}

bool isValidIp(std::string_view text)
{
    const std::string address(text);
    unsigned char buffer[16];
    return inet_pton(AF_INET, address.c_str(), buffer) == 1 || inet_pton(AF_INET6, address.c_str(), buffer) == 1;
}

void validateIp(const Json &value, const FieldPath &path, FieldErrors &errors)
{
    if (!isValidIp(text(value)))
        errors.invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
}

void validateNonNegative(const Json &object, std::string_view key, const FieldPath &path, FieldErrors &errors)
{
    if (auto value = number(object, key); value && *value < 0)
        errors.invalid(path, *value, kNegativeMessage);
}

names::Messages subdomainName(std::string_view name, bool prefix)
{
    // Kubernetes' maskTrailingDash: a generated name may end in '-' before its suffix is added.
    if (prefix && name.size() > 1 && name.back() == '-') {
        std::string masked(name.substr(0, name.size() - 2));
        masked += 'a';
        return names::dns1123Subdomain(masked);
    }
    return names::dns1123Subdomain(name);
}

void validateQualifiedName(const std::string &value, const FieldPath &path, FieldErrors &errors)
{
    errors.invalidEach(path, value, names::qualifiedName(value));
}

void validateLabelValue(const std::string &value, const FieldPath &path, FieldErrors &errors)
{
    errors.invalidEach(path, value, names::labelValue(value));
}

void validateLocalDescendingPath(const std::string &path, const FieldPath &fieldPath, FieldErrors &errors)
{
    if (!path.empty() && path.front() == '/')
        errors.invalid(fieldPath, path, "must be a relative path");
    validatePathNoBacksteps(path, fieldPath, errors);
}

void validateLocalNonReservedPath(const std::string &path, const FieldPath &fieldPath, FieldErrors &errors)
{
    validateLocalDescendingPath(path, fieldPath, errors);
    // Not reported twice when the '..' element check above already caught it.
    if (path.rfind("..", 0) == 0 && path.rfind("../", 0) != 0)
        errors.invalid(fieldPath, path, "must not start with '..'");
}

void validateLabelSelector(const Json &selector, const FieldPath &path, FieldErrors &errors)
{
    if (!selector.is_object())
        return;
    if (const Json *matchLabels = find(selector, {"matchLabels"}))
        validateLabels(*matchLabels, path.child("matchLabels"), errors);
    const Json &expressions = arrayAt(selector, "matchExpressions");
    for (size_t i = 0; i < expressions.size(); ++i) {
        const Json &requirement = expressions[i];
        const FieldPath at = path.child("matchExpressions").index(i);
        const std::string op = str(requirement, {"operator"});
        const Json &values = arrayAt(requirement, "values");
        if (op == "In" || op == "NotIn") {
            if (values.empty())
                errors.required(at.child("values"), "must be specified when `operator` is 'In' or 'NotIn'");
        } else if (op == "Exists" || op == "DoesNotExist") {
            if (!values.empty())
                errors.forbidden(at.child("values"),
                                 "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
        } else {
            errors.invalid(at.child("operator"), op, "not a valid selector operator");
        }
        validateQualifiedName(str(requirement, {"key"}), at.child("key"), errors);
        for (size_t v = 0; v < values.size(); ++v)
            validateLabelValue(text(values[v]), at.child("values").index(v), errors);
    }
}

} // namespace cd::api::podspec
