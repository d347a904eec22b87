#include "engine/node/portforwardstream.h"

#include <QPointer>

namespace cd::node {

using namespace server::spdy;

namespace {

constexpr qsizetype kChunk = 32 * 1024;  // bytes per data frame towards the client

} // namespace

PortForwardStream::PortForwardStream(api::ChannelPtr channel, PodSocketOpener opener, std::string podId,
                                     std::string uid, QObject *parent)
    : QObject(parent), m_channel(std::move(channel)), m_opener(std::move(opener)), m_podId(std::move(podId)),
      m_uid(std::move(uid))
{
    QPointer<PortForwardStream> self(this);
    m_channel->onMessage([self](const QByteArray &message, bool) {
        if (self)
            self->onBytes(message);
    });
    m_channel->onClosed([self] {
        if (self)
            self->shutDown();
    });
}

PortForwardStream::~PortForwardStream() = default;

size_t PortForwardStream::activeConnections() const
{
    size_t count = 0;
    for (const auto &[id, pair] : m_pairs)
        count += pair.connection ? 1 : 0;
    return count;
}

void PortForwardStream::send(const QByteArray &bytes)
{
    if (!m_done)
        m_channel->send(bytes, true);
}

void PortForwardStream::onBytes(const QByteArray &bytes)
{
    if (m_done)
        return;
    for (const Frame &frame : m_reader.feed(bytes)) {
        onFrame(frame);
        if (m_done)
            return;
    }
    if (!m_reader.error().empty()) {
        qWarning("port-forward: %s", m_reader.error().c_str());
        send(FrameWriter::goAway(m_lastStream, 1));
        m_channel->close(1002, QByteArray::fromStdString(m_reader.error()));
        shutDown();
    }
}

void PortForwardStream::onFrame(const Frame &frame)
{
    switch (frame.type) {
    case SynStream:
        onSynStream(frame);
        return;
    case Data: {
        const std::string request = pairOf(frame.streamId);
        auto it = m_pairs.find(request);
        if (request.empty() || it == m_pairs.end() || it->second.dataStream != frame.streamId)
            return;  // the error stream carries nothing from the client; ended streams are gone
        Pair &pair = it->second;
        if (!pair.connection)
            return;
        if (!frame.data.isEmpty())
            pair.connection->write(frame.data);
        if (frame.fin()) {
            pair.clientFinished = true;
            pair.connection->finishWriting();
        }
        return;
    }
    case RstStream: {
        // The client is done with the pair (kubectl resets the data stream when it has read it).
        const std::string request = pairOf(frame.streamId);
        auto it = m_pairs.find(request);
        if (request.empty() || it == m_pairs.end())
            return;
        if (it->second.connection) {
            it->second.connection->abort();
            it->second.connection->deleteLater();
        }
        m_streamRequest.erase(it->second.errorStream);
        m_streamRequest.erase(it->second.dataStream);
        m_pairs.erase(it);
        return;
    }
    case Ping:
        send(FrameWriter::ping(frame.streamId));
        return;
    case GoAway:
        m_channel->close(1000);
        shutDown();
        return;
    default:
        return;  // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do (spdystream has no flow control)
    }
}

void PortForwardStream::onSynStream(const Frame &frame)
{
    const std::uint32_t id = frame.streamId;
    m_lastStream = std::max(m_lastStream, id);
    // Every stream gets its reply at once: the client waits for it before opening the next one.
    send(m_writer.synReply(id));
    const std::string type = frame.header("streamtype");
    std::string request = frame.header("requestid");
    if (request.empty()) {
        // Clients before requestid open error (odd id n) then data (n + 2), as the kubelet guesses.
        request = std::to_string(type == "data" && id >= 2 ? id - 2 : id);
    }
    Pair &pair = m_pairs[request];
    if ((type != "error" && type != "data") || (type == "error" && pair.errorStream) ||
        (type == "data" && pair.dataStream)) {
        send(FrameWriter::rstStream(id, ProtocolError));
        if (!pair.errorStream && !pair.dataStream)
            m_pairs.erase(request);
        return;
    }
    (type == "error" ? pair.errorStream : pair.dataStream) = id;
    m_streamRequest[id] = request;
    bool numeric = false;
    const int port = QString::fromStdString(frame.header("port")).toInt(&numeric);
    if (type == "data")
        pair.port = numeric && port > 0 && port <= 65535 ? port : -1;
    if (pair.errorStream && pair.dataStream)
        startForwarding(request);
}

void PortForwardStream::startForwarding(const std::string &request)
{
    Pair &pair = m_pairs[request];
    if (!m_refusal.empty()) {
        endPair(request, "error forwarding port " + std::to_string(pair.port) + " to pod " + m_podId + ", uid " + m_uid +
                             ": " + m_refusal);
        return;
    }
    if (pair.port <= 0) {
        endPair(request, "error forwarding port to pod " + m_podId + ", uid " + m_uid + ": invalid port header");
        return;
    }
    const int port = pair.port;
    const std::uint32_t dataStream = pair.dataStream;
    auto *connection = new PodPortConnection(port, this);
    pair.connection = connection;
    connect(connection, &PodPortConnection::received, this, [this, dataStream](const QByteArray &data) {
        for (qsizetype offset = 0; offset < data.size(); offset += kChunk)
            send(FrameWriter::data(dataStream, data.mid(offset, kChunk)));
    });
    connect(connection, &PodPortConnection::finished, this, [this, request]() { endPair(request, {}); });
    connect(connection, &PodPortConnection::failed, this, [this, request, port](const QString &reason) {
        // The kubelet's words around the runtime's (containerd's) dial error.
        endPair(request, "error forwarding port " + std::to_string(port) + " to pod " + m_podId + ", uid " + m_uid +
                             ": failed to connect to localhost:" + std::to_string(port) + " inside namespace \"" +
                             m_podId + "\", IPv4: " + reason.toStdString());
    });
    connection->open(m_opener);
}

void PortForwardStream::endPair(const std::string &request, const std::string &error)
{
    auto it = m_pairs.find(request);
    if (it == m_pairs.end())
        return;
    Pair pair = it->second;
    m_pairs.erase(it);
    m_streamRequest.erase(pair.errorStream);
    m_streamRequest.erase(pair.dataStream);
    if (!error.empty()) {
        qInfo("port-forward: %s", error.c_str());
        send(FrameWriter::data(pair.errorStream, QByteArray::fromStdString(error)));
    }
    send(FrameWriter::data(pair.errorStream, {}, FlagFin));
    send(FrameWriter::data(pair.dataStream, {}, FlagFin));
    if (pair.connection) {
        pair.connection->abort();
        pair.connection->deleteLater();
    }
}

std::string PortForwardStream::pairOf(std::uint32_t streamId) const
{
    auto it = m_streamRequest.find(streamId);
    return it == m_streamRequest.end() ? std::string() : it->second;
}

void PortForwardStream::shutDown()
{
    if (m_done)
        return;
    m_done = true;
    for (auto &[request, pair] : m_pairs)
        if (pair.connection)
            pair.connection->abort();
    m_pairs.clear();
    m_streamRequest.clear();
    deleteLater();
}

} // namespace cd::node
