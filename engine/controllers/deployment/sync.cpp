// The steps every kind of sync shares (pkg/controller/deployment/sync.go): finding or making the
// new ReplicaSet, scaling ReplicaSets (proportionally when several are active), deleting old
// ReplicaSets beyond the history limit, and writing the Deployment's status.
#include "engine/controllers/deployment/deploymentcontroller.h"

#include "engine/client/resources.h"
#include "engine/controllers/common/apistatus.h"
#include "engine/controllers/common/ownerrefs.h"
#include "engine/controllers/deployment/deploymentstatus.h"
#include "engine/controllers/deployment/replicacounts.h"
#include "engine/controllers/deployment/revisions.h"

#include <algorithm>

namespace cd::controllers::deployment {
namespace {

const client::Resource &deploymentsResource() { return *client::builtinResource("deployments", "apps"); }
const client::Resource &replicaSetsResource() { return *client::builtinResource("replicasets", "apps"); }

std::string nameOf(const Json &object) { return str(object, {"metadata", "name"}); }
std::string quoted(const std::string &text) { return "\"" + text + "\""; }
TimePoint now() { return Clock::current().now(); }

// Sets spec.minReadySeconds as Go's omitempty writes it: absent when zero.
void setMinReadySeconds(Json &replicaSet, long long seconds)
{
    Json &spec = ensureObject(replicaSet, {"spec"});
    if (seconds == 0)
        spec.erase("minReadySeconds");
    else
        spec["minReadySeconds"] = seconds;
}

} // namespace

// ---- sync, for scaling events and paused Deployments ------------------------------------------

Task<bool> DeploymentController::syncStatusOnly(Json &deployment, std::vector<Json> &replicaSets)
{
    ReplicaSets sets;
    if (!co_await newAndOldReplicaSets(deployment, replicaSets, false, sets))
        co_return false;
    co_return co_await syncDeploymentStatus(sets, deployment);
}

Task<bool> DeploymentController::sync(Json &deployment, std::vector<Json> &replicaSets)
{
    ReplicaSets sets;
    if (!co_await newAndOldReplicaSets(deployment, replicaSets, false, sets))
        co_return false;
    if (!co_await scale(deployment, sets))
        co_return false;
    // A paused Deployment keeps its history trimmed too.
    if (boolean(deployment, {"spec", "paused"})) {
        if (!co_await cleanupDeployment(sets.oldRSs, deployment))
            co_return false;
    }
    co_return co_await syncDeploymentStatus(sets, deployment);
}

Task<bool> DeploymentController::checkPausedConditions(Json &deployment)
{
    if (!updatePausedCondition(deployment, now()))
        co_return true;
    co_return co_await updateStatus(deployment);
}

// ---- the new ReplicaSet -----------------------------------------------------------------------

Task<bool> DeploymentController::newAndOldReplicaSets(Json &deployment, const std::vector<Json> &replicaSets,
                                                      bool createIfMissing, ReplicaSets &out)
{
    const int newIndex = findNewReplicaSet(deployment, replicaSets);
    out.oldRSs.clear();
    for (int i = 0; i < static_cast<int>(replicaSets.size()); ++i)
        if (i != newIndex)
            out.oldRSs.push_back(replicaSets[i]);
    co_return co_await getNewReplicaSet(deployment, replicaSets, out.oldRSs, createIfMissing, out.newRS);
}

Task<bool> DeploymentController::getNewReplicaSet(Json &deployment, const std::vector<Json> &replicaSets,
                                                  const std::vector<Json> &oldRSs, bool createIfMissing,
                                                  std::optional<Json> &newRS)
{
    newRS.reset();
    const int existing = findNewReplicaSet(deployment, replicaSets);
    const long long newRevision = maxRevision(oldRSs) + 1;
    if (existing < 0) {
        if (!createIfMissing)
            co_return true;
        co_return co_await createNewReplicaSet(deployment, oldRSs, newRevision, newRS);
    }

    // The template has a ReplicaSet already (a rollback, or a restart of the controller): bring
    // its annotations up to date, its revision past every old one included.
    Json rs = replicaSets[static_cast<size_t>(existing)];
    const bool annotationsChanged = setNewReplicaSetAnnotations(deployment, rs, newRevision, true);
    const long long minReadySeconds = integer(deployment, {"spec", "minReadySeconds"});
    if (annotationsChanged || integer(rs, {"spec", "minReadySeconds"}) != minReadySeconds) {
        setMinReadySeconds(rs, minReadySeconds);
        const client::Response answer = co_await m_scope.call(
            [&](client::Client::Callback done) { m_client->update(replicaSetsResource(), rs, std::move(done)); });
        if (!answer.ok())
            co_return false;
        // The Deployment's own revision follows in the next sync, as in Kubernetes.
        newRS = answer.json();
        co_return true;
    }

    bool needsUpdate = setDeploymentRevision(deployment, str(rs, {"metadata", "annotations", kRevisionAnnotation}));
    // A Deployment that never reported progress starts measuring it from here.
    if (hasProgressDeadline(deployment) && !statusCondition(ensureObject(deployment, {"status"}), "Progressing")) {
        setCondition(deployment["status"], newCondition("Progressing", "True", kFoundNewReplicaSetReason,
                                                        "Found new replica set " + quoted(nameOf(rs)), now()));
        needsUpdate = true;
    }
    if (needsUpdate) {
        if (!co_await updateStatus(deployment))
            co_return false;
    }
    newRS = std::move(rs);
    co_return true;
}

Task<bool> DeploymentController::createNewReplicaSet(Json &deployment, const std::vector<Json> &oldRSs,
                                                     long long newRevision, std::optional<Json> &newRS)
{
    const std::string ns = str(deployment, {"metadata", "namespace"});
    const Json *collisions = find(deployment, {"status", "collisionCount"});
    const std::optional<long long> collisionCount =
        collisions && collisions->is_number_integer() ? std::optional<long long>(collisions->get<long long>())
                                                      : std::nullopt;
    Json podTemplate = deployment["spec"]["template"];
    const std::string hash = podTemplateHash(podTemplate, collisionCount);
    ensureObject(podTemplate, {"metadata", "labels"})[kPodTemplateHashLabel] = hash;
    Json selector = deployment["spec"]["selector"];
    ensureObject(selector, {"matchLabels"})[kPodTemplateHashLabel] = hash;

    // The name is the hash's, so making it twice finds the first one (AlreadyExists).
    const std::string name = nameOf(deployment) + "-" + hash;
    const Json labels = podTemplate["metadata"]["labels"];
    Json rs = {{"apiVersion", "apps/v1"},
               {"kind", "ReplicaSet"},
               {"metadata",
                {{"name", name},
                 {"namespace", ns},
                 {"labels", labels},
                 {"ownerReferences", Json::array({controllerRef(deployment, "apps/v1", "Deployment")})}}},
               {"spec", {{"replicas", 0}, {"selector", std::move(selector)}, {"template", std::move(podTemplate)}}}};
    setMinReadySeconds(rs, integer(deployment, {"spec", "minReadySeconds"}));
    std::vector<Json> all = oldRSs;
    all.push_back(rs);
    const long long replicas = newReplicaSetReplicas(deployment, all, rs);
    rs["spec"]["replicas"] = replicas;
    setNewReplicaSetAnnotations(deployment, rs, newRevision, false);

    const client::Response answer = co_await m_scope.call(
        [&](client::Client::Callback done) { m_client->create(replicaSetsResource(), ns, rs, std::move(done)); });
    Json created;
    const bool alreadyExists = isAlreadyExists(answer);
    if (alreadyExists) {
        // Ours from an earlier sync whose answer the cache had not shown yet, or a collision
        // with another template's hash. Asked of the API: the cache may not have it yet.
        const client::Response fetched = co_await m_scope.call([&](client::Client::Callback done) {
            m_client->get(replicaSetsResource(), ns, name, std::move(done));
        });
        if (!fetched.ok())
            co_return false;
        created = fetched.json();
        const Json *ref = controllerRefOf(created);
        const Json *theirs = find(created, {"spec", "template"});
        if (!ref || str(*ref, {"uid"}) != str(deployment, {"metadata", "uid"}) || !theirs ||
            !equalIgnoringHash(deployment["spec"]["template"], *theirs)) {
            // A collision: the next sync hashes with a higher collisionCount.
            ensureObject(deployment, {"status"})["collisionCount"] = collisionCount.value_or(0) + 1;
            co_await updateStatus(deployment);
            co_return false;
        }
    } else if (hasStatusCause(answer, "NamespaceTerminating")) {
        co_return false;  // every creation fails in a namespace being deleted; nothing to report
    } else if (!answer.ok()) {
        const std::string message = "Failed to create new replica set " + quoted(name) + ": " + answer.message();
        if (hasProgressDeadline(deployment)) {
            setCondition(ensureObject(deployment, {"status"}),
                         newCondition("Progressing", "False", kFailedReplicaSetCreateReason, message, now()));
            co_await updateStatus(deployment);  // the failure is what matters here
        }
        m_events.warning(deployment, kFailedReplicaSetCreateReason, message);
        co_return false;
    } else {
        created = answer.json();
    }

    if (!alreadyExists && replicas > 0)
        m_events.normal(deployment, "ScalingReplicaSet",
                        "Scaled up replica set " + name + " to " + std::to_string(replicas));
    bool needsUpdate = setDeploymentRevision(deployment, std::to_string(newRevision));
    if (!alreadyExists && hasProgressDeadline(deployment)) {
        setCondition(ensureObject(deployment, {"status"}),
                     newCondition("Progressing", "True", kNewReplicaSetReason,
                                  "Created new replica set " + quoted(name), now()));
        needsUpdate = true;
    }
    newRS = std::move(created);
    if (needsUpdate)
        co_return co_await updateStatus(deployment);
    co_return true;
}

// ---- scaling ----------------------------------------------------------------------------------

Task<bool> DeploymentController::scale(Json &deployment, ReplicaSets &sets)
{
    const long long replicas = deploymentReplicas(deployment);
    // One active ReplicaSet (or none): it takes the Deployment's size, and that is all.
    if (const Json *target = findActiveOrLatest(sets.newOne(), sets.oldRSs)) {
        if (specReplicas(*target) == replicas)
            co_return true;
        Json rs = *target;
        co_return (co_await scaleReplicaSetAndRecordEvent(rs, replicas, deployment)).ok;
    }
    // A saturated new ReplicaSet (one adopted, say) leaves nothing to the old ones.
    if (isSaturated(deployment, sets.newOne())) {
        for (Json rs : activeReplicaSets(sets.oldRSs))
            if (!(co_await scaleReplicaSetAndRecordEvent(rs, 0, deployment)).ok)
                co_return false;
        co_return true;
    }
    if (!isRollingUpdate(deployment))
        co_return true;  // a Recreate rollout scales once the old pods are gone

    // Several active ReplicaSets mid-rollout: each grows or shrinks in proportion to its size,
    // so a scaling event neither speeds up nor slows down the rollout.
    std::vector<Json> active = activeReplicaSets(sets.all());
    const long long allowedSize = replicas > 0 ? replicas + maxSurge(deployment) : 0;
    const long long toAdd = allowedSize - sumSpecReplicas(active);
    std::string operation;
    if (toAdd > 0) {
        std::sort(active.begin(), active.end(), largerThenNewer);  // ties: the newer grows first
        operation = "up";
    } else if (toAdd < 0) {
        std::sort(active.begin(), active.end(), largerThenOlder);  // ties: the older shrinks first
        operation = "down";
    }
    std::vector<long long> sizes;
    long long added = 0;
    for (const Json &rs : active) {
        long long size = specReplicas(rs);
        if (toAdd != 0) {
            const long long share = proportion(rs, deployment, toAdd, added);
            size += share;
            added += share;
        }
        sizes.push_back(size);
    }
    // What rounding left over goes to the largest.
    if (!sizes.empty() && toAdd != 0)
        sizes[0] = std::max(0LL, sizes[0] + toAdd - added);
    for (size_t i = 0; i < active.size(); ++i)
        if (!(co_await scaleReplicaSet(active[i], sizes[i], deployment, operation)).ok)
            co_return false;
    co_return true;
}

Task<DeploymentController::Step> DeploymentController::scaleReplicaSetAndRecordEvent(Json &replicaSet, long long newScale,
                                                                                     const Json &deployment)
{
    if (specReplicas(replicaSet) == newScale)
        co_return Step{};
    const std::string operation = specReplicas(replicaSet) < newScale ? "up" : "down";
    co_return co_await scaleReplicaSet(replicaSet, newScale, deployment, operation);
}

Task<DeploymentController::Step> DeploymentController::scaleReplicaSet(Json &replicaSet, long long newScale,
                                                                       const Json &deployment,
                                                                       const std::string &operation)
{
    const long long oldScale = specReplicas(replicaSet);
    const bool sizeChanges = oldScale != newScale;
    const long long desired = deploymentReplicas(deployment);
    const long long maxReplicas = desired + maxSurge(deployment);
    if (!sizeChanges && !replicasAnnotationsNeedUpdate(replicaSet, desired, maxReplicas))
        co_return Step{};
    Json copy = replicaSet;
    copy["spec"]["replicas"] = newScale;
    setReplicasAnnotations(copy, desired, maxReplicas);
    const client::Response answer = co_await m_scope.call(
        [&](client::Client::Callback done) { m_client->update(replicaSetsResource(), copy, std::move(done)); });
    if (!answer.ok())
        co_return Step{false, false};
    replicaSet = answer.json();
    if (sizeChanges)
        m_events.normal(deployment, "ScalingReplicaSet",
                        "Scaled " + operation + " replica set " + nameOf(replicaSet) + " to " + std::to_string(newScale) +
                            " from " + std::to_string(oldScale));
    co_return Step{true, sizeChanges};
}

// ---- history ----------------------------------------------------------------------------------

Task<bool> DeploymentController::cleanupDeployment(const std::vector<Json> &oldRSs, const Json &deployment)
{
    for (const Json &rs : replicaSetsToCleanUp(deployment, oldRSs)) {
        const client::Response answer = co_await m_scope.call([&](client::Client::Callback done) {
            m_client->remove(replicaSetsResource(), str(rs, {"metadata", "namespace"}), nameOf(rs), std::move(done));
        });
        // Stop at the first failure rather than press an API that may be overloaded.
        if (!answer.ok() && answer.status != 404)
            co_return false;
    }
    co_return true;
}

// ---- status -----------------------------------------------------------------------------------

Task<bool> DeploymentController::syncDeploymentStatus(const ReplicaSets &sets, Json &deployment)
{
    Json status = calculateStatus(sets.all(), sets.newOne(), deployment, now());
    if (!statusChanged(deployment, status))
        co_return true;
    deployment["status"] = std::move(status);
    co_return co_await updateStatus(deployment);
}

Task<bool> DeploymentController::syncRolloutStatus(const ReplicaSets &sets, Json &deployment)
{
    const TimePoint at = now();
    Json status = rolloutStatus(sets.all(), sets.newOne(), deployment, at);
    if (!statusChanged(deployment, status)) {
        // Nothing moved: look again when the progress deadline is due, so it can time out.
        if (const auto delay = progressCheckDelay(deployment, status, at))
            m_queue.addAfter(client::Informer::keyOf(deployment), static_cast<int>(delay->count()));
        co_return true;
    }
    deployment["status"] = std::move(status);
    co_return co_await updateStatus(deployment);
}

Task<bool> DeploymentController::updateStatus(Json &deployment)
{
    const std::string revision = str(deployment, {"metadata", "annotations", kRevisionAnnotation});
    const client::Response answer = co_await m_scope.call([&](client::Client::Callback done) {
        m_client->update(deploymentsResource(), deployment, std::move(done), "status");
    });
    if (!answer.ok())
        co_return false;
    Json stored = answer.json();
    // Kubernetes' status writes of a Deployment keep its annotations, which is how the revision
    // gets there; an API that takes only the status from them needs the annotation written on
    // the Deployment itself.
    if (!revision.empty() && str(stored, {"metadata", "annotations", kRevisionAnnotation}) != revision) {
        const Json patch = {{"metadata", {{"annotations", {{kRevisionAnnotation, revision}}}}}};
        const client::Response patched = co_await m_scope.call([&](client::Client::Callback done) {
            m_client->patch(deploymentsResource(), str(deployment, {"metadata", "namespace"}), nameOf(deployment),
                            "application/merge-patch+json", patch, std::move(done));
        });
        if (!patched.ok())
            co_return false;
        stored = patched.json();
    }
    deployment = std::move(stored);
    co_return true;
}

} // namespace cd::controllers::deployment
