#pragma once
// What an object costs in a ResourceQuota, as Kubernetes' quota evaluators measure it
// (pkg/quota/v1/evaluator/core, apiserver's quota/v1/generic): a pod charges its compute requests
// and limits while it is not terminal, a Service its node ports and load balancers, a claim its
// storage (also per storage class), and every object its `count/<resource>.<group>`. Shared by
// the ResourceQuota admission (charging one request) and the quota controller (summing a namespace).

#include "engine/core/clock.h"
#include "engine/core/json.h"
#include "engine/core/quantity.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace cd::api {
class Registry;
}

namespace cd::api::quota {

// A corev1.ResourceList: resource name -> quantity, in name order.
using ResourceList = std::map<std::string, Quantity>;

// --- Resource lists (apiserver quota/v1 helpers) ----------------------------------------------

ResourceList parseList(const Json *list);  // unparseable values are left out
Json toJson(const ResourceList &list);
ResourceList add(ResourceList a, const ResourceList &b);
ResourceList subtractNonNegative(const ResourceList &a, const ResourceList &b);
ResourceList mask(const ResourceList &list, const std::set<std::string> &names);
std::set<std::string> names(const ResourceList &list);
bool equals(const ResourceList &a, const ResourceList &b);
bool isZero(const ResourceList &list);
// The names of `list` whose value is above `limits`' (names `limits` lacks are fine), sorted.
std::vector<std::string> exceeding(const ResourceList &list, const ResourceList &limits);
std::vector<std::string> negative(const ResourceList &list);
// "limits.cpu=2,requests.memory=1Gi": sorted name=value pairs, as quota messages print them.
std::string prettyPrint(const ResourceList &list);

// --- Which objects a quota resource counts ----------------------------------------------------

// "count/pods", "count/deployments.apps"
std::string objectCountName(const std::string &plural, const std::string &group);

// One resource whose objects a quota charges, and the quota resource names they are charged in.
struct ChargedKind {
    std::string plural;
    std::string group;
    std::set<std::string> resources;
    bool operator<(const ChargedKind &other) const
    {
        return std::tie(group, plural) < std::tie(other.group, other.plural);
    }
};

// The quota resource names among `names` that objects of (plural, group) are charged in
// (an evaluator's MatchingResources).
std::set<std::string> matchingResources(const std::string &plural, const std::string &group,
                                        const std::set<std::string> &names);
// Every namespaced resource the quota names charge, each with its names (an unknown
// `count/...` name charges nothing).
std::vector<ChargedKind> chargedKinds(const std::set<std::string> &names, const Registry &registry);

// --- Scopes (pods only) -----------------------------------------------------------------------

struct ScopeRequirement {
    std::string scope;     // Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass, ...
    std::string op = "Exists";
    std::vector<std::string> values;
};
// spec.scopes (as Exists) followed by spec.scopeSelector.matchExpressions.
std::vector<ScopeRequirement> scopesOf(const Json &quota);

// The few facts about a pod that quota scopes look at.
struct PodScopeFacts {
    bool terminating = false;  // activeDeadlineSeconds >= 0
    bool bestEffort = false;
    bool crossNamespaceAffinity = false;
    std::string priorityClass;
};
PodScopeFacts podScopeFacts(const Json &pod);
// Whether an object falls under every scope; only pods have scopes, other objects match an
// unscoped quota only (podFacts is null for them).
bool matchesScopes(const std::vector<ScopeRequirement> &scopes, const PodScopeFacts *podFacts);

// --- What one object is charged ----------------------------------------------------------------

// An object's charge: `usage` until `endsAt` (a pod being deleted stops being charged when its
// grace period is over, as QuotaV1Pod says), `afterEnd` from then on.
struct Charge {
    ResourceList usage;
    ResourceList afterEnd;
    std::optional<TimePoint> endsAt;
    std::optional<PodScopeFacts> scope;  // pods only

    const ResourceList &at(TimePoint now) const { return endsAt && now > *endsAt ? afterEnd : usage; }
};
Charge chargeOf(const std::string &plural, const std::string &group, const Json &object);
ResourceList usageOf(const std::string &plural, const std::string &group, const Json &object, TimePoint now);

// Whether an admission of this operation can change what the object is charged (Evaluator.Handles).
bool chargesOnUpdate(const std::string &plural, const std::string &group, const Json &object, const Json &old);
bool chargesOnCreate(const std::string &plural, const std::string &group);

// Pods: "must specify limits.cpu for: nginx; limits.memory for: nginx" when a container does not
// set a cpu or memory resource the quota tracks; empty when every container does.
std::string podConstraintViolation(const std::set<std::string> &required, const Json &pod);

// --- Pod resources (component-helpers resource.PodRequests / PodLimits) -------------------------

// Containers summed, init containers as the peak they reach (sidecars stay running), and the
// pod overhead when asked for.
ResourceList podRequests(const Json &pod, bool withOverhead);
ResourceList podLimits(const Json &pod, bool withOverhead);

} // namespace cd::api::quota
