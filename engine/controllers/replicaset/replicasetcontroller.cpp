#include "engine/controllers/replicaset/replicasetcontroller.h"

#include "engine/client/resources.h"
#include "engine/controllers/common/apistatus.h"
#include "engine/controllers/common/ownerrefs.h"
#include "engine/controllers/common/podranking.h"
#include "engine/controllers/common/slowstart.h"

#include <algorithm>

namespace cd::controllers {
namespace {

const client::Resource &replicaSetsResource() { return *client::builtinResource("replicasets", "apps"); }
const client::Resource &podsResource() { return *client::builtinResource("pods"); }

// Batches of pod creations start this small and double (SlowStartInitialBatchSize).
constexpr int kSlowStartInitialBatchSize = 1;

std::pair<std::string, std::string> splitKey(const std::string &key)
{
    const size_t slash = key.find('/');
    return {key.substr(0, slash), key.substr(slash + 1)};
}

// The pod a ReplicaSet makes (GetPodFromTemplate): the template's labels, annotations,
// finalizers and spec, a generated name after the ReplicaSet's, and its controller reference.
Json podFromTemplate(const Json &replicaSet)
{
    const std::string name = str(replicaSet, {"metadata", "name"});
    Json metadata = {{"generateName", name + "-"},
                     {"namespace", str(replicaSet, {"metadata", "namespace"})},
                     {"ownerReferences", Json::array({controllerRef(replicaSet, "apps/v1", "ReplicaSet")})}};
    for (const char *field : {"labels", "annotations", "finalizers"})
        if (const Json *value = find(replicaSet, {"spec", "template", "metadata", field});
            value && !value->empty() && !value->is_null())
            metadata[field] = *value;
    const Json *spec = find(replicaSet, {"spec", "template", "spec"});
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", std::move(metadata)},
            {"spec", spec ? *spec : Json::object()}};
}

} // namespace

ReplicaSetController::ReplicaSetController(ControllerContext &context, QObject *parent)
    : QObject(parent), m_client(context.client),
      m_replicaSets(context.informers->informer(replicaSetsResource())), m_pods(PodIndex::shared(context)),
      m_options(context.options), m_events(context.client, "replicaset-controller", {}, this),
      m_queue([this](const std::string &key, std::function<void(bool)> done) { m_scope.spawn(run(key, std::move(done))); },
              this)
{
    m_replicaSets->addHandler([this](const client::InformerEvent &event) { observeReplicaSet(event); });
    m_pods->addListener([this](const PodFacts *before, const PodFacts *after) { observePod(before, after); });
}

// ---- what the caches say --------------------------------------------------------------------

void ReplicaSetController::observeReplicaSet(const client::InformerEvent &event)
{
    const Json &rs = *event.object;
    const std::string key = client::Informer::keyOf(rs);
    const std::string uid = str(rs, {"metadata", "uid"});
    auto existing = m_facts.find(key);
    if (existing != m_facts.end() && (event.deleted() || existing->second.uid != uid)) {
        // Gone, or deleted and made again under the same name: what was awaited will never come.
        m_expectations.forget(key);
        m_keyByUid.erase(existing->second.uid);
        m_facts.erase(existing);
    }
    if (!event.deleted()) {
        ReplicaSetFacts facts;
        facts.uid = uid;
        const Json *selector = find(rs, {"spec", "selector"});
        auto parsed = LabelSelector::fromJson(selector ? *selector : Json());
        facts.selector = parsed.ok() ? std::move(parsed).value() : LabelSelector::nothing();
        facts.minReadySeconds = integer(rs, {"spec", "minReadySeconds"});
        if (const Json *ref = controllerRefOf(rs))
            facts.controllerUid = str(*ref, {"uid"});
        m_keyByUid[uid] = key;
        m_facts[key] = std::move(facts);
    }
    m_queue.add(key);
}

const std::string *ReplicaSetController::controllerKeyOf(const PodFacts &pod) const
{
    if (pod.controllerUid.empty() || pod.controllerKind != "ReplicaSet")
        return nullptr;
    auto it = m_keyByUid.find(pod.controllerUid);
    return it == m_keyByUid.end() ? nullptr : &it->second;
}

