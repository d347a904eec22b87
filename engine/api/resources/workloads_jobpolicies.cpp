#include "engine/api/resources/workloads_jobpolicies.h"

#include "engine/api/resources/gosyntax.h"
#include "engine/api/resources/workloads_rules.h"
#include "engine/core/names.h"

#include <optional>
#include <set>
#include <vector>

namespace cd::api::workloads {
namespace {

constexpr size_t kMaxPodFailurePolicyRules = 20;
constexpr size_t kMaxOnExitCodesValues = 255;
constexpr size_t kMaxOnPodConditionsPatterns = 20;
constexpr size_t kMaxSuccessPolicyRules = 20;
constexpr size_t kMaxSucceededIndexesLength = 64 * 1024;

// Where Go's %#v shows the address of a set pointer field.
constexpr const char *kAddress = "0xc000000000";

const Json &arrayAt(const Json &object, const char *key)
{
    static const Json empty = Json::array();
    const Json *value = find(object, {key});
    return value && value->is_array() ? *value : empty;
}

bool isSet(const Json &object, const char *key) { return object.contains(key) && !object[key].is_null(); }

std::string pointer(const Json &object, const char *key, const char *type)
{
    return std::string("(*") + type + ")(" + (isSet(object, key) ? kAddress : "nil") + ")";
}

void validateOnExitCodes(const Json &requirement, const FieldPath &path, const std::set<std::string> &containers,
                         FieldErrors &errors)
{
    const std::string op = str(requirement, {"operator"});
    if (op.empty())
        errors.required(path.child("operator"), "valid values: [\"In\" \"NotIn\"]");
    else if (op != "In" && op != "NotIn")
        errors.notSupported(path.child("operator"), op, {"In", "NotIn"});
    if (const Json *name = find(requirement, {"containerName"}); name && name->is_string() &&
                                                                 !containers.count(name->get<std::string>()))
        errors.invalid(path.child("containerName"), *name,
                       "must be one of the container or initContainer names in the pod template");

    const FieldPath valuesPath = path.child("values");
    const Json &values = arrayAt(requirement, "values");
    if (values.empty())
        errors.invalidPrinted(valuesPath, gosyntax::slice(find(requirement, {"values"}), "[]int32"),
                              "at least one value is required");
    else if (values.size() > kMaxOnExitCodesValues)
        errors.tooMany(valuesPath, values.size(), kMaxOnExitCodesValues);
    bool ordered = true;
    std::set<long long> seen;
    for (size_t i = 0; i < values.size(); ++i) {
        const long long value = values[i].is_number() ? values[i].get<long long>() : 0;
        if (op == "In" && value == 0)
            errors.invalid(valuesPath.index(i), value, "must not be 0 for the In operator");
        if (!seen.insert(value).second)
            errors.duplicate(valuesPath.index(i), value);
        if (i > 0 && values[i - 1].is_number() && values[i - 1].get<long long>() > value)
            ordered = false;
    }
    if (!ordered)
        errors.invalidPrinted(valuesPath, gosyntax::slice(&values, "[]int32"), "must be ordered");
}

void validateOnPodConditions(const Json &patterns, const FieldPath &path, FieldErrors &errors)
{
    if (patterns.size() > kMaxOnPodConditionsPatterns)
        errors.tooMany(path, patterns.size(), kMaxOnPodConditionsPatterns);
    for (size_t i = 0; i < patterns.size(); ++i) {
        const FieldPath patternPath = path.index(i);
        const std::string type = str(patterns[i], {"type"});
        for (const std::string &m : names::qualifiedName(type))
            errors.invalid(patternPath.child("type"), type, m);
        const std::string status = str(patterns[i], {"status"});
        if (status.empty())
            errors.required(patternPath.child("status"), "valid values: [\"False\" \"True\" \"Unknown\"]");
        else if (status != "False" && status != "True" && status != "Unknown")
            errors.notSupported(patternPath.child("status"), status, {"False", "True", "Unknown"});
    }
}

// parseIndexInterval of batch validation: "3" or "3-5", each index below completions.
std::optional<std::string> parseInterval(const std::string &interval, long long completions, long long &x, long long &y)
{
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t dash; (dash = interval.find('-', start)) != std::string::npos; start = dash + 1)
        parts.push_back(interval.substr(start, dash - start));
    parts.push_back(interval.substr(start));
    if (parts.size() > 2)
        return "the fragment " + gosyntax::quote(interval) +
               " violates the requirement that an index interval can have at most two parts separated by '-'";
    long long limits[2] = {0, 0};
    for (size_t i = 0; i < parts.size(); ++i) {
        try {
            size_t used = 0;
            limits[i] = std::stoll(parts[i], &used);
            if (used != parts[i].size())
                throw std::invalid_argument("trailing");
        } catch (...) {
            return "cannot convert string to integer for index: " + gosyntax::quote(parts[i]);
        }
        if (limits[i] >= completions)
            return "too large index: " + gosyntax::quote(parts[i]);
    }
    x = limits[0];
    y = parts.size() > 1 ? limits[1] : limits[0];
    if (parts.size() > 1 && x >= y)
        return "non-increasing order, previous: " + std::to_string(x) + ", current: " + std::to_string(y);
    return std::nullopt;
}

// validateIndexesFormat: increasing intervals; returns how many indexes they hold.
std::optional<std::string> parseIndexes(const std::string &text, long long completions, long long &total)
{
    total = 0;
    if (text.empty())
        return std::nullopt;
    std::optional<long long> last;
    size_t start = 0;
    while (true) {
        const size_t comma = text.find(',', start);
        const std::string interval = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        long long x = 0, y = 0;
        if (auto error = parseInterval(interval, completions, x, y))
            return error;
        if (last && *last >= x)
            return "non-increasing order, previous: " + std::to_string(*last) + ", current: " + std::to_string(x);
        total += y - x + 1;
        last = y;
        if (comma == std::string::npos)
            return std::nullopt;
        start = comma + 1;
    }
}

} // namespace

