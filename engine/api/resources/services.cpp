#include "engine/api/resources/services.h"

#include "engine/api/resources/corekinds.h"
#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

#include <algorithm>
#include <map>
#include <set>

namespace cd::api {
namespace {

using namespace corekinds;

std::string typeOf(const Json &service)
{
    return str(service, {"spec", "type"});
}
bool needsClusterIP(const Json &service)
{
    return typeOf(service) != "ExternalName";
}
bool needsNodePort(const Json &service)
{
    return typeOf(service) == "NodePort" || typeOf(service) == "LoadBalancer";
}
bool needsHealthCheckNodePort(const Json &service)
{
    return typeOf(service) == "LoadBalancer" && str(service, {"spec", "externalTrafficPolicy"}) == "Local";
}

bool sameValue(const Json &a, const Json &b, std::string_view key)
{
    const Json *x = find(a, {"spec", key});
    const Json *y = find(b, {"spec", key});
    if (isEmptyValue(x) || isEmptyValue(y))
        return isEmptyValue(x) == isEmptyValue(y);
    return *x == *y;
}

bool sameClusterIPs(const Json &a, const Json &b)
{
    return sameValue(a, b, "clusterIP") && sameValue(a, b, "clusterIPs");
}

void eraseSpec(Json &service, const char *key)
{
    if (Json *spec = find(service, {"spec"}); spec && spec->is_object())
        spec->erase(key);
}

// Kubernetes' SetDefaults_Service, plus what the Service REST storage settles before
// allocating: clusterIPs from clusterIP, and the IP family fields (initIPFamilyFields) for
// this single-stack IPv4 cluster. The IPs themselves are allocated later, by the allocator.
void defaultService(Json &service)
{
    Json &spec = ensureObject(service, {"spec"});
    if (str(spec, {"sessionAffinity"}).empty())
        spec["sessionAffinity"] = "None";
    if (spec["sessionAffinity"] == "None") {
        spec.erase("sessionAffinityConfig");
    } else if (spec["sessionAffinity"] == "ClientIP" &&
               !find(spec, {"sessionAffinityConfig", "clientIP", "timeoutSeconds"})) {
        spec["sessionAffinityConfig"] = {{"clientIP", {{"timeoutSeconds", 10800}}}};
    }
    if (str(spec, {"type"}).empty())
        spec["type"] = "ClusterIP";
    const std::string type = spec["type"].is_string() ? spec["type"].get<std::string>() : std::string();

    if (Json *ports = find(spec, {"ports"}); ports && ports->is_array()) {
        for (Json &port : *ports) {
            if (!port.is_object())
                continue;
            if (str(port, {"protocol"}).empty())
                port["protocol"] = "TCP";
            const Json *target = find(port, {"targetPort"});
            const bool unset = !target || target->is_null() || (target->is_number() && target->get<long long>() == 0) ||
                               (target->is_string() && target->get_ref<const std::string &>().empty());
            if (unset && port.contains("port"))
                port["targetPort"] = port["port"];
        }
    }
    if (serviceIsExternallyAccessible(service) && str(spec, {"externalTrafficPolicy"}).empty())
        spec["externalTrafficPolicy"] = "Cluster";
    if (!find(spec, {"internalTrafficPolicy"}) && (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP"))
        spec["internalTrafficPolicy"] = "Cluster";
    if (type == "LoadBalancer" && !find(spec, {"allocateLoadBalancerNodePorts"}))
        spec["allocateLoadBalancerNodePorts"] = true;
    if (type == "LoadBalancer") {
        if (Json *ingress = find(service, {"status", "loadBalancer", "ingress"}); ingress && ingress->is_array())
            for (Json &entry : *ingress)
                if (entry.is_object() && !str(entry, {"ip"}).empty() && !entry.contains("ipMode"))
                    entry["ipMode"] = "VIP";
    }
    if (type == "ExternalName")
        return;

    const std::string clusterIP = str(spec, {"clusterIP"});
    if (!clusterIP.empty() && isEmptyValue(find(spec, {"clusterIPs"})))
        spec["clusterIPs"] = Json::array({clusterIP});

    const bool headlessSelectorless = clusterIP == "None" && isEmptyValue(find(spec, {"selector"}));
    if (!find(spec, {"ipFamilyPolicy"}))
        spec["ipFamilyPolicy"] = headlessSelectorless ? "RequireDualStack" : "SingleStack";
    Json families = spec.contains("ipFamilies") && spec["ipFamilies"].is_array() ? spec["ipFamilies"] : Json::array();
    const Json &ips = arrayAt(spec, {"clusterIPs"});
    for (size_t i = 0; i < ips.size(); ++i) {
        if (!ips[i].is_string() || ips[i] == "None")
            break;
        auto ip = parseIp(ips[i].get<std::string>());
        if (!ip)
            break; // validation reports it
        if (i >= families.size())
            families.push_back(ip->family == 6 ? "IPv6" : "IPv4");
    }
    if (families.empty())
        families.push_back("IPv4");
    // A headless Service without a selector may list both families even on a single-stack
    // cluster: its endpoints are managed by hand.
    if (headlessSelectorless && families.size() < 2 && str(spec, {"ipFamilyPolicy"}) != "SingleStack")
        families.push_back(families[0] == "IPv4" ? "IPv6" : "IPv4");
    spec["ipFamilies"] = std::move(families);
}

// patchAllocatedValues: a client that omits allocated values (clusterIP, nodePorts,
// healthCheckNodePort) on update keeps them, for idempotent `kubectl replace`.
void patchAllocatedValues(Json &service, const Json &old)
{
    Json &spec = ensureObject(service, {"spec"});
    if (needsClusterIP(old) && needsClusterIP(service)) {
        if (str(spec, {"clusterIP"}).empty() && find(old, {"spec", "clusterIP"}))
            spec["clusterIP"] = old["spec"]["clusterIP"];
        if (isEmptyValue(find(spec, {"clusterIPs"})) && !isEmptyValue(find(old, {"spec", "clusterIPs"})))
            spec["clusterIPs"] = old["spec"]["clusterIPs"];
        if (!find(spec, {"ipFamilyPolicy"}) && find(old, {"spec", "ipFamilyPolicy"}))
            spec["ipFamilyPolicy"] = old["spec"]["ipFamilyPolicy"];
    }
    if (needsNodePort(old) && needsNodePort(service) && spec.contains("ports") && spec["ports"].is_array()) {
        std::set<long long> oldUsed, newUsed;
        std::map<std::string, long long> byName;
        for (const Json &p : arrayAt(old, {"spec", "ports"})) {
            const long long np = integer(p, {"nodePort"});
            if (np)
                oldUsed.insert(np);
            byName[str(p, {"name"})] = np;
        }
        for (const Json &p : spec["ports"])
            if (long long np = integer(p, {"nodePort"}))
                newUsed.insert(np);
        for (Json &p : spec["ports"]) {
            if (!p.is_object() || integer(p, {"nodePort"}) != 0)
                continue;
            const long long previous = byName.count(str(p, {"name"})) ? byName[str(p, {"name"})] : 0;
            if (previous && !(oldUsed.count(previous) && newUsed.count(previous)))
                p["nodePort"] = previous;
        }
    }
    if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(service) &&
        integer(spec, {"healthCheckNodePort"}) == 0 && find(old, {"spec", "healthCheckNodePort"}))
        spec["healthCheckNodePort"] = old["spec"]["healthCheckNodePort"];
}

// NormalizeClusterIPs on update: a client that changes only the singular clusterIP (an old
// client, or kubectl apply of a manifest with clusterIP) changes the plural with it, so the
// change is judged by the clusterIPs rules.
void normalizeClusterIPs(Json &service, const Json &old)
{
    Json &spec = ensureObject(service, {"spec"});
    if (sameValue(service, old, "clusterIP") || !sameValue(service, old, "clusterIPs"))
        return;
    const std::string clusterIP = str(spec, {"clusterIP"});
    if (clusterIP.empty()) {
        spec.erase("clusterIPs");
    } else if (spec.contains("clusterIPs") && spec["clusterIPs"].is_array() && spec["clusterIPs"].size() > 1) {
        spec["clusterIPs"][0] = clusterIP;
    } else {
        spec["clusterIPs"] = Json::array({clusterIP});
    }
}

// The trimming of initIPFamilyFields on update: SingleStack with unchanged lists is a
// downgrade request.
void downgradeToSingleStack(Json &service, const Json &old)
{
    Json &spec = ensureObject(service, {"spec"});
    if (str(spec, {"ipFamilyPolicy"}) != "SingleStack")
        return;
    if (sameClusterIPs(old, service) && spec.contains("clusterIPs") && spec["clusterIPs"].is_array() &&
        spec["clusterIPs"].size() > 1)
        spec["clusterIPs"] = Json::array({spec["clusterIPs"][0]});
    if (sameValue(old, service, "ipFamilies") && spec.contains("ipFamilies") && spec["ipFamilies"].is_array() &&
        spec["ipFamilies"].size() > 1)
        spec["ipFamilies"] = Json::array({spec["ipFamilies"][0]});
}

// dropTypeDependentFields: switching type releases what the new type does not use, when the
// client left those values as they were.
void dropTypeDependentFields(Json &service, const Json &old)
{
    Json &spec = ensureObject(service, {"spec"});
    if (needsClusterIP(old) && !needsClusterIP(service)) {
        if (sameClusterIPs(old, service)) {
            spec.erase("clusterIP");
            spec.erase("clusterIPs");
        }
        if (sameValue(old, service, "ipFamilies"))
            spec.erase("ipFamilies");
        if (sameValue(old, service, "ipFamilyPolicy"))
            spec.erase("ipFamilyPolicy");
    }
    auto nodePorts = [](const Json &s) {
        std::set<long long> out;
        for (const Json &p : arrayAt(s, {"spec", "ports"}))
            if (long long np = integer(p, {"nodePort"}))
                out.insert(np);
        return out;
    };
    if (needsNodePort(old) && !needsNodePort(service)) {
        const auto before = nodePorts(old), after = nodePorts(service);
        if (std::includes(before.begin(), before.end(), after.begin(), after.end()) && spec.contains("ports") &&
            spec["ports"].is_array())
            for (Json &p : spec["ports"])
                if (p.is_object())
                    p.erase("nodePort");
    }
    if (needsHealthCheckNodePort(old) && !needsHealthCheckNodePort(service) &&
        sameValue(old, service, "healthCheckNodePort"))
        spec.erase("healthCheckNodePort");
    if (typeOf(old) == "LoadBalancer" && typeOf(service) != "LoadBalancer") {
        const Json *now = find(spec, {"allocateLoadBalancerNodePorts"});
        const Json *before = find(old, {"spec", "allocateLoadBalancerNodePorts"});
        if (now && before && *now == *before)
            spec.erase("allocateLoadBalancerNodePorts");
        if (sameValue(old, service, "loadBalancerClass"))
            spec.erase("loadBalancerClass");
    }
    if (needsNodePort(old) && !needsNodePort(service) && sameValue(old, service, "externalTrafficPolicy"))
        spec.erase("externalTrafficPolicy");
    if (typeOf(service) != "LoadBalancer" && service.contains("status") && service["status"].is_object())
        service["status"]["loadBalancer"] = Json::object();
}

void defaultEndpoints(Json &endpoints)
{
    if (Json *subsets = find(endpoints, {"subsets"}); subsets && subsets->is_array())
        for (Json &subset : *subsets)
            if (Json *ports = find(subset, {"ports"}); ports && ports->is_array())
                for (Json &port : *ports)
                    if (port.is_object() && str(port, {"protocol"}).empty())
                        port["protocol"] = "TCP";
}

} // namespace

bool serviceIsHeadless(const Json &service)
{
    const Json &ips = arrayAt(service, {"spec", "clusterIPs"});
    return ips.size() == 1 && ips[0] == "None";
}

bool serviceIsExternallyAccessible(const Json &service)
{
    const std::string type = typeOf(service);
    return type == "LoadBalancer" || type == "NodePort" ||
           (type == "ClusterIP" && !arrayAt(service, {"spec", "externalIPs"}).empty());
}

void registerServices(Registry &registry)
{
    {
        ResourceType t;
        t.kind = "Service";
        t.plural = "services";
        t.singular = "service";
        t.shortNames = {"svc"};
        t.categories = {"all"};
        t.statusSubresource = true;
        t.generation = false;
        t.nameRule = names::dns1035Label;
        t.allowCreateOnUpdate = true;
        t.defaults = defaultService;
        t.prepareForCreate = [](Json &service) { service["status"] = {{"loadBalancer", Json::object()}}; };
        t.prepareForUpdate = [](Json &service, const Json &old) {
            patchAllocatedValues(service, old);
            normalizeClusterIPs(service, old);
            downgradeToSingleStack(service, old);
            dropTypeDependentFields(service, old);
        };
        t.validate = validateService;
        t.validateUpdate = validateServiceUpdate;
        t.selectableFields["spec.clusterIP"] = [](const Json &o) { return str(o, {"spec", "clusterIP"}); };
        t.selectableFields["spec.type"] = [](const Json &o) { return str(o, {"spec", "type"}); };
        registry.add(std::move(t));
    }
    {
        ResourceType t;
        t.kind = "Endpoints";
        t.plural = "endpoints";
        t.singular = "endpoints";
        t.shortNames = {"ep"};
        t.allowCreateOnUpdate = true;
        t.generation = false;
        t.defaults = defaultEndpoints;
        t.validate = validateEndpoints;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
