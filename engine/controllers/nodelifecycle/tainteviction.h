#pragma once
// The taint manager (kube-controller-manager's taint-eviction-controller, v1.32): pods on a node
// with NoExecute taints they do not tolerate are deleted at once; pods tolerating them for
// tolerationSeconds are deleted when that time has passed (counted from when the taint was
// seen); removing the taint, or tolerating it forever, cancels a pending eviction. Before the
// delete, the pod gets a DisruptionTarget condition saying why.

#include "engine/client/eventrecorder.h"
#include "engine/controllers/controllercontext.h"
#include "engine/controllers/nodelifecycle/nodepods.h"

#include <QTimer>

#include <map>
#include <queue>

namespace cd::controllers {

class TaintEvictionController : public QObject {
    Q_OBJECT
public:
    TaintEvictionController(client::Client *client, client::SharedInformers *informers, NodePods *pods,
                            QObject *parent = nullptr);

private:
    struct Scheduled {
        std::int64_t createdMs = 0;
        std::int64_t dueMs = 0;
    };
    struct Due {
        std::int64_t dueMs;
        std::string key;
        bool operator>(const Due &o) const { return dueMs > o.dueMs; }
    };

    void onNode(const client::InformerEvent &event);
    void onPod(const std::string &key, const NodePodFacts *before, const NodePodFacts *after);
    void handleNode(const std::string &node);
    void processPod(const std::string &key, const NodePodFacts &pod, const std::vector<Taint> &taints, std::int64_t now);
    void schedule(const std::string &key, std::int64_t createdMs, std::int64_t dueMs);
    void cancel(const std::string &key, bool withEvent);
    void onTimer();
    void evict(const std::string &key);
    void emitEvent(const std::string &key, const std::string &message);

    client::Client *m_client;
    client::Informer *m_podInformer;
    NodePods *m_pods;
    client::EventRecorder m_recorder;
    std::map<std::string, std::vector<Taint>> m_taints;  // node -> its NoExecute taints
    std::map<std::string, Scheduled> m_scheduled;        // pod key -> pending eviction
    std::priority_queue<Due, std::vector<Due>, std::greater<Due>> m_queue;
    QTimer m_timer;
};

} // namespace cd::controllers
