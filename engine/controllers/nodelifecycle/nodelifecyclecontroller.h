#pragma once
// The node lifecycle controller (kube-controller-manager's nodelifecycle, v1.32): watches each
// node's health signals (its Lease and its Ready heartbeat); a node silent for longer than the
// grace period turns Unknown ("Kubelet stopped posting node status."), its pods are marked not
// ready, and it gets the unreachable taints — NoSchedule at once, NoExecute for the taint
// manager to evict pods that do not tolerate it. NotReady nodes get the not-ready taints, cordoned
// nodes the unschedulable one; a node healthy again loses them. When every node of every zone is
// down, evictions stop (the cluster, not the nodes, is probably at fault), as in Kubernetes.

#include "engine/client/eventrecorder.h"
#include "engine/controllers/controllercontext.h"
#include "engine/controllers/nodelifecycle/nodepods.h"

#include <QTimer>

#include <map>

namespace cd::controllers {

class NodeLifecycleController : public QObject {
    Q_OBJECT
public:
    // Whether NoExecute taints follow node health (they stop when whole zones are down).
    enum class Evictions { Allowed, Frozen, Lifted };

    NodeLifecycleController(client::Client *client, client::SharedInformers *informers, NodePods *pods,
                            const ControllerOptions &options, QObject *parent = nullptr);

private:
    struct NodeHealth {
        std::string uid;
        bool hasReady = false;
        std::string ready;           // True, False, Unknown
        std::string readyHeartbeat;  // the Ready condition's lastHeartbeatTime
        std::map<std::string, std::string> conditions;  // type -> status
        std::string leaseRenew;
        std::int64_t probeMs = 0;    // steady time of the last fresh signal
        std::int64_t firstSeenMs = 0;
        bool unschedulable = false;
        std::string zone;
        std::set<std::pair<std::string, std::string>> managedTaints;  // (key, effect) present now
        bool writing = false;
        bool registered = false;  // RegisteredNode recorded
        Evictions evictions = Evictions::Allowed;
    };

    void onNode(const client::InformerEvent &event);
    void onLease(const client::InformerEvent &event);
    void monitor();
    void markUnknown(const std::string &name, NodeHealth &health);
    void reconcileTaints(const std::string &name, NodeHealth &health);
    void markPodsNotReady(const std::string &name);
    void recordNodeEvent(const std::string &name, const std::string &uid, const std::string &reason,
                         const std::string &message);

    client::Client *m_client;
    client::SharedInformers *m_informers;
    client::Informer *m_nodeInformer;
    NodePods *m_pods;
    ControllerOptions m_options;
    client::EventRecorder m_recorder;
    std::map<std::string, NodeHealth> m_nodes;
    std::map<std::string, std::string> m_leases;  // node -> renewTime, for nodes not seen yet
    QTimer m_timer;
};

} // namespace cd::controllers
