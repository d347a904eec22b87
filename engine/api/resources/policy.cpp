// ResourceQuota and LimitRange, with Kubernetes v1.32's rules (pkg/apis/core/validation
// ValidateResourceQuota, ValidateLimitRange; SetDefaults_LimitRangeItem): resource names and
// quantities, quota scopes, and min <= default request <= default <= max.

#include "engine/api/resources/corekinds.h"
#include "engine/api/resources/gosyntax.h"
#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"
#include "engine/core/names.h"

#include <cstdio>
#include <map>
#include <set>

namespace cd::api {
namespace {

using namespace corekinds;

const FieldPath kSpec("spec");

// --- ResourceQuota -------------------------------------------------------------------------

const std::set<std::string> kStandardScopes = {"Terminating",   "NotTerminating", "BestEffort",
                                               "NotBestEffort", "PriorityClass",  "CrossNamespacePodAffinity"};
const std::set<std::string> kPodComputeResources = {"cpu",           "memory",       "limits.cpu",
                                                    "limits.memory", "requests.cpu", "requests.memory"};

bool scopeValidForResource(const std::string &scope, const std::string &resource)
{
    if (scope == "BestEffort")
        return resource == "pods";
    if (kStandardScopes.count(scope))
        return resource == "pods" || kPodComputeResources.count(resource);
    return true;
}

std::string scopeSelectorLiteral(const Json &selector)
{
    std::string out = "core.ScopeSelector{MatchExpressions:";
    const Json &expressions = arrayAt(selector, {"matchExpressions"});
    if (expressions.empty())
        return out + "[]core.ScopedResourceSelectorRequirement(nil)}";
    out += "[]core.ScopedResourceSelectorRequirement{";
    for (size_t i = 0; i < expressions.size(); ++i) {
        const Json &e = expressions[i];
        out += (i ? ", " : "") + std::string("core.ScopedResourceSelectorRequirement{ScopeName:") +
               gosyntax::quote(str(e, {"scopeName"})) + ", Operator:" + gosyntax::quote(str(e, {"operator"})) +
               ", Values:" + gosyntax::slice(find(e, {"values"})) + "}";
    }
    return out + "}}";
}

void validateQuotaResources(const Json &list, const FieldPath &path, FieldErrors &errors)
{
    for (auto it = list.begin(); it != list.end(); ++it) {
        const FieldPath resourcePath = path.key(it.key());
        validateResourceName(it.key(), resourcePath, errors);
        if (it.key().find('/') == std::string::npos && !isStandardQuotaResourceName(it.key()))
            errors.invalid(resourcePath, it.key(), "must be a standard resource for quota");
        if (auto q = quantityAt(it.value(), resourcePath, errors))
            validateResourceQuantityValue(it.key(), *q, resourcePath, errors);
    }
}

void validateQuotaScopes(const Json &spec, FieldErrors &errors)
{
    const Json &scopes = arrayAt(spec, {"scopes"});
    const Json &hard = objectAt(spec, {"hard"});
    const FieldPath path = kSpec.child("scopes");
    const std::string scopesLiteral = gosyntax::slice(find(spec, {"scopes"}), "[]core.ResourceQuotaScope");
    std::set<std::string> reported; // Kubernetes drops repeated messages
    auto report = [&](const FieldPath &p, const std::string &literal, const std::string &detail) {
        if (reported.insert(p.str() + "\n" + literal + "\n" + detail).second)
            errors.invalidPrinted(p, literal, detail);
    };
    std::set<std::string> seen;
    for (const Json &s : scopes) {
        const std::string scope = s.is_string() ? s.get<std::string>() : s.dump();
        if (!kStandardScopes.count(scope))
            report(path, scopesLiteral, "unsupported scope");
        for (auto it = hard.begin(); it != hard.end(); ++it)
            if (isStandardQuotaResourceName(it.key()) && !scopeValidForResource(scope, it.key()))
                report(path, scopesLiteral, "unsupported scope applied to resource");
        seen.insert(scope);
    }
    for (auto [a, b] : {std::pair{"BestEffort", "NotBestEffort"}, std::pair{"Terminating", "NotTerminating"}})
        if (seen.count(a) && seen.count(b))
            report(path, scopesLiteral, "conflicting scopes");

    const Json *selector = find(spec, {"scopeSelector"});
    if (!selector || selector->is_null())
        return;
    // Kubernetes names these paths without the index of the expression.
    const FieldPath exprPath = kSpec.child("scopeSelector").child("matchExpressions");
    std::set<std::string> selected;
    for (const Json &req : arrayAt(*selector, {"matchExpressions"})) {
        const std::string scope = str(req, {"scopeName"}), op = str(req, {"operator"});
        const Json &values = arrayAt(req, {"values"});
        if (!kStandardScopes.count(scope))
            errors.invalid(exprPath.child("scopeName"), scope, "unsupported scope");
        for (auto it = hard.begin(); it != hard.end(); ++it)
            if (isStandardQuotaResourceName(it.key()) && !scopeValidForResource(scope, it.key()))
                report(exprPath, scopeSelectorLiteral(*selector), "unsupported scope applied to resource");
        if (scope == "BestEffort" || scope == "NotBestEffort" || scope == "Terminating" || scope == "NotTerminating" ||
            scope == "CrossNamespacePodAffinity") {
            if (op != "Exists")
                errors.invalid(exprPath.child("operator"), op,
                               "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, "
                               "ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, "
                               "ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity");
        }
        if (op == "In" || op == "NotIn") {
            if (values.empty())
                errors.required(exprPath.child("values"),
                                "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector");
        } else if (op == "Exists" || op == "DoesNotExist") {
            if (!values.empty())
                errors.invalidPrinted(
                    exprPath.child("values"), gosyntax::slice(&values),
                    "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector");
        } else {
            errors.invalid(exprPath.child("operator"), op, "not a valid selector operator");
        }
        selected.insert(scope);
    }
    for (auto [a, b] : {std::pair{"BestEffort", "NotBestEffort"}, std::pair{"Terminating", "NotTerminating"}})
        if (selected.count(a) && selected.count(b))
            report(exprPath, scopesLiteral, "conflicting scopes");
}

void validateResourceQuota(const Json &quota, FieldErrors &errors)
{
    const Json &spec = objectAt(quota, {"spec"});
    validateQuotaResources(objectAt(spec, {"hard"}), kSpec.child("hard"), errors);
    validateQuotaScopes(spec, errors);
    const FieldPath status("status");
    validateQuotaResources(objectAt(quota, {"status", "hard"}), status.child("hard"), errors);
    validateQuotaResources(objectAt(quota, {"status", "used"}), status.child("used"), errors);
}

void validateResourceQuotaUpdate(const Json &quota, const Json &old, FieldErrors &errors)
{
    std::set<std::string> now, before;
    for (const Json &s : arrayAt(quota, {"spec", "scopes"}))
        now.insert(s.dump());
    for (const Json &s : arrayAt(old, {"spec", "scopes"}))
        before.insert(s.dump());
    if (now != before)
        errors.invalidPrinted(kSpec.child("scopes"),
                              gosyntax::slice(find(quota, {"spec", "scopes"}), "[]core.ResourceQuotaScope"),
                              "field is immutable");
}

void defaultResourceQuota(Json &quota)
{
    canonicalizeResourceList(find(quota, {"spec", "hard"}));
    canonicalizeResourceList(find(quota, {"status", "hard"}));
    canonicalizeResourceList(find(quota, {"status", "used"}));
}

// --- LimitRange ----------------------------------------------------------------------------

const char *kQuantityMaps[] = {"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"};

// SetDefaults_LimitRangeItem: for containers, the default limit falls back to max, and the
// default request to the default limit, then to min.
void defaultLimitRange(Json &limitRange)
{
    Json *limits = find(limitRange, {"spec", "limits"});
    if (!limits || !limits->is_array())
        return;
    for (Json &item : *limits) {
        if (!item.is_object())
            continue;
        for (const char *key : kQuantityMaps)
            canonicalizeResourceList(find(item, {key}));
        if (str(item, {"type"}) != "Container")
            continue;
        Json defaults = objectAt(item, {"default"});
        Json requests = objectAt(item, {"defaultRequest"});
        for (auto it = objectAt(item, {"max"}).begin(); it != objectAt(item, {"max"}).end(); ++it)
            if (!defaults.contains(it.key()))
                defaults[it.key()] = it.value();
        for (auto it = defaults.begin(); it != defaults.end(); ++it)
            if (!requests.contains(it.key()))
                requests[it.key()] = it.value();
        for (auto it = objectAt(item, {"min"}).begin(); it != objectAt(item, {"min"}).end(); ++it)
            if (!requests.contains(it.key()))
                requests[it.key()] = it.value();
        if (!defaults.empty())
            item["default"] = std::move(defaults);
        if (!requests.empty())
            item["defaultRequest"] = std::move(requests);
    }
}

void validateLimitResourceName(const std::string &type, const std::string &name, const FieldPath &path,
                               FieldErrors &errors)
{
    if (type != "Pod" && type != "Container") {
        validateResourceName(name, path, errors);
        return;
    }
    validateResourceName(name, path, errors);
    if (name.find('/') == std::string::npos) {
        if (!isStandardContainerResourceName(name))
            errors.invalid(path, name, "must be a standard resource for containers");
    } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
        errors.invalid(path, name, "doesn't follow extended resource name standard");
    }
}

std::string formatRatio(double value)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%f", value);
    return buf;
}