std::vector<std::string> ReplicaSetController::matchingReplicaSets(const PodFacts &pod) const
{
    std::vector<std::string> keys;
    const std::string prefix = pod.ns + "/";
    for (auto it = m_facts.lower_bound(prefix); it != m_facts.end() && it->first.compare(0, prefix.size(), prefix) == 0;
         ++it)
        if (!it->second.selector.isEverything() && it->second.selector.matches(pod.labels))
            keys.push_back(it->first);
    return keys;
}

void ReplicaSetController::podGone(const PodFacts &pod)
{
    if (const std::string *key = controllerKeyOf(pod)) {
        m_expectations.deletionObserved(*key, pod.key());
        m_queue.add(*key);
    }
}

void ReplicaSetController::observePod(const PodFacts *before, const PodFacts *after)
{
    if (!after) {
        podGone(*before);
        return;
    }
    if (!before) {
        if (after->deleting) {
            // Seen for the first time already being deleted (after a restart): not a creation.
            podGone(*after);
            return;
        }
        if (const std::string *key = controllerKeyOf(*after)) {
            m_expectations.creationObserved(*key);
            m_queue.add(*key);
        } else if (after->controllerUid.empty()) {
            for (const std::string &key : matchingReplicaSets(*after))
                m_queue.add(key);
        }
        return;
    }
    const bool labelsChanged = before->labels != after->labels;
    if (after->deleting) {
        // A graceful deletion started: replace the pod now rather than when it is finally gone.
        podGone(*after);
        if (labelsChanged)
            podGone(*before);
        return;
    }
    const bool controllerChanged = before->controllerUid != after->controllerUid;
    if (controllerChanged)
        if (const std::string *key = controllerKeyOf(*before))
            m_queue.add(*key);
    if (const std::string *key = controllerKeyOf(*after)) {
        m_queue.add(*key);
        // A pod that just became ready turns available after minReadySeconds: look again then.
        const ReplicaSetFacts &facts = m_facts.at(*key);
        if (!before->ready && after->ready && facts.minReadySeconds > 0)
            m_queue.addAfter(*key, static_cast<int>((facts.minReadySeconds + 1) * 1000));
        return;
    }
    if (after->controllerUid.empty() && (labelsChanged || controllerChanged))
        for (const std::string &key : matchingReplicaSets(*after))
            m_queue.add(key);
}

// ---- the reconcile --------------------------------------------------------------------------

Task<void> ReplicaSetController::run(std::string key, std::function<void(bool)> done)
{
    const bool retry = co_await syncReplicaSet(key);
    done(retry);
}

Task<bool> ReplicaSetController::syncReplicaSet(std::string key)
{
    if (!m_pods->hasSynced() || !m_replicaSets->hasSynced()) {
        // Counting pods before the cache is full would create pods that exist already.
        m_queue.addAfter(key, 100);
        co_return false;
    }
    const auto [ns, name] = splitKey(key);
    client::ObjectPtr cached = m_replicaSets->get(ns, name);
    if (!cached) {
        m_expectations.forget(key);
        co_return false;
    }
    const Json replicaSet = *cached;
    const bool needsSync = m_expectations.satisfied(key);
    const Json *selectorJson = find(replicaSet, {"spec", "selector"});
    auto selector = LabelSelector::fromJson(selectorJson ? *selectorJson : Json());
    if (!selector.ok())
        co_return false;  // validation keeps these out; nothing to do until the spec changes

    std::optional<std::vector<PodFacts>> claimed = co_await claimPods(replicaSet, std::move(selector).value());
    if (!claimed)
        co_return true;

    std::optional<ReplicaFailure> failure;
    if (needsSync && !find(replicaSet, {"metadata", "deletionTimestamp"}))
        failure = co_await manageReplicas(*claimed, replicaSet);

    const TimePoint now = Clock::current().now();
    const Json status = calculateReplicaSetStatus(replicaSet, *claimed, failure, now);
    if (!co_await writeStatus(replicaSet, status))
        co_return true;

    // A last look once pods that are ready should have become available (minReadySeconds).
    const long long minReadySeconds = integer(replicaSet, {"spec", "minReadySeconds"});
    const long long replicas = integer(replicaSet, {"spec", "replicas"}, 1);
    if (!failure && minReadySeconds > 0 && integer(status, {"readyReplicas"}) == replicas &&
        integer(status, {"availableReplicas"}) != replicas)
        m_queue.addAfter(key, static_cast<int>(minReadySeconds * 1000));
    co_return failure.has_value();
}

