#include "engine/controllers/deployment/deploymentcontroller.h"

#include "engine/client/resources.h"
#include "engine/controllers/common/ownerrefs.h"
#include "engine/controllers/deployment/replicacounts.h"
#include "engine/controllers/deployment/revisions.h"

namespace cd::controllers::deployment {
namespace {

const client::Resource &deploymentsResource() { return *client::builtinResource("deployments", "apps"); }
const client::Resource &replicaSetsResource() { return *client::builtinResource("replicasets", "apps"); }

std::pair<std::string, std::string> splitKey(const std::string &key)
{
    const size_t slash = key.find('/');
    return {key.substr(0, slash), key.substr(slash + 1)};
}

LabelSelector selectorOf(const Json &object)
{
    const Json *selector = find(object, {"spec", "selector"});
    auto parsed = LabelSelector::fromJson(selector ? *selector : Json());
    return parsed.ok() ? std::move(parsed).value() : LabelSelector::nothing();
}

} // namespace

std::vector<Json> DeploymentController::ReplicaSets::all() const
{
    std::vector<Json> everything = oldRSs;
    if (newRS)
        everything.push_back(*newRS);
    return everything;
}

DeploymentController::DeploymentController(ControllerContext &context, QObject *parent)
    : QObject(parent), m_client(context.client), m_deployments(context.informers->informer(deploymentsResource())),
      m_replicaSets(context.informers->informer(replicaSetsResource())), m_pods(PodIndex::shared(context)),
      m_events(context.client, "deployment-controller", {}, this),
      m_queue([this](const std::string &key, std::function<void(bool)> done) { m_scope.spawn(run(key, std::move(done))); },
              this)
{
    m_deployments->addHandler([this](const client::InformerEvent &event) { observeDeployment(event); });
    m_replicaSets->addHandler([this](const client::InformerEvent &event) { observeReplicaSet(event); });
    m_pods->addListener([this](const PodFacts *before, const PodFacts *after) { observePod(before, after); });
}

// ---- what the caches say --------------------------------------------------------------------

void DeploymentController::observeDeployment(const client::InformerEvent &event)
{
    const Json &deployment = *event.object;
    const std::string key = client::Informer::keyOf(deployment);
    if (auto it = m_deploymentFacts.find(key); it != m_deploymentFacts.end()) {
        m_deploymentByUid.erase(it->second.uid);
        m_deploymentFacts.erase(it);
    }
    if (!event.deleted()) {
        DeploymentFacts facts;
        facts.uid = str(deployment, {"metadata", "uid"});
        facts.selector = selectorOf(deployment);
        facts.recreate = isRecreate(deployment);
        m_deploymentByUid[facts.uid] = key;
        m_deploymentFacts[key] = std::move(facts);
    }
    m_queue.add(key);
}

const std::string *DeploymentController::deploymentKeyOf(const std::string &controllerUid,
                                                         const std::string &controllerKind) const
{
    if (controllerUid.empty() || controllerKind != "Deployment")
        return nullptr;
    auto it = m_deploymentByUid.find(controllerUid);
    return it == m_deploymentByUid.end() ? nullptr : &it->second;
}

void DeploymentController::enqueueMatching(const std::string &ns, const Labels &labels)
{
    if (labels.empty())
        return;
    const std::string prefix = ns + "/";
    for (auto it = m_deploymentFacts.lower_bound(prefix);
         it != m_deploymentFacts.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
        if (!it->second.selector.isEverything() && it->second.selector.matches(labels))
            m_queue.add(it->first);
}

void DeploymentController::observeReplicaSet(const client::InformerEvent &event)
{
    const Json &rs = *event.object;
    const std::string key = client::Informer::keyOf(rs);
    std::optional<ReplicaSetFacts> before;
    if (auto it = m_replicaSetFacts.find(key); it != m_replicaSetFacts.end()) {
        before = std::move(it->second);
        m_replicaSetFacts.erase(it);
        m_replicaSetByUid.erase(before->uid);
        auto &index = before->controllerUid.empty() ? m_orphanReplicaSets : m_replicaSetsByController;
        const std::string bucket = before->controllerUid.empty() ? str(rs, {"metadata", "namespace"}) : before->controllerUid;
        if (auto it = index.find(bucket); it != index.end()) {
            it->second.erase(key);
            if (it->second.empty())
                index.erase(it);
        }
    }
    if (event.deleted()) {
        if (before)
            if (const std::string *owner = deploymentKeyOf(before->controllerUid, before->controllerKind))
                m_queue.add(*owner);
        return;
    }

    ReplicaSetFacts after;
    after.uid = str(rs, {"metadata", "uid"});
    after.labels = stringMap(rs, {"metadata", "labels"});
    if (const Json *ref = controllerRefOf(rs)) {
        after.controllerUid = str(*ref, {"uid"});
        after.controllerKind = str(*ref, {"kind"});
    }
    if (after.controllerUid.empty())
        m_orphanReplicaSets[str(rs, {"metadata", "namespace"})].insert(key);
    else
        m_replicaSetsByController[after.controllerUid].insert(key);
    m_replicaSetByUid[after.uid] = key;
    m_replicaSetFacts[key] = after;

    // A ReplicaSet made again under the same name is a new one.
    if (before && before->uid != after.uid)
        before.reset();
    const bool controllerChanged = before && before->controllerUid != after.controllerUid;
    if (controllerChanged)
        if (const std::string *old = deploymentKeyOf(before->controllerUid, before->controllerKind))
            m_queue.add(*old);
    if (!after.controllerUid.empty()) {
        // Its controller is all that matters.
        if (const std::string *owner = deploymentKeyOf(after.controllerUid, after.controllerKind))
            m_queue.add(*owner);
        return;
    }
    // An orphan: whoever matches may adopt it.
    if (!before || controllerChanged || before->labels != after.labels)
        enqueueMatching(str(rs, {"metadata", "namespace"}), after.labels);
}

bool DeploymentController::hasNoPods(const std::string &deploymentUid) const
{
    auto it = m_replicaSetsByController.find(deploymentUid);
    if (it == m_replicaSetsByController.end())
        return true;
    for (const std::string &key : it->second) {
        auto facts = m_replicaSetFacts.find(key);
        if (facts != m_replicaSetFacts.end() && !m_pods->controlledBy(facts->second.uid).empty())
            return false;
    }
    return true;
}

void DeploymentController::observePod(const PodFacts *before, const PodFacts *after)
{
    // Only a Recreate rollout waits on pods: for the last old one to be gone.
    if (after || before->controllerKind != "ReplicaSet")
        return;
    auto rsKey = m_replicaSetByUid.find(before->controllerUid);
    if (rsKey == m_replicaSetByUid.end())
        return;
    const ReplicaSetFacts &rs = m_replicaSetFacts.at(rsKey->second);
    const std::string *key = deploymentKeyOf(rs.controllerUid, rs.controllerKind);
    if (!key)
        return;
    if (m_deploymentFacts.at(*key).recreate && hasNoPods(rs.controllerUid))
        m_queue.add(*key);
}

// ---- the reconcile --------------------------------------------------------------------------

Task<void> DeploymentController::run(std::string key, std::function<void(bool)> done)
{
    const bool retry = co_await syncDeployment(key);
    done(retry);
}

Task<bool> DeploymentController::syncDeployment(std::string key)
{
    if (!m_deployments->hasSynced() || !m_replicaSets->hasSynced() || !m_pods->hasSynced()) {
        // Deciding before the caches are full would make ReplicaSets that exist already.
        m_queue.addAfter(key, 100);
        co_return false;
    }
    const auto [ns, name] = splitKey(key);
    client::ObjectPtr cached = m_deployments->get(ns, name);
    if (!cached)
        co_return false;
    Json deployment = *cached;

    const LabelSelector selector = selectorOf(deployment);
    if (selector.isEverything()) {
        m_events.warning(deployment, "SelectingAll",
                         "This deployment is selecting all pods. A non-empty selector is required.");
        const long long generation = integer(deployment, {"metadata", "generation"});
        if (integer(deployment, {"status", "observedGeneration"}) < generation) {
            ensureObject(deployment, {"status"})["observedGeneration"] = generation;
            co_return !co_await updateStatus(deployment);
        }
        co_return false;
    }

    std::optional<std::vector<Json>> claimed = co_await claimReplicaSets(deployment, selector);
    if (!claimed)
        co_return true;
    std::vector<Json> replicaSets = std::move(*claimed);

    if (has(deployment, {"metadata", "deletionTimestamp"}))
        co_return !co_await syncStatusOnly(deployment, replicaSets);
    if (!co_await checkPausedConditions(deployment))
        co_return true;

    bool ok = true;
    if (boolean(deployment, {"spec", "paused"}) || isScalingEvent(deployment, replicaSets))
        ok = co_await sync(deployment, replicaSets);
    else if (isRecreate(deployment))
        ok = co_await rolloutRecreate(deployment, replicaSets);
    else if (isRollingUpdate(deployment))
        ok = co_await rolloutRolling(deployment, replicaSets);
    co_return !ok;
}

bool DeploymentController::isScalingEvent(const Json &deployment, const std::vector<Json> &replicaSets) const
{
    const long long replicas = deploymentReplicas(deployment);
    for (const Json &rs : activeReplicaSets(replicaSets)) {
        const auto desired = desiredReplicasAnnotation(rs);
        if (desired && *desired != replicas)
            return true;
    }
    return false;
}

Task<std::optional<std::vector<Json>>> DeploymentController::claimReplicaSets(const Json &deployment,
                                                                              const LabelSelector &selector)
{
    const std::string ns = str(deployment, {"metadata", "namespace"});
    const std::string uid = str(deployment, {"metadata", "uid"});
    const bool deleting = has(deployment, {"metadata", "deletionTimestamp"});

    std::vector<Json> claimed, toRelease, toAdopt;
    if (auto owned = m_replicaSetsByController.find(uid); owned != m_replicaSetsByController.end())
        for (const std::string &key : owned->second) {
            client::ObjectPtr rs = m_replicaSets->get(ns, splitKey(key).second);
            if (!rs)
                continue;
            if (selector.matches(stringMap(*rs, {"metadata", "labels"})))
                claimed.push_back(*rs);
            else if (!deleting)
                toRelease.push_back(*rs);
        }
    if (!deleting)
        if (auto orphans = m_orphanReplicaSets.find(ns); orphans != m_orphanReplicaSets.end())
            for (const std::string &key : orphans->second) {
                client::ObjectPtr rs = m_replicaSets->get(ns, splitKey(key).second);
                if (rs && !has(*rs, {"metadata", "deletionTimestamp"}) &&
                    selector.matches(stringMap(*rs, {"metadata", "labels"})))
                    toAdopt.push_back(*rs);
            }

    bool failed = false;
    if (!toRelease.empty()) {
        const auto answers = co_await m_scope.all(int(toRelease.size()), [&](int i, client::Client::Callback done) {
            m_client->patch(replicaSetsResource(), ns, str(toRelease[i], {"metadata", "name"}), kStrategicMergePatch,
                            releasePatch(uid, str(toRelease[i], {"metadata", "uid"})), std::move(done));
        });
        // Gone, or no longer ours (the uid changed): fine.
        for (const client::Response &answer : answers)
            failed = failed || (!answer.ok() && answer.status != 404 && answer.status != 422);
    }
    if (!toAdopt.empty()) {
        // Adopt only while the Deployment still exists and is not being deleted, asked of the API
        // rather than the cache (RecheckDeletionTimestamp).
        const client::Response fresh = co_await m_scope.call([&](client::Client::Callback done) {
            m_client->get(deploymentsResource(), ns, str(deployment, {"metadata", "name"}), std::move(done));
        });
        const Json current = fresh.ok() ? fresh.json() : Json();
        if (!fresh.ok() || str(current, {"metadata", "uid"}) != uid || has(current, {"metadata", "deletionTimestamp"}))
            co_return std::nullopt;
        const auto answers = co_await m_scope.all(int(toAdopt.size()), [&](int i, client::Client::Callback done) {
            m_client->patch(replicaSetsResource(), ns, str(toAdopt[i], {"metadata", "name"}), kStrategicMergePatch,
                            adoptPatch(deployment, "apps/v1", "Deployment", str(toAdopt[i], {"metadata", "uid"})),
                            std::move(done));
        });
        for (const client::Response &answer : answers) {
            if (answer.ok())
                claimed.push_back(answer.json());
            else if (answer.status != 404)
                failed = true;
        }
    }
    if (failed)
        co_return std::nullopt;
    co_return claimed;
}

} // namespace cd::controllers::deployment
