#pragma once
// The Service ports people reach from the host, as with kind on a laptop: a NodePort on
// 127.0.0.1:nodePort, a LoadBalancer on its ingress address (host loopback, 127.0.10.x) at its
// port. Each listens on host loopback only — never on an address of a real network — and its
// connections are relayed into the cluster's namespace, to the Service's ClusterIP:port, where
// the proxy's rules pick a backend as they do for pods.

#include "engine/proxy/connectionrelay.h"
#include "engine/proxy/servicecatalog.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace cd::proxy {

struct HostPortMapping {
    std::string listenIp;
    int listenPort = 0;
    std::string targetIp; // the ClusterIP
    int targetPort = 0;

    auto operator<=>(const HostPortMapping &) const = default;
    std::string listenAddress() const { return listenIp + ":" + std::to_string(listenPort); }
};

// TCP ports only (UDP NodePorts are not relayed); loopback listen addresses only. One mapping per
// listen address: the first Service (in catalog order) keeps an address two would share.
std::vector<HostPortMapping> hostPortMappings(const std::vector<ServicePortInfo> &ports);

// Keeps the relay's listeners equal to the mappings it is given.
class HostPortRelays {
public:
    HostPortRelays(ConnectionRelay &relay, ConnectionRelay::SocketSource source)
        : m_relay(relay), m_source(std::move(source))
    {
    }
    ~HostPortRelays();

    // Opens what is new, closes what went; a listen address that cannot be bound (in use, a
    // privileged port for an unprivileged engine) is reported once and tried again next time.
    void apply(const std::vector<HostPortMapping> &mappings);
    // Addresses that could not be bound at the last apply().
    const std::map<std::string, std::string> &failures() const { return m_failures; }
    size_t listening() const { return m_open.size(); }

private:
    struct Open {
        HostPortMapping mapping;
        std::uint64_t id = 0;
    };

    ConnectionRelay &m_relay;
    ConnectionRelay::SocketSource m_source;
    std::map<std::string, Open> m_open;            // by listen address
    std::map<std::string, std::string> m_failures; // listen address -> why
};

// A listening TCP socket on ip:port (SO_REUSEADDR, close-on-exec, non-blocking).
Result<int> listenTcp(const std::string &ip, int port, int backlog = 512);

} // namespace cd::proxy
