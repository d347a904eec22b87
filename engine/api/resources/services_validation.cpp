// Service and Endpoints validation with Kubernetes v1.32's rules and wording
// (pkg/apis/core/validation: ValidateService, ValidateServiceUpdate, ValidateEndpoints), plus
// the checks Kubernetes makes while allocating (the NodePort range, IP families this
// single-stack IPv4 cluster offers).

#include "engine/api/objectmeta.h"
#include "engine/api/resources/corekinds.h"
#include "engine/api/resources/gosyntax.h"
#include "engine/api/resources/services.h"
#include "engine/core/names.h"

#include <set>
#include <utility>

namespace cd::api {
namespace {

using namespace corekinds;

const FieldPath kSpec("spec");

// A ServicePort used as a map key, printed as Go prints it in a Duplicate error.
std::string servicePortKey(const std::string &protocol, long long port)
{
    return "core.ServicePort{Name:\"\", Protocol:" + gosyntax::quote(protocol) +
           ", AppProtocol:(*string)(nil), Port:" + std::to_string(port) +
           ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}";
}

long long portValue(const Json &port, const char *key)
{
    const Json *v = find(port, {key});
    return v && v->is_number() ? v->get<long long>() : 0;
}

void validatePortNumOrName(const Json *value, const FieldPath &path, FieldErrors &errors)
{
    if (value && value->is_string()) {
        errors.invalidEach(path, *value, names::ianaServiceName(value->get<std::string>()));
        return;
    }
    const long long n = value && value->is_number() ? value->get<long long>() : 0;
    errors.invalidEach(path, n, names::portNumber(n));
}

void validateServicePort(const Json &port, bool requireName, std::set<std::string> &allNames, const FieldPath &path,
                         FieldErrors &errors)
{
    const std::string name = str(port, {"name"});
    if (requireName && name.empty()) {
        errors.required(path.child("name"));
    } else if (!name.empty()) {
        errors.invalidEach(path.child("name"), name, names::dns1123Label(name));
        if (!allNames.insert(name).second)
            errors.duplicate(path.child("name"), name);
    }
    const long long number = portValue(port, "port");
    errors.invalidEach(path.child("port"), number, names::portNumber(number));
    const std::string protocol = str(port, {"protocol"});
    if (protocol.empty())
        errors.required(path.child("protocol"));
    else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP")
        errors.notSupported(path.child("protocol"), protocol, {"SCTP", "TCP", "UDP"});
    validatePortNumOrName(find(port, {"targetPort"}), path.child("targetPort"), errors);
    if (const Json *app = find(port, {"appProtocol"}); app && app->is_string())
        errors.invalidEach(path.child("appProtocol"), *app, names::qualifiedName(app->get<std::string>()));
}

void validateClientIPAffinityConfig(const Json &spec, FieldErrors &errors)
{
    const FieldPath path = kSpec.child("sessionAffinityConfig");
    const std::string when = "when session affinity type is ClientIP";
    if (isEmptyValue(find(spec, {"sessionAffinityConfig"}))) {
        errors.required(path, when);
    } else if (isEmptyValue(find(spec, {"sessionAffinityConfig", "clientIP"}))) {
        errors.required(path.child("clientIP"), when);
    } else if (const Json *timeout = find(spec, {"sessionAffinityConfig", "clientIP", "timeoutSeconds"}); !timeout) {
        errors.required(path.child("clientIP").child("timeoutSeconds"), when);
    } else {
        const long long t = timeout->is_number() ? timeout->get<long long>() : 0;
        if (t <= 0 || t > 86400)
            errors.invalid(path.child("clientIP").child("timeoutSeconds"), *timeout,
                           "must be greater than 0 and less than 86400");
    }
}

// ValidateServiceClusterIPsRelatedFields: clusterIP and clusterIPs agree, families and policy
// are known values, and each IP is valid and matches its family.
void validateClusterIPsRelatedFields(const Json &service, FieldErrors &errors)
{
    const Json &spec = objectAt(service, {"spec"});
    if (str(spec, {"type"}) == "ExternalName")
        return;
    const FieldPath ipsPath = kSpec.child("clusterIPs");
    const std::string clusterIP = str(spec, {"clusterIP"});
    const Json &ips = arrayAt(spec, {"clusterIPs"});
    if (!clusterIP.empty()) {
        if (ips.empty())
            errors.required(ipsPath);
        else if (ips[0] != clusterIP)
            errors.invalidPrinted(ipsPath, gosyntax::slice(&ips), "first value must match `clusterIP`");
    } else if (!ips.empty()) {
        errors.invalidPrinted(ipsPath, gosyntax::slice(&ips), "must be empty when `clusterIP` is not specified");
    }

    const Json &families = arrayAt(spec, {"ipFamilies"});
    std::set<std::string> seen;
    for (size_t i = 0; i < families.size(); ++i) {
        const std::string family = families[i].is_string() ? families[i].get<std::string>() : families[i].dump();
        if (family != "IPv4" && family != "IPv6")
            errors.notSupported(kSpec.child("ipFamilies").index(i), family, {"IPv4", "IPv6"});
        if (!seen.insert(family).second)
            errors.duplicate(kSpec.child("ipFamilies").index(i), family);
    }
    if (const Json *policy = find(spec, {"ipFamilyPolicy"}); policy && !policy->is_null()) {
        if (*policy != "SingleStack" && *policy != "PreferDualStack" && *policy != "RequireDualStack")
            errors.notSupported(kSpec.child("ipFamilyPolicy"), *policy,
                                {"PreferDualStack", "RequireDualStack", "SingleStack"});
    }

    bool hasInvalidIPs = false;
    for (size_t i = 0; i < ips.size(); ++i) {
        const std::string ip = ips[i].is_string() ? ips[i].get<std::string>() : ips[i].dump();
        if (i == 0 && ip == "None") {
            if (ips.size() > 1) {
                hasInvalidIPs = true;
                errors.invalidPrinted(ipsPath, gosyntax::slice(&ips), "'None' must be the first and only value");
            }
            continue;
        }
        if (!parseIp(ip)) {
            hasInvalidIPs = true;
            validateIp(ip, ipsPath.index(i), errors);
        }
    }
    if (ips.size() > 2)
        errors.invalidPrinted(ipsPath, gosyntax::slice(&ips), "may only hold up to 2 values");
    if (hasInvalidIPs)
        return;
    if (ips.size() > 1) {
        bool v4 = false, v6 = false;
        for (const Json &ip : ips)
            (isIPv6(ip.get<std::string>()) ? v6 : v4) = true;
        if (!(v4 && v6))
            errors.invalidPrinted(ipsPath, gosyntax::slice(&ips), "may specify no more than one IP for each IP family");
    }
    if (!serviceIsHeadless(service) && !ips.empty() && !families.empty()) {
        for (size_t i = 0; i < ips.size() && i < families.size(); ++i) {
            const std::string ip = ips[i].get<std::string>();
            if (families[i] == "IPv4" && isIPv6(ip))
                errors.invalid(ipsPath.index(i), ip,
                               "expected an IPv4 value as indicated by `ipFamilies[" + std::to_string(i) + "]`");
            if (families[i] == "IPv6" && !isIPv6(ip))
                errors.invalid(ipsPath.index(i), ip,
                               "expected an IPv6 value as indicated by `ipFamilies[" + std::to_string(i) + "]`");
        }
    }
}

// What Kubernetes' allocator refuses on a single-stack IPv4 cluster (initIPFamilyFields).
void validateIPFamiliesOffered(const Json &service, FieldErrors &errors)
{
    const Json &spec = objectAt(service, {"spec"});
    if (str(spec, {"type"}) == "ExternalName")
        return;
    const std::string policy = str(spec, {"ipFamilyPolicy"});
    if (policy == "SingleStack") {
        if (arrayAt(spec, {"clusterIPs"}).size() == 2)
            errors.invalid(kSpec.child("ipFamilyPolicy"), policy,
                           "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified");
        if (arrayAt(spec, {"ipFamilies"}).size() == 2)
            errors.invalid(kSpec.child("ipFamilyPolicy"), policy,
                           "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified");
    }
    // A headless Service without a selector may name both families.
    if (str(spec, {"clusterIP"}) == "None" && isEmptyValue(find(spec, {"selector"})))
        return;
    if (policy == "RequireDualStack")
        errors.invalid(kSpec.child("ipFamilyPolicy"), policy, "this cluster is not configured for dual-stack services");
    const Json &families = arrayAt(spec, {"ipFamilies"});
    for (size_t i = 0; i < families.size(); ++i)
        if (families[i] == "IPv6")
            errors.invalid(kSpec.child("ipFamilies").index(i), families[i], "not configured on this cluster");
}

void validateExternalTrafficPolicy(const Json &service, FieldErrors &errors)
{
    const Json &spec = objectAt(service, {"spec"});
    const std::string policy = str(spec, {"externalTrafficPolicy"});
    if (!serviceIsExternallyAccessible(service)) {
        if (!policy.empty())
            errors.invalid(kSpec.child("externalTrafficPolicy"), policy,
                           "may only be set for externally-accessible services");
    } else if (policy.empty()) {
        errors.required(kSpec.child("externalTrafficPolicy"));
    } else if (policy != "Cluster" && policy != "Local") {
        errors.notSupported(kSpec.child("externalTrafficPolicy"), policy, {"Cluster", "Local"});
    }
    // A zero healthCheckNodePort is left for the allocator to fill in.
    const long long healthCheck = integer(spec, {"healthCheckNodePort"});
    const bool needsHealthCheck = str(spec, {"type"}) == "LoadBalancer" && policy == "Local";
    if (!needsHealthCheck && healthCheck != 0)
        errors.invalid(kSpec.child("healthCheckNodePort"), healthCheck,
                       "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'");
    else if (needsHealthCheck && healthCheck != 0)
        errors.invalidEach(kSpec.child("healthCheckNodePort"), healthCheck, names::portNumber(healthCheck));
}

void validateLoadBalancerFields(const Json &service, FieldErrors &errors)
{
    const Json &spec = objectAt(service, {"spec"});
    const bool loadBalancer = str(spec, {"type"}) == "LoadBalancer";
    const std::string lbOnly = "may only be used when `type` is 'LoadBalancer'";
    // Kubernetes names this field with a capital L in its errors.
    const FieldPath rangesPath = kSpec.child("LoadBalancerSourceRanges");
    const Json &ranges = arrayAt(spec, {"loadBalancerSourceRanges"});
    const auto annotations = stringMap(service, {"metadata", "annotations"});
    const char *rangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges";
    auto trim = [](std::string s) {
        const size_t b = s.find_first_not_of(" \t\n\r");
        const size_t e = s.find_last_not_of(" \t\n\r");
        return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    if (!ranges.empty()) {
        if (!loadBalancer)
            errors.forbidden(rangesPath, lbOnly);
        for (size_t i = 0; i < ranges.size(); ++i)
            validateCidr(trim(ranges[i].is_string() ? ranges[i].get<std::string>() : ranges[i].dump()),
                         rangesPath.index(i), errors);
    } else if (auto it = annotations.find(rangesAnnotation); it != annotations.end()) {
        const FieldPath annotationPath = FieldPath("metadata").child("annotations").key(rangesAnnotation);
        if (!loadBalancer)
            errors.forbidden(annotationPath, lbOnly);
        const std::string value = trim(it->second);
        size_t start = 0;
        while (!value.empty() && start <= value.size()) {
            const size_t comma = value.find(',', start);
            validateCidr(trim(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start)),
                         annotationPath, errors);
            if (comma == std::string::npos)
                break;
            start = comma + 1;
        }
    }
    const bool hasAllocate =
        find(spec, {"allocateLoadBalancerNodePorts"}) && !spec["allocateLoadBalancerNodePorts"].is_null();
    if (hasAllocate && !loadBalancer)
        errors.forbidden(kSpec.child("allocateLoadBalancerNodePorts"), lbOnly);
    if (loadBalancer && !hasAllocate)
        errors.required(FieldPath("allocateLoadBalancerNodePorts")); // sic: Kubernetes drops "spec."
    if (const Json *cls = find(spec, {"loadBalancerClass"}); cls && !cls->is_null()) {
        if (loadBalancer && cls->is_string())
            errors.invalidEach(kSpec.child("loadBalancerClass"), *cls, names::qualifiedName(cls->get<std::string>()));
        else if (!loadBalancer)
            errors.forbidden(kSpec.child("loadBalancerClass"), lbOnly);
    }
}

void validatePorts(const Json &service, FieldErrors &errors)
{
    const Json &spec = objectAt(service, {"spec"});
    const Json &ports = arrayAt(spec, {"ports"});
    const FieldPath portsPath = kSpec.child("ports");
    std::set<std::string> names;
    for (size_t i = 0; i < ports.size(); ++i)
        validateServicePort(ports[i], ports.size() > 1, names, portsPath.index(i), errors);
}

void validatePortCombinations(const Json &service, FieldErrors &errors)
{
    const Json &spec = objectAt(service, {"spec"});
    const std::string type = str(spec, {"type"});
    const Json &ports = arrayAt(spec, {"ports"});
    const FieldPath portsPath = kSpec.child("ports");
    if (type == "ClusterIP") {
        for (size_t i = 0; i < ports.size(); ++i)
            if (portValue(ports[i], "nodePort") != 0)
                errors.forbidden(portsPath.index(i).child("nodePort"), "may not be used when `type` is 'ClusterIP'");
    }
    std::set<std::pair<std::string, long long>> nodePorts, servicePorts;
    for (size_t i = 0; i < ports.size(); ++i) {
        const long long nodePort = portValue(ports[i], "nodePort");
        if (nodePort != 0 && !nodePorts.insert({str(ports[i], {"protocol"}), nodePort}).second)
            errors.duplicate(portsPath.index(i).child("nodePort"), nodePort);
    }
    for (size_t i = 0; i < ports.size(); ++i) {
        const std::string protocol = str(ports[i], {"protocol"});
        const long long port = portValue(ports[i], "port");
        if (!servicePorts.insert({protocol, port}).second)
            errors.duplicatePrinted(portsPath.index(i), servicePortKey(protocol, port));
    }
}

// The node port allocator's check: a NodePort given by the client must be in the range. The
// allocator stops at the first port it cannot take.
void validateNodePortRange(const Json &service, FieldErrors &errors)
{
    const std::string type = str(service, {"spec", "type"});
    if (type != "NodePort" && type != "LoadBalancer")
        return;
    const Json &ports = arrayAt(service, {"spec", "ports"});
    for (size_t i = 0; i < ports.size(); ++i) {
        const long long nodePort = portValue(ports[i], "nodePort");
        if (nodePort != 0 && (nodePort < kNodePortMin || nodePort > kNodePortMax)) {
            errors.invalid(kSpec.child("ports").index(i).child("nodePort"), nodePort,
                           "provided port is not in the valid range. The range of valid ports is " +
                               std::to_string(kNodePortMin) + "-" + std::to_string(kNodePortMax));
            return;
        }
    }
}

void validateEndpointAddress(const Json &address, const FieldPath &path, FieldErrors &errors)
{
    const std::string ip = str(address, {"ip"});
    validateIp(ip, path.child("ip"), errors);
    if (const std::string hostname = str(address, {"hostname"}); !hostname.empty())
        errors.invalidEach(path.child("hostname"), hostname, names::dns1123Label(hostname));
    if (const Json *node = find(address, {"nodeName"}); node && node->is_string())
        errors.invalidEach(path.child("nodeName"), *node, names::dns1123Subdomain(node->get<std::string>()));
    validateNonSpecialIp(ip, path.child("ip"), errors);
}

} // namespace

