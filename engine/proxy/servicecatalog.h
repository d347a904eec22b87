#pragma once
// What the service proxy knows: every Service and EndpointSlice, kept compact (a few strings and
// numbers each, never the parsed objects), joined into the ports the proxy serves and the names
// the cluster DNS answers. Pure data: no sockets, no threads, so it is tested on its own.

#include "engine/core/json.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cd::proxy {

// Where one Service port's traffic may go: a pod IP and the port it serves on.
struct Backend {
    std::string ip;
    int port = 0;

    auto operator<=>(const Backend &) const = default;
};

// One port of one Service, as the proxy programs it.
struct ServicePortInfo {
    std::string ns;
    std::string name;
    std::string portName;         // "" for a Service's single unnamed port
    std::string protocol = "TCP"; // TCP, UDP or SCTP
    std::string clusterIp;
    int port = 0;
    int nodePort = 0;                         // 0: none
    std::vector<std::string> loadBalancerIps; // status.loadBalancer.ingress[].ip
    // Ready endpoints; when none is ready, the serving ones that are terminating (Kubernetes'
    // fallback, so connections still land during a rollout). Sorted, without repeats.
    std::vector<Backend> backends;

    bool operator==(const ServicePortInfo &) const = default;
};

// The cluster DNS's view of one name.
struct DnsLookup {
    enum class Outcome { NoSuchName, Found };
    Outcome outcome = Outcome::NoSuchName;
    std::vector<std::string> addresses; // A records
    std::string canonicalName;          // ExternalName Services: a CNAME
};

class ServiceCatalog {
public:
    explicit ServiceCatalog(std::string clusterDomain = "cluster.local");

    // Added or changed; false when nothing the proxy uses changed (no resync needed).
    bool setService(const Json &service);
    bool removeService(const std::string &ns, const std::string &name);
    bool setEndpointSlice(const Json &slice);
    bool removeEndpointSlice(const std::string &ns, const std::string &name);

    // Every port of every Service with a ClusterIP (not headless, not ExternalName), in order.
    std::vector<ServicePortInfo> servicePorts() const;

    // `<service>.<ns>.svc.<domain>` (its ClusterIP; for a headless Service, its ready endpoints)
    // and `<hostname>.<service>.<ns>.svc.<domain>` (an endpoint with that hostname). Names are
    // matched without regard to case, with or without the final dot. Everything else: no such
    // name — nothing is ever forwarded off the machine.
    DnsLookup lookup(const std::string &name) const;

    size_t serviceCount() const { return m_services.size(); }
    size_t sliceCount() const { return m_slices.size(); }

private:
    struct Port {
        std::string name;
        std::string protocol;
        int port = 0;
        int nodePort = 0;
        bool operator==(const Port &) const = default;
    };
    struct Service {
        std::string type;
        std::string clusterIp; // "None": headless
        std::string externalName;
        std::vector<Port> ports;
        std::vector<std::string> loadBalancerIps;
        bool operator==(const Service &) const = default;
    };
    struct Endpoint {
        std::string ip;
        std::string hostname;
        bool ready = true;
        bool serving = true;
        bool terminating = false;
        bool operator==(const Endpoint &) const = default;
    };
    struct Slice {
        std::string serviceKey; // ns/name
        std::vector<Port> ports;
        std::vector<Endpoint> endpoints;
        bool operator==(const Slice &) const = default;
    };

    static std::optional<Slice> parseSlice(const Json &slice);
    std::vector<Backend> backendsOf(const std::string &serviceKey, const Port &servicePort) const;
    std::vector<const Slice *> slicesOf(const std::string &serviceKey) const;

    std::string m_domainSuffix;                // ".svc.cluster.local"
    std::map<std::string, Service> m_services; // by ns/name
    std::map<std::string, Slice> m_slices;     // by ns/name of the slice
    std::map<std::string, std::set<std::string>> m_slicesByService;
};

} // namespace cd::proxy
