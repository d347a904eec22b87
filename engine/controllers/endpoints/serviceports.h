#pragma once
// A Service's ports and how each reaches a pod (podutil.FindPort): a numeric targetPort is the
// port itself; a named one is the pod's container port of that name and protocol.

#include "engine/controllers/endpoints/servicepods.h"
#include "engine/core/json.h"

#include <optional>
#include <string>
#include <vector>

namespace cd::controllers::endpoints {

struct ServicePort {
    std::string name, protocol, appProtocol;
    int targetNumber = 0;     // when targetPort is a number
    std::string targetName;   // when targetPort is a name
};

std::vector<ServicePort> servicePortsOf(const Json &service);
std::optional<int> findPort(const EndpointPod &pod, const ServicePort &port);

// The facts of a Service both endpoint controllers decide on.
struct ServiceFacts {
    std::string ns, name, uid;
    bool externalName = false;
    bool headless = false;             // clusterIP None
    bool publishNotReady = false;      // spec.publishNotReadyAddresses
    std::vector<ServicePort> ports;
    Json labels = Json::object();

    static ServiceFacts of(const Json &service);
    // Hostname is published for pods that name this Service as their subdomain.
    bool setsHostname(const EndpointPod &pod) const
    {
        return !pod.hostname.empty() && pod.subdomain == name && pod.ns == ns;
    }
};

} // namespace cd::controllers::endpoints
