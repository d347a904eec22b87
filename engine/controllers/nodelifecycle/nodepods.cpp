#include "engine/controllers/nodelifecycle/nodepods.h"

namespace cd::controllers {

std::shared_ptr<const Tolerations> NodePods::intern(const Json *tolerations)
{
    if (!tolerations || !tolerations->is_array() || tolerations->empty())
        return nullptr;
    const std::string text = dump(*tolerations);
    auto it = m_interned.find(text);
    if (it != m_interned.end())
        if (auto shared = it->second.lock())
            return shared;
    auto list = std::make_shared<const Tolerations>(tolerationsFrom(tolerations));
    if (m_interned.size() > 4096)
        for (auto i = m_interned.begin(); i != m_interned.end();)
            i = i->second.expired() ? m_interned.erase(i) : std::next(i);
    m_interned[text] = list;
    return list;
}

void NodePods::observe(const client::InformerEvent &event)
{
    const Json &pod = *event.object;
    const std::string key = client::Informer::keyOf(pod);
    std::optional<NodePodFacts> before;
    if (auto it = m_pods.find(key); it != m_pods.end()) {
        before = it->second;
        if (event.deleted() || it->second.node != str(pod, {"spec", "nodeName"})) {
            auto byNode = m_byNode.find(it->second.node);
            if (byNode != m_byNode.end()) {
                byNode->second.erase(key);
                if (byNode->second.empty())
                    m_byNode.erase(byNode);
            }
        }
        if (event.deleted())
            m_pods.erase(it);
    }
    if (event.deleted()) {
        for (const Listener &l : m_listeners)
            l(key, before ? &*before : nullptr, nullptr);
        return;
    }
    NodePodFacts facts;
    facts.node = str(pod, {"spec", "nodeName"});
    facts.uid = str(pod, {"metadata", "uid"});
    const std::string phase = str(pod, {"status", "phase"});
    facts.terminal = phase == "Succeeded" || phase == "Failed";
    facts.deleting = find(pod, {"metadata", "deletionTimestamp"}) != nullptr;
    if (const Json *conditions = find(pod, {"status", "conditions"}); conditions && conditions->is_array())
        for (const Json &c : *conditions)
            if (str(c, {"type"}) == "Ready")
                facts.ready = str(c, {"status"}) == "True";
    facts.tolerations = intern(find(pod, {"spec", "tolerations"}));
    if (!facts.node.empty())
        m_byNode[facts.node].insert(key);
    NodePodFacts &stored = m_pods[key];
    stored = std::move(facts);
    for (const Listener &l : m_listeners)
        l(key, before ? &*before : nullptr, &stored);
}

const NodePodFacts *NodePods::pod(const std::string &key) const
{
    auto it = m_pods.find(key);
    return it == m_pods.end() ? nullptr : &it->second;
}

const std::set<std::string> &NodePods::onNode(const std::string &node) const
{
    static const std::set<std::string> kNone;
    auto it = m_byNode.find(node);
    return it == m_byNode.end() ? kNone : it->second;
}

} // namespace cd::controllers
