#include "engine/controllers/replicaset/replicasetstatus.h"

#include "engine/controllers/common/conditions.h"

namespace cd::controllers {
namespace {

void removeFailureCondition(Json &status)
{
    Json kept = Json::array();
    for (const Json &c : status["conditions"])
        if (str(c, {"type"}) != "ReplicaFailure")
            kept.push_back(c);
    if (kept.empty())
        status.erase("conditions");
    else
        status["conditions"] = std::move(kept);
}

} // namespace

void setCount(Json &status, const char *field, long long value)
{
    if (value == 0)
        status.erase(field);
    else
        status[field] = value;
}

Json calculateReplicaSetStatus(const Json &replicaSet, const std::vector<PodFacts> &pods,
                               const std::optional<ReplicaFailure> &failure, TimePoint now)
{
    const Json *current = find(replicaSet, {"status"});
    Json status = current && current->is_object() ? *current : Json::object();
    const Labels templateLabels = stringMap(replicaSet, {"spec", "template", "metadata", "labels"});
    const long long minReadySeconds = integer(replicaSet, {"spec", "minReadySeconds"});

    long long fullyLabeled = 0, ready = 0, available = 0;
    for (const PodFacts &pod : pods) {
        bool labeled = true;
        for (const auto &[key, value] : templateLabels) {
            auto it = pod.labels.find(key);
            labeled = labeled && it != pod.labels.end() && it->second == value;
        }
        fullyLabeled += labeled ? 1 : 0;
        if (pod.ready) {
            ++ready;
            available += pod.available(minReadySeconds, now) ? 1 : 0;
        }
    }

    const Json *existingFailure = statusCondition(status, "ReplicaFailure");
    if (failure && !existingFailure) {
        Json condition = {{"type", "ReplicaFailure"},
                          {"status", "True"},
                          {"lastTransitionTime", rfc3339(now)},
                          {"reason", failure->reason},
                          {"message", failure->message}};
        if (!status.contains("conditions") || !status["conditions"].is_array())
            status["conditions"] = Json::array();
        status["conditions"].push_back(std::move(condition));
    } else if (!failure && existingFailure) {
        removeFailureCondition(status);
    }

    status["replicas"] = static_cast<long long>(pods.size());  // not omitempty in apps/v1
    setCount(status, "fullyLabeledReplicas", fullyLabeled);
    setCount(status, "readyReplicas", ready);
    setCount(status, "availableReplicas", available);
    return status;
}

bool replicaSetStatusCurrent(const Json &replicaSet, const Json &status)
{
    static const Json kEmpty = Json::array();
    const Json *old = find(replicaSet, {"status"});
    if (!old)
        return false;
    for (const char *field : {"replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas"})
        if (integer(*old, {field}) != integer(status, {field}))
            return false;
    if (!old->contains("replicas"))
        return false;  // a status never written: write it once, replicas: 0 included
    if (integer(replicaSet, {"metadata", "generation"}) != integer(*old, {"observedGeneration"}))
        return false;
    const Json *a = find(*old, {"conditions"});
    const Json *b = find(status, {"conditions"});
    return (a ? *a : kEmpty) == (b ? *b : kEmpty);
}

} // namespace cd::controllers
