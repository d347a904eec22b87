#pragma once
// What the node agent reads besides the pod when it prepares a container (the kubelet's
// configmap/secret managers and service lister): ConfigMaps, Secrets, Services, claims and
// volumes from the agent's informers, and facts about the node.

#include "engine/client/informer.h"
#include "engine/core/json.h"

#include <functional>
#include <string>
#include <vector>

namespace cd::node {

struct PodContext {
    // An object by resource plural ("configmaps", "secrets", "persistentvolumeclaims",
    // "persistentvolumes"), or null when it does not exist.
    std::function<client::ObjectPtr(const std::string &resource, const std::string &ns, const std::string &name)> get;
    // The Services of a namespace.
    std::function<std::vector<client::ObjectPtr>(const std::string &ns)> services;
    std::string nodeName;
    std::string hostIp;
    std::string podIp;  // the pod's, as the agent gave it (the status may not show it yet)
    Json allocatable = Json::object();  // the node's: the default of unset limits in resourceFieldRef
};

} // namespace cd::node
