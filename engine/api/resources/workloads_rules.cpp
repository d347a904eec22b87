#include "engine/api/resources/workloads_rules.h"

#include "engine/api/objectmeta.h"
#include "engine/api/resources/gosyntax.h"
#include "engine/api/resources/podspec.h"
#include "engine/core/labels.h"
#include "engine/core/names.h"

namespace cd::api::workloads {
namespace {

// Drops what Semantic.DeepEqual does not tell apart from unset: null, [] and {}.
Json normalized(const Json &value)
{
    if (value.is_object()) {
        Json out = Json::object();
        for (auto it = value.begin(); it != value.end(); ++it) {
            Json member = normalized(it.value());
            if (!member.is_null())
                out[it.key()] = std::move(member);
        }
        return out.empty() ? Json() : out;
    }
    if (value.is_array()) {
        if (value.empty())
            return Json();
        Json out = Json::array();
        for (const Json &item : value) {
            Json element = normalized(item);
            // An empty element keeps its place: [{}, {a: 1}] differs from [{a: 1}].
            out.push_back(element.is_null() && item.is_object() ? Json::object() : element);
        }
        return out;
    }
    return value;
}

size_t entries(const Json *value) { return value && (value->is_object() || value->is_array()) ? value->size() : 0; }

void validateRequirement(const Json &requirement, const FieldPath &path, FieldErrors &errors)
{
    const std::string op = str(requirement, {"operator"});
    const Json *values = find(requirement, {"values"});
    const size_t count = values && values->is_array() ? values->size() : 0;
    if (op == "In" || op == "NotIn") {
        if (count == 0)
            errors.required(path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'");
    } else if (op == "Exists" || op == "DoesNotExist") {
        if (count > 0)
            errors.forbidden(path.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    } else {
        errors.invalid(path.child("operator"), op, "not a valid selector operator");
    }
    const std::string key = str(requirement, {"key"});
    for (const std::string &m : names::qualifiedName(key))
        errors.invalid(path.child("key"), key, m);
    for (size_t i = 0; i < count; ++i) {
        const Json &value = (*values)[i];
        const std::string text = value.is_string() ? value.get<std::string>() : dump(value);
        for (const std::string &m : names::labelValue(text))
            errors.invalid(path.child("values").index(i), text, m);
    }
}

} // namespace

bool validateLabelSelector(const Json &selector, const FieldPath &path, FieldErrors &errors)
{
    const size_t before = errors.size();
    if (!selector.is_object()) {
        errors.invalid(path, selector, "must be a label selector object");
        return false;
    }
    if (const Json *labels = find(selector, {"matchLabels"}))
        validateLabels(*labels, path.child("matchLabels"), errors);
    if (const Json *expressions = find(selector, {"matchExpressions"}); expressions && expressions->is_array())
        for (size_t i = 0; i < expressions->size(); ++i)
            validateRequirement((*expressions)[i], path.child("matchExpressions").index(i), errors);
    // LabelSelectorAsSelector fails on exactly what these checks reject.
    return errors.size() == before;
}

bool selectorIsEmpty(const Json &selector)
{
    return entries(find(selector, {"matchLabels"})) + entries(find(selector, {"matchExpressions"})) == 0;
}

bool selectorMatches(const Json *selector, const Json *labels)
{
    if (!selector || selector->is_null())
        return false;
    auto parsed = LabelSelector::fromJson(*selector);
    return parsed.ok() && parsed->matches(labels ? *labels : Json());
}

void validateNonnegative(const Json &object, std::string_view field, const FieldPath &path, FieldErrors &errors)
{
    const Json *value = find(object, {field});
    if (value && value->is_number() && value->get<double>() < 0)
        errors.invalid(path, *value, "must be greater than or equal to 0");
}

bool semanticEqual(const Json *a, const Json *b)
{
    return normalized(a ? *a : Json()) == normalized(b ? *b : Json());
}

void validateReplicatedPods(const Json &spec, const FieldPath &specPath, FieldErrors &errors)
{
    const FieldPath selectorPath = specPath.child("selector");
    const Json *selector = find(spec, {"selector"});
    const bool hasSelector = selector && !selector->is_null();
    bool convertible = true;
    if (!hasSelector) {
        errors.required(selectorPath);
    } else {
        convertible = validateLabelSelector(*selector, selectorPath, errors);
        if (selector->is_object() && selectorIsEmpty(*selector))
            errors.invalidPrinted(selectorPath, gosyntax::labelSelector(*selector),
                                  "empty selector is invalid for deployment"); // ReplicaSets say "deployment" too
    }
    if (!convertible) {
        errors.invalidPrinted(selectorPath, gosyntax::labelSelector(*selector), "invalid label selector");
        return;
    }

    const FieldPath templatePath = specPath.child("template");
    const Json *found = find(spec, {"template"});
    const Json podTemplate = found && found->is_object() ? *found : Json::object();
    // A missing selector converts to one that matches nothing (so the labels never match); an
    // empty one to one that matches everything, which Kubernetes does not check here.
    const Json *labels = find(podTemplate, {"metadata", "labels"});
    if (!(hasSelector && selectorIsEmpty(*selector)) && !selectorMatches(selector, labels))
        errors.invalidPrinted(templatePath.child("metadata").child("labels"), gosyntax::stringMap(labels),
                              "`selector` does not match template `labels`");
    validatePodTemplate(podTemplate, templatePath, errors);
    const std::string restartPolicy = str(podTemplate, {"spec", "restartPolicy"});
    if (restartPolicy != "Always")
        errors.notSupported(templatePath.child("spec").child("restartPolicy"), restartPolicy, {"Always"});
    if (const Json *deadline = find(podTemplate, {"spec", "activeDeadlineSeconds"}); deadline && !deadline->is_null())
        errors.forbidden(templatePath.child("spec").child("activeDeadlineSeconds"),
                         "activeDeadlineSeconds in ReplicaSet is not Supported");
}

void validateSelectorUnchanged(const Json &object, const Json &old, FieldErrors &errors)
{
    const Json *selector = find(object, {"spec", "selector"});
    if (semanticEqual(selector, find(old, {"spec", "selector"})))
        return;
    const FieldPath path("spec.selector");
    if (!selector || selector->is_null())
        errors.invalid(path, "null", "field is immutable");
    else
        errors.invalidPrinted(path, gosyntax::labelSelector(*selector), "field is immutable");
}

} // namespace cd::api::workloads
