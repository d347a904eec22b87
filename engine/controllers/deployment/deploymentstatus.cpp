#include "engine/controllers/deployment/deploymentstatus.h"

#include "engine/controllers/deployment/replicacounts.h"
#include "engine/controllers/replicaset/replicasetstatus.h"

#include <climits>

namespace cd::controllers::deployment {
namespace {

Json conditionsOf(const Json &status)
{
    const Json *conditions = find(status, {"conditions"});
    return conditions && conditions->is_array() ? *conditions : Json::array();
}

// ReplicaSetToDeploymentCondition: a ReplicaSet's ReplicaFailure, dated by its transition.
Json fromReplicaSetCondition(const Json &c)
{
    return {{"type", str(c, {"type"})},
            {"status", str(c, {"status"})},
            {"lastUpdateTime", str(c, {"lastTransitionTime"})},
            {"lastTransitionTime", str(c, {"lastTransitionTime"})},
            {"reason", str(c, {"reason"})},
            {"message", str(c, {"message"})}};
}

// getReplicaFailures: the new ReplicaSet's failure first, else the first old one's.
std::optional<Json> replicaFailure(const std::vector<Json> &allReplicaSets, const Json *newReplicaSet)
{
    auto failureOf = [](const Json &rs) -> std::optional<Json> {
        if (const Json *c = statusCondition(statusOf(rs), "ReplicaFailure"))
            return fromReplicaSetCondition(*c);
        return std::nullopt;
    };
    if (newReplicaSet)
        if (auto failure = failureOf(*newReplicaSet))
            return failure;
    for (const Json &rs : allReplicaSets)
        if (auto failure = failureOf(rs))
            return failure;
    return std::nullopt;
}

std::string quoted(const std::string &name) { return "\"" + name + "\""; }

// "ReplicaSet \"web-5d9c7f6b8\" <what>", or about the Deployment when there is no new ReplicaSet.
std::string progressMessage(const Json &deployment, const Json *newReplicaSet, const std::string &what)
{
    if (newReplicaSet)
        return "ReplicaSet " + quoted(str(*newReplicaSet, {"metadata", "name"})) + " " + what;
    return "Deployment " + quoted(str(deployment, {"metadata", "name"})) + " " + what;
}

} // namespace

const Json &statusOf(const Json &object)
{
    static const Json kEmpty = Json::object();
    const Json *status = find(object, {"status"});
    return status && status->is_object() ? *status : kEmpty;
}

Json newCondition(const std::string &type, const std::string &status, const std::string &reason,
                  const std::string &message, TimePoint now)
{
    const std::string time = rfc3339(now);
    return {{"type", type},
            {"status", status},
            {"lastUpdateTime", time},
            {"lastTransitionTime", time},
            {"reason", reason},
            {"message", message}};
}

void setCondition(Json &status, Json condition)
{
    const std::string type = str(condition, {"type"});
    if (const Json *current = statusCondition(status, type)) {
        if (str(*current, {"status"}) == str(condition, {"status"})) {
            if (str(*current, {"reason"}) == str(condition, {"reason"}))
                return;
            condition["lastTransitionTime"] = str(*current, {"lastTransitionTime"});
        }
    }
    removeCondition(status, type);
    if (!status.contains("conditions") || !status["conditions"].is_array())
        status["conditions"] = Json::array();
    status["conditions"].push_back(std::move(condition));
}

void removeCondition(Json &status, const std::string &type)
{
    Json kept = Json::array();
    for (const Json &c : conditionsOf(status))
        if (str(c, {"type"}) != type)
            kept.push_back(c);
    if (kept.empty())
        status.erase("conditions");
    else
        status["conditions"] = std::move(kept);
}

bool hasProgressDeadline(const Json &deployment)
{
    const Json *deadline = find(deployment, {"spec", "progressDeadlineSeconds"});
    return deadline && deadline->is_number_integer() && deadline->get<long long>() != INT32_MAX;
}

Json calculateStatus(const std::vector<Json> &allReplicaSets, const Json *newReplicaSet, const Json &deployment,
                     TimePoint now)
{
    const long long available = sumAvailableReplicas(allReplicaSets);
    const long long total = sumSpecReplicas(allReplicaSets);
    // More available than wanted happens while scaling down: none is unavailable then.
    const long long unavailable = std::max(0LL, total - available);

    Json status = Json::object();
    setCount(status, "observedGeneration", integer(deployment, {"metadata", "generation"}));
    setCount(status, "replicas", sumStatusReplicas(allReplicaSets));
    setCount(status, "updatedReplicas", newReplicaSet ? integer(*newReplicaSet, {"status", "replicas"}) : 0);
    setCount(status, "readyReplicas", sumReadyReplicas(allReplicaSets));
    setCount(status, "availableReplicas", available);
    setCount(status, "unavailableReplicas", unavailable);
    if (const Json *collisions = find(deployment, {"status", "collisionCount"}); collisions && !collisions->is_null())
        status["collisionCount"] = *collisions;
    const Json conditions = conditionsOf(statusOf(deployment));
    if (!conditions.empty())
        status["conditions"] = conditions;

    if (available >= deploymentReplicas(deployment) - maxUnavailable(deployment))
        setCondition(status, newCondition("Available", "True", kMinimumReplicasAvailable,
                                          "Deployment has minimum availability.", now));
    else
        setCondition(status, newCondition("Available", "False", kMinimumReplicasUnavailable,
                                          "Deployment does not have minimum availability.", now));
    return status;
}

Json rolloutStatus(const std::vector<Json> &allReplicaSets, const Json *newReplicaSet, const Json &deployment,
                   TimePoint now)
{
    Json status = calculateStatus(allReplicaSets, newReplicaSet, deployment, now);
    if (!hasProgressDeadline(deployment))
        removeCondition(status, "Progressing");

    // A resync of a finished rollout estimates nothing.
    const Json *current = statusCondition(statusOf(deployment), "Progressing");
    const bool complete = integer(status, {"replicas"}) == integer(status, {"updatedReplicas"}) && current &&
                          str(*current, {"reason"}) == kNewReplicaSetAvailableReason;
    if (hasProgressDeadline(deployment) && !complete) {
        if (deploymentComplete(deployment, status)) {
            setCondition(status, newCondition("Progressing", "True", kNewReplicaSetAvailableReason,
                                              progressMessage(deployment, newReplicaSet, "has successfully progressed."),
                                              now));
        } else if (deploymentProgressing(deployment, status)) {
            // Progress moves lastUpdateTime even when the reason stays the same.
            Json condition = newCondition("Progressing", "True", kReplicaSetUpdatedReason,
                                          progressMessage(deployment, newReplicaSet, "is progressing."), now);
            if (current) {
                if (str(*current, {"status"}) == "True")
                    condition["lastTransitionTime"] = str(*current, {"lastTransitionTime"});
                removeCondition(status, "Progressing");
            }
            setCondition(status, std::move(condition));
        } else if (deploymentTimedOut(deployment, status, now)) {
            setCondition(status, newCondition("Progressing", "False", kTimedOutReason,
                                              progressMessage(deployment, newReplicaSet, "has timed out progressing."),
                                              now));
        }
    }

    if (auto failure = replicaFailure(allReplicaSets, newReplicaSet))
        setCondition(status, std::move(*failure));
    else
        removeCondition(status, "ReplicaFailure");
    return status;
}

bool deploymentComplete(const Json &deployment, const Json &newStatus)
{
    const long long replicas = deploymentReplicas(deployment);
    return integer(newStatus, {"updatedReplicas"}) == replicas && integer(newStatus, {"replicas"}) == replicas &&
           integer(newStatus, {"availableReplicas"}) == replicas &&
           integer(newStatus, {"observedGeneration"}) >= integer(deployment, {"metadata", "generation"});
}

bool deploymentProgressing(const Json &deployment, const Json &newStatus)
{
    const Json &old = statusOf(deployment);
    const long long oldOldReplicas = integer(old, {"replicas"}) - integer(old, {"updatedReplicas"});
    const long long newOldReplicas = integer(newStatus, {"replicas"}) - integer(newStatus, {"updatedReplicas"});
    return integer(newStatus, {"updatedReplicas"}) > integer(old, {"updatedReplicas"}) ||
           newOldReplicas < oldOldReplicas || integer(newStatus, {"readyReplicas"}) > integer(old, {"readyReplicas"}) ||
           integer(newStatus, {"availableReplicas"}) > integer(old, {"availableReplicas"});
}

bool deploymentTimedOut(const Json &deployment, const Json &newStatus, TimePoint now)
{
    if (!hasProgressDeadline(deployment))
        return false;
    const Json *condition = statusCondition(newStatus, "Progressing");
    if (!condition)
        return false;  // nothing to measure progress from
    // A finished rollout that is scaled later is not judged again.
    if (str(*condition, {"reason"}) == kNewReplicaSetAvailableReason)
        return false;
    if (str(*condition, {"reason"}) == kTimedOutReason)
        return true;
    const auto lastUpdate = parseRfc3339(str(*condition, {"lastUpdateTime"}));
    if (!lastUpdate)
        return false;
    const auto deadline = std::chrono::seconds(integer(deployment, {"spec", "progressDeadlineSeconds"}));
    return *lastUpdate + deadline < now;
}

std::optional<std::chrono::milliseconds> progressCheckDelay(const Json &deployment, const Json &newStatus,
                                                            TimePoint now)
{
    const Json *current = statusCondition(statusOf(deployment), "Progressing");
    if (!hasProgressDeadline(deployment) || !current)
        return std::nullopt;
    // Complete, already timed out, or a finished rollout scaled since (never judged again).
    if (deploymentComplete(deployment, newStatus) || str(*current, {"reason"}) == kTimedOutReason ||
        str(*current, {"reason"}) == kNewReplicaSetAvailableReason)
        return std::nullopt;
    const auto lastUpdate = parseRfc3339(str(*current, {"lastUpdateTime"}));
    if (!lastUpdate)
        return std::nullopt;
    const auto deadline = std::chrono::seconds(integer(deployment, {"spec", "progressDeadlineSeconds"}));
    const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(*lastUpdate + deadline - now);
    // Long overdue without timing out (the condition is not one that can): look now and then.
    if (after < -std::chrono::seconds(2))
        return std::chrono::seconds(5);
    // Due (or nearly): look again shortly; otherwise a second after the deadline, as Kubernetes
    // does to stay clear of clock rounding.
    if (after < std::chrono::seconds(1))
        return std::chrono::milliseconds(250);
    return after + std::chrono::seconds(1);
}

bool updatePausedCondition(Json &deployment, TimePoint now)
{
    if (!hasProgressDeadline(deployment))
        return false;
    Json &status = ensureObject(deployment, {"status"});
    const Json *current = statusCondition(status, "Progressing");
    // A deadline already exceeded stays reported.
    if (current && str(*current, {"reason"}) == kTimedOutReason)
        return false;
    const bool pausedReported = current && str(*current, {"reason"}) == kPausedReason;
    const bool paused = boolean(deployment, {"spec", "paused"});
    if (paused && !pausedReported) {
        setCondition(status, newCondition("Progressing", "Unknown", kPausedReason, "Deployment is paused", now));
        return true;
    }
    if (!paused && pausedReported) {
        setCondition(status, newCondition("Progressing", "Unknown", kResumedReason, "Deployment is resumed", now));
        return true;
    }
    return false;
}

bool statusChanged(const Json &deployment, const Json &newStatus)
{
    const Json *old = find(deployment, {"status"});
    return !old || *old != newStatus;
}

} // namespace cd::controllers::deployment
