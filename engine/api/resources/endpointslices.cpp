// discovery.k8s.io/v1 EndpointSlice, with Kubernetes v1.32's defaults (port name "" and
// protocol TCP) and rules (pkg/apis/discovery/validation): an address type that never
// changes, addresses valid for it, and ports.

#include "engine/api/objectmeta.h"
#include "engine/api/resources/corekinds.h"
#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"
#include "engine/core/names.h"

#include <set>

namespace cd::api {
namespace {

using namespace corekinds;

constexpr size_t kMaxTopologyLabels = 16;
constexpr size_t kMaxAddresses = 100;
constexpr size_t kMaxPorts = 100;
constexpr size_t kMaxEndpoints = 1000;

void defaultEndpointSlice(Json &slice)
{
    Json *ports = find(slice, {"ports"});
    if (!ports || !ports->is_array())
        return;
    for (Json &port : *ports) {
        if (!port.is_object())
            continue;
        if (!port.contains("name") || port["name"].is_null())
            port["name"] = "";
        if (!port.contains("protocol") || port["protocol"].is_null())
            port["protocol"] = "TCP";
    }
}

// IsFullyQualifiedDomainName: at least two labels, optionally ending in a dot.
void validateFqdn(std::string name, const FieldPath &path, FieldErrors &errors)
{
    if (name.empty()) {
        errors.required(path);
        return;
    }
    if (name.back() == '.')
        name.pop_back();
    auto join = [](const names::Messages &m) {
        std::string out;
        for (const auto &s : m)
            out += (out.empty() ? "" : ",") + s;
        return out;
    };
    if (const auto messages = names::dns1123Subdomain(name); !messages.empty()) {
        errors.invalid(path, name, join(messages));
        return;
    }
    if (name.find('.') == std::string::npos) {
        errors.invalid(path, name, "should be a domain with at least two segments separated by dots");
        return;
    }
    size_t start = 0;
    while (true) {
        const size_t dot = name.find('.', start);
        const std::string label = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (const auto messages = names::dns1123Label(label); !messages.empty()) {
            errors.invalid(path, label, join(messages));
            return;
        }
        if (dot == std::string::npos)
            return;
        start = dot + 1;
    }
}

void validateAddress(const std::string &type, const std::string &address, const FieldPath &path, FieldErrors &errors)
{
    if (type == "IPv4" || type == "IPv6") {
        auto ip = parseIp(address);
        if (!ip || ip->family != (type == "IPv4" ? 4 : 6))
            errors.invalid(path, address, "must be a valid " + type + " address");
        validateNonSpecialIp(address, path, errors);
    } else if (type == "FQDN") {
        validateFqdn(address, path, errors);
    } else if (type == "IP") {
        validateIp(address, path, errors);
    }
}

void validateEndpointSlice(const Json &slice, FieldErrors &errors)
{
    const std::string type = str(slice, {"addressType"});
    if (type.empty())
        errors.required(FieldPath("addressType"));
    else if (type != "IPv4" && type != "IPv6" && type != "FQDN")
        errors.notSupported(FieldPath("addressType"), type, {"FQDN", "IPv4", "IPv6"});

    const Json &endpoints = arrayAt(slice, {"endpoints"});
    const FieldPath endpointsPath("endpoints");
    if (endpoints.size() > kMaxEndpoints) {
        errors.tooMany(endpointsPath, endpoints.size(), kMaxEndpoints);
    } else {
        for (size_t i = 0; i < endpoints.size(); ++i) {
            const Json &endpoint = endpoints[i];
            const FieldPath idx = endpointsPath.index(i);
            const Json &addresses = arrayAt(endpoint, {"addresses"});
            if (addresses.empty())
                errors.required(idx.child("addresses"), "must contain at least 1 address");
            else if (addresses.size() > kMaxAddresses)
                errors.tooMany(idx.child("addresses"), addresses.size(), kMaxAddresses);
            for (size_t a = 0; a < addresses.size(); ++a)
                validateAddress(type, addresses[a].is_string() ? addresses[a].get<std::string>() : addresses[a].dump(),
                                idx.child("addresses").index(a), errors);
            // The v1 field deprecatedTopology is "topology" inside Kubernetes.
            const Json &topology = objectAt(endpoint, {"deprecatedTopology"});
            if (topology.size() > kMaxTopologyLabels)
                errors.tooMany(idx.child("topology"), topology.size(), kMaxTopologyLabels);
            validateLabels(topology, idx.child("topology"), errors);
            if (const Json *hostname = find(endpoint, {"hostname"}); hostname && hostname->is_string())
                errors.invalidEach(idx.child("hostname"), *hostname, names::dns1123Label(hostname->get<std::string>()));
            if (const Json *node = find(endpoint, {"nodeName"}); node && node->is_string())
                errors.invalidEach(idx.child("nodeName"), *node, names::dns1123Subdomain(node->get<std::string>()));
        }
    }

    const Json &ports = arrayAt(slice, {"ports"});
    const FieldPath portsPath("ports");
    if (ports.size() > kMaxPorts) {
        errors.tooMany(portsPath, ports.size(), kMaxPorts);
        return;
    }
    std::set<std::string> portNames;
    for (size_t i = 0; i < ports.size(); ++i) {
        const Json &port = ports[i];
        const FieldPath idx = portsPath.index(i);
        const std::string name = str(port, {"name"});
        if (!name.empty())
            errors.invalidEach(idx.child("name"), name, names::dns1123Label(name));
        if (!portNames.insert(name).second)
            errors.duplicate(idx.child("name"), name);
        const Json *protocol = find(port, {"protocol"});
        if (!protocol || protocol->is_null())
            errors.required(idx.child("protocol"));
        else if (*protocol != "TCP" && *protocol != "UDP" && *protocol != "SCTP")
            errors.notSupported(idx.child("protocol"), *protocol, {"SCTP", "TCP", "UDP"});
        if (const Json *app = find(port, {"appProtocol"}); app && app->is_string())
            errors.invalidEach(idx.child("appProtocol"), *app, names::qualifiedName(app->get<std::string>()));
    }
}

void validateEndpointSliceUpdate(const Json &slice, const Json &old, FieldErrors &errors)
{
    const std::string type = str(slice, {"addressType"});
    if (type != str(old, {"addressType"}))
        errors.invalid(FieldPath("addressType"), type, "field is immutable");
}

} // namespace

void registerEndpointSlices(Registry &registry)
{
    {
        ResourceType t;
        t.group = "discovery.k8s.io";
        t.kind = "EndpointSlice";
        t.plural = "endpointslices";
        t.singular = "endpointslice";
        t.generation = true; // the EndpointSlice strategy counts generations
        t.defaults = defaultEndpointSlice;
        t.validate = validateEndpointSlice;
        t.validateUpdate = validateEndpointSliceUpdate;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
