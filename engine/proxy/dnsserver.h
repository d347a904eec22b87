#pragma once
// The cluster DNS's sockets: UDP and TCP on 10.96.0.10:53 inside the cluster's network
// namespace (made there by the network helper and handed over), answered on the node thread
// from the proxy's catalog. A query costs a map lookup; nothing blocks.

#include "engine/proxy/dnsresponder.h"

#include "engine/core/result.h"

#include <QObject>

#include <cstdint>

class QSocketNotifier;
class QTcpServer;

namespace cd::proxy {

class DnsServer : public QObject {
    Q_OBJECT
public:
    DnsServer(DnsResolver resolve, DnsResponderOptions options, QObject *parent = nullptr);
    ~DnsServer() override;

    // Serves on a bound UDP socket and a bound TCP socket (not yet listening); owns both from now.
    Status serve(int udpSocket, int tcpSocket);

    std::uint64_t answered() const { return m_answered; }

private:
    void readDatagrams();
    void acceptStreams();

    DnsResolver m_resolve;
    DnsResponderOptions m_options;
    int m_udp = -1;
    QSocketNotifier *m_udpNotifier = nullptr;
    QTcpServer *m_tcp = nullptr;
    std::uint64_t m_answered = 0;
};

} // namespace cd::proxy
