// batch/v1 Job: the defaults of pkg/apis/batch/v1/defaults.go, the rules of
// pkg/apis/batch/validation and the selector generation of pkg/registry/batch/job/strategy.go.

#include "engine/api/resources/gosyntax.h"
#include "engine/api/resources/podspec.h"
#include "engine/api/resources/resources.h"
#include "engine/api/resources/workloads_jobpolicies.h"
#include "engine/api/resources/workloads_rules.h"

#include <climits>

namespace cd::api {
namespace {

using workloads::validateNonnegative;

// The labels the Job strategy puts on its pods: the legacy names and the prefixed ones.
constexpr const char *kJobNameLabels[] = {"job-name", "batch.kubernetes.io/job-name"};
constexpr const char *kControllerUidLabels[] = {"controller-uid", "batch.kubernetes.io/controller-uid"};
constexpr const char *kControllerUidLabel = "batch.kubernetes.io/controller-uid";

// Pod counts beyond which Indexed Jobs need extra limits (batch validation's constants).
constexpr long long kMaxParallelismForIndexedJob = 100000;
constexpr long long kMaxFailedIndexesForIndexedJob = 100000;
constexpr long long kCompletionsSoftLimit = 100000;
constexpr long long kParallelismLimitForHighCompletions = 10000;
constexpr long long kMaxFailedIndexesLimitForHighCompletions = 10000;

bool isSet(const Json &object, const char *field) { return object.contains(field) && !object[field].is_null(); }

const Json &objectOrEmpty(const Json *value)
{
    static const Json empty = Json::object();
    return value && value->is_object() ? *value : empty;
}

bool isIndexed(const Json &spec) { return str(spec, {"completionMode"}) == "Indexed"; }

// ---- defaults and creation --------------------------------------------------------------------

void defaultJob(Json &object)
{
    Json &spec = ensureObject(object, {"spec"});
    // A non-parallel Job may leave both unset; then both are 1. Completions stays unset when
    // only parallelism is given (a work queue).
    if (!isSet(spec, "completions") && !isSet(spec, "parallelism")) {
        spec["completions"] = 1;
        spec["parallelism"] = 1;
    }
    if (!isSet(spec, "parallelism"))
        spec["parallelism"] = 1;
    if (!isSet(spec, "backoffLimit"))
        spec["backoffLimit"] = isSet(spec, "backoffLimitPerIndex") ? INT_MAX : 6;
    // The Job takes its pods' labels when it has none of its own (including the generated ones,
    // which Kubernetes copies when it reads the stored Job back).
    const Json *templateLabels = find(spec, {"template", "metadata", "labels"});
    const Json *labels = find(object, {"metadata", "labels"});
    if (templateLabels && templateLabels->is_object() && !templateLabels->empty() &&
        (!labels || !labels->is_object() || labels->empty()))
        ensureObject(object, {"metadata"})["labels"] = *templateLabels;
    if (!isSet(spec, "completionMode"))
        spec["completionMode"] = "NonIndexed";
    if (!isSet(spec, "suspend"))
        spec["suspend"] = false;
    if (Json *rules = find(spec, {"podFailurePolicy", "rules"}); rules && rules->is_array())
        for (Json &rule : *rules)
            if (Json *patterns = find(rule, {"onPodConditions"}); patterns && patterns->is_array())
                for (Json &pattern : *patterns)
                    if (pattern.is_object() && str(pattern, {"status"}).empty())
                        pattern["status"] = "True";
    // JobPodReplacementPolicy is on by default since 1.29.
    if (!isSet(spec, "podReplacementPolicy"))
        spec["podReplacementPolicy"] = isSet(spec, "podFailurePolicy") ? "Failed" : "TerminatingOrFailed";
    if (!isSet(spec, "manualSelector"))
        spec["manualSelector"] = false;
    defaultPodTemplate(ensureObject(spec, {"template"}));
}

// Unless the user manages the selector, the Job selects its own pods by its uid, and labels
// them with its uid and name (both as legacy and prefixed labels). Labels already present are
// kept; validation rejects them when they disagree.
void generateSelector(Json &object)
{
    const std::string name = str(object, {"metadata", "name"});
    const std::string uid = str(object, {"metadata", "uid"});
    Json &labels = ensureObject(object, {"spec", "template", "metadata", "labels"});
    for (const char *key : kJobNameLabels)
        if (!labels.contains(key))
            labels[key] = name;
    for (const char *key : kControllerUidLabels)
        if (!labels.contains(key))
            labels[key] = uid;
    Json &matchLabels = ensureObject(object, {"spec", "selector", "matchLabels"});
    if (!matchLabels.contains(kControllerUidLabel))
        matchLabels[kControllerUidLabel] = uid;
}

void prepareJobForCreate(Json &object)
{
    if (!boolean(object, {"spec", "manualSelector"}))
        generateSelector(object);
    object["status"] = Json::object();
}

// ---- validation -------------------------------------------------------------------------------

void validateHasLabel(const Json &templateLabels, const std::string &key, const std::string &expected,
                      FieldErrors &errors)
{
    const FieldPath path = FieldPath("spec.template.metadata").child("labels").key(key);
    const Json *value = find(templateLabels, {key});
    if (!value)
        errors.required(path, "must be '" + expected + "'");
    else if (!value->is_string() || value->get<std::string>() != expected)
        errors.invalidPrinted(path, gosyntax::stringMap(&templateLabels), "must be '" + expected + "'");
}

// A generated selector must still be the one generated: the pods carry the Job's uid and name,
// and the selector picks exactly those.
void validateGeneratedSelector(const Json &object, FieldErrors &errors)
{
    if (boolean(object, {"spec", "manualSelector"}))
        return;
    const Json *selector = find(object, {"spec", "selector"});
    if (!selector || selector->is_null())
        return;  // reported as a required selector
    const std::string name = str(object, {"metadata", "name"});
    const std::string uid = str(object, {"metadata", "uid"});
    if (uid.empty())
        errors.required(FieldPath("metadata.uid"));
    const Json &labels = objectOrEmpty(find(object, {"spec", "template", "metadata", "labels"}));
    validateHasLabel(labels, "controller-uid", uid, errors);
    validateHasLabel(labels, "job-name", name, errors);
    validateHasLabel(labels, "batch.kubernetes.io/controller-uid", uid, errors);
    validateHasLabel(labels, "batch.kubernetes.io/job-name", name, errors);
    const Json expected = {{"controller-uid", uid},
                           {"job-name", name},
                           {"batch.kubernetes.io/controller-uid", uid},
                           {"batch.kubernetes.io/job-name", name}};
    FieldErrors ignored;
    if (workloads::validateLabelSelector(*selector, FieldPath("spec.selector"), ignored) &&
        !workloads::selectorMatches(selector, &expected))
        errors.invalidPrinted(FieldPath("spec.selector"), gosyntax::labelSelector(*selector),
                              "`selector` not auto-generated");
}

void validateIndexedLimits(const Json &spec, const FieldPath &path, FieldErrors &errors)
{
    const Json *completions = find(spec, {"completions"});
    const bool hasCompletions = completions && completions->is_number();
    const long long parallelism = integer(spec, {"parallelism"}, 0);
    const Json *maxFailed = find(spec, {"maxFailedIndexes"});
    const bool hasMaxFailed = maxFailed && maxFailed->is_number();
    if (!hasCompletions)
        errors.required(path.child("completions"), "when completion mode is Indexed");
    if (parallelism > kMaxParallelismForIndexedJob)
        errors.invalid(path.child("parallelism"), parallelism,
                       "must be less than or equal to " + std::to_string(kMaxParallelismForIndexedJob) +
                           " when completion mode is Indexed");
    if (hasCompletions && hasMaxFailed && maxFailed->get<long long>() > completions->get<long long>())
        errors.invalid(path.child("maxFailedIndexes"), *maxFailed, "must be less than or equal to completions");
    if (hasMaxFailed && maxFailed->get<long long>() > kMaxFailedIndexesForIndexedJob)
        errors.invalid(path.child("maxFailedIndexes"), *maxFailed,
                       "must be less than or equal to " + std::to_string(kMaxFailedIndexesForIndexedJob));
    if (hasCompletions && completions->get<long long>() > kCompletionsSoftLimit && isSet(spec, "backoffLimitPerIndex")) {
        const std::string above = " when completions are above " + std::to_string(kCompletionsSoftLimit) +
                                  " and used with backoff limit per index";
        if (!hasMaxFailed)
            errors.required(path.child("maxFailedIndexes"),
                            "must be specified when completions is above " + std::to_string(kCompletionsSoftLimit));
        if (parallelism > kParallelismLimitForHighCompletions)
            errors.invalid(path.child("parallelism"), parallelism,
                           "must be less than or equal to " + std::to_string(kParallelismLimitForHighCompletions) + above);
        if (hasMaxFailed && maxFailed->get<long long>() > kMaxFailedIndexesLimitForHighCompletions)
            errors.invalid(path.child("maxFailedIndexes"), *maxFailed,
                           "must be less than or equal to " +
                               std::to_string(kMaxFailedIndexesLimitForHighCompletions) + above);
    }
}

void validateRestartPolicy(const Json &spec, const FieldPath &path, FieldErrors &errors)
{
    const FieldPath policyPath = path.child("template").child("spec").child("restartPolicy");
    const std::string policy = str(spec, {"template", "spec", "restartPolicy"});
    // The pod defaults turn an unset policy into Always, so both mean "not chosen".
    if (policy == "Always" || policy.empty())
        errors.required(policyPath, "valid values: \"OnFailure\", \"Never\"");
    else if (policy != "OnFailure" && policy != "Never")
        errors.notSupported(policyPath, policy, {"OnFailure", "Never"});
    else if (isSet(spec, "podFailurePolicy") && policy != "Never")
        errors.invalid(policyPath, policy, "only \"Never\" is supported when podFailurePolicy is specified");
}

// validateJobSpec of batch validation: counts, completion mode, policies and the pod template.
void validateJobFields(const Json &spec, const FieldPath &path, FieldErrors &errors)
{
    for (const char *field : {"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                              "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"})
        validateNonnegative(spec, field, path.child(field), errors);
    if (isSet(spec, "maxFailedIndexes") && !isSet(spec, "backoffLimitPerIndex"))
        errors.required(path.child("backoffLimitPerIndex"), "when maxFailedIndexes is specified");
    if (isSet(spec, "completionMode")) {
        const std::string mode = str(spec, {"completionMode"});
        if (mode != "NonIndexed" && mode != "Indexed")
            errors.notSupported(path.child("completionMode"), spec["completionMode"], {"NonIndexed", "Indexed"});
        if (mode == "Indexed")
            validateIndexedLimits(spec, path, errors);
    }
    if (!isIndexed(spec)) {
        for (const char *field : {"backoffLimitPerIndex", "maxFailedIndexes"})
            if (isSet(spec, field))
                errors.invalid(path.child(field), spec[field], "requires indexed completion mode");
    }
    if (isSet(spec, "podFailurePolicy"))
        workloads::validatePodFailurePolicy(spec, path.child("podFailurePolicy"), errors);
    if (isSet(spec, "successPolicy")) {
        if (!isIndexed(spec))
            errors.invalidPrinted(path.child("successPolicy"), workloads::printSuccessPolicy(spec["successPolicy"]),
                                  "requires indexed completion mode");
        else
            workloads::validateSuccessPolicy(spec, path.child("successPolicy"), errors);
    }
    workloads::validatePodReplacementPolicy(spec, path.child("podReplacementPolicy"), errors);
    const Json *found = find(spec, {"template"});
    validatePodTemplate(found && found->is_object() ? *found : Json::object(), path.child("template"), errors);
    validateRestartPolicy(spec, path, errors);
}

void validateJob(const Json &object, FieldErrors &errors)
{
    const FieldPath specPath("spec");
    const Json &spec = objectOrEmpty(find(object, {"spec"}));
    validateGeneratedSelector(object, errors);
    validateJobFields(spec, specPath, errors);
    const Json *selector = find(spec, {"selector"});
    bool convertible = true;
    if (!selector || selector->is_null())
        errors.required(specPath.child("selector"));
    else
        convertible = workloads::validateLabelSelector(*selector, specPath.child("selector"), errors);
    // Whether generated or not, the selector must pick the pods the Job makes (a missing one
    // picks none).
    const Json *labels = find(spec, {"template", "metadata", "labels"});
    if (convertible && !workloads::selectorMatches(selector, labels))
        errors.invalidPrinted(specPath.child("template").child("metadata").child("labels"), gosyntax::stringMap(labels),
                              "`selector` does not match template `labels`");
    // Indexed pods are named <job>-<index>, which must stay a DNS label.
    if (isIndexed(spec) && integer(spec, {"completions"}, 0) > 0) {
        const std::string name = str(object, {"metadata", "name"});
        const std::string hostname = name + "-" + std::to_string(integer(spec, {"completions"}, 0) - 1);
        if (!names::dns1123Label(hostname).empty())
            errors.invalid(FieldPath("metadata.name"), name,
                           "will not able to create pod with invalid DNS label: " + hostname);
    }
}

// ---- updates ----------------------------------------------------------------------------------

// Reports a changed field the way ValidateImmutableField prints a pointer to a scalar.
void validateScalarUnchanged(const Json &spec, const Json &oldSpec, const char *field, const FieldPath &path,
                             FieldErrors &errors)
{
    const Json *value = find(spec, {field});
    if (workloads::semanticEqual(value, find(oldSpec, {field})))
        return;
    errors.invalid(path, value && !value->is_null() ? *value : Json("null"), "field is immutable");
}

// Completions may change only for Indexed Jobs (elastic Indexed Jobs), together with parallelism.
void validateCompletionsUpdate(const Json &spec, const Json &oldSpec, FieldErrors &errors)
{
    const FieldPath path("spec.completions");
    if (!isIndexed(spec)) {
        validateScalarUnchanged(spec, oldSpec, "completions", path, errors);
        return;
    }
    const Json *completions = find(spec, {"completions"});
    if (workloads::semanticEqual(completions, find(oldSpec, {"completions"})) || !completions || completions->is_null())
        return;
    if (completions->get<long long>() != integer(spec, {"parallelism"}, 0))
        errors.invalid(path, *completions, "can only be modified in tandem with spec.parallelism");
}

// The pod template is immutable, except that a suspended Job that never started may change
// where its pods go (node affinity, node selector, tolerations, scheduling gates, labels and
// annotations).
void validateTemplateUpdate(const Json &object, const Json &old, FieldErrors &errors)
{
    const Json &podTemplate = objectOrEmpty(find(object, {"spec", "template"}));
    Json oldTemplate = objectOrEmpty(find(old, {"spec", "template"}));
    const bool mutableScheduling = boolean(old, {"spec", "suspend"}) && !find(old, {"status", "startTime"});
    if (mutableScheduling) {
        const auto mirror = [&](std::initializer_list<std::string_view> parent, const char *field) {
            const Json *value = find(podTemplate, parent);
            const Json *newValue = value ? find(*value, {field}) : nullptr;
            Json &target = ensureObject(oldTemplate, parent);
            if (newValue)
                target[field] = *newValue;
            else
                target.erase(field);
        };
        mirror({"spec"}, "nodeSelector");
        mirror({"spec"}, "tolerations");
        mirror({"spec"}, "schedulingGates");
        mirror({"metadata"}, "annotations");
        mirror({"metadata"}, "labels");
        const Json *affinity = find(podTemplate, {"spec", "affinity"});
        const Json *oldAffinity = find(oldTemplate, {"spec", "affinity"});
        const bool has = affinity && !affinity->is_null();
        const bool had = oldAffinity && !oldAffinity->is_null();
        if (!has && had) {
            Json &a = oldTemplate["spec"]["affinity"];
            if (a.is_object())
                a.erase("nodeAffinity");
            if (workloads::semanticEqual(&a, nullptr))  // node affinity was all there was
                oldTemplate["spec"].erase("affinity");
        } else if (has) {
            Json &a = oldTemplate["spec"]["affinity"];
            if (!a.is_object())
                a = Json::object();
            if (const Json *nodeAffinity = find(*affinity, {"nodeAffinity"}))
                a["nodeAffinity"] = *nodeAffinity;
            else
                a.erase("nodeAffinity");
        }
    }
    if (!workloads::semanticEqual(&podTemplate, &oldTemplate))
        errors.invalidPrinted(FieldPath("spec.template"), gosyntax::podTemplate(podTemplate), "field is immutable");
}

// Immutable fields whose values are structs; Go prints them by %#v.
void validateStructUnchanged(const Json &spec, const Json &oldSpec, const char *field, const std::string &printed,
                             FieldErrors &errors)
{
    const Json *value = find(spec, {field});
    if (workloads::semanticEqual(value, find(oldSpec, {field})))
        return;
    const FieldPath path = FieldPath("spec").child(field);
    if (!value || value->is_null())
        errors.invalid(path, "null", "field is immutable");
    else
        errors.invalidPrinted(path, printed, "field is immutable");
}

void validateJobUpdate(const Json &object, const Json &old, FieldErrors &errors)
{
    const Json &spec = objectOrEmpty(find(object, {"spec"}));
    const Json &oldSpec = objectOrEmpty(find(old, {"spec"}));
    validateCompletionsUpdate(spec, oldSpec, errors);
    workloads::validateSelectorUnchanged(object, old, errors);
    validateTemplateUpdate(object, old, errors);
    validateScalarUnchanged(spec, oldSpec, "completionMode", FieldPath("spec.completionMode"), errors);
    validateStructUnchanged(spec, oldSpec, "podFailurePolicy",
                            workloads::printPodFailurePolicy(objectOrEmpty(find(spec, {"podFailurePolicy"}))), errors);
    validateScalarUnchanged(spec, oldSpec, "backoffLimitPerIndex", FieldPath("spec.backoffLimitPerIndex"), errors);
    validateScalarUnchanged(spec, oldSpec, "managedBy", FieldPath("spec.managedBy"), errors);
    validateStructUnchanged(spec, oldSpec, "successPolicy",
                            workloads::printSuccessPolicy(objectOrEmpty(find(spec, {"successPolicy"}))), errors);
}

} // namespace

void registerJobs(Registry &registry)
{
    ResourceType t;
    t.group = "batch";
    t.kind = "Job";
    t.plural = "jobs";
    t.singular = "job";
    t.categories = {"all"};
    t.statusSubresource = true;
    t.generation = true;
    t.prepareForCreate = prepareJobForCreate;
    t.defaults = defaultJob;
    t.validate = validateJob;
    t.validateUpdate = validateJobUpdate;
    t.selectableFields["status.successful"] = [](const Json &o) {
        return std::to_string(integer(o, {"status", "succeeded"}, 0));
    };
    registry.add(std::move(t));
}

} // namespace cd::api
