#pragma once
// The few facts the node lifecycle controllers need about each pod — node, readiness, phase,
// deletion, tolerations — indexed by node. Fed by the shared pod informer, never keeping a
// parsed pod: identical toleration lists (every replica of a template) are stored once.

#include "engine/client/informer.h"
#include "engine/core/taints.h"

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

namespace cd::controllers {

using Tolerations = std::vector<Toleration>;  // engine/core/taints.h

struct NodePodFacts {
    std::string node;
    std::string uid;
    bool ready = false;     // the Ready condition is True
    bool terminal = false;  // Succeeded or Failed
    bool deleting = false;
    std::shared_ptr<const Tolerations> tolerations;
};

class NodePods {
public:
    using Listener = std::function<void(const std::string &key, const NodePodFacts *before, const NodePodFacts *after)>;

    void observe(const client::InformerEvent &event);
    void addListener(Listener listener) { m_listeners.push_back(std::move(listener)); }

    const NodePodFacts *pod(const std::string &key) const;
    // Keys (namespace/name) of the pods bound to a node.
    const std::set<std::string> &onNode(const std::string &node) const;
    const std::unordered_map<std::string, std::set<std::string>> &byNode() const { return m_byNode; }

private:
    std::shared_ptr<const Tolerations> intern(const Json *tolerations);

    std::unordered_map<std::string, NodePodFacts> m_pods;
    std::unordered_map<std::string, std::set<std::string>> m_byNode;
    std::map<std::string, std::weak_ptr<const Tolerations>> m_interned;
    std::vector<Listener> m_listeners;
};

} // namespace cd::controllers
