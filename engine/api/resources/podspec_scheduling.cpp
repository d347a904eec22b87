// Where a pod may run and how it resolves names: tolerations, node and pod affinity, topology
// spread constraints, DNS config and host aliases (Kubernetes' pkg/apis/core/validation).

#include "engine/api/resources/podspec_internal.h"

#include <set>

namespace cd::api::podspec {
namespace {

void validateWeight(const Json &term, const FieldPath &path, FieldErrors &errors)
{
    const long long weight = number(term, "weight").value_or(0);
    if (weight <= 0 || weight > 100)
        errors.invalid(path.child("weight"), weight, "must be in the range 1-100");
}

void validateNodeSelectorRequirement(const Json &requirement, bool allowInvalidValues, const FieldPath &path,
                                     FieldErrors &errors)
{
    const std::string op = str(requirement, {"operator"});
    const Json &values = arrayAt(requirement, "values");
    if (op == "In" || op == "NotIn") {
        if (values.empty())
            errors.required(path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'");
    } else if (op == "Exists" || op == "DoesNotExist") {
        if (!values.empty())
            errors.forbidden(path.child("values"),
                             "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    } else if (op == "Gt" || op == "Lt") {
        if (values.size() != 1)
            errors.required(path.child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'");
    } else {
        errors.invalid(path.child("operator"), op, "not a valid selector operator");
    }
    validateQualifiedName(str(requirement, {"key"}), path.child("key"), errors);
    if (!allowInvalidValues)
        for (size_t i = 0; i < values.size(); ++i)
            validateLabelValue(text(values[i]), path.child("values").index(i), errors);
}

void validateNodeFieldRequirement(const Json &requirement, const FieldPath &path, FieldErrors &errors)
{
    const std::string op = str(requirement, {"operator"});
    const Json &values = arrayAt(requirement, "values");
    if (op == "In" || op == "NotIn") {
        if (values.size() != 1)
            errors.required(path.child("values"),
                            "must be only one value when `operator` is 'In' or 'NotIn' for node field selector");
    } else {
        errors.invalid(path.child("operator"), op, "not a valid selector operator");
    }
    const std::string key = str(requirement, {"key"});
    if (key != "metadata.name") {
        errors.invalid(path.child("key"), key, "not a valid field selector key");
        return;
    }
    for (size_t i = 0; i < values.size(); ++i)
        errors.invalidEach(path.child("values").index(i), text(values[i]), names::dns1123Subdomain(text(values[i])));
}

void validateNodeSelectorTerm(const Json &term, bool allowInvalidValues, const FieldPath &path, FieldErrors &errors)
{
    const Json &expressions = arrayAt(term, "matchExpressions");
    for (size_t j = 0; j < expressions.size(); ++j)
        validateNodeSelectorRequirement(expressions[j], allowInvalidValues, path.child("matchExpressions").index(j),
                                        errors);
    const Json &fields = arrayAt(term, "matchFields");
    for (size_t j = 0; j < fields.size(); ++j)
        validateNodeFieldRequirement(fields[j], path.child("matchFields").index(j), errors);
}

void validateNodeAffinity(const Json &affinity, const FieldPath &path, FieldErrors &errors)
{
    if (present(affinity, "requiredDuringSchedulingIgnoredDuringExecution")) {
        const FieldPath termsPath =
            path.child("requiredDuringSchedulingIgnoredDuringExecution").child("nodeSelectorTerms");
        const Json &terms = arrayAt(affinity["requiredDuringSchedulingIgnoredDuringExecution"], "nodeSelectorTerms");
        if (terms.empty())
            errors.required(termsPath, "must have at least one node selector term");
        for (size_t i = 0; i < terms.size(); ++i)
            validateNodeSelectorTerm(terms[i], false, termsPath.index(i), errors);
    }
    const Json &preferred = arrayAt(affinity, "preferredDuringSchedulingIgnoredDuringExecution");
    const FieldPath preferredPath = path.child("preferredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < preferred.size(); ++i) {
        validateWeight(preferred[i], preferredPath.index(i), errors);
        // Preferred terms may name label values no node has yet.
        validateNodeSelectorTerm(objectAt(preferred[i], "preference"), true, preferredPath.index(i).child("preference"),
                                 errors);
    }
}

void validateLabelKeys(const Json &keys, const Json &selector, const FieldPath &path, FieldErrors &errors)
{
    if (keys.empty())
        return;
    if (!selector.is_object()) {
        errors.forbidden(path, "must not be specified when labelSelector is not set");
        return;
    }
    for (size_t i = 0; i < keys.size(); ++i)
        validateQualifiedName(text(keys[i]), path.index(i), errors);
}

void validatePodAffinityTerm(const Json &term, const FieldPath &path, FieldErrors &errors)
{
    const Json selector = present(term, "labelSelector") ? term["labelSelector"] : Json();
    validateLabelSelector(selector, path.child("labelSelector"), errors);
    if (present(term, "namespaceSelector"))
        validateLabelSelector(term["namespaceSelector"], path.child("namespaceSelector"), errors);
    // Kubernetes names this path in the singular.
    for (const Json &ns : arrayAt(term, "namespaces"))
        errors.invalidEach(path.child("namespace"), text(ns), names::dns1123Label(text(ns)));
    const Json &matchKeys = arrayAt(term, "matchLabelKeys");
    const Json &mismatchKeys = arrayAt(term, "mismatchLabelKeys");
    validateLabelKeys(matchKeys, selector, path.child("matchLabelKeys"), errors);
    validateLabelKeys(mismatchKeys, selector, path.child("mismatchLabelKeys"), errors);
    for (size_t i = 0; i < matchKeys.size(); ++i)
        for (const Json &other : mismatchKeys)
            if (other == matchKeys[i])
                errors.invalid(path.child("matchLabelKeys").index(i), matchKeys[i],
                               "exists in both matchLabelKeys and mismatchLabelKeys");
    const std::string topologyKey = str(term, {"topologyKey"});
    if (topologyKey.empty())
        errors.required(path.child("topologyKey"), "can not be empty");
    validateQualifiedName(topologyKey, path.child("topologyKey"), errors);
}

void validatePodAffinityKind(const Json &affinity, const FieldPath &path, FieldErrors &errors)
{
    const Json &required = arrayAt(affinity, "requiredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < required.size(); ++i)
        validatePodAffinityTerm(required[i], path.child("requiredDuringSchedulingIgnoredDuringExecution").index(i),
                                errors);
    const Json &preferred = arrayAt(affinity, "preferredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < preferred.size(); ++i) {
        const FieldPath at = path.child("preferredDuringSchedulingIgnoredDuringExecution").index(i);
        validateWeight(preferred[i], at, errors);
        validatePodAffinityTerm(objectAt(preferred[i], "podAffinityTerm"), at.child("podAffinityTerm"), errors);
    }
}

} // namespace

void validateTolerations(const Json &tolerations, const FieldPath &path, FieldErrors &errors)
{
    if (!tolerations.is_array())
        return;
    for (size_t i = 0; i < tolerations.size(); ++i) {
        const Json &toleration = tolerations[i];
        const FieldPath at = path.index(i);
        const std::string key = str(toleration, {"key"});
        const std::string op = str(toleration, {"operator"});
        const std::string effect = str(toleration, {"effect"});
        const std::string value = str(toleration, {"value"});
        if (!key.empty())
            validateQualifiedName(key, at.child("key"), errors);
        // An empty key with operator Exists matches every taint.
        if (key.empty() && op != "Exists")
            errors.invalid(
                at.child("operator"), op,
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
        if (present(toleration, "tolerationSeconds") && effect != "NoExecute")
            errors.invalid(at.child("effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set");
        if (op.empty() || op == "Equal") {
            const auto messages = names::labelValue(value);
            if (!messages.empty()) {
                std::string joined;
                for (const std::string &m : messages)
                    joined += (joined.empty() ? "" : ";") + m;
                errors.invalid(at.child("operator"), value, joined);
            }
        } else if (op == "Exists") {
            if (!value.empty())
                errors.invalid(at.child("operator"), value, "value must be empty when `operator` is 'Exists'");
        } else {
            errors.notSupported(at.child("operator"), op, {"Equal", "Exists"});
        }
        if (!effect.empty() && effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute")
            errors.notSupported(at.child("effect"), effect, {"NoSchedule", "PreferNoSchedule", "NoExecute"});
    }
}

void validateAffinity(const Json &affinity, const FieldPath &path, FieldErrors &errors)
{
    if (!affinity.is_object())
        return;
    if (present(affinity, "nodeAffinity"))
        validateNodeAffinity(affinity["nodeAffinity"], path.child("nodeAffinity"), errors);
    if (present(affinity, "podAffinity"))
        validatePodAffinityKind(affinity["podAffinity"], path.child("podAffinity"), errors);
    if (present(affinity, "podAntiAffinity"))
        validatePodAffinityKind(affinity["podAntiAffinity"], path.child("podAntiAffinity"), errors);
}

void validateTopologySpreadConstraints(const Json &constraints, const FieldPath &path, FieldErrors &errors)
{
    if (!constraints.is_array())
        return;
    for (size_t i = 0; i < constraints.size(); ++i) {
        const Json &constraint = constraints[i];
        const FieldPath at = path.index(i);
        const long long maxSkew = number(constraint, "maxSkew").value_or(0);
        if (maxSkew <= 0)
            errors.invalid(at.child("maxSkew"), maxSkew, "must be greater than zero");
        const std::string topologyKey = str(constraint, {"topologyKey"});
        if (topologyKey.empty())
            errors.required(at.child("topologyKey"), "can not be empty");
        const std::string action = str(constraint, {"whenUnsatisfiable"});
        if (action != "DoNotSchedule" && action != "ScheduleAnyway")
            errors.notSupported(at.child("whenUnsatisfiable"), action, {"DoNotSchedule", "ScheduleAnyway"});
        for (size_t j = i + 1; j < constraints.size(); ++j) {
            if (str(constraints[j], {"topologyKey"}) == topologyKey &&
                str(constraints[j], {"whenUnsatisfiable"}) == action) {
                errors.duplicate(at.child("{topologyKey, whenUnsatisfiable}"), "{" + topologyKey + ", " + action + "}");
                break;
            }
        }
        if (auto minDomains = number(constraint, "minDomains")) {
            if (*minDomains <= 0)
                errors.invalid(at.child("minDomains"), *minDomains, "must be greater than zero");
            if (action != "DoNotSchedule")
                errors.invalid(at.child("minDomains"), *minDomains,
                               "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not " + action);
        }
        for (const char *policy : {"nodeAffinityPolicy", "nodeTaintsPolicy"}) {
            if (!present(constraint, policy))
                continue;
            const std::string value = str(constraint, {policy});
            if (value != "Honor" && value != "Ignore")
                errors.notSupported(at.child(policy), value, {"Honor", "Ignore"});
        }
        const Json selector = present(constraint, "labelSelector") ? constraint["labelSelector"] : Json();
        const Json &matchKeys = arrayAt(constraint, "matchLabelKeys");
        if (!matchKeys.empty()) {
            std::set<std::string> selectorKeys;
            if (selector.is_object()) {
                const Json &matchLabels = objectAt(selector, "matchLabels");
                for (auto it = matchLabels.begin(); it != matchLabels.end(); ++it)
                    selectorKeys.insert(it.key());
                for (const Json &e : arrayAt(selector, "matchExpressions"))
                    selectorKeys.insert(str(e, {"key"}));
            } else {
                errors.forbidden(at.child("matchLabelKeys"), "must not be specified when labelSelector is not set");
            }
            for (size_t k = 0; k < matchKeys.size(); ++k) {
                validateQualifiedName(text(matchKeys[k]), at.child("matchLabelKeys").index(k), errors);
                if (selectorKeys.count(text(matchKeys[k])))
                    errors.invalid(at.child("matchLabelKeys").index(k), matchKeys[k],
                                   "exists in both matchLabelKeys and labelSelector");
            }
        }
        validateLabelSelector(selector, at.child("labelSelector"), errors);
    }
}

void validateDnsConfig(const Json &spec, const FieldPath &specPath, FieldErrors &errors)
{
    const FieldPath path = specPath.child("dnsConfig");
    const bool none = str(spec, {"dnsPolicy"}) == "None";
    const Json &config = objectAt(spec, "dnsConfig");
    if (none) {
        if (!present(spec, "dnsConfig")) {
            errors.required(path, "must provide `dnsConfig` when `dnsPolicy` is None");
            return;
        }
        if (arrayAt(config, "nameservers").empty()) {
            errors.required(path.child("nameservers"),
                            "must provide at least one DNS nameserver when `dnsPolicy` is None");
            return;
        }
    }
    if (!present(spec, "dnsConfig"))
        return;
    const Json &nameservers = arrayAt(config, "nameservers");
    if (nameservers.size() > 3)
        errors.invalid(path.child("nameservers"), nameservers, "must not have more than 3 nameservers");
    for (size_t i = 0; i < nameservers.size(); ++i)
        validateIp(nameservers[i], path.child("nameservers").index(i), errors);
    const Json &searches = arrayAt(config, "searches");
    if (searches.size() > 32)
        errors.invalid(path.child("searches"), searches, "must not have more than 32 search paths");
    size_t listLength = 0;
    for (size_t i = 0; i < searches.size(); ++i)
        listLength += text(searches[i]).size() + (i ? 1 : 0);
    if (listLength > 2048)
        errors.invalid(path.child("searches"), searches,
                       "must not have more than 2048 characters (including spaces) in the search list");
    for (size_t i = 0; i < searches.size(); ++i) {
        std::string search = text(searches[i]);
        if (!search.empty() && search.back() == '.')
            search.pop_back();
        errors.invalidEach(path.child("searches").index(i), search, names::dns1123Subdomain(search));
    }
    const Json &options = arrayAt(config, "options");
    for (size_t i = 0; i < options.size(); ++i)
        if (str(options[i], {"name"}).empty())
            errors.required(path.child("options").index(i), "must not be empty");
}

void validateHostAliases(const Json &hostAliases, const FieldPath &path, FieldErrors &errors)
{
    if (!hostAliases.is_array())
        return;
    for (size_t i = 0; i < hostAliases.size(); ++i) {
        const Json &alias = hostAliases[i];
        validateIp(present(alias, "ip") ? alias["ip"] : Json(""), path.index(i).child("ip"), errors);
        const Json &hostnames = arrayAt(alias, "hostnames");
        for (size_t j = 0; j < hostnames.size(); ++j)
            errors.invalidEach(path.index(i).child("hostnames").index(j), text(hostnames[j]),
                               names::dns1123Subdomain(text(hostnames[j])));
    }
}

} // namespace cd::api::podspec
