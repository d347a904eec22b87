#include "engine/controllers/nodelifecycle/nodelifecyclecontroller.h"

#include "engine/client/resources.h"
#include "engine/core/clock.h"

#include <QPointer>

namespace cd::controllers {
namespace {

constexpr const char *kNotReady = "node.kubernetes.io/not-ready";
constexpr const char *kUnreachable = "node.kubernetes.io/unreachable";
constexpr const char *kUnschedulable = "node.kubernetes.io/unschedulable";
// Zones of at most this many nodes stop evicting when mostly down (largeClusterThreshold).
constexpr size_t kLargeClusterThreshold = 50;
constexpr double kUnhealthyZoneThreshold = 0.55;

const std::set<std::pair<std::string, std::string>> &managedTaints()
{
    static const std::set<std::pair<std::string, std::string>> taints = {
        {kNotReady, "NoSchedule"},
        {kUnreachable, "NoSchedule"},
        {kNotReady, "NoExecute"},
        {kUnreachable, "NoExecute"},
        {"node.kubernetes.io/memory-pressure", "NoSchedule"},
        {"node.kubernetes.io/disk-pressure", "NoSchedule"},
        {"node.kubernetes.io/pid-pressure", "NoSchedule"},
        {"node.kubernetes.io/network-unavailable", "NoSchedule"},
        {kUnschedulable, "NoSchedule"}};
    return taints;
}

std::int64_t steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

NodeLifecycleController::NodeLifecycleController(client::Client *client, client::SharedInformers *informers,
                                                 NodePods *pods, const ControllerOptions &options, QObject *parent)
    : QObject(parent), m_client(client), m_informers(informers), m_pods(pods), m_options(options),
      m_recorder(client, "node-controller", {}, this), m_timer(this)
{
    m_nodeInformer = informers->informer(*client::builtinResource("nodes"));
    m_nodeInformer->addHandler([this](const client::InformerEvent &event) { onNode(event); });
    informers->informer(*client::builtinResource("leases", "coordination.k8s.io"))
        ->addHandler([this](const client::InformerEvent &event) { onLease(event); });
    connect(&m_timer, &QTimer::timeout, this, &NodeLifecycleController::monitor);
    m_timer.start(static_cast<int>(std::max<long long>(100, m_options.nodeMonitorPeriod.count())));
}

void NodeLifecycleController::recordNodeEvent(const std::string &name, const std::string &uid,
                                              const std::string &reason, const std::string &message)
{
    const Json reference = {{"kind", "Node"}, {"apiVersion", "v1"}, {"metadata", {{"name", name}, {"uid", uid}}}};
    m_recorder.normal(reference, reason, message);
}

void NodeLifecycleController::onLease(const client::InformerEvent &event)
{
    const Json &lease = *event.object;
    if (str(lease, {"metadata", "namespace"}) != "kube-node-lease" || event.deleted())
        return;
    const std::string name = str(lease, {"metadata", "name"});
    const std::string renew = str(lease, {"spec", "renewTime"});
    auto it = m_nodes.find(name);
    if (it == m_nodes.end()) {
        m_leases[name] = renew;
        return;
    }
    // A renewal is a sign of life (as the controller takes any newer renewTime).
    if (renew != it->second.leaseRenew) {
        it->second.leaseRenew = renew;
        it->second.probeMs = steadyMs();
    }
}

void NodeLifecycleController::onNode(const client::InformerEvent &event)
{
    const Json &node = *event.object;
    const std::string name = str(node, {"metadata", "name"});
    const std::string uid = str(node, {"metadata", "uid"});
    if (event.deleted()) {
        auto it = m_nodes.find(name);
        if (it != m_nodes.end()) {
            recordNodeEvent(name, it->second.uid, "RemovingNode",
                            "Node " + name + " event: Removing Node " + name + " from Controller");
            m_nodes.erase(it);
        }
        return;
    }
    const std::int64_t now = steadyMs();
    auto [it, added] = m_nodes.try_emplace(name);
    NodeHealth &h = it->second;
    if (added || h.uid != uid) {
        h = NodeHealth{};
        h.uid = uid;
        h.firstSeenMs = now;
        h.probeMs = now;  // "Missing timestamp for Node. Assuming now as a timestamp"
        if (auto lease = m_leases.find(name); lease != m_leases.end()) {
            h.leaseRenew = lease->second;
            m_leases.erase(lease);
        }
    }
    if (!h.registered) {
        h.registered = true;
        recordNodeEvent(name, uid, "RegisteredNode", "Node " + name + " event: Registered Node " + name + " in Controller");
    }
    const std::string wasReady = h.ready;
    h.conditions.clear();
    h.hasReady = false;
    if (const Json *conditions = find(node, {"status", "conditions"}); conditions && conditions->is_array())
        for (const Json &c : *conditions) {
            const std::string type = str(c, {"type"});
            h.conditions[type] = str(c, {"status"});
            if (type == "Ready") {
                h.hasReady = true;
                h.ready = str(c, {"status"});
                const std::string heartbeat = str(c, {"lastHeartbeatTime"});
                if (heartbeat != h.readyHeartbeat) {
                    h.readyHeartbeat = heartbeat;
                    h.probeMs = now;
                }
            }
        }
    h.unschedulable = boolean(node, {"spec", "unschedulable"});
    h.zone = str(node, {"metadata", "labels", "topology.kubernetes.io/region"}) + "/" +
             str(node, {"metadata", "labels", "topology.kubernetes.io/zone"});
    h.managedTaints.clear();
    if (const Json *taints = find(node, {"spec", "taints"}); taints && taints->is_array())
        for (const Json &t : *taints) {
            std::pair<std::string, std::string> pair{str(t, {"key"}), str(t, {"effect"})};
            if (managedTaints().count(pair))
                h.managedTaints.insert(pair);
        }
    if (wasReady == "True" && h.hasReady && h.ready != "True") {
        // Reported once, when the node leaves Ready (RecordNodeStatusChange, MarkPodsNotReady).
        recordNodeEvent(name, uid, "NodeNotReady", "Node " + name + " status is now: NodeNotReady");
        markPodsNotReady(name);
    }
    // Condition and cordon taints follow at once; NoExecute ones by the last zone decision.
    reconcileTaints(name, h);
}

void NodeLifecycleController::monitor()
{
    if (!m_informers->allSynced())
        return;
    const std::int64_t now = steadyMs();
    const std::int64_t grace = m_options.nodeMonitorGracePeriod.count();
    for (auto &[name, h] : m_nodes) {
        // A node that never posted status gets longer (nodeStartupGracePeriod).
        const std::int64_t allowed = h.hasReady ? grace : 3 * grace;
        if (now - h.probeMs <= allowed || h.writing)
            continue;
        bool allUnknown = h.hasReady;
        for (const char *type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
            auto c = h.conditions.find(type);
            allUnknown = allUnknown && c != h.conditions.end() && c->second == "Unknown";
        }
        if (!allUnknown)
            markUnknown(name, h);
    }
    // Zone health decides whether NoExecute taints may be placed (handleDisruption).
    struct Zone {
        size_t ready = 0, notReady = 0;
    };
    std::map<std::string, Zone> zones;
    for (const auto &[name, h] : m_nodes)
        (h.hasReady && h.ready == "True" ? zones[h.zone].ready : zones[h.zone].notReady) += 1;
    bool allFullyDisrupted = !zones.empty();
    for (const auto &[zone, z] : zones)
        allFullyDisrupted = allFullyDisrupted && z.ready == 0 && z.notReady > 0;
    for (auto &[name, h] : m_nodes) {
        const Zone &z = zones[h.zone];
        const size_t size = z.ready + z.notReady;
        const bool partial =
            z.notReady > 2 && double(z.notReady) / double(size) >= kUnhealthyZoneThreshold && size <= kLargeClusterThreshold;
        h.evictions = allFullyDisrupted ? Evictions::Lifted : partial ? Evictions::Frozen : Evictions::Allowed;
        reconcileTaints(name, h);
    }
}

void NodeLifecycleController::markUnknown(const std::string &name, NodeHealth &h)
{
    client::ObjectPtr cached = m_nodeInformer->get({}, name);
    if (!cached)
        return;
    Json node = *cached;
    const std::string now = nowRfc3339();
    Json &conditions = ensureObject(node, {"status"})["conditions"];
    if (!conditions.is_array())
        conditions = Json::array();
    for (const char *type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
        Json *current = nullptr;
        for (Json &c : conditions)
            if (str(c, {"type"}) == type)
                current = &c;
        if (!current) {
            conditions.push_back({{"type", type},
                                  {"status", "Unknown"},
                                  {"reason", "NodeStatusNeverUpdated"},
                                  {"message", "Kubelet never posted node status."},
                                  {"lastHeartbeatTime", str(node, {"metadata", "creationTimestamp"})},
                                  {"lastTransitionTime", now}});
        } else if (str(*current, {"status"}) != "Unknown") {
            (*current)["status"] = "Unknown";
            (*current)["reason"] = "NodeStatusUnknown";
            (*current)["message"] = "Kubelet stopped posting node status.";
            (*current)["lastTransitionTime"] = now;
        }
    }
    h.writing = true;
    QPointer<NodeLifecycleController> self(this);
    m_client->update(
        *client::builtinResource("nodes"), node,
        [self, name](const client::Response &) {
            if (!self)
                return;
            if (auto it = self->m_nodes.find(name); it != self->m_nodes.end())
                it->second.writing = false;
        },
        "status");
}

void NodeLifecycleController::reconcileTaints(const std::string &name, NodeHealth &h)
{
    std::set<std::pair<std::string, std::string>> desired;
    for (const auto &[type, status] : h.conditions) {
        if (type == "Ready" && status == "False")
            desired.insert({kNotReady, "NoSchedule"});
        else if (type == "Ready" && status == "Unknown")
            desired.insert({kUnreachable, "NoSchedule"});
        else if (status == "True" && type == "MemoryPressure")
            desired.insert({"node.kubernetes.io/memory-pressure", "NoSchedule"});
        else if (status == "True" && type == "DiskPressure")
            desired.insert({"node.kubernetes.io/disk-pressure", "NoSchedule"});
        else if (status == "True" && type == "PIDPressure")
            desired.insert({"node.kubernetes.io/pid-pressure", "NoSchedule"});
        else if (status == "True" && type == "NetworkUnavailable")
            desired.insert({"node.kubernetes.io/network-unavailable", "NoSchedule"});
    }
    if (h.unschedulable)
        desired.insert({kUnschedulable, "NoSchedule"});
    if (h.evictions == Evictions::Allowed) {
        // The unreachable and not-ready NoExecute taints mirror Ready, mutually exclusive.
        if (h.hasReady && h.ready == "False")
            desired.insert({kNotReady, "NoExecute"});
        else if (h.hasReady && h.ready == "Unknown")
            desired.insert({kUnreachable, "NoExecute"});
    } else if (h.evictions == Evictions::Frozen) {
        // A mostly-down small zone: no new evictions, the ones under way stay.
        for (const char *key : {kNotReady, kUnreachable})
            if (h.managedTaints.count({key, "NoExecute"}))
                desired.insert({key, "NoExecute"});
    }
    if (desired == h.managedTaints || h.writing)
        return;
    client::ObjectPtr cached = m_nodeInformer->get({}, name);
    if (!cached)
        return;
    Json node = *cached;
    Json kept = Json::array();
    std::set<std::pair<std::string, std::string>> present;
    if (const Json *taints = find(node, {"spec", "taints"}); taints && taints->is_array())
        for (const Json &t : *taints) {
            std::pair<std::string, std::string> pair{str(t, {"key"}), str(t, {"effect"})};
            if (managedTaints().count(pair) && !desired.count(pair))
                continue;
            present.insert(pair);
            kept.push_back(t);
        }
    const std::string now = nowRfc3339();
    for (const auto &[key, effect] : desired)
        if (!present.count({key, effect}))
            kept.push_back({{"key", key}, {"effect", effect}, {"timeAdded", now}});
    if (kept.empty())
        node["spec"].erase("taints");
    else
        node["spec"]["taints"] = std::move(kept);
    h.writing = true;
    QPointer<NodeLifecycleController> self(this);
    m_client->update(*client::builtinResource("nodes"), node, [self, name](const client::Response &) {
        if (!self)
            return;
        if (auto it = self->m_nodes.find(name); it != self->m_nodes.end())
            it->second.writing = false;
    });
}

void NodeLifecycleController::markPodsNotReady(const std::string &node)
{
    client::Informer *pods = m_informers->informer(*client::builtinResource("pods"));
    const std::set<std::string> keys = m_pods->onNode(node);
    for (const std::string &key : keys) {
        const NodePodFacts *facts = m_pods->pod(key);
        if (!facts || !facts->ready)
            continue;
        const size_t slash = key.find('/');
        client::ObjectPtr pod = pods->get(key.substr(0, slash), key.substr(slash + 1));
        if (!pod)
            continue;
        Json conditions = *find(*pod, {"status", "conditions"});
        for (Json &c : conditions)
            if (str(c, {"type"}) == "Ready" && str(c, {"status"}) != "False") {
                c["status"] = "False";
                c["lastTransitionTime"] = nowRfc3339();
            }
        const Json patch = {{"status", {{"conditions", conditions}}}};
        QPointer<NodeLifecycleController> self(this);
        m_client->patch(*client::builtinResource("pods"), key.substr(0, slash), key.substr(slash + 1),
                        "application/merge-patch+json", patch,
                        [self, pod](const client::Response &r) {
                            // Recorded after the update, so the pod is known to still exist.
                            if (self && r.ok())
                                self->m_recorder.warning(*pod, "NodeNotReady", "Node is not ready");
                        },
                        "status");
    }
}

} // namespace cd::controllers
