#include "engine/node/portforwardchannels.h"

#include <QPointer>

namespace cd::node {

PortForwardChannels::PortForwardChannels(api::ChannelPtr channel, PodSocketOpener opener, std::vector<int> ports,
                                         std::string podId, QObject *parent)
    : QObject(parent), m_channel(std::move(channel)), m_ports(std::move(ports)), m_podId(std::move(podId))
{
    QPointer<PortForwardChannels> self(this);
    m_channel->onMessage([self](const QByteArray &message, bool) {
        if (self)
            self->onMessage(message);
    });
    m_channel->onClosed([self] {
        if (self)
            self->shutDown();
    });
    for (size_t i = 0; i < m_ports.size(); ++i) {
        const int port = m_ports[i];
        for (int channelIndex : {int(2 * i), int(2 * i + 1)})
            m_channel->send(QByteArray{} + char(channelIndex) + char(port & 0xFF) + char((port >> 8) & 0xFF));
        auto *connection = new PodPortConnection(port, this);
        m_connections.push_back(connection);
        const char data = char(2 * i);
        connect(connection, &PodPortConnection::received, this,
                [this, data](const QByteArray &bytes) { m_channel->send(QByteArray(1, data) + bytes); });
        connect(connection, &PodPortConnection::finished, this, [this, i]() { portDone(i, {}); });
        connect(connection, &PodPortConnection::failed, this, [this, i](const QString &reason) { portDone(i, reason); });
        connection->open(opener);
    }
}

void PortForwardChannels::onMessage(const QByteArray &message)
{
    if (message.isEmpty() || m_done)
        return;
    const size_t channel = static_cast<unsigned char>(message[0]);
    const size_t index = channel / 2;
    // Error channels carry nothing from the client; data after the port prefix goes to the pod.
    if (channel % 2 == 0 && index < m_connections.size() && m_connections[index] && message.size() > 1)
        m_connections[index]->write(message.mid(1));
}

void PortForwardChannels::portDone(size_t index, const QString &error)
{
    if (m_done || index >= m_connections.size() || !m_connections[index])
        return;
    m_connections[index]->deleteLater();
    m_connections[index] = nullptr;
    if (!error.isEmpty()) {
        const int port = m_ports[index];
        const std::string message = "error forwarding port " + std::to_string(port) + " to pod " + m_podId +
                                    ", uid : failed to connect to localhost:" + std::to_string(port) +
                                    " inside namespace \"" + m_podId + "\", IPv4: " + error.toStdString();
        m_channel->send(QByteArray(1, char(2 * index + 1)) + QByteArray::fromStdString(message));
    }
    if (std::all_of(m_connections.begin(), m_connections.end(), [](PodPortConnection *c) { return !c; })) {
        m_channel->close(1000);
        shutDown();
    }
}

void PortForwardChannels::shutDown()
{
    if (m_done)
        return;
    m_done = true;
    for (PodPortConnection *connection : m_connections)
        if (connection)
            connection->abort();
    deleteLater();
}

} // namespace cd::node
