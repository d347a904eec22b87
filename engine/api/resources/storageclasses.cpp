// storage.k8s.io/v1 StorageClass, with Kubernetes v1.32's defaults (reclaimPolicy Delete,
// volumeBindingMode Immediate) and rules (pkg/apis/storage/validation): a provisioner that
// never changes, parameters and reclaim policy fixed after creation.

#include "engine/api/resources/corekinds.h"
#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"
#include "engine/core/names.h"

#include <algorithm>
#include <set>

namespace cd::api {
namespace {

using namespace corekinds;

constexpr size_t kMaxParameterCount = 512;
constexpr size_t kMaxParameterSize = 256 * 1024;

void defaultStorageClass(Json &storageClass)
{
    if (!find(storageClass, {"reclaimPolicy"}) || storageClass["reclaimPolicy"].is_null())
        storageClass["reclaimPolicy"] = "Delete";
    if (!find(storageClass, {"volumeBindingMode"}) || storageClass["volumeBindingMode"].is_null())
        storageClass["volumeBindingMode"] = "Immediate";
}

void validateStorageClass(const Json &storageClass, FieldErrors &errors)
{
    const std::string provisioner = str(storageClass, {"provisioner"});
    if (provisioner.empty()) {
        errors.required(FieldPath("provisioner"));
    } else {
        std::string lower = provisioner;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return char(std::tolower(c)); });
        errors.invalidEach(FieldPath("provisioner"), lower, names::qualifiedName(lower));
    }
    const Json &parameters = objectAt(storageClass, {"parameters"});
    if (parameters.size() > kMaxParameterCount) {
        errors.tooLong(FieldPath("parameters"), kMaxParameterCount);
    } else {
        size_t total = 0;
        for (auto it = parameters.begin(); it != parameters.end(); ++it) {
            if (it.key().empty())
                errors.invalid(FieldPath("parameters"), it.key(), "field can not be empty.");
            total += it.key().size() + (it.value().is_string() ? it.value().get_ref<const std::string &>().size() : 0);
        }
        if (total > kMaxParameterSize)
            errors.tooLong(FieldPath("parameters"), kMaxParameterSize);
    }
    if (const std::string policy = str(storageClass, {"reclaimPolicy"});
        !policy.empty() && policy != "Delete" && policy != "Retain")
        errors.notSupported(FieldPath("reclaimPolicy"), policy, {"Delete", "Retain"});
    const Json *mode = find(storageClass, {"volumeBindingMode"});
    if (!mode || mode->is_null())
        errors.required(FieldPath("volumeBindingMode"));
    else if (*mode != "Immediate" && *mode != "WaitForFirstConsumer")
        errors.notSupported(FieldPath("volumeBindingMode"), *mode, {"Immediate", "WaitForFirstConsumer"});
    const Json &topologies = arrayAt(storageClass, {"allowedTopologies"});
    for (size_t i = 0; i < topologies.size(); ++i) {
        const FieldPath termPath = FieldPath("allowedTopologies").index(i);
        const Json &expressions = arrayAt(topologies[i], {"matchLabelExpressions"});
        if (expressions.empty())
            errors.required(termPath.child("matchLabelExpressions"), "must have at least one label selector");
        std::set<std::string> keys;
        for (size_t j = 0; j < expressions.size(); ++j) {
            const FieldPath exprPath = termPath.child("matchLabelExpressions").index(j);
            const std::string key = str(expressions[j], {"key"});
            validateLabelName(key, exprPath.child("key"), errors);
            const Json &values = arrayAt(expressions[j], {"values"});
            if (values.empty())
                errors.required(exprPath.child("values"), "must specify as least one value");
            std::set<std::string> seenValues;
            for (size_t v = 0; v < values.size(); ++v) {
                const std::string value = values[v].is_string() ? values[v].get<std::string>() : values[v].dump();
                errors.invalidEach(exprPath.child("values").index(v), value, names::labelValue(value));
                if (!seenValues.insert(value).second)
                    errors.duplicate(exprPath.child("values").index(v), value);
            }
            if (!keys.insert(key).second)
                errors.duplicate(exprPath.child("key"), key);
        }
    }
}

void validateStorageClassUpdate(const Json &storageClass, const Json &old, FieldErrors &errors)
{
    if (objectAt(storageClass, {"parameters"}) != objectAt(old, {"parameters"}))
        errors.forbidden(FieldPath("parameters"), "updates to parameters are forbidden.");
    if (str(storageClass, {"provisioner"}) != str(old, {"provisioner"}))
        errors.forbidden(FieldPath("provisioner"), "updates to provisioner are forbidden.");
    if (str(storageClass, {"reclaimPolicy"}) != str(old, {"reclaimPolicy"}))
        errors.forbidden(FieldPath("reclaimPolicy"), "updates to reclaimPolicy are forbidden.");
    if (at(storageClass, {"volumeBindingMode"}) != at(old, {"volumeBindingMode"}))
        errors.invalid(FieldPath("volumeBindingMode"), at(storageClass, {"volumeBindingMode"}), "field is immutable");
}

} // namespace

void registerStorageClasses(Registry &registry)
{
    {
        ResourceType t;
        t.group = "storage.k8s.io";
        t.kind = "StorageClass";
        t.plural = "storageclasses";
        t.singular = "storageclass";
        t.shortNames = {"sc"};
        t.namespaced = false;
        t.generation = false;
        t.defaults = defaultStorageClass;
        t.validate = validateStorageClass;
        t.validateUpdate = validateStorageClassUpdate;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
