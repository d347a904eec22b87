#pragma once
// The service proxy (kube-proxy's role) for process nodes, on the node thread. Fed by informers
// (Services, EndpointSlices), it keeps three things equal to the cluster's Services:
//   - nftables rules in the cluster's network namespace: ClusterIP:port to a ready backend
//     (rulesync.h, nftablesrules.h);
//   - listeners on host loopback for NodePort and LoadBalancer Services, relayed into the
//     namespace on a thread of their own (hostports.h, connectionrelay.h);
//   - the cluster DNS at 10.96.0.10:53 inside the namespace (dnsserver.h), and its kube-dns
//     Service;
//   - the `kubernetes` Service (10.96.0.1:443): a listener there relays each connection to the
//     API server on host loopback, so pods reach the API as on any cluster.
// Every address it uses is on this machine: the namespace has no route out, and the host side
// listens on loopback only.

#include "engine/core/result.h"
#include "engine/proxy/connectionrelay.h"
#include "engine/proxy/nftablesrules.h"
#include "engine/proxy/rulesync.h"
#include "engine/proxy/servicecatalog.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace cd::client {
class Client;
class Informer;
struct InformerEvent;
} // namespace cd::client

namespace cd::runtime::network {
class ClusterNetwork;
}

namespace cd::proxy {

class DnsServer;
class HostPortRelays;
class SocketPool;

struct ServiceProxyOptions {
    std::string clusterDomain = "cluster.local";
    std::string dnsIp = "10.96.0.10";        // the kube-dns ClusterIP convention
    // default/kubernetes: connections to its ClusterIP and port go to 127.0.0.1:targetPort (the
    // API server writes its own port there).
    std::string apiIp = "10.96.0.1";
    bool dnsService = true;                  // create kube-system/kube-dns
    QString nft;                             // empty: found (RuleSync::findNft)
    std::chrono::milliseconds syncDelay{10}; // how long a burst of changes may gather
};

class ServiceProxy : public QObject {
    Q_OBJECT
public:
    // The network must be isolated and outlive the proxy.
    ServiceProxy(client::Client *client, runtime::network::ClusterNetwork *network, ServiceProxyOptions options = {},
                 QObject *parent = nullptr);
    ~ServiceProxy() override;

    // Prepares the namespace (the Service range local, forwarding on), starts the DNS, the relay
    // and the informers. Fails when the network is not isolated or cannot be prepared.
    Status start();

    // For tests and benchmarks.
    const ServiceCatalog &catalog() const { return m_catalog; }
    const RuleSyncStats &ruleStats() const;
    RelayStats relayStats() const;
    // The informers have listed and every change seen so far is in the rules and listeners.
    bool current() const;

Q_SIGNALS:
    void rulesApplied(bool applied);

private:
    void onService(const client::InformerEvent &event);
    void onSlice(const client::InformerEvent &event);
    void changed();
    void applyHostPorts();
    bool synced() const;
    Status prepareNamespace();
    Status startDns();
    void serveApi(const Json *service);  // null: the kubernetes Service is gone

    client::Client *m_client;
    runtime::network::ClusterNetwork *m_network;
    ServiceProxyOptions m_options;
    NftablesOptions m_rulesOptions;
    ServiceCatalog m_catalog;
    client::Informer *m_services = nullptr;
    client::Informer *m_slices = nullptr;
    std::unique_ptr<RuleSync> m_rules;
    std::unique_ptr<DnsServer> m_dns;
    std::unique_ptr<SocketPool> m_sockets;
    std::unique_ptr<ConnectionRelay> m_relay;
    std::unique_ptr<HostPortRelays> m_hostPorts;
    QTimer m_hostPortTimer; // coalesces listener changes; retries addresses that failed
    bool m_hostPortsPending = false;
    struct ApiRelay {
        int port = 0;
        int targetPort = 0;
        std::uint64_t listener = 0;
    };
    std::optional<ApiRelay> m_apiRelay;
};

} // namespace cd::proxy
