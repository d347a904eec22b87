// apps/v1 Deployment and ReplicaSet: the defaults of pkg/apis/apps/v1/defaults.go, the rules of
// pkg/apis/apps/validation and the create/update steps of pkg/registry/apps/{deployment,replicaset}.

#include "engine/api/resources/gosyntax.h"
#include "engine/api/resources/podspec.h"
#include "engine/api/resources/resources.h"
#include "engine/api/resources/workloads_rules.h"

#include <regex>

namespace cd::api {
namespace {

using workloads::validateNonnegative;

bool isSet(const Json &object, const char *field) { return object.contains(field) && !object[field].is_null(); }

// ---- Deployment -------------------------------------------------------------------------------

void defaultDeployment(Json &object)
{
    Json &spec = ensureObject(object, {"spec"});
    if (!isSet(spec, "replicas"))
        spec["replicas"] = 1;
    Json &strategy = ensureObject(spec, {"strategy"});
    if (str(strategy, {"type"}).empty())
        strategy["type"] = "RollingUpdate";
    // Only a rolling update has parameters; a Recreate strategy keeps none.
    if (str(strategy, {"type"}) == "RollingUpdate") {
        Json &rollingUpdate = ensureObject(strategy, {"rollingUpdate"});
        if (!isSet(rollingUpdate, "maxUnavailable"))
            rollingUpdate["maxUnavailable"] = "25%";
        if (!isSet(rollingUpdate, "maxSurge"))
            rollingUpdate["maxSurge"] = "25%";
    }
    if (!isSet(spec, "revisionHistoryLimit"))
        spec["revisionHistoryLimit"] = 10;
    if (!isSet(spec, "progressDeadlineSeconds"))
        spec["progressDeadlineSeconds"] = 600;
    defaultPodTemplate(ensureObject(spec, {"template"}));
}

bool isPercent(const std::string &text)
{
    static const std::regex percent("^[0-9]+%$");
    return std::regex_match(text, percent);
}

// intstr's IntValue after apps validation's percent parsing (getIntOrPercentValue): a percent
// counts as its number, an int as itself, any other string as what Atoi makes of it (0 on error).
long long intOrPercentValue(const Json *value)
{
    if (!value || value->is_null())
        return 0;
    if (value->is_number())
        return value->get<long long>();
    if (!value->is_string())
        return 0;
    std::string text = value->get<std::string>();
    if (isPercent(text))
        text.pop_back();
    try {
        size_t used = 0;
        const long long number = std::stoll(text, &used);
        return used == text.size() ? number : 0;
    } catch (...) {
        return 0;
    }
}

void validatePositiveIntOrPercent(const Json *value, const FieldPath &path, FieldErrors &errors)
{
    if (!value || value->is_null())
        return;
    if (value->is_string()) {
        if (!isPercent(value->get<std::string>()))
            errors.invalidPrinted(path, gosyntax::intOrString(*value),
                                  "a valid percent string must be a numeric string followed by an ending '%' (e.g. "
                                  "'1%',  or '93%', regex used for validation is '[0-9]+%')");
    } else if (value->is_number() && value->get<long long>() < 0) {
        errors.invalid(path, *value, "must be greater than or equal to 0");
    }
}

void validateRollingUpdate(const Json &rollingUpdate, const FieldPath &path, FieldErrors &errors)
{
    const Json *maxUnavailable = find(rollingUpdate, {"maxUnavailable"});
    const Json *maxSurge = find(rollingUpdate, {"maxSurge"});
    validatePositiveIntOrPercent(maxUnavailable, path.child("maxUnavailable"), errors);
    validatePositiveIntOrPercent(maxSurge, path.child("maxSurge"), errors);
    const Json unavailable = maxUnavailable ? *maxUnavailable : Json(0);
    if (intOrPercentValue(maxUnavailable) == 0 && intOrPercentValue(maxSurge) == 0)
        errors.invalidPrinted(path.child("maxUnavailable"), gosyntax::intOrString(unavailable),
                              "may not be 0 when `maxSurge` is 0");
    if (unavailable.is_string() && isPercent(unavailable.get<std::string>()) && intOrPercentValue(&unavailable) > 100)
        errors.invalidPrinted(path.child("maxUnavailable"), gosyntax::intOrString(unavailable),
                              "must not be greater than 100%");
}

void validateStrategy(const Json &spec, FieldErrors &errors)
{
    const FieldPath path("spec.strategy");
    const Json *found = find(spec, {"strategy"});
    const Json strategy = found && found->is_object() ? *found : Json::object();
    const std::string type = str(strategy, {"type"});
    const Json *rollingUpdate = find(strategy, {"rollingUpdate"});
    const bool hasRollingUpdate = rollingUpdate && !rollingUpdate->is_null();
    if (type == "Recreate") {
        if (hasRollingUpdate)
            errors.forbidden(path.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'");
    } else if (type == "RollingUpdate") {
        if (!hasRollingUpdate)
            errors.required(path.child("rollingUpdate"), "this should be defaulted and never be nil");
        else
            validateRollingUpdate(*rollingUpdate, path.child("rollingUpdate"), errors);
    } else {
        // Go prints the whole strategy struct; a set rollingUpdate is a pointer it prints by address.
        const std::string printed = "apps.DeploymentStrategy{Type:" + gosyntax::quote(type) +
                                    ", RollingUpdate:(*apps.RollingUpdateDeployment)(" +
                                    (hasRollingUpdate ? "0xc000000000" : "nil") + ")}";
        errors.notSupportedPrinted(path, printed, {"Recreate", "RollingUpdate"});
    }
}

void validateDeployment(const Json &object, FieldErrors &errors)
{
    const FieldPath specPath("spec");
    const Json *found = find(object, {"spec"});
    const Json spec = found && found->is_object() ? *found : Json::object();
    validateNonnegative(spec, "replicas", specPath.child("replicas"), errors);
    workloads::validateReplicatedPods(spec, specPath, errors);
    validateStrategy(spec, errors);
    validateNonnegative(spec, "minReadySeconds", specPath.child("minReadySeconds"), errors);
    validateNonnegative(spec, "revisionHistoryLimit", specPath.child("revisionHistoryLimit"), errors);
    if (const Json *deadline = find(spec, {"progressDeadlineSeconds"}); deadline && deadline->is_number()) {
        validateNonnegative(spec, "progressDeadlineSeconds", specPath.child("progressDeadlineSeconds"), errors);
        if (deadline->get<long long>() <= integer(spec, {"minReadySeconds"}, 0))
            errors.invalid(specPath.child("progressDeadlineSeconds"), *deadline, "must be greater than minReadySeconds");
    }
}

// ---- ReplicaSet -------------------------------------------------------------------------------

void defaultReplicaSet(Json &object)
{
    Json &spec = ensureObject(object, {"spec"});
    if (!isSet(spec, "replicas"))
        spec["replicas"] = 1;
    defaultPodTemplate(ensureObject(spec, {"template"}));
}

void validateReplicaSet(const Json &object, FieldErrors &errors)
{
    const FieldPath specPath("spec");
    const Json *found = find(object, {"spec"});
    const Json spec = found && found->is_object() ? *found : Json::object();
    validateNonnegative(spec, "replicas", specPath.child("replicas"), errors);
    validateNonnegative(spec, "minReadySeconds", specPath.child("minReadySeconds"), errors);
    workloads::validateReplicatedPods(spec, specPath, errors);
}

// ---- shared by both ---------------------------------------------------------------------------

// A new object starts with an empty status, which the controller fills in.
void clearStatus(Json &object) { object["status"] = Json::object(); }

ResourceType appsType(const char *kind, const char *plural, const char *singular, const char *shortName)
{
    ResourceType t;
    t.group = "apps";
    t.kind = kind;
    t.plural = plural;
    t.singular = singular;
    t.shortNames = {shortName};
    t.categories = {"all"};
    t.statusSubresource = true;
    t.scaleSubresource = true;
    t.generation = true;
    t.prepareForCreate = clearStatus;
    t.validateUpdate = workloads::validateSelectorUnchanged;
    return t;
}

} // namespace

void registerWorkloads(Registry &registry)
{
    {
        ResourceType t = appsType("Deployment", "deployments", "deployment", "deploy");
        t.defaults = defaultDeployment;
        t.validate = validateDeployment;
        // Annotations count as a change too: the controller copies them onto the ReplicaSets.
        t.annotationsCountAsSpec = true;
        t.statusWritesAnnotations = true;
        registry.add(std::move(t));
    }
    {
        ResourceType t = appsType("ReplicaSet", "replicasets", "replicaset", "rs");
        t.defaults = defaultReplicaSet;
        t.validate = validateReplicaSet;
        t.selectableFields["status.replicas"] = [](const Json &o) {
            return std::to_string(integer(o, {"status", "replicas"}, 0));
        };
        registry.add(std::move(t));
    }
}

} // namespace cd::api