Task<std::optional<std::vector<PodFacts>>> ReplicaSetController::claimPods(Json replicaSet, LabelSelector selector)
{
    const std::string ns = str(replicaSet, {"metadata", "namespace"});
    const std::string uid = str(replicaSet, {"metadata", "uid"});
    const bool deleting = find(replicaSet, {"metadata", "deletionTimestamp"}) != nullptr;

    std::vector<PodFacts> claimed, toRelease, toAdopt;
    for (const PodFacts *pod : m_pods->controlledBy(uid)) {
        if (!pod->active())
            continue;
        if (selector.matches(pod->labels))
            claimed.push_back(*pod);
        else if (!deleting)
            toRelease.push_back(*pod);
    }
    if (!deleting)
        for (const PodFacts *pod : m_pods->orphans(ns))
            if (pod->active() && selector.matches(pod->labels))
                toAdopt.push_back(*pod);

    bool failed = false;
    if (!toRelease.empty()) {
        const auto answers = co_await m_scope.all(int(toRelease.size()), [&](int i, client::Client::Callback done) {
            m_client->patch(podsResource(), ns, toRelease[i].name, kStrategicMergePatch,
                            releasePatch(uid, toRelease[i].uid), std::move(done));
        });
        // Gone, or no longer ours (Invalid: the uid changed or the reference is gone): fine.
        for (const client::Response &answer : answers)
            failed = failed || (!answer.ok() && answer.status != 404 && answer.status != 422);
    }
    if (!toAdopt.empty()) {
        // Adopt only while the ReplicaSet still exists and is not being deleted, asked of the API
        // itself rather than the cache (RecheckDeletionTimestamp).
        const client::Response fresh = co_await m_scope.call([&](client::Client::Callback done) {
            m_client->get(replicaSetsResource(), ns, str(replicaSet, {"metadata", "name"}), std::move(done));
        });
        const Json current = fresh.ok() ? fresh.json() : Json();
        if (!fresh.ok() || str(current, {"metadata", "uid"}) != uid ||
            find(current, {"metadata", "deletionTimestamp"})) {
            co_return std::nullopt;
        }
        const auto answers = co_await m_scope.all(int(toAdopt.size()), [&](int i, client::Client::Callback done) {
            m_client->patch(podsResource(), ns, toAdopt[i].name, kStrategicMergePatch,
                            adoptPatch(replicaSet, "apps/v1", "ReplicaSet", toAdopt[i].uid), std::move(done));
        });
        for (size_t i = 0; i < answers.size(); ++i) {
            if (answers[i].ok())
                claimed.push_back(toAdopt[i]);
            else if (answers[i].status != 404)
                failed = true;
        }
    }
    if (failed)
        co_return std::nullopt;
    co_return claimed;
}

Task<std::optional<ReplicaFailure>> ReplicaSetController::manageReplicas(std::vector<PodFacts> active, Json replicaSet)
{
    const long long diff = static_cast<long long>(active.size()) - integer(replicaSet, {"spec", "replicas"}, 1);
    const int burst = std::max(1, m_options.burstReplicas);
    std::optional<ReplicaFailure> failure;
    if (diff < 0)
        failure = co_await createPods(replicaSet, static_cast<int>(std::min<long long>(-diff, burst)));
    else if (diff > 0)
        failure = co_await deletePods(std::move(active), replicaSet, static_cast<int>(std::min<long long>(diff, burst)));
    co_return failure;
}