void validatePodFailurePolicy(const Json &spec, const FieldPath &path, FieldErrors &errors)
{
    const Json &rules = arrayAt(spec["podFailurePolicy"], "rules");
    const FieldPath rulesPath = path.child("rules");
    if (rules.size() > kMaxPodFailurePolicyRules)
        errors.tooMany(rulesPath, rules.size(), kMaxPodFailurePolicyRules);
    std::set<std::string> containers;
    for (const char *list : {"containers", "initContainers"})
        if (const Json *items = find(spec, {"template", "spec", list}); items && items->is_array())
            for (const Json &c : *items)
                containers.insert(str(c, {"name"}));
    for (size_t i = 0; i < rules.size(); ++i) {
        const Json &rule = rules[i];
        const FieldPath rulePath = rulesPath.index(i);
        const std::string action = str(rule, {"action"});
        if (action.empty())
            errors.required(rulePath.child("action"), "valid values: [\"Count\" \"FailIndex\" \"FailJob\" \"Ignore\"]");
        else if (action == "FailIndex" && !isSet(spec, "backoffLimitPerIndex"))
            errors.invalid(rulePath.child("action"), action, "requires the backoffLimitPerIndex to be set");
        else if (action != "FailIndex" && action != "Count" && action != "FailJob" && action != "Ignore")
            errors.notSupported(rulePath.child("action"), action, {"Count", "FailIndex", "FailJob", "Ignore"});
        const bool exitCodes = isSet(rule, "onExitCodes");
        const bool conditions = !arrayAt(rule, "onPodConditions").empty();
        if (exitCodes)
            validateOnExitCodes(rule["onExitCodes"], rulePath.child("onExitCodes"), containers, errors);
        if (conditions)
            validateOnPodConditions(rule["onPodConditions"], rulePath.child("onPodConditions"), errors);
        // Go omits the value of these two ("Invalid value: <detail>").
        if (exitCodes && conditions)
            errors.invalidPrinted(rulePath, "", "specifying both OnExitCodes and OnPodConditions is not supported");
        if (!exitCodes && !conditions)
            errors.invalidPrinted(rulePath, "", "specifying one of OnExitCodes and OnPodConditions is required");
    }
}

