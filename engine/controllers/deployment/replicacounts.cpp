#include "engine/controllers/deployment/replicacounts.h"

#include "engine/controllers/deployment/revisions.h"
#include "engine/core/clock.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace cd::controllers::deployment {
namespace {

long long sumOf(const std::vector<Json> &replicaSets, std::initializer_list<std::string_view> path)
{
    long long total = 0;
    for (const Json &rs : replicaSets)
        total += integer(rs, path);
    return total;
}

TimePoint createdAt(const Json &object)
{
    return parseRfc3339(str(object, {"metadata", "creationTimestamp"})).value_or(TimePoint{});
}

const Json *rollingParameter(const Json &deployment, const char *name)
{
    return find(deployment, {"spec", "strategy", "rollingUpdate", name});
}

} // namespace

long long deploymentReplicas(const Json &deployment) { return integer(deployment, {"spec", "replicas"}, 1); }
long long specReplicas(const Json &replicaSet) { return integer(replicaSet, {"spec", "replicas"}, 1); }
bool isRollingUpdate(const Json &deployment) { return str(deployment, {"spec", "strategy", "type"}) == "RollingUpdate"; }
bool isRecreate(const Json &deployment) { return str(deployment, {"spec", "strategy", "type"}) == "Recreate"; }

long long sumSpecReplicas(const std::vector<Json> &replicaSets)
{
    long long total = 0;
    for (const Json &rs : replicaSets)
        total += specReplicas(rs);
    return total;
}

long long sumStatusReplicas(const std::vector<Json> &replicaSets) { return sumOf(replicaSets, {"status", "replicas"}); }
long long sumReadyReplicas(const std::vector<Json> &replicaSets) { return sumOf(replicaSets, {"status", "readyReplicas"}); }
long long sumAvailableReplicas(const std::vector<Json> &replicaSets)
{
    return sumOf(replicaSets, {"status", "availableReplicas"});
}

std::vector<Json> activeReplicaSets(const std::vector<Json> &replicaSets)
{
    std::vector<Json> active;
    for (const Json &rs : replicaSets)
        if (specReplicas(rs) > 0)
            active.push_back(rs);
    return active;
}

std::optional<long long> scaledValue(const Json *intOrPercent, long long total, bool roundUp)
{
    if (!intOrPercent || intOrPercent->is_null())
        return 0;
    if (intOrPercent->is_number_integer())
        return intOrPercent->get<long long>();
    if (!intOrPercent->is_string())
        return std::nullopt;
    std::string text = intOrPercent->get<std::string>();
    if (text.empty() || text.back() != '%')
        return std::nullopt;
    text.pop_back();
    char *end = nullptr;
    const long long percent = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || !end || *end != '\0')
        return std::nullopt;
    const double exact = static_cast<double>(percent) * static_cast<double>(total) / 100.0;
    return static_cast<long long>(roundUp ? std::ceil(exact) : std::floor(exact));
}

Fenceposts resolveFenceposts(const Json *maxSurge, const Json *maxUnavailable, long long desired)
{
    const auto surge = scaledValue(maxSurge, desired, true);
    const auto unavailable = scaledValue(maxUnavailable, desired, false);
    if (!surge || !unavailable)
        return {};  // validation keeps such values out
    Fenceposts fenceposts{*surge, *unavailable};
    // Both zero would let nothing move: allow one pod to be unavailable.
    if (fenceposts.surge == 0 && fenceposts.unavailable == 0)
        fenceposts.unavailable = 1;
    return fenceposts;
}

long long maxSurge(const Json &deployment)
{
    if (!isRollingUpdate(deployment))
        return 0;
    return resolveFenceposts(rollingParameter(deployment, "maxSurge"), rollingParameter(deployment, "maxUnavailable"),
                             deploymentReplicas(deployment))
        .surge;
}

long long maxUnavailable(const Json &deployment)
{
    const long long replicas = deploymentReplicas(deployment);
    if (!isRollingUpdate(deployment) || replicas == 0)
        return 0;
    const long long unavailable = resolveFenceposts(rollingParameter(deployment, "maxSurge"),
                                                    rollingParameter(deployment, "maxUnavailable"), replicas)
                                      .unavailable;
    return std::min(unavailable, replicas);
}

