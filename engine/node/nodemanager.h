#pragma once
// The node agents (kubelet's role) of every local node, on the node thread: each registers its
// Node, renews its Lease and runs the pods bound to it through a runtime.
//
// Built for thousands of nodes in one process: one manager owns every agent, one pod informer
// feeds them all (each event goes to the agent of spec.nodeName), leases are renewed by one
// timer spread over the renewal period, and each pod costs a few hundred bytes of compact state
// (never a parsed pod: a pod is parsed from the informer's text only while its status is built).

#include "engine/client/client.h"

#include <QObject>
#include <QByteArray>
#include <QString>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace cd::node {

// One node of the node plan (clusterdeckd --nodes N, or a --node-config file).
struct NodeSpec {
    std::string name;
    std::string kind = "process";  // process (the default), simulated, container, vm
    std::string cpu = "4";           // capacity
    std::string memory = "8Gi";
    long long pods = 110;
    Json labels = Json::object();
    Json taints = Json::array();
    std::string ephemeralStorage = "100Gi";
};

struct NodeManagerOptions {
    std::vector<NodeSpec> nodes;
    // How often each node renews its Lease (Kubernetes: 10s). With many nodes the period grows
    // so that renewals stay under maxLeaseRenewalsPerSecond, up to a third of the lease duration.
    std::chrono::milliseconds leaseRenewInterval{std::chrono::seconds(3)};
    int maxLeaseRenewalsPerSecond = 250;  // 5,000 nodes: one renewal each ~13 s (a third of 40 s)
    long long leaseDurationSeconds = 40;
    // How often a node posts its status (the conditions' lastHeartbeatTime) when nothing changed
    // (Kubernetes: nodeStatusReportFrequency, 5m).
    std::chrono::milliseconds statusReportInterval{std::chrono::minutes(1)};
    // Simulated containers: from start to Running; how long a stopped one takes to exit.
    std::chrono::milliseconds startLatency{300};
    std::chrono::milliseconds stopDelay{0};
    // How long containers of pods with restartPolicy Never or OnFailure run before exiting 0,
    // unless annotated (sim.clusterdeck.io/exit-after): Jobs complete. Init containers: initRunTime.
    std::chrono::milliseconds defaultRunTime{std::chrono::seconds(2)};
    std::chrono::milliseconds initRunTime{std::chrono::seconds(1)};
    // CrashLoopBackOff: the first delay, doubling up to the maximum (Kubernetes: 10s, 5m).
    std::chrono::milliseconds backoffBase{std::chrono::seconds(10)};
    std::chrono::milliseconds backoffMax{std::chrono::minutes(5)};
    // Events as the kubelet writes them (Pulled, Created, Started, Killing, BackOff, node events).
    // At 150,000 pods their writes matter: benchmarks turn them off.
    bool events = true;
    // API requests in flight at once from all agents together.
    int maxInFlight = 512;
    // Process nodes keep their pods' logs under DATA_DIR/pods (the kubelet's /var/log/pods
    // layout) and the runtime's state under DATA_DIR/runtime. Required for process nodes.
    QString dataDir;
    // Host folders that pods must never see (the engine's store, certificates and token).
    std::vector<std::string> hiddenPaths;
    // The token the API server presents to the kubelets' server (empty: no kubelet server, as
    // in tests without an API server that reaches nodes).
    QByteArray kubeletToken;
    // The Docker Engine API of container nodes (unix:///PATH); empty: $DOCKER_HOST, then the
    // usual Docker and Podman sockets.
    QString dockerHost;
    // How often process nodes measure their containers' CPU and memory (kubectl top).
    std::chrono::milliseconds statsInterval{std::chrono::seconds(10)};
};

// The node plan of `--nodes N --node-kind KIND` (node-1 ... node-N), or of a node-config file.
std::vector<NodeSpec> uniformNodes(int count, const std::string &kind);
Result<std::vector<NodeSpec>> readNodeConfig(const QString &path);
// The same from text; `source` names it in errors (line and column, entry and field).
Result<std::vector<NodeSpec>> parseNodeConfig(const std::string &text, const std::string &source = "node config");
// Refuses kinds that are not available yet and names given twice.
Status checkNodePlan(const std::vector<NodeSpec> &nodes);

// Annotations that steer simulated nodes and pods.
inline constexpr const char *kHeartbeatAnnotation = "sim.clusterdeck.io/heartbeat";  // "stopped"
inline constexpr const char *kExitAfterAnnotation = "sim.clusterdeck.io/exit-after";  // "5s", "never"; ".<container>"
inline constexpr const char *kExitCodeAnnotation = "sim.clusterdeck.io/exit-code";    // "1"; ".<container>"

class NodeManagerPrivate;

class NodeManager : public QObject {
    Q_OBJECT
public:
    // The client must live on the manager's thread (the node thread).
    NodeManager(client::Client *client, NodeManagerOptions options, QObject *parent = nullptr);
    ~NodeManager() override;
    void start();

    // Fault injection: the node stops renewing its Lease and posting status (and reaching the
    // API at all, like a node cut off), until resumed. The node annotation
    // sim.clusterdeck.io/heartbeat: "stopped" does the same.
    bool stopHeartbeat(const std::string &node);
    bool resume(const std::string &node);
    bool heartbeating(const std::string &node) const;

    size_t nodeCount() const;
    size_t registeredCount() const;  // Node objects created (or found) so far
    size_t podCount() const;         // pods the agents are running or finishing
    const NodeManagerOptions &options() const;

Q_SIGNALS:
    void allRegistered();

private:
    std::unique_ptr<NodeManagerPrivate> d;
};

} // namespace cd::node