Task<std::optional<ReplicaFailure>> ReplicaSetController::createPods(Json replicaSet, int count)
{
    const std::string key = client::Informer::keyOf(replicaSet);
    const std::string ns = str(replicaSet, {"metadata", "namespace"});
    const Json pod = podFromTemplate(replicaSet);
    // Expected before asking, so a pod seen before its answer still counts.
    m_expectations.expectCreations(key, count);
    const SlowStartOutcome outcome = co_await slowStartBatch(
        m_scope, count, kSlowStartInitialBatchSize,
        [&](client::Client::Callback done) { m_client->create(podsResource(), ns, pod, std::move(done)); },
        [&](const client::Response &answer) {
            if (answer.ok()) {
                m_events.normal(replicaSet, "SuccessfulCreate", "Created pod: " + str(answer.json(), {"metadata", "name"}));
                return true;
            }
            // Every creation fails in a namespace being deleted; nothing to report (and, as in
            // Kubernetes, not a failure).
            if (hasStatusCause(answer, "NamespaceTerminating"))
                return true;
            m_events.warning(replicaSet, "FailedCreate", "Error creating: " + answer.message());
            return false;
        });
    // Pods never asked for (the batches stopped) will not be seen: stop waiting for them.
    for (int skipped = count - outcome.successes; skipped > 0; --skipped)
        m_expectations.creationObserved(key);
    if (outcome.failure)
        co_return ReplicaFailure{"FailedCreate", outcome.failure->message()};
    co_return std::nullopt;
}

Task<std::optional<ReplicaFailure>> ReplicaSetController::deletePods(std::vector<PodFacts> active, Json replicaSet,
                                                                     int count)
{
    const std::string key = client::Informer::keyOf(replicaSet);
    const std::string ns = str(replicaSet, {"metadata", "namespace"});

    // Ranked against the pods of every ReplicaSet with the same owner, so a Deployment's pods
    // spread over nodes stay spread (getIndirectlyRelatedPods).
    std::vector<const PodFacts *> candidates;
    for (const PodFacts &pod : active)
        candidates.push_back(&pod);
    std::vector<const PodFacts *> related;
    if (const Json *owner = controllerRefOf(replicaSet)) {
        const std::string ownerUid = str(*owner, {"uid"});
        for (const auto &[otherKey, facts] : m_facts)
            if (facts.controllerUid == ownerUid)
                for (const PodFacts *pod : m_pods->controlledBy(facts.uid))
                    related.push_back(pod);
    }
    std::vector<PodFacts> victims;
    for (const PodFacts *pod : podsToDelete(candidates, related, size_t(count), Clock::current().now()))
        victims.push_back(*pod);
    std::vector<std::string> podKeys;
    for (const PodFacts &pod : victims)
        podKeys.push_back(pod.key());
    m_expectations.expectDeletions(key, podKeys);

    const auto answers = co_await m_scope.all(int(victims.size()), [&](int i, client::Client::Callback done) {
        m_client->remove(podsResource(), ns, victims[i].name, std::move(done));
    });
    std::optional<ReplicaFailure> failure;
    for (size_t i = 0; i < answers.size(); ++i) {
        if (answers[i].ok()) {
            m_events.normal(replicaSet, "SuccessfulDelete", "Deleted pod: " + victims[i].name);
            continue;
        }
        // The deletion will not be seen: stop waiting for it.
        m_expectations.deletionObserved(key, victims[i].key());
        if (answers[i].status == 404)
            continue;
        m_events.warning(replicaSet, "FailedDelete", "Error deleting: " + answers[i].message());
        if (!failure)
            failure = ReplicaFailure{"FailedDelete", "unable to delete pods: " + answers[i].message()};
    }
    co_return failure;
}

Task<bool> ReplicaSetController::writeStatus(Json replicaSet, Json status)
{
    if (replicaSetStatusCurrent(replicaSet, status))
        co_return true;
    status["observedGeneration"] = integer(replicaSet, {"metadata", "generation"}, 1);
    // One retry on the latest version, as updateReplicaSetStatus does (statusUpdateRetries).
    for (int attempt = 0;; ++attempt) {
        replicaSet["status"] = status;
        const client::Response answer = co_await m_scope.call([&](client::Client::Callback done) {
            m_client->update(replicaSetsResource(), replicaSet, std::move(done), "status");
        });
        if (answer.ok())
            co_return true;
        if (answer.status == 404 || attempt >= 1)
            co_return answer.status == 404;
        const client::Response latest = co_await m_scope.call([&](client::Client::Callback done) {
            m_client->get(replicaSetsResource(), str(replicaSet, {"metadata", "namespace"}),
                          str(replicaSet, {"metadata", "name"}), std::move(done));
        });
        if (!latest.ok())
            co_return latest.status == 404;
        replicaSet = latest.json();
    }
}

} // namespace cd::controllers
