#include "engine/api/admission/resourcequotausage.h"

#include "engine/api/registry.h"
#include "engine/api/resources/corekinds.h"
#include "engine/api/resources/podspec.h"

#include <algorithm>

namespace cd::api::quota {
namespace {

bool startsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }
bool endsWith(std::string_view text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

const Quantity kOne = Quantity::fromValue(1);

// The names the pod evaluator tracks besides hugepages and extended resources.
const std::set<std::string> kPodResources = {
    "count/pods",       "cpu",           "memory",        "ephemeral-storage",          "requests.cpu",
    "requests.memory",  "limits.cpu",    "limits.memory", "requests.ephemeral-storage", "limits.ephemeral-storage",
    "pods"};
const std::set<std::string> kServiceResources = {"count/services", "services", "services.loadbalancers",
                                                 "services.nodeports"};
const std::set<std::string> kClaimResources = {"persistentvolumeclaims", "requests.storage"};
const char *const kStorageClassSuffix = ".storageclass.storage.k8s.io/";
// What quotas counted before count/<resource> existed, still honoured as aliases.
const std::map<std::string, std::string> kLegacyCountAliases = {{"configmaps", "configmaps"},
                                                                {"resourcequotas", "resourcequotas"},
                                                                {"replicationcontrollers", "replicationcontrollers"},
                                                                {"secrets", "secrets"}};
// Quota-tracked cpu and memory a pod must set for every container (a backward-compatibility rule
// Kubernetes keeps, and applies to these six names only).
const std::set<std::string> kValidationSet = {"cpu",        "memory",        "requests.cpu", "requests.memory",
                                              "limits.cpu", "limits.memory"};

bool isPod(const std::string &plural, const std::string &group) { return group.empty() && plural == "pods"; }
bool isService(const std::string &plural, const std::string &group) { return group.empty() && plural == "services"; }
bool isClaim(const std::string &plural, const std::string &group)
{
    return group.empty() && plural == "persistentvolumeclaims";
}

void addTo(ResourceList &list, const ResourceList &more)
{
    for (const auto &[name, q] : more)
        list[name] += q;
}

void maxInto(ResourceList &list, const ResourceList &more)
{
    for (const auto &[name, q] : more) {
        auto it = list.find(name);
        if (it == list.end() || q > it->second)
            list[name] = q;
    }
}

const Json &arrayAt(const Json &object, std::initializer_list<std::string_view> path)
{
    static const Json empty = Json::array();
    const Json *value = find(object, path);
    return value && value->is_array() ? *value : empty;
}

ResourceList containerList(const Json &container, const char *which)
{
    return parseList(find(container, {"resources", which}));
}

bool isSidecar(const Json &container) { return str(container, {"restartPolicy"}) == "Always"; }

// podComputeUsageHelper: what requests and limits charge.
ResourceList computeUsage(const ResourceList &requests, const ResourceList &limits)
{
    ResourceList result;
    result["pods"] = kOne;
    auto charge = [&](const char *resource, const char *requestName, const char *limitName) {
        if (auto it = requests.find(resource); it != requests.end()) {
            result[resource] = it->second;
            result[requestName] = it->second;
        }
        if (auto it = limits.find(resource); it != limits.end())
            result[limitName] = it->second;
    };
    charge("cpu", "requests.cpu", "limits.cpu");
    charge("memory", "requests.memory", "limits.memory");
    charge("ephemeral-storage", "requests.ephemeral-storage", "limits.ephemeral-storage");
    for (const auto &[name, q] : requests) {
        if (startsWith(name, "hugepages-")) {
            result[name] = q;
            result["requests." + name] = q;
        }
        if (corekinds::isExtendedResourceName(name))
            result["requests." + name] = q;
    }
    return result;
}

bool isTerminal(const Json &pod)
{
    const std::string phase = str(pod, {"status", "phase"});
    return phase == "Succeeded" || phase == "Failed";
}

bool crossNamespaceTerms(const Json &terms, bool weighted)
{
    if (!terms.is_array())
        return false;
    for (const Json &t : terms) {
        const Json &term = weighted ? (t.contains("podAffinityTerm") ? t["podAffinityTerm"] : Json()) : t;
        if (!arrayAt(term, {"namespaces"}).empty())
            return true;
        if (const Json *selector = find(term, {"namespaceSelector"}); selector && !selector->is_null())
            return true;
    }
    return false;
}

ResourceList podUsage(const Json &pod)
{
    ResourceList result = {{"count/pods", kOne}};
    if (isTerminal(pod))
        return result;
    return add(result, computeUsage(podRequests(pod, true), podLimits(pod, true)));
}

ResourceList serviceUsage(const Json &service)
{
    ResourceList result = {{"count/services", kOne}, {"services", kOne}};
    result["services.loadbalancers"] = Quantity();
    result["services.nodeports"] = Quantity();
    const std::string type = str(service, {"spec", "type"}, "ClusterIP");
    const Json &ports = arrayAt(service, {"spec", "ports"});
    if (type == "NodePort") {
        result["services.nodeports"] = Quantity::fromValue(static_cast<long long>(ports.size()));
    } else if (type == "LoadBalancer") {
        // Without allocated node ports only the ports that name one are counted.
        const Json *allocate = find(service, {"spec", "allocateLoadBalancerNodePorts"});
        if (allocate && allocate->is_boolean() && !allocate->get<bool>()) {
            long long withNodePort = 0;
            for (const Json &port : ports)
                if (integer(port, {"nodePort"}) != 0)
                    ++withNodePort;
            result["services.nodeports"] = Quantity::fromValue(withNodePort);
        } else {
            result["services.nodeports"] = Quantity::fromValue(static_cast<long long>(ports.size()));
        }
        result["services.loadbalancers"] = kOne;
    }
    return result;
}

std::string claimClass(const Json &claim)
{
    if (const Json *beta = find(claim, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"});
        beta && beta->is_string())
        return beta->get<std::string>();
    return str(claim, {"spec", "storageClassName"});
}

// Storage is charged in whole bytes, the larger of what is requested and what was allocated.
std::optional<Quantity> claimStorage(const Json &claim)
{
    auto wholeBytes = [](const Quantity &q) {
        const Quantity whole = Quantity::fromValue(q.value(), q.format());
        return whole == q ? q : whole;
    };
    std::optional<Quantity> result;
    if (const Json *request = find(claim, {"spec", "resources", "requests", "storage"}))
        if (auto q = Quantity::fromJson(*request); q.ok())
            result = wholeBytes(*q);
    if (const Json *allocated = find(claim, {"status", "allocatedResources", "storage"}))
        if (auto q = Quantity::fromJson(*allocated); q.ok() && (!result || *q > *result))
            result = wholeBytes(*q);
    return result;
}

ResourceList claimUsage(const Json &claim)
{
    ResourceList result = {{"persistentvolumeclaims", kOne}, {"count/persistentvolumeclaims", kOne}};
    const std::string cls = claimClass(claim);
    if (!cls.empty())
        result[cls + kStorageClassSuffix + "persistentvolumeclaims"] = kOne;
    if (auto storage = claimStorage(claim)) {
        result["requests.storage"] = *storage;
        if (!cls.empty())
            result[cls + kStorageClassSuffix + "requests.storage"] = *storage;
    }
    return result;
}

ResourceList objectCountUsage(const std::string &plural, const std::string &group)
{
    ResourceList result = {{objectCountName(plural, group), kOne}};
    if (group.empty())
        if (auto alias = kLegacyCountAliases.find(plural); alias != kLegacyCountAliases.end())
            result[alias->second] = kOne;
    return result;
}

bool matchesScope(const ScopeRequirement &requirement, const PodScopeFacts &pod)
{
    const std::string &scope = requirement.scope;
    if (scope == "Terminating")
        return pod.terminating;
    if (scope == "NotTerminating")
        return !pod.terminating;
    if (scope == "BestEffort")
        return pod.bestEffort;
    if (scope == "NotBestEffort")
        return !pod.bestEffort;
    if (scope == "CrossNamespacePodAffinity")
        return pod.crossNamespaceAffinity;
    if (scope == "PriorityClass") {
        // A label selector over {PriorityClass: <name>} (empty when the pod names no class).
        const bool has = !pod.priorityClass.empty();
        const auto &v = requirement.values;
        const bool listed = std::find(v.begin(), v.end(), pod.priorityClass) != v.end();
        if (requirement.op == "Exists")
            return has;
        if (requirement.op == "DoesNotExist")
            return !has;
        if (requirement.op == "In")
            return has && listed;
        if (requirement.op == "NotIn")
            return !has || !listed;
    }
    return false;
}

} // namespace

// --- Resource lists -------------------------------------------------------------------------

ResourceList parseList(const Json *list)
{
    ResourceList out;
    if (!list || !list->is_object())
        return out;
    for (auto it = list->begin(); it != list->end(); ++it)
        if (auto q = Quantity::fromJson(it.value()); q.ok())
            out[it.key()] = *q;
    return out;
}

Json toJson(const ResourceList &list)
{
    Json out = Json::object();
    for (const auto &[name, q] : list)
        out[name] = q.toString();
    return out;
}

ResourceList add(ResourceList a, const ResourceList &b)
{
    addTo(a, b);
    return a;
}

ResourceList subtractNonNegative(const ResourceList &a, const ResourceList &b)
{
    ResourceList out;
    for (const auto &[name, q] : a) {
        Quantity value = q;
        if (auto it = b.find(name); it != b.end())
            value -= it->second;
        out[name] = value.isNegative() ? Quantity() : value;
    }
    return out;
}

ResourceList mask(const ResourceList &list, const std::set<std::string> &names)
{
    ResourceList out;
    for (const auto &[name, q] : list)
        if (names.count(name))
            out[name] = q;
    return out;
}

std::set<std::string> names(const ResourceList &list)
{
    std::set<std::string> out;
    for (const auto &[name, q] : list)
        out.insert(name);
    return out;
}

bool equals(const ResourceList &a, const ResourceList &b)
{
    if (a.size() != b.size())
        return false;
    for (const auto &[name, q] : a) {
        auto it = b.find(name);
        if (it == b.end() || !(it->second == q))
            return false;
    }
    return true;
}

bool isZero(const ResourceList &list)
{
    return std::all_of(list.begin(), list.end(), [](const auto &entry) { return entry.second.isZero(); });
}

std::vector<std::string> exceeding(const ResourceList &list, const ResourceList &limits)
{
    std::vector<std::string> out;
    for (const auto &[name, q] : list)
        if (auto it = limits.find(name); it != limits.end() && q > it->second)
            out.push_back(name);
    return out;
}

std::vector<std::string> negative(const ResourceList &list)
{
    std::vector<std::string> out;
    for (const auto &[name, q] : list)
        if (q.isNegative())
            out.push_back(name);
    return out;
}

std::string prettyPrint(const ResourceList &list)
{
    std::string out;
    for (const auto &[name, q] : list)
        out += (out.empty() ? "" : ",") + name + "=" + q.toString();
    return out;
}

// --- Kinds ------------------------------------------------------------------------------------

std::string objectCountName(const std::string &plural, const std::string &group)
{
    return "count/" + plural + (group.empty() ? "" : "." + group);
}

std::set<std::string> matchingResources(const std::string &plural, const std::string &group,
                                        const std::set<std::string> &names)
{
    std::set<std::string> out;
    for (const std::string &name : names) {
        if (isPod(plural, group)) {
            if (kPodResources.count(name) || startsWith(name, "hugepages-") || startsWith(name, "requests.hugepages-") ||
                (startsWith(name, "requests.") && !corekinds::isNativeResource(name)))
                out.insert(name);
        } else if (isService(plural, group)) {
            if (kServiceResources.count(name))
                out.insert(name);
        } else if (isClaim(plural, group)) {
            if (name == "count/persistentvolumeclaims" || kClaimResources.count(name))
                out.insert(name);
            for (const std::string &resource : kClaimResources)
                if (endsWith(name, kStorageClassSuffix + resource))
                    out.insert(name);
        } else {
            if (name == objectCountName(plural, group))
                out.insert(name);
            if (group.empty())
                if (auto alias = kLegacyCountAliases.find(plural); alias != kLegacyCountAliases.end() && name == alias->second)
                    out.insert(name);
        }
    }
    return out;
}

std::vector<ChargedKind> chargedKinds(const std::set<std::string> &names, const Registry &registry)
{
    std::set<ChargedKind> kinds;
    auto consider = [&](const std::string &plural, const std::string &group) {
        ChargedKind kind{plural, group, matchingResources(plural, group, names)};
        if (!kind.resources.empty())
            kinds.insert(std::move(kind));
    };
    consider("pods", "");
    consider("services", "");
    consider("persistentvolumeclaims", "");
    for (const std::string &name : names) {
        std::string plural, group;
        if (startsWith(name, "count/")) {
            const std::string rest = name.substr(6);
            const size_t dot = rest.find('.');
            plural = rest.substr(0, dot);
            group = dot == std::string::npos ? std::string() : rest.substr(dot + 1);
        } else if (kLegacyCountAliases.count(name)) {
            plural = name;
        } else {
            continue;
        }
        if (group.empty() && (plural == "pods" || plural == "services" || plural == "persistentvolumeclaims" ||
                              plural == "events"))
            continue;  // counted above, or never counted (events)
        const bool served = std::any_of(registry.all().begin(), registry.all().end(), [&](const auto &type) {
            return type->plural == plural && type->group == group && type->namespaced;
        });
        if (served)
            consider(plural, group);
    }
    return {kinds.begin(), kinds.end()};
}

// --- Scopes -----------------------------------------------------------------------------------

std::vector<ScopeRequirement> scopesOf(const Json &quota)
{
    std::vector<ScopeRequirement> out;
    for (const Json &scope : arrayAt(quota, {"spec", "scopes"}))
        if (scope.is_string())
            out.push_back({scope.get<std::string>(), "Exists", {}});
    for (const Json &expression : arrayAt(quota, {"spec", "scopeSelector", "matchExpressions"})) {
        ScopeRequirement requirement{str(expression, {"scopeName"}), str(expression, {"operator"}), {}};
        for (const Json &value : arrayAt(expression, {"values"}))
            if (value.is_string())
                requirement.values.push_back(value.get<std::string>());
        out.push_back(std::move(requirement));
    }
    return out;
}

PodScopeFacts podScopeFacts(const Json &pod)
{
    PodScopeFacts facts;
    const Json *deadline = find(pod, {"spec", "activeDeadlineSeconds"});
    facts.terminating = deadline && deadline->is_number() && deadline->get<long long>() >= 0;
    if (const Json *spec = find(pod, {"spec"}))
        facts.bestEffort = podQosClass(*spec) == "BestEffort";
    facts.priorityClass = str(pod, {"spec", "priorityClassName"});
    for (const char *kind : {"podAffinity", "podAntiAffinity"}) {
        const Json *affinity = find(pod, {"spec", "affinity", kind});
        if (!affinity)
            continue;
        if (crossNamespaceTerms(arrayAt(*affinity, {"requiredDuringSchedulingIgnoredDuringExecution"}), false) ||
            crossNamespaceTerms(arrayAt(*affinity, {"preferredDuringSchedulingIgnoredDuringExecution"}), true))
            facts.crossNamespaceAffinity = true;
    }
    return facts;
}

bool matchesScopes(const std::vector<ScopeRequirement> &scopes, const PodScopeFacts *podFacts)
{
    for (const ScopeRequirement &scope : scopes)
        if (!podFacts || !matchesScope(scope, *podFacts))
            return false;
    return true;
}

// --- Charges ----------------------------------------------------------------------------------

Charge chargeOf(const std::string &plural, const std::string &group, const Json &object)
{
    Charge charge;
    if (isPod(plural, group)) {
        charge.usage = podUsage(object);
        charge.afterEnd = {{"count/pods", kOne}};
        charge.scope = podScopeFacts(object);
        const auto deleted = parseRfc3339(str(object, {"metadata", "deletionTimestamp"}));
        const Json *grace = find(object, {"metadata", "deletionGracePeriodSeconds"});
        if (deleted && grace && grace->is_number())
            charge.endsAt = *deleted + std::chrono::seconds(grace->get<long long>());
    } else if (isService(plural, group)) {
        charge.usage = serviceUsage(object);
    } else if (isClaim(plural, group)) {
        charge.usage = claimUsage(object);
    } else {
        charge.usage = objectCountUsage(plural, group);
    }
    return charge;
}

ResourceList usageOf(const std::string &plural, const std::string &group, const Json &object, TimePoint now)
{
    return chargeOf(plural, group, object).at(now);
}

bool chargesOnCreate(const std::string &, const std::string &) { return true; }

bool chargesOnUpdate(const std::string &plural, const std::string &group, const Json &object, const Json &old)
{
    if (isPod(plural, group))
        return podScopeFacts(object).terminating != podScopeFacts(old).terminating;
    return isService(plural, group) || isClaim(plural, group);
}

std::string podConstraintViolation(const std::set<std::string> &required, const Json &pod)
{
    std::set<std::string> requiredSet;
    for (const std::string &name : required)
        if (kValidationSet.count(name))
            requiredSet.insert(name);
    if (requiredSet.empty())
        return {};
    std::map<std::string, std::set<std::string>> missing;  // resource -> container names
    for (const char *list : {"containers", "initContainers"}) {
        for (const Json &container : arrayAt(pod, {"spec", list})) {
            const std::set<std::string> has =
                names(computeUsage(containerList(container, "requests"), containerList(container, "limits")));
            for (const std::string &name : requiredSet)
                if (!has.count(name))
                    missing[name].insert(str(container, {"name"}));
        }
    }
    if (missing.empty())
        return {};
    std::string message;
    for (const auto &[resource, containers] : missing) {
        std::string list;
        for (const std::string &c : containers)
            list += (list.empty() ? "" : ",") + c;
        message += (message.empty() ? "" : "; ") + resource + " for: " + list;
    }
    return "must specify " + message;
}

// --- Pod resources ----------------------------------------------------------------------------

ResourceList podRequests(const Json &pod, bool withOverhead)
{
    ResourceList requests;
    for (const Json &container : arrayAt(pod, {"spec", "containers"}))
        addTo(requests, containerList(container, "requests"));
    // Init containers run one after another (sidecars keep running beside the later ones): the
    // pod needs the peak of any of them.
    ResourceList sidecars, initPeak;
    for (const Json &container : arrayAt(pod, {"spec", "initContainers"})) {
        const ResourceList own = containerList(container, "requests");
        ResourceList effective;
        if (isSidecar(container)) {
            addTo(requests, own);
            addTo(sidecars, own);
            effective = sidecars;
        } else {
            effective = add(own, sidecars);
        }
        maxInto(initPeak, effective);
    }
    maxInto(requests, initPeak);
    if (withOverhead)
        addTo(requests, parseList(find(pod, {"spec", "overhead"})));
    return requests;
}

ResourceList podLimits(const Json &pod, bool withOverhead)
{
    ResourceList limits;
    for (const Json &container : arrayAt(pod, {"spec", "containers"}))
        addTo(limits, containerList(container, "limits"));
    ResourceList sidecars, initPeak;
    for (const Json &container : arrayAt(pod, {"spec", "initContainers"})) {
        const ResourceList own = containerList(container, "limits");
        ResourceList effective;
        if (isSidecar(container)) {
            addTo(limits, own);
            addTo(sidecars, own);
            effective = sidecars;
        } else {
            effective = add(own, sidecars);
        }
        maxInto(initPeak, effective);
    }
    maxInto(limits, initPeak);
    // The overhead only adds to limits the pod has.
    if (withOverhead)
        for (const auto &[name, q] : parseList(find(pod, {"spec", "overhead"})))
            if (auto it = limits.find(name); it != limits.end())
                it->second += q;
    return limits;
}

} // namespace cd::api::quota
