#pragma once
// The Deployment controller (kube-controller-manager's pkg/controller/deployment, v1.32): rolls
// a Deployment's pod template out through ReplicaSets it owns. A template it has not seen gets a
// new ReplicaSet <deployment>-<pod-template-hash>; a template it has seen (rollout undo) gets
// its old ReplicaSet back with the next revision. RollingUpdate grows the new ReplicaSet and
// shrinks the old ones within maxSurge and maxUnavailable; Recreate scales the old ones to zero
// and waits for their pods to be gone first. A paused Deployment does not roll out but scales;
// a Deployment scaled mid-rollout scales every active ReplicaSet in proportion. Old ReplicaSets
// beyond revisionHistoryLimit are deleted. The status carries the counts and conditions
// `kubectl rollout status` waits for, and events say every step ("Scaled up replica set ...").
//
// The methods are spread over files by concern: this file's .cpp (caches, queue, the reconcile
// entry, ReplicaSet adoption), sync.cpp (the new ReplicaSet, scaling, cleanup, status writes),
// rollingupdate.cpp and recreate.cpp (the two strategies).

#include "engine/client/eventrecorder.h"
#include "engine/client/workqueue.h"
#include "engine/controllers/common/podindex.h"
#include "engine/controllers/common/task.h"
#include "engine/controllers/controllercontext.h"
#include "engine/core/labels.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace cd::controllers::deployment {

class DeploymentController : public QObject {
    Q_OBJECT
public:
    DeploymentController(ControllerContext &context, QObject *parent = nullptr);

private:
    // What the caches say, in a few facts per object (never parsed objects kept around).
    struct DeploymentFacts {
        std::string uid;
        LabelSelector selector = LabelSelector::nothing();
        bool recreate = false;
    };
    struct ReplicaSetFacts {
        std::string uid;
        std::string controllerUid;  // its controller's uid, empty for an orphan
        std::string controllerKind;
        Labels labels;
    };
    // The ReplicaSets of one sync: the new one (when the template has one) and the others.
    struct ReplicaSets {
        std::optional<Json> newRS;
        std::vector<Json> oldRSs;
        std::vector<Json> all() const;  // old ones, then the new one
        const Json *newOne() const { return newRS ? &*newRS : nullptr; }
    };
    // A step that may write: whether it failed (retry the sync) and whether it changed anything.
    struct Step {
        bool ok = true;
        bool changed = false;
    };

    // ---- caches and events (deploymentcontroller.cpp) ----
    void observeDeployment(const client::InformerEvent &event);
    void observeReplicaSet(const client::InformerEvent &event);
    void observePod(const PodFacts *before, const PodFacts *after);
    // The Deployment key a controller reference names, or null (resolveControllerRef).
    const std::string *deploymentKeyOf(const std::string &controllerUid, const std::string &controllerKind) const;
    // Deployments of the namespace whose selector matches these labels (getDeploymentsForReplicaSet).
    void enqueueMatching(const std::string &ns, const Labels &labels);
    // Whether no pod of any of the Deployment's ReplicaSets is left (a Recreate waits for that).
    bool hasNoPods(const std::string &deploymentUid) const;

    // ---- the reconcile (deploymentcontroller.cpp) ----
    Task<void> run(std::string key, std::function<void(bool)> done);
    Task<bool> syncDeployment(std::string key);  // true: retry later
    // ClaimReplicaSets: the Deployment's ReplicaSets after adopting orphans its selector matches
    // and releasing those that stopped matching; nothing when a claim failed.
    Task<std::optional<std::vector<Json>>> claimReplicaSets(const Json &deployment, const LabelSelector &selector);
    // isScalingEvent: an active ReplicaSet was sized for another spec.replicas.
    bool isScalingEvent(const Json &deployment, const std::vector<Json> &replicaSets) const;

    // ---- shared steps (sync.cpp) ----
    Task<bool> syncStatusOnly(Json &deployment, std::vector<Json> &replicaSets);
    Task<bool> sync(Json &deployment, std::vector<Json> &replicaSets);
    Task<bool> checkPausedConditions(Json &deployment);
    // getAllReplicaSetsAndSyncRevision: splits the ReplicaSets into new and old, brings the new
    // one's annotations and revision up to date (creating it when asked and missing).
    Task<bool> newAndOldReplicaSets(Json &deployment, const std::vector<Json> &replicaSets, bool createIfMissing,
                                    ReplicaSets &out);
    Task<bool> getNewReplicaSet(Json &deployment, const std::vector<Json> &replicaSets,
                                const std::vector<Json> &oldRSs, bool createIfMissing, std::optional<Json> &newRS);
    Task<bool> createNewReplicaSet(Json &deployment, const std::vector<Json> &oldRSs, long long newRevision,
                                   std::optional<Json> &newRS);
    Task<bool> scale(Json &deployment, ReplicaSets &sets);
    Task<Step> scaleReplicaSetAndRecordEvent(Json &replicaSet, long long newScale, const Json &deployment);
    Task<Step> scaleReplicaSet(Json &replicaSet, long long newScale, const Json &deployment,
                               const std::string &operation);
    Task<bool> cleanupDeployment(const std::vector<Json> &oldRSs, const Json &deployment);
    Task<bool> syncDeploymentStatus(const ReplicaSets &sets, Json &deployment);
    Task<bool> syncRolloutStatus(const ReplicaSets &sets, Json &deployment);
    // UpdateStatus with the Deployment's annotations (its revision); the answer replaces it.
    Task<bool> updateStatus(Json &deployment);

    // ---- RollingUpdate (rollingupdate.cpp) ----
    Task<bool> rolloutRolling(Json &deployment, std::vector<Json> &replicaSets);
    Task<Step> reconcileNewReplicaSet(const std::vector<Json> &allRSs, Json &newRS, const Json &deployment);
    Task<Step> reconcileOldReplicaSets(const std::vector<Json> &allRSs, std::vector<Json> oldRSs, const Json &newRS,
                                       const Json &deployment);
    Task<Step> cleanupUnhealthyReplicas(std::vector<Json> &oldRSs, const Json &deployment, long long maxCleanup,
                                        long long &scaledDown);
    Task<Step> scaleDownOldReplicaSetsForRollingUpdate(const std::vector<Json> &allRSs, std::vector<Json> &oldRSs,
                                                       const Json &deployment, long long &scaledDown);

    // ---- Recreate (recreate.cpp) ----
    Task<bool> rolloutRecreate(Json &deployment, std::vector<Json> &replicaSets);
    bool oldPodsRunning(const ReplicaSets &sets) const;

    client::Client *m_client;
    client::Informer *m_deployments;
    client::Informer *m_replicaSets;
    PodIndex *m_pods;
    client::EventRecorder m_events;
    std::map<std::string, DeploymentFacts> m_deploymentFacts;        // by "ns/name"
    std::unordered_map<std::string, std::string> m_deploymentByUid;  // uid -> "ns/name"
    std::unordered_map<std::string, ReplicaSetFacts> m_replicaSetFacts;                 // by "ns/name"
    std::unordered_map<std::string, std::string> m_replicaSetByUid;                     // uid -> "ns/name"
    std::unordered_map<std::string, std::set<std::string>> m_replicaSetsByController;   // uid -> keys
    std::unordered_map<std::string, std::set<std::string>> m_orphanReplicaSets;         // ns -> keys
    client::WorkQueue m_queue;
    CoroutineScope m_scope;  // last: its coroutines go first when the controller is destroyed
};

} // namespace cd::controllers::deployment