long long newReplicaSetReplicas(const Json &deployment, const std::vector<Json> &allReplicaSets,
                                const Json &newReplicaSet)
{
    const long long replicas = deploymentReplicas(deployment);
    if (isRecreate(deployment))
        return replicas;
    const long long current = specReplicas(newReplicaSet);
    const long long surge = scaledValue(rollingParameter(deployment, "maxSurge"), replicas, true).value_or(0);
    long long pods = 0;
    for (const Json &rs : allReplicaSets)
        pods += std::max(specReplicas(rs), integer(rs, {"status", "replicas"}));
    const long long maxTotalPods = replicas + surge;
    if (pods >= maxTotalPods)
        return current;
    return current + std::min(maxTotalPods - pods, replicas - current);
}

bool isSaturated(const Json &deployment, const Json *newReplicaSet)
{
    if (!newReplicaSet)
        return false;
    const long long replicas = deploymentReplicas(deployment);
    const auto desired = desiredReplicasAnnotation(*newReplicaSet);
    return desired && *desired == replicas && specReplicas(*newReplicaSet) == replicas &&
           integer(*newReplicaSet, {"status", "availableReplicas"}) == replicas;
}

long long proportion(const Json &replicaSet, const Json &deployment, long long toAdd, long long added)
{
    const long long size = specReplicas(replicaSet);
    if (size == 0 || toAdd == 0 || toAdd == added)
        return 0;
    // getReplicaSetFraction: this ReplicaSet's share of the Deployment's new maximum size, in the
    // proportion it had of the maximum it was last sized for.
    long long fraction = -size;  // scaling to zero: all of it goes
    if (deploymentReplicas(deployment) != 0) {
        const long long newMax = deploymentReplicas(deployment) + maxSurge(deployment);
        const long long oldMax =
            maxReplicasAnnotation(replicaSet).value_or(integer(deployment, {"status", "replicas"}));
        if (oldMax == 0)
            return 0;
        const double newSize = static_cast<double>(size * newMax) / static_cast<double>(oldMax);
        fraction = static_cast<long long>(newSize + 0.5) - size;  // RoundToInt32
    }
    const long long allowed = toAdd - added;
    // Never more than what is left to add or remove.
    return toAdd > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

bool createdBefore(const Json &a, const Json &b)
{
    const TimePoint ta = createdAt(a), tb = createdAt(b);
    if (ta == tb)
        return str(a, {"metadata", "name"}) < str(b, {"metadata", "name"});
    return ta < tb;
}

bool largerThenNewer(const Json &a, const Json &b)
{
    if (specReplicas(a) == specReplicas(b))
        return createdBefore(b, a);
    return specReplicas(a) > specReplicas(b);
}

bool largerThenOlder(const Json &a, const Json &b)
{
    if (specReplicas(a) == specReplicas(b))
        return createdBefore(a, b);
    return specReplicas(a) > specReplicas(b);
}

const Json *findActiveOrLatest(const Json *newReplicaSet, const std::vector<Json> &oldReplicaSets)
{
    if (!newReplicaSet && oldReplicaSets.empty())
        return nullptr;
    std::vector<const Json *> newestFirst;
    for (const Json &rs : oldReplicaSets)
        newestFirst.push_back(&rs);
    std::sort(newestFirst.begin(), newestFirst.end(), [](const Json *a, const Json *b) { return createdBefore(*b, *a); });
    std::vector<const Json *> active;
    for (const Json *rs : newestFirst)
        if (specReplicas(*rs) > 0)
            active.push_back(rs);
    if (newReplicaSet && specReplicas(*newReplicaSet) > 0)
        active.push_back(newReplicaSet);
    if (active.empty())
        return newReplicaSet ? newReplicaSet : newestFirst.front();
    return active.size() == 1 ? active.front() : nullptr;
}

} // namespace cd::controllers::deployment
