#pragma once
// The pod garbage collector's node duties (kube-controller-manager's pod-garbage-collector,
// v1.32): pods bound to a Node that no longer exists are marked Failed (DisruptionTarget
// "PodGC: node no longer exists") and deleted at once, after a short quarantine in which the
// API is asked whether the node is really gone; pods terminating on a node that is down and
// tainted out-of-service are deleted too.

#include "engine/controllers/controllercontext.h"
#include "engine/controllers/nodelifecycle/nodepods.h"

#include <QTimer>

#include <map>
#include <set>

namespace cd::controllers {

class PodGarbageCollector : public QObject {
    Q_OBJECT
public:
    PodGarbageCollector(client::Client *client, client::SharedInformers *informers, NodePods *pods,
                        std::chrono::milliseconds period, QObject *parent = nullptr);

private:
    void onNode(const client::InformerEvent &event);
    void collect();
    void deleteOrphans(const std::string &node);
    void forceDelete(const std::string &key, const Json *condition);

    client::Client *m_client;
    client::SharedInformers *m_informers;
    NodePods *m_pods;
    std::chrono::milliseconds m_quarantine;
    std::set<std::string> m_nodes;            // nodes that exist
    std::set<std::string> m_outOfService;     // not ready and tainted node.kubernetes.io/out-of-service
    std::map<std::string, std::int64_t> m_missingSince;  // node -> steady ms
    std::set<std::string> m_checking;
    std::set<std::string> m_deleting;         // pod keys being force-deleted
    QTimer m_timer;
};

} // namespace cd::controllers
