#include "engine/controllers/endpoints/serviceports.h"

namespace cd::controllers::endpoints {

std::vector<ServicePort> servicePortsOf(const Json &service)
{
    std::vector<ServicePort> out;
    const Json *ports = find(service, {"spec", "ports"});
    if (!ports || !ports->is_array())
        return out;
    for (const Json &p : *ports) {
        ServicePort port;
        port.name = str(p, {"name"});
        port.protocol = str(p, {"protocol"}, "TCP");
        port.appProtocol = str(p, {"appProtocol"});
        const Json *target = find(p, {"targetPort"});
        if (target && target->is_string())
            port.targetName = target->get<std::string>();
        else if (target && target->is_number_integer() && target->get<long long>() != 0)
            port.targetNumber = int(target->get<long long>());
        else
            port.targetNumber = int(integer(p, {"port"}));
        out.push_back(std::move(port));
    }
    return out;
}

std::optional<int> findPort(const EndpointPod &pod, const ServicePort &port)
{
    if (port.targetName.empty())
        return port.targetNumber;
    for (const NamedPort &named : pod.namedPorts)
        if (named.name == port.targetName && named.protocol == port.protocol)
            return named.port;
    return std::nullopt;
}

ServiceFacts ServiceFacts::of(const Json &service)
{
    ServiceFacts f;
    f.ns = str(service, {"metadata", "namespace"});
    f.name = str(service, {"metadata", "name"});
    f.uid = str(service, {"metadata", "uid"});
    f.externalName = str(service, {"spec", "type"}) == "ExternalName";
    f.headless = str(service, {"spec", "clusterIP"}) == "None";
    f.publishNotReady = boolean(service, {"spec", "publishNotReadyAddresses"});
    f.ports = servicePortsOf(service);
    if (const Json *labels = find(service, {"metadata", "labels"}); labels && labels->is_object())
        f.labels = *labels;
    return f;
}

} // namespace cd::controllers::endpoints
