// PLACEHOLDER until the node agents are written: no node registers yet.
#include "engine/node/nodemanager.h"

namespace cd::node {

std::vector<NodeSpec> uniformNodes(int count, const std::string &kind)
{
    std::vector<NodeSpec> nodes;
    for (int i = 1; i <= count; ++i) {
        NodeSpec spec;
        spec.name = "node-" + std::to_string(i);
        spec.kind = kind;
        nodes.push_back(spec);
    }
    return nodes;
}

Result<std::vector<NodeSpec>> readNodeConfig(const QString &path)
{
    return Error::badRequest("--node-config is not supported yet: " + path.toStdString());
}

NodeManager::NodeManager(client::Client *, NodeManagerOptions, QObject *parent) : QObject(parent) {}
NodeManager::~NodeManager() = default;
void NodeManager::start() {}

} // namespace cd::node
