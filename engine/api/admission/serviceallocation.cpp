#include "engine/api/admission/serviceallocation.h"

#include "engine/api/context.h"
#include "engine/api/resources/gosyntax.h"
#include "engine/api/status.h"

#include <QRandomGenerator>

#include <arpa/inet.h>

namespace cd::api {
namespace {

std::optional<std::uint32_t> parseIPv4(const std::string &text)
{
    in_addr address{};
    if (inet_pton(AF_INET, text.c_str(), &address) != 1)
        return std::nullopt;
    return ntohl(address.s_addr);
}

std::string formatIPv4(std::uint32_t ip)
{
    in_addr address{};
    address.s_addr = htonl(ip);
    char text[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, &address, text, sizeof text) ? text : "";
}

} // namespace

std::string ServiceAllocation::rangeText() const
{
    return formatIPv4(m_ranges.ipBase) + "/" + std::to_string(m_ranges.ipPrefix);
}

ServiceAllocation::Taken ServiceAllocation::takenByOthers(const std::string &key) const
{
    Taken taken;
    const ResourceType &services = *m_context.registry().find("", "v1", "services");
    for (const StoredObject &service : m_context.loadAll(services, "")) {
        if (service.record.key == key)
            continue;
        if (const Json *ips = find(service.object, {"spec", "clusterIPs"}); ips && ips->is_array())
            for (const Json &ip : *ips)
                if (auto parsed = ip.is_string() ? parseIPv4(ip.get<std::string>()) : std::nullopt)
                    taken.ips.insert(*parsed);
        if (const Json *ports = find(service.object, {"spec", "ports"}); ports && ports->is_array())
            for (const Json &port : *ports)
                if (long long nodePort = integer(port, {"nodePort"}))
                    taken.nodePorts.insert(nodePort);
    }
    return taken;
}

Status ServiceAllocation::admit(AdmissionRequest &request)
{
    const ResourceType &type = *request.type;
    if (type.kind != "Service" || !type.group.empty() || !request.object ||
        (request.operation != Operation::Create && request.operation != Operation::Update) ||
        !request.subresource.empty())
        return {};
    Json &spec = ensureObject(*request.object, {"spec"});
    const std::string serviceType = str(spec, {"type"}, "ClusterIP");
    if (serviceType == "ExternalName")
        return {};
    const Taken taken = takenByOthers(type.key(request.namespaceName, request.name));
    FieldErrors errors;

    // The cluster IP: given (checked), "None" (headless) or allocated from the upper band of the
    // range, as Kubernetes does to leave the lower band for addresses people choose.
    const std::string clusterIP = str(spec, {"clusterIP"});
    const std::string oldIP = request.old ? str(*request.old, {"spec", "clusterIP"}) : std::string();
    const std::uint32_t size = 1u << (32 - m_ranges.ipPrefix);
    if (clusterIP.empty()) {
        const std::uint32_t band = std::min<std::uint32_t>(std::max<std::uint32_t>(16, size / 16), 256);
        std::uint32_t offset = 0;
        for (int attempt = 0; attempt < 1000000; ++attempt) {
            offset = band + QRandomGenerator::global()->bounded(size - band - 1);
            if (!taken.ips.count(m_ranges.ipBase + offset))
                break;
        }
        const std::string ip = formatIPv4(m_ranges.ipBase + offset);
        spec["clusterIP"] = ip;
        spec["clusterIPs"] = Json::array({ip});
    } else if (clusterIP != "None" && clusterIP != oldIP) {
        const auto ip = parseIPv4(clusterIP);
        const std::string printed = "[]string{" + gosyntax::quote(clusterIP) + "}";
        const FieldPath path("spec.clusterIPs");
        if (!ip) {
            // Malformed addresses are the validation's to report.
        } else if (*ip <= m_ranges.ipBase || *ip >= m_ranges.ipBase + size - 1) {
            errors.invalidPrinted(path, printed,
                                  "failed to allocate IP " + clusterIP + ": the provided IP (" + clusterIP +
                                      ") is not in the valid range. The range of valid IPs is " + rangeText());
        } else if (taken.ips.count(*ip)) {
            errors.invalidPrinted(path, printed,
                                  "failed to allocate IP " + clusterIP + ": provided IP is already allocated");
        }
    }

    // Node ports, for NodePort and LoadBalancer Services (unless the LoadBalancer opts out).
    const bool wantsNodePorts = serviceType == "NodePort" ||
                                (serviceType == "LoadBalancer" && boolean(spec, {"allocateLoadBalancerNodePorts"}, true));
    if (Json *ports = find(spec, {"ports"}); wantsNodePorts && ports && ports->is_array()) {
        std::set<long long> used = taken.nodePorts;
        std::set<long long> before;
        if (request.old)
            if (const Json *oldPorts = find(*request.old, {"spec", "ports"}); oldPorts && oldPorts->is_array())
                for (const Json &p : *oldPorts)
                    if (long long np = integer(p, {"nodePort"}))
                        before.insert(np);
        for (size_t i = 0; i < ports->size(); ++i) {
            const long long given = integer((*ports)[i], {"nodePort"});
            if (given == 0)
                continue;
            if (given < m_ranges.nodePortMin || given > m_ranges.nodePortMax)
                continue;  // the range check is the validation's
            if (used.count(given) && !before.count(given))
                errors.invalid(FieldPath("spec").child("ports").index(i).child("nodePort"), given,
                               "provided port is already allocated");
            used.insert(given);
        }
        const int span = m_ranges.nodePortMax - m_ranges.nodePortMin + 1;
        const int band = std::min(std::max(16, span / 32), 128);
        for (Json &port : *ports) {
            if (integer(port, {"nodePort"}) != 0)
                continue;
            long long candidate = 0;
            for (int attempt = 0; attempt < 100000; ++attempt) {
                candidate = m_ranges.nodePortMin + band + QRandomGenerator::global()->bounded(span - band);
                if (!used.count(candidate))
                    break;
            }
            port["nodePort"] = candidate;
            used.insert(candidate);
        }
    }
    if (!errors.empty())
        return invalid(type, request.name, errors);
    return {};
}

} // namespace cd::api
