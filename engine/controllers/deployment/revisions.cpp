#include "engine/controllers/deployment/revisions.h"

#include "engine/controllers/deployment/replicacounts.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <set>

namespace cd::controllers::deployment {
namespace {

// Annotations that are the Deployment's own bookkeeping, never copied onto its ReplicaSets.
bool skipCopy(const std::string &key)
{
    static const std::set<std::string> skipped = {"kubectl.kubernetes.io/last-applied-configuration",
                                                  kRevisionAnnotation,
                                                  kRevisionHistoryAnnotation,
                                                  kDesiredReplicasAnnotation,
                                                  kMaxReplicasAnnotation,
                                                  "deprecated.deployment.rollback.to"};
    return skipped.count(key) > 0;
}

std::optional<long long> parseInteger(const std::string &text)
{
    if (text.empty())
        return std::nullopt;
    char *end = nullptr;
    const long long value = std::strtoll(text.c_str(), &end, 10);
    if (!end || *end != '\0')
        return std::nullopt;
    return value;
}

std::optional<long long> int32Annotation(const Json &replicaSet, const char *key)
{
    const Json *value = find(replicaSet, {"metadata", "annotations", key});
    if (!value || !value->is_string())
        return std::nullopt;
    const auto parsed = parseInteger(value->get<std::string>());
    if (!parsed || *parsed < INT32_MIN || *parsed > INT32_MAX)
        return std::nullopt;
    return parsed;
}

// What Go's semantic equality sees of a template: no nulls, no empty maps or lists, and no
// creation time (the API writes `creationTimestamp: null` into templates).
Json normalized(const Json &value)
{
    if (value.is_object()) {
        Json out = Json::object();
        for (auto it = value.begin(); it != value.end(); ++it) {
            Json child = normalized(it.value());
            if (child.is_null() || (child.is_object() && child.empty()) || (child.is_array() && child.empty()))
                continue;
            out[it.key()] = std::move(child);
        }
        return out;
    }
    if (value.is_array()) {
        Json out = Json::array();
        for (const Json &item : value)
            out.push_back(normalized(item));
        return out;
    }
    return value;
}

Json withoutHash(const Json &podTemplate)
{
    Json copy = podTemplate.is_object() ? podTemplate : Json::object();
    if (Json *labels = find(copy, {"metadata", "labels"}); labels && labels->is_object())
        labels->erase(kPodTemplateHashLabel);
    if (Json *metadata = find(copy, {"metadata"}); metadata && metadata->is_object())
        metadata->erase("creationTimestamp");
    return normalized(copy);
}

Json &annotationsOf(Json &object)
{
    Json &metadata = ensureObject(object, {"metadata"});
    if (!metadata.contains("annotations") || !metadata["annotations"].is_object())
        metadata["annotations"] = Json::object();
    return metadata["annotations"];
}

} // namespace

std::string podTemplateHash(const Json &podTemplate, std::optional<long long> collisionCount)
{
    std::uint32_t hash = 2166136261u;  // FNV-32a offset basis
    auto feed = [&hash](unsigned char byte) {
        hash ^= byte;
        hash *= 16777619u;  // FNV-32 prime
    };
    for (char c : dump(podTemplate))
        feed(static_cast<unsigned char>(c));
    if (collisionCount) {
        // Written as a little-endian uint32, as Kubernetes does.
        const auto count = static_cast<std::uint32_t>(*collisionCount);
        for (int shift = 0; shift < 32; shift += 8)
            feed(static_cast<unsigned char>((count >> shift) & 0xff));
    }
    // rand.SafeEncodeString: no vowels, no look-alike characters, so no words appear in names.
    static const std::string alphanumerics = "bcdfghjklmnpqrstvwxz2456789";
    std::string encoded;
    for (char digit : std::to_string(hash))
        encoded += alphanumerics[static_cast<unsigned char>(digit) % alphanumerics.size()];
    return encoded;
}

bool equalIgnoringHash(const Json &templateA, const Json &templateB)
{
    return withoutHash(templateA) == withoutHash(templateB);
}

long long revisionOf(const Json &replicaSet)
{
    return parseInteger(str(replicaSet, {"metadata", "annotations", kRevisionAnnotation})).value_or(0);
}

long long maxRevision(const std::vector<Json> &replicaSets)
{
    long long highest = 0;
    for (const Json &rs : replicaSets)
        highest = std::max(highest, revisionOf(rs));
    return highest;
}

int findNewReplicaSet(const Json &deployment, const std::vector<Json> &replicaSets)
{
    const Json *wanted = find(deployment, {"spec", "template"});
    if (!wanted)
        return -1;
    int found = -1;
    for (int i = 0; i < static_cast<int>(replicaSets.size()); ++i) {
        const Json *own = find(replicaSets[i], {"spec", "template"});
        if (!own || !equalIgnoringHash(*own, *wanted))
            continue;
        // Several can match (a hash collision bumped collisionCount): the oldest is the new one.
        if (found < 0 || createdBefore(replicaSets[i], replicaSets[found]))
            found = i;
    }
    return found;
}

bool setNewReplicaSetAnnotations(const Json &deployment, Json &replicaSet, long long newRevision, bool exists)
{
    bool changed = false;
    Json &annotations = annotationsOf(replicaSet);
    if (const Json *own = find(deployment, {"metadata", "annotations"}); own && own->is_object())
        for (auto it = own->begin(); it != own->end(); ++it) {
            if (skipCopy(it.key()) || (annotations.contains(it.key()) && annotations[it.key()] == it.value()))
                continue;
            annotations[it.key()] = it.value();
            changed = true;
        }

    const bool hadRevision = annotations.contains(kRevisionAnnotation);
    const std::string oldRevision = hadRevision && annotations[kRevisionAnnotation].is_string()
                                        ? annotations[kRevisionAnnotation].get<std::string>()
                                        : std::string();
    const std::optional<long long> oldNumber = oldRevision.empty() ? std::optional<long long>(0) : parseInteger(oldRevision);
    if (!oldNumber)
        return false;  // an annotation that is not a number is left alone, as Kubernetes does
    if (*oldNumber < newRevision) {
        annotations[kRevisionAnnotation] = std::to_string(newRevision);
        changed = true;
        // Rolled back to this ReplicaSet: remember the revisions it had, within a size limit.
        if (hadRevision) {
            const std::string history = str(replicaSet, {"metadata", "annotations", kRevisionHistoryAnnotation});
            if (history.empty()) {
                annotations[kRevisionHistoryAnnotation] = oldRevision;
            } else {
                std::vector<std::string> revisions;
                for (size_t start = 0;;) {
                    const size_t comma = history.find(',', start);
                    revisions.push_back(history.substr(start, comma - start));
                    if (comma == std::string::npos)
                        break;
                    start = comma + 1;
                }
                size_t total = history.size() + oldRevision.size() + 1;
                size_t first = 0;
                while (total > kMaxRevisionHistoryChars && first < revisions.size())
                    total -= revisions[first++].size() + 1;
                if (total <= kMaxRevisionHistoryChars) {
                    std::string joined;
                    for (size_t i = first; i < revisions.size(); ++i)
                        joined += revisions[i] + ",";
                    annotations[kRevisionHistoryAnnotation] = joined + oldRevision;
                }
            }
        }
    }
    if (!exists && setReplicasAnnotations(replicaSet, deploymentReplicas(deployment),
                                          deploymentReplicas(deployment) + maxSurge(deployment)))
        changed = true;
    return changed;
}

bool setDeploymentRevision(Json &deployment, const std::string &revision)
{
    if (str(deployment, {"metadata", "annotations", kRevisionAnnotation}) == revision &&
        has(deployment, {"metadata", "annotations", kRevisionAnnotation}))
        return false;
    annotationsOf(deployment)[kRevisionAnnotation] = revision;
    return true;
}

bool replicasAnnotationsNeedUpdate(const Json &replicaSet, long long desiredReplicas, long long maxReplicas)
{
    return str(replicaSet, {"metadata", "annotations", kDesiredReplicasAnnotation}) != std::to_string(desiredReplicas) ||
           str(replicaSet, {"metadata", "annotations", kMaxReplicasAnnotation}) != std::to_string(maxReplicas);
}

bool setReplicasAnnotations(Json &replicaSet, long long desiredReplicas, long long maxReplicas)
{
    if (!replicasAnnotationsNeedUpdate(replicaSet, desiredReplicas, maxReplicas))
        return false;
    Json &annotations = annotationsOf(replicaSet);
    annotations[kDesiredReplicasAnnotation] = std::to_string(desiredReplicas);
    annotations[kMaxReplicasAnnotation] = std::to_string(maxReplicas);
    return true;
}

std::optional<long long> desiredReplicasAnnotation(const Json &replicaSet)
{
    return int32Annotation(replicaSet, kDesiredReplicasAnnotation);
}

std::optional<long long> maxReplicasAnnotation(const Json &replicaSet)
{
    return int32Annotation(replicaSet, kMaxReplicasAnnotation);
}

std::vector<Json> replicaSetsToCleanUp(const Json &deployment, const std::vector<Json> &oldReplicaSets)
{
    const Json *limitValue = find(deployment, {"spec", "revisionHistoryLimit"});
    if (!limitValue || !limitValue->is_number_integer() || limitValue->get<long long>() == INT32_MAX)
        return {};
    const long long limit = limitValue->get<long long>();
    std::vector<const Json *> cleanable;
    for (const Json &rs : oldReplicaSets)
        if (!has(rs, {"metadata", "deletionTimestamp"}))
            cleanable.push_back(&rs);
    const long long surplus = static_cast<long long>(cleanable.size()) - limit;
    if (surplus <= 0)
        return {};
    std::sort(cleanable.begin(), cleanable.end(), [](const Json *a, const Json *b) {
        const long long ra = revisionOf(*a), rb = revisionOf(*b);
        return ra == rb ? createdBefore(*a, *b) : ra < rb;
    });
    std::vector<Json> chosen;
    for (long long i = 0; i < surplus; ++i) {
        const Json &rs = *cleanable[static_cast<size_t>(i)];
        // Only a ReplicaSet with nothing left to do goes.
        if (integer(rs, {"status", "replicas"}) != 0 || specReplicas(rs) != 0 ||
            integer(rs, {"metadata", "generation"}) > integer(rs, {"status", "observedGeneration"}))
            continue;
        chosen.push_back(rs);
    }
    return chosen;
}

} // namespace cd::controllers::deployment
