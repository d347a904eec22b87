// Environment variables and the downward API references they share with volumes (ValidateEnv,
// ValidateEnvFrom, validateObjectFieldSelector and validateContainerResourceFieldSelector).

#include "engine/api/resources/podspec_internal.h"

#include <algorithm>

namespace cd::api::podspec {
namespace {

// Sorted, as Kubernetes lists them in "supported values".
const std::vector<std::string> kEnvFieldPaths = {
    "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
    "status.hostIP", "status.hostIPs",     "status.podIP", "status.podIPs"};
const std::vector<std::string> kVolumeFieldPaths = {"metadata.annotations", "metadata.labels", "metadata.name",
                                                    "metadata.namespace", "metadata.uid"};
// Every label the v1 downward API converts (pods' ConvertDownwardAPIFieldLabel).
const std::vector<std::string> kConvertibleFieldPaths = {
    "metadata.annotations", "metadata.labels", "metadata.name",      "metadata.namespace",
    "metadata.uid",         "spec.nodeName",   "spec.restartPolicy", "spec.serviceAccountName",
    "spec.schedulerName",   "status.phase",    "status.hostIP",      "status.hostIPs",
    "status.podIP",         "status.podIPs"};
const std::vector<std::string> kResourceFieldPaths = {"limits.cpu",   "limits.ephemeral-storage",   "limits.memory",
                                                      "requests.cpu", "requests.ephemeral-storage", "requests.memory"};

bool contains(const std::vector<std::string> &list, const std::string &value)
{
    return std::find(list.begin(), list.end(), value) != list.end();
}

// "metadata.labels['app']" -> {"metadata.labels", "app"}.
bool splitSubscript(const std::string &fieldPath, std::string &path, std::string &subscript)
{
    if (fieldPath.size() < 2 || fieldPath.compare(fieldPath.size() - 2, 2, "']") != 0)
        return false;
    const std::string trimmed = fieldPath.substr(0, fieldPath.size() - 2);
    const size_t open = trimmed.find("['");
    if (open == std::string::npos || open == 0)
        return false;
    path = trimmed.substr(0, open);
    subscript = trimmed.substr(open + 2);
    return true;
}

void validateDivisor(const std::string &resource, const Json &selector, const FieldPath &path, FieldErrors &errors)
{
    if (!present(selector, "divisor"))
        return;
    auto divisor = quantityOf(selector["divisor"]);
    if (!divisor) {
        errors.invalid(path.child("divisor"), selector["divisor"], Quantity::syntaxMessage());
        return;
    }
    if (divisor->isZero())
        return;
    const std::string value = divisor->toString();
    static const std::vector<std::string> kByteDivisors = {"1",   "1k",  "1M",  "1G",  "1T",  "1P", "1E",
                                                           "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"};
    const std::string byteList = "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei";
    if (resource == "limits.cpu" || resource == "requests.cpu") {
        if (value != "1m" && value != "1")
            errors.invalid(path.child("divisor"), resource,
                           "only divisor's values 1m and 1 are supported with the cpu resource");
    } else if (resource == "limits.memory" || resource == "requests.memory") {
        if (!contains(kByteDivisors, value))
            errors.invalid(path.child("divisor"), resource,
                           "only divisor's values " + byteList + " are supported with the memory resource");
    } else if (resource == "limits.ephemeral-storage" || resource == "requests.ephemeral-storage") {
        if (!contains(kByteDivisors, value))
            errors.invalid(path.child("divisor"), resource,
                           "only divisor's values " + byteList +
                               " are supported with the local ephemeral storage resource");
    } else if (resource.rfind("requests.hugepages-", 0) == 0 || resource.rfind("limits.hugepages-", 0) == 0) {
        if (!contains(kByteDivisors, value))
            errors.invalid(path.child("divisor"), resource,
                           "only divisor's values " + byteList + " are supported with the hugepages resource");
    }
}

void validateKeySelector(const Json &selector, const FieldPath &path, FieldErrors &errors)
{
    const std::string name = str(selector, {"name"});
    errors.invalidEach(path.child("name"), name, subdomainName(name));
    const std::string key = str(selector, {"key"});
    if (key.empty())
        errors.required(path.child("key"));
    else
        errors.invalidEach(path.child("key"), key, names::configMapKey(key));
}

void validateValueFrom(const Json &var, const FieldPath &path, FieldErrors &errors)
{
    if (!present(var, "valueFrom"))
        return;
    const Json &valueFrom = var["valueFrom"];
    int sources = 0;
    if (present(valueFrom, "fieldRef")) {
        ++sources;
        validateObjectFieldSelector(valueFrom["fieldRef"], false, path.child("fieldRef"), errors);
    }
    if (present(valueFrom, "resourceFieldRef")) {
        ++sources;
        validateResourceFieldSelector(valueFrom["resourceFieldRef"], false, path.child("resourceFieldRef"), errors);
    }
    if (present(valueFrom, "configMapKeyRef")) {
        ++sources;
        validateKeySelector(valueFrom["configMapKeyRef"], path.child("configMapKeyRef"), errors);
    }
    if (present(valueFrom, "secretKeyRef")) {
        ++sources;
        validateKeySelector(valueFrom["secretKeyRef"], path.child("secretKeyRef"), errors);
    }
    if (sources == 0)
        errors.invalid(path, "",
                       "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
    else if (!str(var, {"value"}).empty())
        errors.invalid(path, "", "may not be specified when `value` is not empty");
    else if (sources > 1)
        errors.invalid(path, "", "may not have more than one field specified at a time");
}

} // namespace

void validateObjectFieldSelector(const Json &selector, bool forVolume, const FieldPath &path, FieldErrors &errors)
{
    const std::string apiVersion = str(selector, {"apiVersion"});
    if (apiVersion.empty()) {
        errors.required(path.child("apiVersion"));
        return;
    }
    std::string fieldPath = str(selector, {"fieldPath"});
    if (fieldPath.empty()) {
        errors.required(path.child("fieldPath"));
        return;
    }
    std::string basePath;
    std::string subscript;
    const bool subscripted = splitSubscript(fieldPath, basePath, subscript);
    std::string conversionError;
    if (apiVersion != "v1")
        conversionError = "unsupported pod version: " + apiVersion;
    else if (subscripted && basePath != "metadata.annotations" && basePath != "metadata.labels")
        conversionError = "field label does not support subscript: " + fieldPath;
    else if (!subscripted && fieldPath != "spec.host" && !contains(kConvertibleFieldPaths, fieldPath))
        conversionError = "field label not supported: " + fieldPath;
    if (!conversionError.empty()) {
        errors.invalid(path.child("fieldPath"), fieldPath, "error converting fieldPath: " + conversionError);
        return;
    }
    if (subscripted) {
        if (basePath == "metadata.annotations") {
            std::transform(subscript.begin(), subscript.end(), subscript.begin(),
                           [](unsigned char c) { return char(std::tolower(c)); });
        }
        validateQualifiedName(subscript, path, errors);
        return;
    }
    if (fieldPath == "spec.host")
        fieldPath = "spec.nodeName";
    const auto &supported = forVolume ? kVolumeFieldPaths : kEnvFieldPaths;
    if (!contains(supported, fieldPath))
        errors.notSupported(path.child("fieldPath"), fieldPath, supported);
}

void validateResourceFieldSelector(const Json &selector, bool forVolume, const FieldPath &path, FieldErrors &errors)
{
    const std::string resource = str(selector, {"resource"});
    if (forVolume && str(selector, {"containerName"}).empty()) {
        errors.required(path.child("containerName"));
    } else if (resource.empty()) {
        errors.required(path.child("resource"));
    } else if (!contains(kResourceFieldPaths, resource) && resource.rfind("requests.hugepages-", 0) != 0 &&
               resource.rfind("limits.hugepages-", 0) != 0) {
        errors.notSupported(path.child("resource"), resource, kResourceFieldPaths);
    }
    validateDivisor(resource, selector, path, errors);
}

void validateEnv(const Json &env, const FieldPath &path, FieldErrors &errors)
{
    if (!env.is_array())
        return;
    for (size_t i = 0; i < env.size(); ++i) {
        const FieldPath at = path.index(i);
        const std::string name = str(env[i], {"name"});
        if (name.empty())
            errors.required(at.child("name"));
        else // RelaxedEnvironmentVariableValidation is on by default in v1.32
            errors.invalidEach(at.child("name"), name, names::envVarName(name));
        validateValueFrom(env[i], at.child("valueFrom"), errors);
    }
}

void validateEnvFrom(const Json &envFrom, const FieldPath &path, FieldErrors &errors)
{
    if (!envFrom.is_array())
        return;
    for (size_t i = 0; i < envFrom.size(); ++i) {
        const Json &source = envFrom[i];
        const FieldPath at = path.index(i);
        const std::string prefix = str(source, {"prefix"});
        if (!prefix.empty())
            errors.invalidEach(at.child("prefix"), prefix, names::envVarName(prefix));
        int sources = 0;
        for (const char *kind : {"configMapRef", "secretRef"}) {
            if (!present(source, kind))
                continue;
            ++sources;
            const std::string name = str(source[kind], {"name"});
            if (name.empty())
                errors.required(at.child(kind).child("name"));
            else
                errors.invalidEach(at.child(kind).child("name"), name, subdomainName(name, true));
        }
        // Kubernetes reports these two at the list's path, not the item's.
        if (sources == 0)
            errors.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`");
        else if (sources > 1)
            errors.invalid(path, "", "may not have more than one field specified at a time");
    }
}

} // namespace cd::api::podspec
