#include "engine/api/resources/corekinds.h"

#include "engine/api/objectmeta.h"
#include "engine/core/names.h"

#include <set>

namespace cd::api::corekinds {
namespace {

bool startsWith(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

// clang-format off
const std::set<std::string, std::less<>> kStandardResources = {
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
    "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "resourcequotas", "services",
    "replicationcontrollers", "secrets", "configmaps", "persistentvolumeclaims", "storage", "requests.storage",
    "services.nodeports", "services.loadbalancers"};
const std::set<std::string, std::less<>> kStandardQuotaResources = {
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
    "resourcequotas", "services", "replicationcontrollers", "secrets", "persistentvolumeclaims", "configmaps",
    "services.nodeports", "services.loadbalancers"};
const std::set<std::string, std::less<>> kIntegerResources = {
    "pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
    "persistentvolumeclaims", "services.nodeports", "services.loadbalancers"};
// clang-format on

bool isHugePageResourceName(std::string_view name)
{
    return startsWith(name, "hugepages-");
}
bool isQuotaHugePageResourceName(std::string_view name)
{
    return startsWith(name, "hugepages-") || startsWith(name, "requests.hugepages-");
}

const char *kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64Value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

} // namespace

std::optional<Quantity> quantityAt(const Json &value, const FieldPath &path, FieldErrors &errors)
{
    auto q = Quantity::fromJson(value);
    if (!q.ok()) {
        errors.invalid(path, value, Quantity::syntaxMessage());
        return std::nullopt;
    }
    return *q;
}

void canonicalizeResourceList(Json *list)
{
    if (!list || !list->is_object())
        return;
    for (auto it = list->begin(); it != list->end(); ++it) {
        auto q = Quantity::fromJson(it.value());
        if (!q.ok())
            continue;
        Quantity value = *q;
        const Quantity rounded = Quantity::fromMilli(value.milliValue());
        if (!(rounded == value))
            value = rounded;
        it.value() = value.toString();
    }
}

void validateNonnegativeQuantity(const Quantity &q, const FieldPath &path, FieldErrors &errors)
{
    if (q.isNegative())
        errors.invalid(path, q.toString(), "must be greater than or equal to 0");
}

bool isStandardResourceName(std::string_view name)
{
    return kStandardResources.count(name) || isQuotaHugePageResourceName(name);
}

bool isStandardContainerResourceName(std::string_view name)
{
    return name == "cpu" || name == "memory" || name == "ephemeral-storage" || isHugePageResourceName(name);
}

bool isStandardQuotaResourceName(std::string_view name)
{
    return kStandardQuotaResources.count(name) || isQuotaHugePageResourceName(name);
}

bool isNativeResource(std::string_view name)
{
    return name.find('/') == std::string_view::npos || name.find("kubernetes.io/") != std::string_view::npos;
}

bool isExtendedResourceName(std::string_view name)
{
    if (isNativeResource(name) || startsWith(name, "requests."))
        return false;
    return names::qualifiedName("requests." + std::string(name)).empty();
}

bool isIntegerResourceName(std::string_view name)
{
    return kIntegerResources.count(name) || isExtendedResourceName(name);
}

bool isOvercommitAllowed(std::string_view name)
{
    return isNativeResource(name) && !isHugePageResourceName(name);
}

void validateResourceName(const std::string &name, const FieldPath &path, FieldErrors &errors)
{
    const auto messages = names::qualifiedName(name);
    if (!messages.empty()) {
        errors.invalidEach(path, name, messages);
        return;
    }
    if (name.find('/') == std::string::npos && !isStandardResourceName(name))
        errors.invalid(path, name, "must be a standard resource type or fully qualified");
}

void validateResourceQuantityValue(const std::string &name, const Quantity &q, const FieldPath &path,
                                   FieldErrors &errors)
{
    validateNonnegativeQuantity(q, path, errors);
    if (isIntegerResourceName(name) && q.milliValue() % 1000 != 0)
        errors.invalidPrinted(path, q.toString(), "must be an integer");
}

// Go's base64.StdEncoding.Decode: newlines are skipped, padding is required, and an error
// names the input byte where decoding failed.
Base64 decodeBase64(std::string_view src)
{
    Base64 out;
    size_t si = 0;
    while (si < src.size()) {
        int quantum[4];
        int j = 0;
        bool padded = false;
        for (; j < 4; ++j) {
            if (si == src.size()) {
                if (j == 0)
                    return out;
                out.errorAt = static_cast<long long>(si) - j;
                return out;
            }
            const char in = src[si++];
            const int value = base64Value(in);
            if (value >= 0) {
                quantum[j] = value;
                continue;
            }
            if (in == '\n' || in == '\r') {
                --j;
                continue;
            }
            if (in != '=') {
                out.errorAt = static_cast<long long>(si) - 1;
                return out;
            }
            // Padding: only after two or three characters of a quantum.
            if (j == 0 || j == 1) {
                out.errorAt = static_cast<long long>(si) - 1;
                return out;
            }
            if (j == 2) {
                while (si < src.size() && (src[si] == '\n' || src[si] == '\r'))
                    ++si;
                if (si == src.size()) {
                    out.errorAt = static_cast<long long>(src.size());
                    return out;
                }
                if (src[si] != '=') {
                    out.errorAt = static_cast<long long>(si) - 1;
                    return out;
                }
                ++si;
            }
            while (si < src.size() && (src[si] == '\n' || src[si] == '\r'))
                ++si;
            if (si < src.size()) {
                out.errorAt = static_cast<long long>(si);
                return out;
            }
            padded = true;
            break;
        }
        const unsigned v = (unsigned(quantum[0]) << 18) | (unsigned(j > 1 ? quantum[1] : 0) << 12) |
                           (unsigned(j > 2 ? quantum[2] : 0) << 6) | unsigned(j > 3 ? quantum[3] : 0);
        out.bytes.push_back(char((v >> 16) & 0xff));
        if (j > 2)
            out.bytes.push_back(char((v >> 8) & 0xff));
        if (j > 3)
            out.bytes.push_back(char(v & 0xff));
        if (padded)
            break;
    }
    return out;
}

std::string encodeBase64(std::string_view bytes)
{
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = (unsigned(std::uint8_t(bytes[i])) << 16) | (unsigned(std::uint8_t(bytes[i + 1])) << 8) |
                           unsigned(std::uint8_t(bytes[i + 2]));
        out.push_back(kBase64Alphabet[(v >> 18) & 63]);
        out.push_back(kBase64Alphabet[(v >> 12) & 63]);
        out.push_back(kBase64Alphabet[(v >> 6) & 63]);
        out.push_back(kBase64Alphabet[v & 63]);
    }
    if (i < bytes.size()) {
        unsigned v = unsigned(std::uint8_t(bytes[i])) << 16;
        if (i + 1 < bytes.size())
            v |= unsigned(std::uint8_t(bytes[i + 1])) << 8;
        out.push_back(kBase64Alphabet[(v >> 18) & 63]);
        out.push_back(kBase64Alphabet[(v >> 12) & 63]);
        out.push_back(i + 1 < bytes.size() ? kBase64Alphabet[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

void validateLabelName(const std::string &key, const FieldPath &path, FieldErrors &errors)
{
    errors.invalidEach(path, key, names::qualifiedName(key));
}

void validateLabelSelector(const Json &selector, const FieldPath &path, FieldErrors &errors)
{
    if (!selector.is_object())
        return;
    if (const Json *labels = find(selector, {"matchLabels"}))
        validateLabels(*labels, path.child("matchLabels"), errors);
    const Json &expressions = arrayAt(selector, {"matchExpressions"});
    for (size_t i = 0; i < expressions.size(); ++i) {
        const Json &expr = expressions[i];
        const FieldPath exprPath = path.child("matchExpressions").index(i);
        const std::string op = str(expr, {"operator"});
        const Json &values = arrayAt(expr, {"values"});
        if (op == "In" || op == "NotIn") {
            if (values.empty())
                errors.required(exprPath.child("values"), "must be specified when `operator` is 'In' or 'NotIn'");
        } else if (op == "Exists" || op == "DoesNotExist") {
            if (!values.empty())
                errors.forbidden(exprPath.child("values"),
                                 "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
        } else {
            errors.invalid(exprPath.child("operator"), op, "not a valid selector operator");
        }
        validateLabelName(str(expr, {"key"}), exprPath.child("key"), errors);
        for (size_t v = 0; v < values.size(); ++v)
            if (values[v].is_string())
                errors.invalidEach(exprPath.child("values").index(v), values[v],
                                   names::labelValue(values[v].get<std::string>()));
    }
}

void validateNodeSelector(const Json &selector, const FieldPath &path, FieldErrors &errors)
{
    const Json &terms = arrayAt(selector, {"nodeSelectorTerms"});
    const FieldPath termsPath = path.child("nodeSelectorTerms");
    if (terms.empty()) {
        errors.required(termsPath, "must have at least one node selector term");
        return;
    }
    for (size_t i = 0; i < terms.size(); ++i) {
        const Json &expressions = arrayAt(terms[i], {"matchExpressions"});
        for (size_t j = 0; j < expressions.size(); ++j) {
            const Json &req = expressions[j];
            const FieldPath reqPath = termsPath.index(i).child("matchExpressions").index(j);
            const std::string op = str(req, {"operator"});
            const Json &values = arrayAt(req, {"values"});
            if (op == "In" || op == "NotIn") {
                if (values.empty())
                    errors.required(reqPath.child("values"), "must be specified when `operator` is 'In' or 'NotIn'");
            } else if (op == "Exists" || op == "DoesNotExist") {
                if (!values.empty())
                    errors.forbidden(reqPath.child("values"),
                                     "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
            } else if (op == "Gt" || op == "Lt") {
                if (values.size() != 1)
                    errors.required(reqPath.child("values"),
                                    "must be specified single value when `operator` is 'Lt' or 'Gt'");
            } else {
                errors.invalid(reqPath.child("operator"), op, "not a valid selector operator");
            }
            validateLabelName(str(req, {"key"}), reqPath.child("key"), errors);
            for (size_t v = 0; v < values.size(); ++v)
                if (values[v].is_string())
                    errors.invalidEach(reqPath.child("values").index(v), values[v],
                                       names::labelValue(values[v].get<std::string>()));
        }
        const Json &fields = arrayAt(terms[i], {"matchFields"});
        for (size_t j = 0; j < fields.size(); ++j) {
            const Json &req = fields[j];
            const FieldPath reqPath = termsPath.index(i).child("matchFields").index(j);
            const std::string op = str(req, {"operator"});
            if (op == "In" || op == "NotIn") {
                if (arrayAt(req, {"values"}).size() != 1)
                    errors.required(
                        reqPath.child("values"),
                        "must be only one value when `operator` is 'In' or 'NotIn' for node field selector");
            } else {
                errors.invalid(reqPath.child("operator"), op, "not a valid selector operator");
            }
            if (str(req, {"key"}) != "metadata.name")
                errors.invalid(reqPath.child("key"), str(req, {"key"}), "not a valid field selector key");
        }
    }
}

const Json &at(const Json &object, std::initializer_list<std::string_view> path)
{
    static const Json null;
    const Json *node = find(object, path);
    return node ? *node : null;
}

const Json &arrayAt(const Json &object, std::initializer_list<std::string_view> path)
{
    static const Json empty = Json::array();
    const Json *node = find(object, path);
    return node && node->is_array() ? *node : empty;
}

const Json &objectAt(const Json &object, std::initializer_list<std::string_view> path)
{
    static const Json empty = Json::object();
    const Json *node = find(object, path);
    return node && node->is_object() ? *node : empty;
}

bool isEmptyValue(const Json *value)
{
    if (!value || value->is_null())
        return true;
    if (value->is_string())
        return value->get_ref<const std::string &>().empty();
    return (value->is_object() || value->is_array()) && value->empty();
}

} // namespace cd::api::corekinds
