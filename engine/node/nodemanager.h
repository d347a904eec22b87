#pragma once
// The node agents (kubelet's role) of every local node of one kind, on the node thread: each
// registers its Node, renews its Lease and runs the pods bound to it through a runtime.

#include "engine/client/client.h"

#include <QObject>
#include <QString>

#include <string>
#include <vector>

namespace cd::node {

// One node of the node plan (clusterdeckd --nodes N, or a --node-config file).
struct NodeSpec {
    std::string name;
    std::string kind = "simulated";  // simulated, process, container, vm
    std::string cpu = "4";           // capacity
    std::string memory = "8Gi";
    long long pods = 110;
    Json labels = Json::object();
    Json taints = Json::array();
};

struct NodeManagerOptions {
    std::vector<NodeSpec> nodes;
};

// The node plan of `--nodes N --node-kind KIND` (node-1 ... node-N), or of a node-config file.
std::vector<NodeSpec> uniformNodes(int count, const std::string &kind);
Result<std::vector<NodeSpec>> readNodeConfig(const QString &path);

class NodeManager : public QObject {
    Q_OBJECT
public:
    NodeManager(client::Client *client, NodeManagerOptions options, QObject *parent = nullptr);
    ~NodeManager() override;
    void start();
};

} // namespace cd::node
