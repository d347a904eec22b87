// ConfigMap, Secret and ServiceAccount, with Kubernetes v1.32's rules: Secret's stringData
// folded into data and type Opaque by default (the v1 conversion and defaults), config keys,
// the 1 MiB size limit, and `immutable` (pkg/apis/core/validation ValidateConfigMap,
// ValidateSecret and their Update forms).

#include "engine/api/resources/corekinds.h"
#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"
#include "engine/core/names.h"

#include <map>

namespace cd::api {
namespace {

using namespace corekinds;

constexpr size_t kMaxConfigSize = 1024 * 1024; // core.MaxSecretSize, for both kinds
const char *kImmutableWhenSet = "field is immutable when `immutable` is set";
const char *kRedacted = "<secret contents redacted>";

// Go's DeepEqual on the maps, where a missing map and an empty one are both "no data".
bool sameMap(const Json &a, const Json &b, std::string_view key)
{
    const Json *x = find(a, {key});
    const Json *y = find(b, {key});
    if (isEmptyValue(x) || isEmptyValue(y))
        return isEmptyValue(x) == isEmptyValue(y);
    return *x == *y;
}

void validateKeys(const Json &map, const FieldPath &path, FieldErrors &errors)
{
    for (auto it = map.begin(); it != map.end(); ++it)
        errors.invalidEach(path.key(it.key()), it.key(), names::configMapKey(it.key()));
}

void validateImmutable(const Json &object, const Json &old, FieldErrors &errors,
                       std::initializer_list<std::string_view> dataFields)
{
    if (!boolean(old, {"immutable"}))
        return;
    if (!boolean(object, {"immutable"}))
        errors.forbidden(FieldPath("immutable"), kImmutableWhenSet);
    for (std::string_view field : dataFields)
        if (!sameMap(object, old, field))
            errors.forbidden(FieldPath(std::string(field)), kImmutableWhenSet);
}

void validateConfigMap(const Json &configMap, FieldErrors &errors)
{
    const Json &data = objectAt(configMap, {"data"});
    const Json &binaryData = objectAt(configMap, {"binaryData"});
    const FieldPath dataPath("data"), binaryPath("binaryData");
    size_t total = 0;
    validateKeys(data, dataPath, errors);
    for (auto it = data.begin(); it != data.end(); ++it) {
        if (binaryData.contains(it.key()))
            errors.invalid(dataPath.key(it.key()), it.key(), "duplicate of key present in binaryData");
        if (it.value().is_string())
            total += it.value().get_ref<const std::string &>().size();
    }
    validateKeys(binaryData, binaryPath, errors);
    for (auto it = binaryData.begin(); it != binaryData.end(); ++it) {
        if (!it.value().is_string())
            continue;
        const Base64 decoded = decodeBase64(it.value().get_ref<const std::string &>());
        if (decoded.errorAt >= 0)
            errors.invalid(binaryPath.key(it.key()), it.value(),
                           "illegal base64 data at input byte " + std::to_string(decoded.errorAt));
        total += decoded.bytes.size();
    }
    // The limit is on the whole object: Kubernetes' empty root path prints as "[]".
    if (total > kMaxConfigSize)
        errors.tooLong(FieldPath("[]"), kMaxConfigSize);
}

// The v1 conversion folds the write-only stringData into data (it wins on conflicts).
void foldStringData(Json &secret)
{
    const Json *stringData = find(secret, {"stringData"});
    if (stringData && stringData->is_object() && !stringData->empty()) {
        Json &data = secret["data"];
        if (!data.is_object())
            data = Json::object();
        for (auto it = stringData->begin(); it != stringData->end(); ++it)
            if (it.value().is_string())
                data[it.key()] = encodeBase64(it.value().get_ref<const std::string &>());
    }
    secret.erase("stringData");
}

void defaultSecret(Json &secret)
{
    foldStringData(secret);
    if (str(secret, {"type"}).empty())
        secret["type"] = "Opaque";
}

void validateSecret(const Json &secret, FieldErrors &errors)
{
    const Json &data = objectAt(secret, {"data"});
    const FieldPath dataPath("data");
    std::map<std::string, std::string> decoded;
    size_t total = 0;
    for (auto it = data.begin(); it != data.end(); ++it) {
        errors.invalidEach(dataPath.key(it.key()), it.key(), names::configMapKey(it.key()));
        if (!it.value().is_string())
            continue;
        const Base64 bytes = decodeBase64(it.value().get_ref<const std::string &>());
        if (bytes.errorAt >= 0)
            errors.invalid(dataPath.key(it.key()), kRedacted,
                           "illegal base64 data at input byte " + std::to_string(bytes.errorAt));
        total += bytes.bytes.size();
        decoded[it.key()] = bytes.bytes;
    }
    if (total > kMaxConfigSize)
        errors.tooLong(dataPath, kMaxConfigSize);

    const std::string type = str(secret, {"type"});
    auto requireKey = [&](const char *key) {
        if (!decoded.count(key)) {
            errors.required(dataPath.key(key));
            return false;
        }
        return true;
    };
    auto requireJson = [&](const char *key) {
        if (!requireKey(key))
            return;
        const Json parsed = Json::parse(decoded[key], nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object())
            errors.invalid(dataPath.key(key), kRedacted,
                           decoded[key].empty() ? "unexpected end of JSON input" : "invalid JSON object");
    };
    if (type == "kubernetes.io/service-account-token") {
        if (str(secret, {"metadata", "annotations", "kubernetes.io/service-account.name"}).empty())
            errors.required(FieldPath("metadata").child("annotations").key("kubernetes.io/service-account.name"));
    } else if (type == "kubernetes.io/dockercfg") {
        requireJson(".dockercfg");
    } else if (type == "kubernetes.io/dockerconfigjson") {
        requireJson(".dockerconfigjson");
    } else if (type == "kubernetes.io/basic-auth") {
        if (!decoded.count("username") && !decoded.count("password")) {
            errors.required(dataPath.key("username"));
            errors.required(dataPath.key("password"));
        }
    } else if (type == "kubernetes.io/ssh-auth") {
        if (decoded["ssh-privatekey"].empty())
            errors.required(dataPath.key("ssh-privatekey"));
    } else if (type == "kubernetes.io/tls") {
        requireKey("tls.crt");
        requireKey("tls.key");
    }
}

void validateSecretUpdate(const Json &secret, const Json &old, FieldErrors &errors)
{
    const std::string type = str(secret, {"type"});
    if (type != str(old, {"type"}))
        errors.invalid(FieldPath("type"), type, "field is immutable");
    // stringData was folded into data before this check, so data covers both.
    validateImmutable(secret, old, errors, {"data"});
}

} // namespace

void registerConfig(Registry &registry)
{
    {
        ResourceType t;
        t.kind = "ConfigMap";
        t.plural = "configmaps";
        t.singular = "configmap";
        t.shortNames = {"cm"};
        t.generation = false;
        t.validate = validateConfigMap;
        t.validateUpdate = [](const Json &object, const Json &old, FieldErrors &errors) {
            validateImmutable(object, old, errors, {"data", "binaryData"});
        };
        registry.add(std::move(t));
    }
    {
        ResourceType t;
        t.kind = "Secret";
        t.plural = "secrets";
        t.singular = "secret";
        t.generation = false;
        t.defaults = defaultSecret;
        t.validate = validateSecret;
        t.validateUpdate = validateSecretUpdate;
        t.selectableFields["type"] = [](const Json &o) { return str(o, {"type"}); };
        registry.add(std::move(t));
    }
    {
        ResourceType t;
        t.kind = "ServiceAccount";
        t.plural = "serviceaccounts";
        t.singular = "serviceaccount";
        t.shortNames = {"sa"};
        t.generation = false;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
