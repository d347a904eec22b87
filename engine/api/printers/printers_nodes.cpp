// Nodes (printNode): readiness, cordoning, roles from labels, and what the node runs.

#include "engine/api/printers/cells.h"
#include "engine/api/printers/printer.h"

#include <set>

namespace cd::api::printing {
namespace {

// "Ready" or "NotReady" from the Ready condition (Unknown counts as not ready), "Unknown" when
// the node never reported one, and ",SchedulingDisabled" for a cordoned node.
std::string nodeStatus(const Json &node)
{
    std::vector<std::string> status;
    const Json *ready = nullptr;
    for (const Json &condition : listAt(node, {"status", "conditions"}))
        if (str(condition, {"type"}) == "Ready")
            ready = &condition;  // the last one wins, as in Kubernetes' condition map
    if (ready)
        status.push_back(str(*ready, {"status"}) == "True" ? "Ready" : "NotReady");
    else
        status.push_back("Unknown");
    if (boolean(node, {"spec", "unschedulable"}))
        status.push_back("SchedulingDisabled");
    return joinStrings(status);
}

// Roles come from node-role.kubernetes.io/<role> label keys and the older kubernetes.io/role label.
std::string nodeRoles(const Json &node)
{
    static const std::string rolePrefix = "node-role.kubernetes.io/";
    std::set<std::string> roles;
    for (const auto &[key, value] : stringMap(node, {"metadata", "labels"})) {
        if (key.rfind(rolePrefix, 0) == 0) {
            if (key.size() > rolePrefix.size())
                roles.insert(key.substr(rolePrefix.size()));
        } else if (key == "kubernetes.io/role" && !value.empty()) {
            roles.insert(value);
        }
    }
    return orNone(joinStrings({roles.begin(), roles.end()}));
}

std::string nodeAddress(const Json &node, const std::string &type)
{
    for (const Json &address : listAt(node, {"status", "addresses"}))
        if (str(address, {"type"}) == type)
            return str(address, {"address"});
    return "<none>";
}

std::string orUnknown(const std::string &value) { return value.empty() ? "<unknown>" : value; }

Json nodeCells(const Json &node)
{
    return Json::array({str(node, {"metadata", "name"}),
                        nodeStatus(node),
                        nodeRoles(node),
                        age(node),
                        str(node, {"status", "nodeInfo", "kubeletVersion"}),
                        nodeAddress(node, "InternalIP"),
                        nodeAddress(node, "ExternalIP"),
                        orUnknown(str(node, {"status", "nodeInfo", "osImage"})),
                        orUnknown(str(node, {"status", "nodeInfo", "kernelVersion"})),
                        orUnknown(str(node, {"status", "nodeInfo", "containerRuntimeVersion"}))});
}

} // namespace

Printers nodePrinters()
{
    return {{"",
             "Node",
             {nameColumn(),
              column("Status", "string", "The status of the node"),
              column("Roles", "string", "The roles of the node"),
              ageColumn(),
              column("Version", "string", "The kubelet version the node reports."),
              wideColumn("Internal-IP", "string", "The node's first internal IP address."),
              wideColumn("External-IP", "string", "The node's first external IP address."),
              wideColumn("OS-Image", "string", "The operating system image the node reports."),
              wideColumn("Kernel-Version", "string", "The kernel version the node reports."),
              wideColumn("Container-Runtime", "string", "The container runtime and version the node reports.")},
             nodeCells}};
}

} // namespace cd::api::printing
