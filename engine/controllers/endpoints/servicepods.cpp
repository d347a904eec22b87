#include "engine/controllers/endpoints/servicepods.h"

#include "engine/client/resources.h"

namespace cd::controllers::endpoints {
namespace {

std::string keyOf(const Json &object)
{
    return str(object, {"metadata", "namespace"}) + "/" + str(object, {"metadata", "name"});
}

bool selects(const Labels &selector, const Labels &labels)
{
    for (const auto &[key, value] : selector) {
        auto it = labels.find(key);
        if (it == labels.end() || it->second != value)
            return false;
    }
    return true;
}

void collectPorts(const Json &containers, bool sidecarsOnly, std::vector<NamedPort> &out)
{
    if (!containers.is_array())
        return;
    for (const Json &container : containers) {
        if (sidecarsOnly && str(container, {"restartPolicy"}) != "Always")
            continue;
        if (const Json *ports = find(container, {"ports"}); ports && ports->is_array())
            for (const Json &port : *ports) {
                const std::string name = str(port, {"name"});
                if (!name.empty())
                    out.push_back({name, str(port, {"protocol"}, "TCP"), int(integer(port, {"containerPort"}))});
            }
    }
}

// The time a pod change counts from: when its readiness last changed, else its creation.
TimePoint podTrigger(const Json &pod)
{
    if (const Json *conditions = find(pod, {"status", "conditions"}); conditions && conditions->is_array())
        for (const Json &c : *conditions)
            if (str(c, {"type"}) == "Ready")
                if (auto at = parseRfc3339(str(c, {"lastTransitionTime"})))
                    return *at;
    if (auto created = parseRfc3339(str(pod, {"metadata", "creationTimestamp"})))
        return *created;
    return Clock::current().now();
}

} // namespace

bool EndpointPod::operator==(const EndpointPod &other) const
{
    const bool sameLabels = labels == other.labels || (labels && other.labels && *labels == *other.labels);
    return sameLabels && ns == other.ns && name == other.name && uid == other.uid && ip == other.ip &&
           nodeName == other.nodeName && hostname == other.hostname && subdomain == other.subdomain &&
           ready == other.ready && terminal == other.terminal && deleting == other.deleting &&
           namedPorts == other.namedPorts;
}

ServicePods::ServicePods(client::SharedInformers *informers, QObject *parent)
    : QObject(parent), m_podInformer(informers->informer(*client::builtinResource("pods"))),
      m_serviceInformer(informers->informer(*client::builtinResource("services")))
{
    m_podInformer->addHandler([this](const client::InformerEvent &event) { onPod(event); });
    m_serviceInformer->addHandler([this](const client::InformerEvent &event) { onService(event); });
}

std::shared_ptr<const Labels> ServicePods::intern(Labels labels)
{
    if (m_labelPool.size() >= m_poolSweepAt) {
        for (auto it = m_labelPool.begin(); it != m_labelPool.end();)
            it = it->second.expired() ? m_labelPool.erase(it) : std::next(it);
        m_poolSweepAt = std::max<size_t>(1024, m_labelPool.size() * 2);
    }
    auto [it, inserted] = m_labelPool.try_emplace(std::move(labels));
    if (auto shared = it->second.lock())
        return shared;
    auto shared = std::make_shared<const Labels>(it->first);
    it->second = shared;
    return shared;
}

void ServicePods::notify(const std::string &serviceKey, TimePoint trigger)
{
    for (const Listener &listener : m_listeners)
        listener(serviceKey, trigger);
}

void ServicePods::onPod(const client::InformerEvent &event)
{
    const Json &object = *event.object;
    const std::string key = keyOf(object);
    const std::string ns = str(object, {"metadata", "namespace"});
    auto existing = m_pods.find(key);
    std::optional<EndpointPod> fresh;
    if (!event.deleted()) {
        EndpointPod pod;
        pod.ns = ns;
        pod.name = str(object, {"metadata", "name"});
        pod.uid = str(object, {"metadata", "uid"});
        pod.labels = intern(stringMap(object, {"metadata", "labels"}));
        pod.ip = str(object, {"status", "podIP"});
        if (pod.ip.empty())
            if (const Json *ips = find(object, {"status", "podIPs"}); ips && ips->is_array() && !ips->empty())
                pod.ip = str((*ips)[0], {"ip"});
        pod.nodeName = str(object, {"spec", "nodeName"});
        pod.hostname = str(object, {"spec", "hostname"});
        pod.subdomain = str(object, {"spec", "subdomain"});
        const std::string phase = str(object, {"status", "phase"});
        pod.terminal = phase == "Succeeded" || phase == "Failed";
        pod.deleting = find(object, {"metadata", "deletionTimestamp"}) != nullptr;
        if (const Json *conditions = find(object, {"status", "conditions"}); conditions && conditions->is_array())
            for (const Json &c : *conditions)
                if (str(c, {"type"}) == "Ready")
                    pod.ready = str(c, {"status"}) == "True";
        if (const Json *containers = find(object, {"spec", "containers"}))
            collectPorts(*containers, false, pod.namedPorts);
        if (const Json *init = find(object, {"spec", "initContainers"}))
            collectPorts(*init, true, pod.namedPorts);
        if (existing != m_pods.end() && existing->second == pod)
            return;  // nothing endpoints are made of changed
        fresh = std::move(pod);
    } else if (existing == m_pods.end()) {
        return;
    }
    const TimePoint trigger = podTrigger(object);
    const Labels *oldLabels = existing != m_pods.end() ? existing->second.labels.get() : nullptr;
    const Labels *newLabels = fresh ? fresh->labels.get() : nullptr;
    std::vector<std::string> touched;
    const std::string prefix = ns + "/";
    for (auto it = m_selectors.lower_bound(prefix);
         it != m_selectors.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
        const bool before = oldLabels && selects(it->second, *oldLabels);
        const bool after = newLabels && selects(it->second, *newLabels);
        if (!before && !after)
            continue;
        if (after)
            m_members[it->first].insert(key);
        else
            m_members[it->first].erase(key);
        touched.push_back(it->first);
    }
    if (fresh)
        m_pods[key] = std::move(*fresh);
    else
        m_pods.erase(key);
    for (const std::string &service : touched)
        notify(service, trigger);
}

void ServicePods::onService(const client::InformerEvent &event)
{
    const Json &service = *event.object;
    const std::string key = keyOf(service);
    const std::string ns = str(service, {"metadata", "namespace"});
    Labels selector = event.deleted() ? Labels() : stringMap(service, {"spec", "selector"});
    auto current = m_selectors.find(key);
    const bool changed = current == m_selectors.end() ? !selector.empty() : current->second != selector;
    if (changed) {
        m_members.erase(key);
        if (selector.empty()) {
            m_selectors.erase(key);
        } else {
            std::set<std::string> &members = m_members[key];
            const std::string prefix = ns + "/";
            for (auto it = m_pods.lower_bound(prefix); it != m_pods.end() && it->first.compare(0, prefix.size(), prefix) == 0;
                 ++it)
                if (selects(selector, *it->second.labels))
                    members.insert(it->first);
            m_selectors[key] = std::move(selector);
        }
    }
    TimePoint trigger = Clock::current().now();
    if (event.added())
        if (auto created = parseRfc3339(str(service, {"metadata", "creationTimestamp"})))
            trigger = *created;
    notify(key, trigger);
}

std::vector<const EndpointPod *> ServicePods::podsOf(const std::string &serviceKey) const
{
    std::vector<const EndpointPod *> out;
    auto members = m_members.find(serviceKey);
    if (members == m_members.end())
        return out;
    out.reserve(members->second.size());
    for (const std::string &podKey : members->second)
        if (auto it = m_pods.find(podKey); it != m_pods.end())
            out.push_back(&it->second);
    return out;
}

} // namespace cd::controllers::endpoints