void validateSuccessPolicy(const Json &spec, const FieldPath &path, FieldErrors &errors)
{
    const Json &rules = arrayAt(spec["successPolicy"], "rules");
    const FieldPath rulesPath = path.child("rules");
    if (rules.empty())
        errors.required(rulesPath, "at least one rules must be specified when the successPolicy is specified");
    if (rules.size() > kMaxSuccessPolicyRules)
        errors.tooMany(rulesPath, rules.size(), kMaxSuccessPolicyRules);
    const long long completions = integer(spec, {"completions"}, 0);
    for (size_t i = 0; i < rules.size(); ++i) {
        const Json &rule = rules[i];
        const FieldPath rulePath = rulesPath.index(i);
        if (!isSet(rule, "succeededCount") && !isSet(rule, "succeededIndexes"))
            errors.required(rulePath, "at least one of succeededCount or succeededIndexes must be specified");
        long long total = 0;
        if (isSet(rule, "succeededIndexes")) {
            const FieldPath indexesPath = rulePath.child("succeededIndexes");
            const std::string indexes = str(rule, {"succeededIndexes"});
            if (indexes.size() > kMaxSucceededIndexesLength)
                errors.tooLong(indexesPath, kMaxSucceededIndexesLength);
            if (auto error = parseIndexes(indexes, completions, total))
                errors.invalid(indexesPath, indexes, "error parsing succeededIndexes: " + *error);
        }
        if (const Json *count = find(rule, {"succeededCount"}); count && count->is_number()) {
            const FieldPath countPath = rulePath.child("succeededCount");
            validateNonnegative(rule, "succeededCount", countPath, errors);
            const long long value = count->get<long long>();
            if (value > completions)
                errors.invalid(countPath, value,
                               "must be less than or equal to " + std::to_string(completions) +
                                   " (the number of specified completions)");
            if (isSet(rule, "succeededIndexes") && value > total)
                errors.invalid(countPath, value,
                               "must be less than or equal to " + std::to_string(total) +
                                   " (the number of indexes in the specified succeededIndexes field)");
        }
    }
}

void validatePodReplacementPolicy(const Json &spec, const FieldPath &path, FieldErrors &errors)
{
    if (!isSet(spec, "podReplacementPolicy"))
        return;
    const std::string policy = str(spec, {"podReplacementPolicy"});
    if (isSet(spec, "podFailurePolicy")) {
        if (policy != "Failed")
            errors.notSupported(path, policy, {"Failed"});
    } else if (policy != "Failed" && policy != "TerminatingOrFailed") {
        errors.notSupported(path, policy, {"Failed", "TerminatingOrFailed"});
    }
}

std::string printPodFailurePolicy(const Json &policy)
{
    const Json *rules = find(policy, {"rules"});
    if (!rules || !rules->is_array())
        return "batch.PodFailurePolicy{Rules:[]batch.PodFailurePolicyRule(nil)}";
    std::string out = "batch.PodFailurePolicy{Rules:[]batch.PodFailurePolicyRule{";
    for (size_t i = 0; i < rules->size(); ++i) {
        const Json &rule = (*rules)[i];
        out += (i ? ", " : "") + std::string("batch.PodFailurePolicyRule{Action:") + gosyntax::quote(str(rule, {"action"})) +
               ", OnExitCodes:" + pointer(rule, "onExitCodes", "batch.PodFailurePolicyOnExitCodesRequirement") +
               ", OnPodConditions:";
        const Json &patterns = arrayAt(rule, "onPodConditions");
        if (!isSet(rule, "onPodConditions")) {
            out += "[]batch.PodFailurePolicyOnPodConditionsPattern(nil)}";
            continue;
        }
        out += "[]batch.PodFailurePolicyOnPodConditionsPattern{";
        for (size_t k = 0; k < patterns.size(); ++k)
            out += (k ? ", " : "") + std::string("batch.PodFailurePolicyOnPodConditionsPattern{Type:") +
                   gosyntax::quote(str(patterns[k], {"type"})) + ", Status:" + gosyntax::quote(str(patterns[k], {"status"})) +
                   "}";
        out += "}}";
    }
    return out + "}}";
}

std::string printSuccessPolicy(const Json &policy)
{
    const Json *rules = find(policy, {"rules"});
    if (!rules || !rules->is_array())
        return "batch.SuccessPolicy{Rules:[]batch.SuccessPolicyRule(nil)}";
    std::string out = "batch.SuccessPolicy{Rules:[]batch.SuccessPolicyRule{";
    for (size_t i = 0; i < rules->size(); ++i) {
        const Json &rule = (*rules)[i];
        out += (i ? ", " : "") + std::string("batch.SuccessPolicyRule{SucceededIndexes:") +
               pointer(rule, "succeededIndexes", "string") + ", SucceededCount:" + pointer(rule, "succeededCount", "int32") +
               "}";
    }
    return out + "}}";
}

} // namespace cd::api::workloads