void validateLimitRange(const Json &limitRange, FieldErrors &errors)
{
    const Json &limits = arrayAt(limitRange, {"spec", "limits"});
    const FieldPath limitsPath = kSpec.child("limits");
    std::set<std::string> types;
    for (size_t i = 0; i < limits.size(); ++i) {
        const Json &item = limits[i];
        const FieldPath idx = limitsPath.index(i);
        const std::string type = str(item, {"type"});
        if (const auto messages = names::qualifiedName(type); !messages.empty())
            errors.invalidEach(idx.child("type"), type, messages);
        else if (type.find('/') == std::string::npos && type != "Pod" && type != "Container" &&
                 type != "PersistentVolumeClaim")
            errors.invalid(idx.child("type"), type, "must be a standard limit type or fully qualified");
        if (!types.insert(type).second)
            errors.duplicate(idx.child("type"), type);

        std::map<std::string, std::map<std::string, Quantity>> values; // map name -> resource -> quantity
        std::set<std::string> keys;
        auto collect = [&](const char *mapName) {
            const Json &map = objectAt(item, {mapName});
            for (auto it = map.begin(); it != map.end(); ++it) {
                const FieldPath path = idx.child(mapName).key(it.key());
                validateLimitResourceName(type, it.key(), path, errors);
                keys.insert(it.key());
                if (auto q = quantityAt(it.value(), path, errors))
                    values[mapName][it.key()] = *q;
            }
        };
        collect("max");
        collect("min");
        if (type == "Pod") {
            if (!objectAt(item, {"default"}).empty())
                errors.forbidden(idx.child("default"), "may not be specified when `type` is 'Pod'");
            if (!objectAt(item, {"defaultRequest"}).empty())
                errors.forbidden(idx.child("defaultRequest"), "may not be specified when `type` is 'Pod'");
        } else {
            collect("default");
            collect("defaultRequest");
        }
        if (type == "PersistentVolumeClaim" && !objectAt(item, {"min"}).contains("storage") &&
            !objectAt(item, {"max"}).contains("storage"))
            errors.required(idx.child("limits"),
                            "either minimum or maximum storage value is required, but neither was provided");
        collect("maxLimitRequestRatio");

        for (const std::string &k : keys) {
            auto get = [&](const char *m) -> const Quantity * {
                auto mit = values.find(m);
                if (mit == values.end())
                    return nullptr;
                auto qit = mit->second.find(k);
                return qit == mit->second.end() ? nullptr : &qit->second;
            };
            const Quantity *min = get("min"), *max = get("max"), *def = get("default"),
                           *request = get("defaultRequest"), *ratio = get("maxLimitRequestRatio");
            const auto s = [](const Quantity *q) { return q->toString(); };
            if (min && max && *min > *max)
                errors.invalidPrinted(idx.child("min").key(k), s(min),
                                      "min value " + s(min) + " is greater than max value " + s(max));
            if (request && min && *min > *request)
                errors.invalidPrinted(idx.child("defaultRequest").key(k), s(request),
                                      "min value " + s(min) + " is greater than default request value " + s(request));
            if (request && max && *request > *max)
                errors.invalidPrinted(idx.child("defaultRequest").key(k), s(request),
                                      "default request value " + s(request) + " is greater than max value " + s(max));
            if (request && def && *request > *def)
                errors.invalidPrinted(idx.child("defaultRequest").key(k), s(request),
                                      "default request value " + s(request) + " is greater than default limit value " +
                                          s(def));
            if (def && min && *min > *def)
                errors.invalidPrinted(idx.child("default").key(k), s(min),
                                      "min value " + s(min) + " is greater than default value " + s(def));
            if (def && max && *def > *max)
                errors.invalidPrinted(idx.child("default").key(k), s(max),
                                      "default value " + s(def) + " is greater than max value " + s(max));
            if (ratio && *ratio < Quantity::fromValue(1))
                errors.invalidPrinted(idx.child("maxLimitRequestRatio").key(k), s(ratio),
                                      "ratio " + s(ratio) + " is less than 1");
            if (ratio && min && max) {
                const double limit = max->asDouble() / min->asDouble();
                if (ratio->asDouble() > limit)
                    errors.invalidPrinted(idx.child("maxLimitRequestRatio").key(k), s(ratio),
                                          "ratio " + s(ratio) + " is greater than max/min = " + formatRatio(limit));
            }
            if (!isOvercommitAllowed(k) && def && request && !(*def == *request))
                errors.invalidPrinted(idx.child("defaultRequest").key(k), s(request),
                                      "default value " + s(def) + " must equal to defaultRequest value " + s(request) +
                                          " in " + k);
        }
    }
}

} // namespace

void registerPolicy(Registry &registry)
{
    {
        ResourceType t;
        t.kind = "ResourceQuota";
        t.plural = "resourcequotas";
        t.singular = "resourcequota";
        t.shortNames = {"quota"};
        t.statusSubresource = true;
        t.generation = false;
        t.prepareForCreate = [](Json &quota) { quota["status"] = Json::object(); };
        t.defaults = defaultResourceQuota;
        t.validate = validateResourceQuota;
        t.validateUpdate = validateResourceQuotaUpdate;
        registry.add(std::move(t));
    }
    {
        ResourceType t;
        t.kind = "LimitRange";
        t.plural = "limitranges";
        t.singular = "limitrange";
        t.shortNames = {"limits"};
        t.generation = false;
        t.defaults = defaultLimitRange;
        t.validate = validateLimitRange;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
