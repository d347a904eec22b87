#include "engine/proxy/servicecatalog.h"

#include <algorithm>
#include <cctype>

namespace cd::proxy {

namespace {

constexpr const char *kServiceNameLabel = "kubernetes.io/service-name";

std::string keyOf(const std::string &ns, const std::string &name)
{
    return ns + "/" + name;
}

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

std::vector<std::string> splitLabels(const std::string &name)
{
    std::vector<std::string> labels;
    size_t start = 0;
    for (;;) {
        const size_t dot = name.find('.', start);
        labels.push_back(name.substr(start, dot - start));
        if (dot == std::string::npos)
            return labels;
        start = dot + 1;
    }
}

template <typename T>
void sortUnique(std::vector<T> &values)
{
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
}

} // namespace

ServiceCatalog::ServiceCatalog(std::string clusterDomain)
    : m_domainSuffix(".svc." + lowercase(std::move(clusterDomain)))
{
}

bool ServiceCatalog::setService(const Json &service)
{
    const std::string ns = str(service, {"metadata", "namespace"});
    const std::string name = str(service, {"metadata", "name"});
    if (name.empty())
        return false;
    Service parsed;
    parsed.type = str(service, {"spec", "type"}, "ClusterIP");
    parsed.clusterIp = str(service, {"spec", "clusterIP"});
    parsed.externalName = lowercase(str(service, {"spec", "externalName"}));
    if (const Json *ports = find(service, {"spec", "ports"}); ports && ports->is_array()) {
        for (const Json &port : *ports)
            parsed.ports.push_back({str(port, {"name"}), str(port, {"protocol"}, "TCP"), int(integer(port, {"port"})),
                                    int(integer(port, {"nodePort"}))});
    }
    if (const Json *ingress = find(service, {"status", "loadBalancer", "ingress"}); ingress && ingress->is_array()) {
        for (const Json &entry : *ingress) {
            if (const std::string ip = str(entry, {"ip"}); !ip.empty())
                parsed.loadBalancerIps.push_back(ip);
        }
    }
    auto [it, added] = m_services.try_emplace(keyOf(ns, name), parsed);
    if (!added && it->second == parsed)
        return false;
    it->second = std::move(parsed);
    return true;
}

bool ServiceCatalog::removeService(const std::string &ns, const std::string &name)
{
    return m_services.erase(keyOf(ns, name)) > 0;
}

std::optional<ServiceCatalog::Slice> ServiceCatalog::parseSlice(const Json &slice)
{
    // The proxy's network is IPv4 only; FQDN slices name no addresses it could use.
    if (str(slice, {"addressType"}) != "IPv4")
        return std::nullopt;
    const std::string service = str(slice, {"metadata", "labels", kServiceNameLabel});
    if (service.empty())
        return std::nullopt;
    Slice parsed;
    parsed.serviceKey = keyOf(str(slice, {"metadata", "namespace"}), service);
    if (const Json *ports = find(slice, {"ports"}); ports && ports->is_array()) {
        for (const Json &port : *ports) {
            if (has(port, {"port"}))
                parsed.ports.push_back(
                    {str(port, {"name"}), str(port, {"protocol"}, "TCP"), int(integer(port, {"port"})), 0});
        }
    }
    if (const Json *endpoints = find(slice, {"endpoints"}); endpoints && endpoints->is_array()) {
        for (const Json &endpoint : *endpoints) {
            const Json *addresses = find(endpoint, {"addresses"});
            if (!addresses || !addresses->is_array() || addresses->empty() || !(*addresses)[0].is_string())
                continue;
            Endpoint e;
            e.ip = (*addresses)[0].get<std::string>();
            e.hostname = lowercase(str(endpoint, {"hostname"}));
            // Unset conditions mean ready (the API's documented reading); serving follows ready.
            e.ready = boolean(endpoint, {"conditions", "ready"}, true);
            e.serving = boolean(endpoint, {"conditions", "serving"}, e.ready);
            e.terminating = boolean(endpoint, {"conditions", "terminating"}, false);
            parsed.endpoints.push_back(std::move(e));
        }
    }
    return parsed;
}

bool ServiceCatalog::setEndpointSlice(const Json &slice)
{
    const std::string key = keyOf(str(slice, {"metadata", "namespace"}), str(slice, {"metadata", "name"}));
    std::optional<Slice> parsed = parseSlice(slice);
    if (!parsed)
        return removeEndpointSlice(str(slice, {"metadata", "namespace"}), str(slice, {"metadata", "name"}));
    auto it = m_slices.find(key);
    if (it != m_slices.end()) {
        if (it->second == *parsed)
            return false;
        if (it->second.serviceKey != parsed->serviceKey)
            m_slicesByService[it->second.serviceKey].erase(key);
        it->second = std::move(*parsed);
    } else {
        it = m_slices.emplace(key, std::move(*parsed)).first;
    }
    m_slicesByService[it->second.serviceKey].insert(key);
    return true;
}

bool ServiceCatalog::removeEndpointSlice(const std::string &ns, const std::string &name)
{
    const std::string key = keyOf(ns, name);
    const auto it = m_slices.find(key);
    if (it == m_slices.end())
        return false;
    auto owner = m_slicesByService.find(it->second.serviceKey);
    if (owner != m_slicesByService.end()) {
        owner->second.erase(key);
        if (owner->second.empty())
            m_slicesByService.erase(owner);
    }
    m_slices.erase(it);
    return true;
}

std::vector<const ServiceCatalog::Slice *> ServiceCatalog::slicesOf(const std::string &serviceKey) const
{
    std::vector<const Slice *> slices;
    const auto owned = m_slicesByService.find(serviceKey);
    if (owned == m_slicesByService.end())
        return slices;
    for (const std::string &key : owned->second) {
        if (const auto it = m_slices.find(key); it != m_slices.end())
            slices.push_back(&it->second);
    }
    return slices;
}

std::vector<Backend> ServiceCatalog::backendsOf(const std::string &serviceKey, const Port &servicePort) const
{
    std::vector<Backend> ready;
    std::vector<Backend> terminating;
    for (const Slice *slice : slicesOf(serviceKey)) {
        // A slice names its ports as the Service does; its number is the resolved targetPort
        // (a named targetPort may differ from pod to pod, hence one slice per resolution).
        const auto port = std::find_if(slice->ports.begin(), slice->ports.end(), [&](const Port &p) {
            return p.name == servicePort.name && p.protocol == servicePort.protocol;
        });
        if (port == slice->ports.end() || port->port <= 0)
            continue;
        for (const Endpoint &endpoint : slice->endpoints) {
            if (endpoint.ready)
                ready.push_back({endpoint.ip, port->port});
            else if (endpoint.serving && endpoint.terminating)
                terminating.push_back({endpoint.ip, port->port});
        }
    }
    std::vector<Backend> &chosen = ready.empty() ? terminating : ready;
    sortUnique(chosen);
    return std::move(chosen);
}

std::vector<ServicePortInfo> ServiceCatalog::servicePorts() const
{
    std::vector<ServicePortInfo> ports;
    for (const auto &[key, service] : m_services) {
        if (service.type == "ExternalName" || service.clusterIp.empty() || service.clusterIp == "None")
            continue;
        const size_t slash = key.find('/');
        for (const Port &port : service.ports) {
            ServicePortInfo info;
            info.ns = key.substr(0, slash);
            info.name = key.substr(slash + 1);
            info.portName = port.name;
            info.protocol = port.protocol;
            info.clusterIp = service.clusterIp;
            info.port = port.port;
            info.nodePort = port.nodePort;
            info.loadBalancerIps = service.loadBalancerIps;
            info.backends = backendsOf(key, port);
            ports.push_back(std::move(info));
        }
    }
    return ports;
}

DnsLookup ServiceCatalog::lookup(const std::string &queried) const
{
    DnsLookup answer;
    std::string name = lowercase(queried);
    if (!name.empty() && name.back() == '.')
        name.pop_back();
    if (name.size() <= m_domainSuffix.size() ||
        name.compare(name.size() - m_domainSuffix.size(), m_domainSuffix.size(), m_domainSuffix) != 0)
        return answer;
    const std::vector<std::string> labels = splitLabels(name.substr(0, name.size() - m_domainSuffix.size()));
    if (labels.size() != 2 && labels.size() != 3)
        return answer;
    const std::string &ns = labels.back();
    const std::string &serviceName = labels[labels.size() - 2];
    const std::string key = keyOf(ns, serviceName);
    const auto service = m_services.find(key);
    if (service == m_services.end())
        return answer;
    const bool headless = service->second.clusterIp == "None";
    if (labels.size() == 2 && service->second.type == "ExternalName") {
        if (service->second.externalName.empty())
            return answer;
        answer.outcome = DnsLookup::Outcome::Found;
        answer.canonicalName = service->second.externalName;
        return answer;
    }
    if (labels.size() == 2 && !headless) {
        if (service->second.clusterIp.empty())
            return answer;
        answer.outcome = DnsLookup::Outcome::Found;
        answer.addresses.push_back(service->second.clusterIp);
        return answer;
    }
    // A headless Service names its ready endpoints; <hostname>.<service> names one of them.
    if (!headless)
        return answer;
    for (const Slice *slice : slicesOf(key)) {
        for (const Endpoint &endpoint : slice->endpoints) {
            if (endpoint.ready && (labels.size() == 2 || endpoint.hostname == labels[0]))
                answer.addresses.push_back(endpoint.ip);
        }
    }
    sortUnique(answer.addresses);
    if (!answer.addresses.empty())
        answer.outcome = DnsLookup::Outcome::Found;
    return answer;
}

} // namespace cd::proxy
