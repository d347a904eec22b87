#include "engine/proxy/serviceproxy.h"

#include "engine/client/informer.h"
#include "engine/client/resources.h"
#include "engine/core/threadaffinity.h"
#include "engine/proxy/dnsserver.h"
#include "engine/proxy/dnsservice.h"
#include "engine/proxy/hostports.h"
#include "engine/proxy/socketpool.h"
#include "engine/runtime/network/clusternetwork.h"
#include "engine/runtime/network/netnsprotocol.h"

#include <QFile>
#include <QPointer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cd::proxy {

namespace {

using runtime::network::ClusterNetwork;

constexpr int kHostPortRetryMs = 5000;

} // namespace

ServiceProxy::ServiceProxy(client::Client *client, ClusterNetwork *network, ServiceProxyOptions options,
                           QObject *parent)
    : QObject(parent), m_client(client), m_network(network), m_options(std::move(options)),
      m_catalog(m_options.clusterDomain), m_hostPortTimer(this)
{
    m_rulesOptions.bridge = runtime::network::protocol::kBridge;
    m_rulesOptions.locallyServed = {m_options.dnsIp, m_options.apiIp};
    m_hostPortTimer.setSingleShot(true);
    connect(&m_hostPortTimer, &QTimer::timeout, this, &ServiceProxy::applyHostPorts);
}

ServiceProxy::~ServiceProxy()
{
    // Listeners first, then the thread that serves them, then the sockets they would take.
    m_hostPorts.reset();
    m_relay.reset();
    m_sockets.reset();
}

const RuleSyncStats &ServiceProxy::ruleStats() const
{
    static const RuleSyncStats none;
    return m_rules ? m_rules->stats() : none;
}

RelayStats ServiceProxy::relayStats() const
{
    return m_relay ? m_relay->stats() : RelayStats{};
}

Status ServiceProxy::prepareNamespace()
{
    if (!m_network || !m_network->isolated())
        return Error::badRequest("the service proxy needs an isolated cluster network" +
                                 (m_network ? ": " + m_network->isolationReason() : std::string()));
    CD_CHECK(m_network->makeServiceRangeLocal());
    // Forwarding between pods and the DNAT'd backends stays inside the namespace: it has no
    // route out. No redirects: the gateway must stay on the path for the masquerade to undo.
    CD_CHECK(m_network->setNetworkSetting("net.ipv4.ip_forward", "1"));
    CD_CHECK(m_network->setNetworkSetting("net.ipv4.conf.all.send_redirects", "0"));
    CD_CHECK(m_network->setNetworkSetting(
        std::string("net.ipv4.conf.") + runtime::network::protocol::kBridge + ".send_redirects", "0"));
    // Where br_netfilter is loaded (Docker and Podman load it), frames between pods would pass the
    // proxy's rules at the bridge too: a DNAT back to the pod that sent the packet (a pod reaching
    // its own Service) would then need the bridge to send a frame out the port it came in, which
    // it does not. Only routed traffic goes through the rules, as on a host without the module.
    // The setting exists per network namespace, and only while the module is loaded.
    for (const char *family : {"iptables", "ip6tables", "arptables"}) {
        const std::string name = std::string("net.bridge.bridge-nf-call-") + family;
        if (QFile::exists(QStringLiteral("/proc/sys/net/bridge/bridge-nf-call-") + QLatin1String(family)))
            CD_CHECK(m_network->setNetworkSetting(name, "0"));
    }
    return {};
}

Status ServiceProxy::startDns()
{
    CD_TRY(const int udp, m_network->boundClusterSocket(ClusterNetwork::SocketType::Udp, m_options.dnsIp, 53));
    auto tcp = m_network->boundClusterSocket(ClusterNetwork::SocketType::Tcp, m_options.dnsIp, 53);
    if (!tcp.ok()) {
        ::close(udp);
        return tcp.takeError();
    }
    DnsResponderOptions options;
    options.clusterDomain = m_options.clusterDomain;
    m_dns = std::make_unique<DnsServer>([this](const std::string &name) { return m_catalog.lookup(name); }, options);
    return m_dns->serve(udp, *tcp);
}

