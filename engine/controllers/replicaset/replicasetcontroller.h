#pragma once
// The ReplicaSet controller (kube-controller-manager's pkg/controller/replicaset): keeps as many
// active pods as spec.replicas, made from the template with a controller reference; adopts
// orphans its selector matches and releases pods that stopped matching; creates in slow-start
// batches and remembers what it asked for (expectations) so it never creates twice; removes the
// pods whose loss hurts least first; writes the status every time pods change.

#include "engine/client/eventrecorder.h"
#include "engine/client/workqueue.h"
#include "engine/controllers/common/expectations.h"
#include "engine/controllers/common/podindex.h"
#include "engine/controllers/common/task.h"
#include "engine/controllers/controllercontext.h"
#include "engine/controllers/replicaset/replicasetstatus.h"
#include "engine/core/labels.h"

#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace cd::controllers {

class ReplicaSetController : public QObject {
    Q_OBJECT
public:
    ReplicaSetController(ControllerContext &context, QObject *parent = nullptr);

    const Expectations &expectations() const { return m_expectations; }

private:
    struct ReplicaSetFacts {
        std::string uid;
        LabelSelector selector = LabelSelector::nothing();
        long long minReadySeconds = 0;
        std::string controllerUid;  // its owner's uid (a Deployment), if any
    };

    void observeReplicaSet(const client::InformerEvent &event);
    void observePod(const PodFacts *before, const PodFacts *after);
    void podGone(const PodFacts &pod);
    // The key of the ReplicaSet that controls the pod, or null (resolveControllerRef).
    const std::string *controllerKeyOf(const PodFacts &pod) const;
    // ReplicaSets of the pod's namespace whose selector matches it (for orphans).
    std::vector<std::string> matchingReplicaSets(const PodFacts &pod) const;

    Task<void> run(std::string key, std::function<void(bool)> done);
    Task<bool> syncReplicaSet(std::string key);
    // Adopts and releases (ClaimPods); the active pods the ReplicaSet now controls, or nothing
    // when a claim failed and the sync must be retried.
    Task<std::optional<std::vector<PodFacts>>> claimPods(Json replicaSet, LabelSelector selector);
    Task<std::optional<ReplicaFailure>> manageReplicas(std::vector<PodFacts> active, Json replicaSet);
    Task<std::optional<ReplicaFailure>> createPods(Json replicaSet, int count);
    Task<std::optional<ReplicaFailure>> deletePods(std::vector<PodFacts> active, Json replicaSet, int count);
    Task<bool> writeStatus(Json replicaSet, Json status);

    client::Client *m_client;
    client::Informer *m_replicaSets;
    PodIndex *m_pods;
    ControllerOptions m_options;
    client::EventRecorder m_events;
    Expectations m_expectations;
    std::map<std::string, ReplicaSetFacts> m_facts;                // by "ns/name"
    std::unordered_map<std::string, std::string> m_keyByUid;       // uid -> "ns/name"
    client::WorkQueue m_queue;
    CoroutineScope m_scope;  // last: its coroutines go first when the controller is destroyed
};

} // namespace cd::controllers