void validateService(const Json &service, FieldErrors &errors)
{
    // Kubernetes allocates before it validates, and a failed allocation is the only error the
    // client sees: first the IP fields' own consistency, then the families this cluster offers,
    // then the node ports.
    for (auto allocationCheck : {validateClusterIPsRelatedFields, validateIPFamiliesOffered, validateNodePortRange}) {
        FieldErrors allocation;
        allocationCheck(service, allocation);
        if (!allocation.empty()) {
            errors.append(allocation);
            return;
        }
    }

    const Json &spec = objectAt(service, {"spec"});
    const auto annotations = stringMap(service, {"metadata", "annotations"});
    const auto mode = annotations.find("service.kubernetes.io/topology-mode");
    const auto hints = annotations.find("service.kubernetes.io/topology-aware-hints");
    if (mode != annotations.end() && hints != annotations.end() && mode->second != hints->second)
        errors.invalid(FieldPath("metadata").child("annotations").key(mode->first), mode->second,
                       "must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified");

    const std::string type = str(spec, {"type"});
    const bool headless = serviceIsHeadless(service);
    if (arrayAt(spec, {"ports"}).empty() && !headless && type != "ExternalName")
        errors.required(kSpec.child("ports"));
    if ((type == "LoadBalancer" || type == "NodePort") && headless)
        errors.invalid(kSpec.child("clusterIPs").index(0), "None",
                       "may not be set to 'None' for " + type + " services");
    if (type == "ExternalName") {
        if (!arrayAt(spec, {"clusterIPs"}).empty())
            errors.forbidden(kSpec.child("clusterIPs"), "may not be set for ExternalName services");
        if (!arrayAt(spec, {"ipFamilies"}).empty())
            errors.forbidden(kSpec.child("ipFamilies"), "may not be set for ExternalName services");
        if (const Json *policy = find(spec, {"ipFamilyPolicy"}); policy && !policy->is_null())
            errors.forbidden(kSpec.child("ipFamilyPolicy"), "may not be set for ExternalName services");
        std::string cname = str(spec, {"externalName"});
        if (!cname.empty() && cname.back() == '.')
            cname.pop_back();
        if (cname.empty())
            errors.required(kSpec.child("externalName"));
        else
            errors.invalidEach(kSpec.child("externalName"), cname, names::dns1123Subdomain(cname));
    }
    validatePorts(service, errors);
    if (const Json *selector = find(spec, {"selector"}))
        validateLabels(*selector, kSpec.child("selector"), errors);

    const std::string affinity = str(spec, {"sessionAffinity"});
    if (affinity.empty())
        errors.required(kSpec.child("sessionAffinity"));
    else if (affinity != "ClientIP" && affinity != "None")
        errors.notSupported(kSpec.child("sessionAffinity"), affinity, {"ClientIP", "None"});
    if (affinity == "ClientIP")
        validateClientIPAffinityConfig(spec, errors);
    else if (affinity == "None" && !isEmptyValue(find(spec, {"sessionAffinityConfig"})))
        errors.forbidden(kSpec.child("sessionAffinityConfig"), "must not be set when session affinity is None");

    const Json &externalIPs = arrayAt(spec, {"externalIPs"});
    for (size_t i = 0; i < externalIPs.size(); ++i) {
        const std::string ip = externalIPs[i].is_string() ? externalIPs[i].get<std::string>() : externalIPs[i].dump();
        if (!parseIp(ip))
            validateIp(ip, kSpec.child("externalIPs").index(i), errors);
        else
            validateNonSpecialIp(ip, kSpec.child("externalIPs").index(i), errors);
    }
    if (type.empty())
        errors.required(kSpec.child("type"));
    else if (type != "ClusterIP" && type != "NodePort" && type != "LoadBalancer" && type != "ExternalName")
        errors.notSupported(kSpec.child("type"), type, {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"});
    validatePortCombinations(service, errors);
    validateLoadBalancerFields(service, errors);
    validateExternalTrafficPolicy(service, errors);

    const Json *internal = find(spec, {"internalTrafficPolicy"});
    if ((!internal || internal->is_null()) && (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP"))
        errors.required(kSpec.child("internalTrafficPolicy"));
    if (internal && !internal->is_null() && *internal != "Cluster" && *internal != "Local")
        errors.notSupported(kSpec.child("internalTrafficPolicy"), *internal, {"Cluster", "Local"});
    if (const Json *distribution = find(spec, {"trafficDistribution"}); distribution && !distribution->is_null())
        if (*distribution != "PreferClose")
            errors.notSupported(kSpec.child("trafficDistribution"), *distribution, {"PreferClose"});
}

void validateServiceUpdate(const Json &service, const Json &old, FieldErrors &errors)
{
    const std::string type = str(service, {"spec", "type"});
    const std::string oldType = str(old, {"spec", "type"});
    // The lists as the client sent them: Go prints a missing one as nil, an empty one as {}.
    auto printedIps = [&] { return gosyntax::slice(find(service, {"spec", "clusterIPs"})); };
    auto printedFamilies = [&] { return gosyntax::slice(find(service, {"spec", "ipFamilies"}), "[]core.IPFamily"); };
    // Cluster IPs: the primary may not change; a secondary may be added or released.
    if (type != "ExternalName" && oldType != "ExternalName" &&
        !(serviceIsHeadless(service) && serviceIsHeadless(old))) {
        const Json &ips = arrayAt(service, {"spec", "clusterIPs"});
        const Json &oldIps = arrayAt(old, {"spec", "clusterIPs"});
        const FieldPath path = kSpec.child("clusterIPs");
        if (oldIps.size() == ips.size()) {
            for (size_t i = 0; i < oldIps.size(); ++i)
                if (oldIps[i] != ips[i])
                    errors.invalidPrinted(path.index(i), printedIps(), "may not change once set");
        } else if (oldIps.size() > ips.size()) {
            if (ips.empty())
                errors.invalidPrinted(path.index(0), printedIps(), "primary clusterIP can not be unset");
            if (!ips.empty() && ips[0] != oldIps[0])
                errors.invalidPrinted(path.index(0), printedIps(), "may not change once set");
            if (ips.size() == 1 && str(service, {"spec", "ipFamilyPolicy"}) != "SingleStack")
                errors.invalid(kSpec.child("ipFamilyPolicy"), at(service, {"spec", "ipFamilyPolicy"}),
                               "must be set to 'SingleStack' when releasing the secondary clusterIP");
        } else if (!oldIps.empty() && ips[0] != oldIps[0]) {
            errors.invalidPrinted(path.index(0), printedIps(), "may not change once set");
        }
    }
    // IP families follow the same rules, except for headless Services.
    if (type != "ExternalName" && oldType != "ExternalName" && serviceIsHeadless(service) == serviceIsHeadless(old) &&
        !serviceIsHeadless(service)) {
        const Json &families = arrayAt(service, {"spec", "ipFamilies"});
        const Json &oldFamilies = arrayAt(old, {"spec", "ipFamilies"});
        const Json &ips = arrayAt(service, {"spec", "clusterIPs"});
        const FieldPath path = kSpec.child("ipFamilies").index(0);
        if (oldFamilies.size() == families.size()) {
            for (size_t i = 0; i < oldFamilies.size(); ++i)
                if (oldFamilies[i] != families[i])
                    errors.invalidPrinted(path, printedFamilies(), "may not change once set");
        } else if (oldFamilies.size() > families.size()) {
            if (ips.empty())
                errors.invalidPrinted(path, printedFamilies(), "primary ipFamily can not be unset");
            if (!families.empty() && families[0] != oldFamilies[0])
                errors.invalidPrinted(path, printedIps(), "may not change once set");
            if (families.size() == 1 && str(service, {"spec", "ipFamilyPolicy"}) != "SingleStack")
                errors.invalid(kSpec.child("ipFamilyPolicy"), at(service, {"spec", "ipFamilyPolicy"}),
                               "must be set to 'SingleStack' when releasing the secondary ipFamily");
        } else if (!oldFamilies.empty() && !families.empty() && families[0] != oldFamilies[0]) {
            errors.invalidPrinted(path, printedIps(), "may not change once set");
        }
    }
    if (type == "LoadBalancer" && oldType == "LoadBalancer" &&
        at(service, {"spec", "loadBalancerClass"}) != at(old, {"spec", "loadBalancerClass"}))
        errors.invalid(kSpec.child("loadBalancerClass"), at(service, {"spec", "loadBalancerClass"}),
                       "may not change once set");
    auto needsHealthCheck = [](const Json &s) {
        return str(s, {"spec", "type"}) == "LoadBalancer" && str(s, {"spec", "externalTrafficPolicy"}) == "Local";
    };
    if (needsHealthCheck(service) && needsHealthCheck(old) &&
        integer(service, {"spec", "healthCheckNodePort"}) != integer(old, {"spec", "healthCheckNodePort"}))
        errors.forbidden(kSpec.child("healthCheckNodePort"), "field is immutable");
}

void validateEndpoints(const Json &endpoints, FieldErrors &errors)
{
    const Json &subsets = arrayAt(endpoints, {"subsets"});
    const FieldPath subsetsPath("subsets");
    for (size_t i = 0; i < subsets.size(); ++i) {
        const Json &subset = subsets[i];
        const FieldPath path = subsetsPath.index(i);
        const Json &ready = arrayAt(subset, {"addresses"});
        const Json &notReady = arrayAt(subset, {"notReadyAddresses"});
        if (ready.empty() && notReady.empty())
            errors.required(path, "must specify `addresses` or `notReadyAddresses`");
        for (size_t a = 0; a < ready.size(); ++a)
            validateEndpointAddress(ready[a], path.child("addresses").index(a), errors);
        for (size_t a = 0; a < notReady.size(); ++a)
            validateEndpointAddress(notReady[a], path.child("notReadyAddresses").index(a), errors);
        const Json &ports = arrayAt(subset, {"ports"});
        for (size_t p = 0; p < ports.size(); ++p) {
            const Json &port = ports[p];
            const FieldPath portPath = path.child("ports").index(p);
            const std::string name = str(port, {"name"});
            if (ports.size() > 1 && name.empty())
                errors.required(portPath.child("name"));
            else if (!name.empty())
                errors.invalidEach(portPath.child("name"), name, names::dns1123Label(name));
            const long long number = portValue(port, "port");
            errors.invalidEach(portPath.child("port"), number, names::portNumber(number));
            const std::string protocol = str(port, {"protocol"});
            if (protocol.empty())
                errors.required(portPath.child("protocol"));
            else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP")
                errors.notSupported(portPath.child("protocol"), protocol, {"SCTP", "TCP", "UDP"});
            if (const Json *app = find(port, {"appProtocol"}); app && app->is_string())
                errors.invalidEach(portPath.child("appProtocol"), *app, names::qualifiedName(app->get<std::string>()));
        }
    }
}

} // namespace cd::api
