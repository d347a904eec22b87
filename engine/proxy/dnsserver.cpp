#include "engine/proxy/dnsserver.h"

#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cd::proxy {

namespace {

constexpr int kStreamIdleMs = 10000; // a TCP client that asks nothing more is let go
constexpr qint64 kMaxStreamBuffer = 2 * 65537;

} // namespace

DnsServer::DnsServer(DnsResolver resolve, DnsResponderOptions options, QObject *parent)
    : QObject(parent), m_resolve(std::move(resolve)), m_options(std::move(options))
{
}

DnsServer::~DnsServer()
{
    delete m_udpNotifier;
    if (m_udp >= 0)
        ::close(m_udp);
}

Status DnsServer::serve(int udpSocket, int tcpSocket)
{
    m_udp = udpSocket;
    ::fcntl(m_udp, F_SETFL, ::fcntl(m_udp, F_GETFL) | O_NONBLOCK);
    m_udpNotifier = new QSocketNotifier(m_udp, QSocketNotifier::Read, this);
    connect(m_udpNotifier, &QSocketNotifier::activated, this, &DnsServer::readDatagrams);
    if (::listen(tcpSocket, 64) != 0) {
        const int error = errno;
        ::close(tcpSocket);
        return Error::internal(std::string("cluster DNS: listen: ") + std::strerror(error));
    }
    m_tcp = new QTcpServer(this);
    if (!m_tcp->setSocketDescriptor(tcpSocket)) {
        ::close(tcpSocket);
        return Error::internal("cluster DNS: " + m_tcp->errorString().toStdString());
    }
    connect(m_tcp, &QTcpServer::newConnection, this, &DnsServer::acceptStreams);
    return {};
}

void DnsServer::readDatagrams()
{
    char buffer[4096];
    for (;;) {
        sockaddr_in from{};
        socklen_t fromSize = sizeof from;
        const ssize_t got = ::recvfrom(m_udp, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr *>(&from), &fromSize);
        if (got < 0)
            return; // EAGAIN: all read
        const std::string answer = answerDnsMessage(std::string_view(buffer, size_t(got)), true, m_resolve, m_options);
        if (answer.empty())
            continue;
        ::sendto(m_udp, answer.data(), answer.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr *>(&from),
                 fromSize);
        ++m_answered;
    }
}

void DnsServer::acceptStreams()
{
    while (QTcpSocket *stream = m_tcp->nextPendingConnection()) {
        // Each message is a two-byte length and the message (RFC 1035 4.2.2); several may follow.
        auto *idle = new QTimer(stream);
        idle->setSingleShot(true);
        connect(idle, &QTimer::timeout, stream, &QTcpSocket::disconnectFromHost);
        idle->start(kStreamIdleMs);
        connect(stream, &QTcpSocket::disconnected, stream, &QObject::deleteLater);
        connect(stream, &QTcpSocket::readyRead, this, [this, stream, idle] {
            idle->start(kStreamIdleMs);
            while (stream->bytesAvailable() >= 2) {
                const QByteArray head = stream->peek(2);
                const int length = (std::uint8_t(head[0]) << 8) | std::uint8_t(head[1]);
                if (stream->bytesAvailable() < 2 + length)
                    break;
                stream->skip(2);
                const QByteArray message = stream->read(length);
                const std::string answer = answerDnsMessage(
                    std::string_view(message.constData(), size_t(message.size())), false, m_resolve, m_options);
                if (answer.empty())
                    continue;
                const char size[2] = {char(answer.size() >> 8), char(answer.size() & 0xff)};
                stream->write(size, 2);
                stream->write(answer.data(), qint64(answer.size()));
                ++m_answered;
            }
            if (stream->bytesAvailable() > kMaxStreamBuffer)
                stream->abort();
        });
    }
}

} // namespace cd::proxy
