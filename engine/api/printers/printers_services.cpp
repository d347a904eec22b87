// Services and where they lead: Services, Endpoints and EndpointSlices (printService,
// printEndpoints, printEndpointSlice).

#include "engine/api/printers/cells.h"
#include "engine/api/printers/printer.h"

#include <set>

namespace cd::api::printing {
namespace {

// At most this many addresses or ports are listed, then "+ N more...".
constexpr size_t kListLimit = 3;

// Load-balancer ingress points, IP or else hostname, sorted and without duplicates. The server
// prints wide rows, so the list is never shortened here.
std::string loadBalancerAddresses(const Json &service)
{
    std::set<std::string> addresses;
    for (const Json &ingress : listAt(service, {"status", "loadBalancer", "ingress"})) {
        const std::string ip = str(ingress, {"ip"});
        const std::string hostname = str(ingress, {"hostname"});
        if (!ip.empty())
            addresses.insert(ip);
        else if (!hostname.empty())
            addresses.insert(hostname);
    }
    return joinStrings({addresses.begin(), addresses.end()});
}

std::string externalIP(const Json &service)
{
    const std::string type = str(service, {"spec", "type"});
    const std::string externalIPs = joinArray(listAt(service, {"spec", "externalIPs"}));
    if (type == "ClusterIP" || type == "NodePort")
        return orNone(externalIPs);
    if (type == "LoadBalancer") {
        const std::string ingress = loadBalancerAddresses(service);
        if (!externalIPs.empty())
            return ingress.empty() ? externalIPs : ingress + "," + externalIPs;
        return ingress.empty() ? "<pending>" : ingress;
    }
    if (type == "ExternalName")
        return str(service, {"spec", "externalName"});
    return "<unknown>";
}

// "80/TCP", or "80:30080/TCP" when a node port is allocated.
std::string servicePorts(const Json &service)
{
    std::vector<std::string> pieces;
    for (const Json &port : listAt(service, {"spec", "ports"})) {
        const std::string protocol = str(port, {"protocol"});
        const long long nodePort = integer(port, {"nodePort"});
        const std::string number = std::to_string(integer(port, {"port"}));
        pieces.push_back(nodePort > 0 ? number + ":" + std::to_string(nodePort) + "/" + protocol
                                      : number + "/" + protocol);
    }
    return orNone(joinStrings(pieces));
}

std::string clusterIP(const Json &service)
{
    const Json &ips = listAt(service, {"spec", "clusterIPs"});
    // The server fills clusterIPs from clusterIP; clusterIP is only read when clusterIPs is missing.
    const std::string ip = ips.empty() ? str(service, {"spec", "clusterIP"}) : (ips[0].is_string() ? ips[0].get<std::string>() : "");
    return orNone(ip);
}

Json serviceCells(const Json &service)
{
    return Json::array({str(service, {"metadata", "name"}),
                        str(service, {"spec", "type"}),
                        clusterIP(service),
                        externalIP(service),
                        servicePorts(service),
                        age(service),
                        formatLabels(find(service, {"spec", "selector"}))});
}

// net.JoinHostPort: IPv6 addresses are bracketed.
std::string hostPort(const std::string &ip, long long port)
{
    const std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
    return host + ":" + std::to_string(port);
}

// The first three ip:port pairs of all subsets and how many more there are.
std::string formatEndpoints(const Json &endpoints)
{
    const Json &subsets = listAt(endpoints, {"subsets"});
    if (subsets.empty())
        return "<none>";
    std::vector<std::string> list;
    bool more = false;
    size_t count = 0;
    for (const Json &subset : subsets) {
        const Json &addresses = listAt(subset, {"addresses"});
        const Json &ports = listAt(subset, {"ports"});
        if (ports.empty()) {
            // A headless service without ports lists bare addresses.
            count += addresses.size();
            for (const Json &address : addresses) {
                if (list.size() == kListLimit) {
                    more = true;
                    break;
                }
                list.push_back(str(address, {"ip"}));
            }
            continue;
        }
        for (const Json &port : ports) {
            count += addresses.size();
            for (const Json &address : addresses) {
                if (list.size() == kListLimit) {
                    more = true;
                    break;
                }
                list.push_back(hostPort(str(address, {"ip"}), integer(port, {"port"})));
            }
        }
    }
    const std::string joined = joinStrings(list);
    if (more)
        return joined + " + " + std::to_string(count - kListLimit) + " more...";
    return joined;
}

Json endpointsCells(const Json &endpoints)
{
    return Json::array({str(endpoints, {"metadata", "name"}), formatEndpoints(endpoints), age(endpoints)});
}

std::string listWithMore(const std::vector<std::string> &list, bool more, size_t count)
{
    const std::string joined = joinStrings(list);
    if (more)
        return joined + " + " + std::to_string(count - kListLimit) + " more...";
    return joined.empty() ? "<unset>" : joined;
}

// Port numbers, or the port's name when it has no number, or "*" for all ports.
std::string sliceEndpointPorts(const Json &slice)
{
    std::vector<std::string> list;
    bool more = false;
    size_t count = 0;
    for (const Json &port : listAt(slice, {"ports"})) {
        if (list.size() < kListLimit) {
            if (has(port, {"port"}))
                list.push_back(std::to_string(integer(port, {"port"})));
            else if (has(port, {"name"}))
                list.push_back(str(port, {"name"}));
            else
                list.push_back("*");
        } else {
            more = true;
        }
        ++count;
    }
    return listWithMore(list, more, count);
}

std::string sliceEndpointAddresses(const Json &slice)
{
    std::vector<std::string> list;
    bool more = false;
    size_t count = 0;
    for (const Json &endpoint : listAt(slice, {"endpoints"}))
        for (const Json &address : listAt(endpoint, {"addresses"})) {
            if (list.size() < kListLimit)
                list.push_back(address.is_string() ? address.get<std::string>() : "");
            else
                more = true;
            ++count;
        }
    return listWithMore(list, more, count);
}

Json endpointSliceCells(const Json &slice)
{
    return Json::array({str(slice, {"metadata", "name"}),
                        str(slice, {"addressType"}),
                        sliceEndpointPorts(slice),
                        sliceEndpointAddresses(slice),
                        age(slice)});
}

} // namespace

Printers servicePrinters()
{
    return {
        {"",
         "Service",
         {nameColumn(),
          column("Type", "string", "How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName."),
          column("Cluster-IP", "string", "The IP address of the service inside the cluster."),
          column("External-IP", "string", "The addresses the service is reachable at from outside the cluster."),
          column("Port(s)", "string", "The ports the service exposes."),
          ageColumn(),
          wideColumn("Selector", "string", "The labels of the pods the service routes traffic to.")},
         serviceCells},
        {"",
         "Endpoints",
         {nameColumn(), column("Endpoints", "string", "The addresses and ports of the endpoints."), ageColumn()},
         endpointsCells},
        {"discovery.k8s.io",
         "EndpointSlice",
         {nameColumn(),
          column("AddressType", "string", "The type of address the slice carries: IPv4, IPv6 or FQDN."),
          column("Ports", "string", "The network ports exposed by the endpoints in the slice."),
          column("Endpoints", "string", "The endpoints' addresses."),
          ageColumn()},
         endpointSliceCells},
    };
}

} // namespace cd::api::printing