Status ServiceProxy::start()
{
    CD_ASSERT_THREAD(this);
    CD_CHECK(prepareNamespace());
    const QString nft = m_options.nft.isEmpty() ? RuleSync::findNft() : m_options.nft;
    if (nft.isEmpty())
        return Error::internal("nft (the nftables package) is not installed: ClusterIPs cannot reach pods");
    m_rules = std::make_unique<RuleSync>(m_network->clusterEnterCommand(), nft, m_rulesOptions,
                                         [this] { return ruleUnits(m_catalog.servicePorts(), m_rulesOptions); });
    m_rules->setDelay(m_options.syncDelay);
    connect(m_rules.get(), &RuleSync::synced, this, &ServiceProxy::rulesApplied);

    if (Status dns = startDns(); !dns.ok())
        qWarning("service proxy: the cluster DNS does not serve: %s", dns.error().message.c_str());

    ClusterNetwork *network = m_network;
    m_sockets = std::make_unique<SocketPool>(
        [network](int count) { return network->clusterSockets(ClusterNetwork::SocketType::Tcp, count); });
    m_relay = std::make_unique<ConnectionRelay>();
    CD_CHECK(m_relay->start());
    SocketPool *pool = m_sockets.get();
    m_hostPorts = std::make_unique<HostPortRelays>(*m_relay, [pool] { return pool->take(); });

    m_services = new client::Informer(m_client, *client::builtinResource("services"), {}, {}, this);
    m_services->addHandler([this](const client::InformerEvent &event) { onService(event); });
    m_slices =
        new client::Informer(m_client, *client::builtinResource("endpointslices", "discovery.k8s.io"), {}, {}, this);
    m_slices->addHandler([this](const client::InformerEvent &event) { onSlice(event); });
    connect(m_services, &client::Informer::synced, this, &ServiceProxy::changed);
    connect(m_slices, &client::Informer::synced, this, &ServiceProxy::changed);
    m_services->start();
    m_slices->start();

    if (m_options.dnsService) {
        QPointer<ServiceProxy> self(this);
        ensureDnsService(m_client, m_options.dnsIp, [self](bool exists) {
            if (self && !exists)
                qWarning("service proxy: no kube-dns Service: %s may be given to another Service",
                         self->m_options.dnsIp.c_str());
        });
    }
    return {};
}

void ServiceProxy::onService(const client::InformerEvent &event)
{
    const Json &service = *event.object;
    if (str(service, {"metadata", "namespace"}) == "default" && str(service, {"metadata", "name"}) == "kubernetes")
        serveApi(event.deleted() ? nullptr : &service);
    const bool changedNow = event.deleted() ? m_catalog.removeService(str(service, {"metadata", "namespace"}),
                                                                      str(service, {"metadata", "name"}))
                                            : m_catalog.setService(service);
    if (changedNow)
        changed();
}

void ServiceProxy::serveApi(const Json *service)
{
    int port = 0, targetPort = 0;
    if (const Json *ports = service ? find(*service, {"spec", "ports"}) : nullptr; ports && ports->is_array() &&
                                                                                   !ports->empty()) {
        port = static_cast<int>(integer((*ports)[0], {"port"}));
        targetPort = static_cast<int>(integer((*ports)[0], {"targetPort"}));
    }
    const bool wanted = service && str(*service, {"spec", "clusterIP"}) == m_options.apiIp && port > 0 &&
                        port < 65536 && targetPort > 0 && targetPort < 65536;
    if (m_apiRelay && wanted && m_apiRelay->port == port && m_apiRelay->targetPort == targetPort)
        return;
    if (m_apiRelay) {
        m_relay->removeListener(m_apiRelay->listener);
        m_apiRelay.reset();
    }
    if (!wanted || !m_relay)
        return;
    Result<int> listener = m_network->boundClusterSocket(ClusterNetwork::SocketType::Tcp, m_options.apiIp, port);
    if (listener.ok() && ::listen(*listener, 128) != 0) {
        ::close(*listener);
        listener = Error::internal(std::string("listen: ") + std::strerror(errno));
    }
    if (!listener.ok()) {
        qWarning("service proxy: pods cannot reach the API server at %s:%d: %s", m_options.apiIp.c_str(), port,
                 listener.error().message.c_str());
        return;
    }
    sockaddr_in api{};
    api.sin_family = AF_INET;
    api.sin_port = htons(static_cast<std::uint16_t>(targetPort));
    api.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const auto hostSocket = []() -> Result<int> {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            return Error::internal(std::string("socket: ") + std::strerror(errno));
        return fd;
    };
    m_apiRelay = ApiRelay{port, targetPort, m_relay->addListener(*listener, api, hostSocket)};
}

void ServiceProxy::onSlice(const client::InformerEvent &event)
{
    const Json &slice = *event.object;
    const bool changedNow = event.deleted() ? m_catalog.removeEndpointSlice(str(slice, {"metadata", "namespace"}),
                                                                            str(slice, {"metadata", "name"}))
                                            : m_catalog.setEndpointSlice(slice);
    if (changedNow)
        changed();
}

bool ServiceProxy::synced() const
{
    return m_services && m_slices && m_services->hasSynced() && m_slices->hasSynced();
}

void ServiceProxy::changed()
{
    // Until both lists are in, a partial picture would drop rules that are fine.
    if (!synced())
        return;
    m_rules->changed();
    m_hostPortsPending = true;
    if (!m_hostPortTimer.isActive() || m_hostPortTimer.remainingTime() > int(m_options.syncDelay.count()))
        m_hostPortTimer.start(int(m_options.syncDelay.count()));
}

void ServiceProxy::applyHostPorts()
{
    m_hostPortsPending = false;
    m_hostPorts->apply(hostPortMappings(m_catalog.servicePorts()));
    if (!m_hostPorts->failures().empty())
        m_hostPortTimer.start(kHostPortRetryMs);
}

bool ServiceProxy::current() const
{
    return synced() && m_rules && m_rules->idle() && !m_hostPortsPending;
}

} // namespace cd::proxy
