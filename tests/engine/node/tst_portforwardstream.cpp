// The kubelet's end of port-forward, driven as kubectl drives it but without a cluster: a fake
// channel carries SPDY frames from a client-side framer, and the "pod" is a real TCP echo server
// on loopback (the opener gives host sockets). Every stream gets its SYN_REPLY; bytes go both
// ways on the data stream; two pairs live side by side; a refused port is written on the error
// stream in the kubelet's words and the session serves the next pair; PINGs are echoed;
// frames split at every byte work; garbage ends the session with GOAWAY. The Python client's
// v4 channel variant announces its ports and carries bytes too.
#include "engine/node/portforwardchannels.h"
#include "engine/node/portforwardstream.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <sys/socket.h>

using namespace cd;
using namespace cd::node;
namespace spdy = cd::server::spdy;

namespace {

// The client's side of a channel: what the session sends is collected here.
class FakeChannel : public api::MessageChannel {
public:
    void send(const QByteArray &message, bool) override
    {
        if (!isClosed())
            sent.push_back(message);
    }
    void close(int code, const QByteArray &) override
    {
        closeCode = code;
        markClosed();
    }
    void fromClient(const QByteArray &message) { deliver(message, true); }
    void clientGone() { markClosed(); }

    std::vector<QByteArray> sent;
    int closeCode = 0;
};

// Echoes every connection's bytes back upper-cased, and closes when the client half-closes.
class EchoServer : public QTcpServer {
public:
    EchoServer()
    {
        listen(QHostAddress::LocalHost, 0);
        connect(this, &QTcpServer::newConnection, this, [this]() {
            while (QTcpSocket *socket = nextPendingConnection()) {
                ++accepted;
                connect(socket, &QTcpSocket::readyRead, socket, [socket]() { socket->write(socket->readAll().toUpper()); });
                connect(socket, &QTcpSocket::readChannelFinished, socket, [socket]() { socket->disconnectFromHost(); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    int accepted = 0;
};

int refusedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();  // closed again when this returns: nothing listens there
}

// kubectl's side: writes frames into the channel and reads what came back.
struct Client {
    std::shared_ptr<FakeChannel> channel = std::make_shared<FakeChannel>();
    spdy::FrameWriter writer;
    spdy::FrameReader reader;
    std::vector<spdy::Frame> frames;  // received so far
    size_t consumed = 0;               // messages of channel->sent already read

    void openPair(std::uint32_t errorId, std::uint32_t dataId, int port, const std::string &request)
    {
        channel->fromClient(writer.synStream(errorId, {{"streamtype", "error"}, {"port", std::to_string(port)}, {"requestid", request}}));
        channel->fromClient(spdy::FrameWriter::data(errorId, {}, spdy::FlagFin));
        channel->fromClient(writer.synStream(dataId, {{"streamtype", "data"}, {"port", std::to_string(port)}, {"requestid", request}}));
    }
    void pump()
    {
        for (; consumed < channel->sent.size(); ++consumed)
            for (spdy::Frame &f : reader.feed(channel->sent[consumed]))
                frames.push_back(std::move(f));
    }
    QByteArray dataOf(std::uint32_t stream)
    {
        pump();
        QByteArray out;
        for (const auto &f : frames)
            if (f.type == spdy::Data && f.streamId == stream)
                out += f.data;
        return out;
    }
    bool finished(std::uint32_t stream)
    {
        pump();
        return std::any_of(frames.begin(), frames.end(),
                           [&](const spdy::Frame &f) { return f.type == spdy::Data && f.streamId == stream && f.fin(); });
    }
    bool replied(std::uint32_t stream)
    {
        pump();
        return std::any_of(frames.begin(), frames.end(),
                           [&](const spdy::Frame &f) { return f.type == spdy::SynReply && f.streamId == stream; });
    }
};

} // namespace

class TestPortForwardStream : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bytesBothWaysAndFins()
    {
        EchoServer pod;
        Client client;
        QPointer<PortForwardStream> stream = new PortForwardStream(client.channel, {}, "uid-1", "");
        client.openPair(1, 3, pod.serverPort(), "0");
        QVERIFY(client.replied(1) && client.replied(3));
        client.channel->fromClient(spdy::FrameWriter::data(3, "hello "));
        client.channel->fromClient(spdy::FrameWriter::data(3, "pod"));
        QTRY_COMPARE(client.dataOf(3), QByteArray("HELLO POD"));
        QCOMPARE(stream->activeConnections(), size_t(1));
        // The client's end of data reaches the pod as end of file; the pod closes; both streams end.
        client.channel->fromClient(spdy::FrameWriter::data(3, {}, spdy::FlagFin));
        QTRY_VERIFY(client.finished(3) && client.finished(1));
        QVERIFY(client.dataOf(1).isEmpty());
        QCOMPARE(stream->activeConnections(), size_t(0));
        client.channel->clientGone();
        QTRY_VERIFY(stream.isNull());
    }

    void twoPairsSideBySide()
    {
        EchoServer pod;
        Client client;
        new PortForwardStream(client.channel, {}, "uid-1", "");
        client.openPair(1, 3, pod.serverPort(), "0");
        client.openPair(5, 7, pod.serverPort(), "1");
        QTRY_COMPARE(pod.accepted, 2);
        client.channel->fromClient(spdy::FrameWriter::data(7, "second"));
        client.channel->fromClient(spdy::FrameWriter::data(3, "first"));
        QTRY_COMPARE(client.dataOf(3), QByteArray("FIRST"));
        QTRY_COMPARE(client.dataOf(7), QByteArray("SECOND"));
        // kubectl resets a data stream once it has read it: that pair goes, the other stays.
        client.channel->fromClient(spdy::FrameWriter::rstStream(3, spdy::Cancel));
        client.channel->fromClient(spdy::FrameWriter::data(7, " again"));
        QTRY_COMPARE(client.dataOf(7), QByteArray("SECOND AGAIN"));
        client.channel->clientGone();
    }

    void refusedPortThenTheNextPair()
    {
        EchoServer pod;
        Client client;
        new PortForwardStream(client.channel, {}, "uid-9", "");
        const int closed = refusedPort();
        client.openPair(1, 3, closed, "0");
        QTRY_VERIFY(client.finished(1) && client.finished(3));
        const QString error = QString::fromUtf8(client.dataOf(1));
        QCOMPARE(error, QString("error forwarding port %1 to pod uid-9, uid : failed to connect to localhost:%1 inside "
                                "namespace \"uid-9\", IPv4: dial tcp4 127.0.0.1:%1: connect: connection refused")
                            .arg(closed));
        client.openPair(5, 7, pod.serverPort(), "1");
        client.channel->fromClient(spdy::FrameWriter::data(7, "still here"));
        QTRY_COMPARE(client.dataOf(7), QByteArray("STILL HERE"));
        client.channel->clientGone();
    }

    void openerErrorsAreReported()
    {
        Client client;
        new PortForwardStream(client.channel, []() -> Result<int> { return Error::notFound("pod x has no network namespace"); },
                              "uid-2", "");
        client.openPair(1, 3, 80, "0");
        QTRY_VERIFY(client.finished(1));
        QVERIFY2(client.dataOf(1).contains("socket: pod x has no network namespace"), client.dataOf(1).constData());
        client.channel->clientGone();
    }

    void refusalEndsEveryPair()
    {
        Client client;
        auto *stream = new PortForwardStream(client.channel, {}, "uid-4", "");
        stream->refuseWith("node n1 is a simulated node: its pods run no processes to forward to");
        client.openPair(1, 3, 80, "0");
        QTRY_VERIFY(client.finished(1) && client.finished(3));
        QCOMPARE(client.dataOf(1), QByteArray("error forwarding port 80 to pod uid-4, uid : node n1 is a simulated node: "
                                              "its pods run no processes to forward to"));
        client.channel->clientGone();
    }

    void pingsAreEchoedAndSplitFramesWork()
    {
        EchoServer pod;
        Client client;
        new PortForwardStream(client.channel, {}, "uid-1", "");
        // One statement per compressed block: they share a zlib stream, so their order matters.
        QByteArray bytes = client.writer.synStream(1, {{"streamtype", "error"}, {"port", std::to_string(pod.serverPort())}, {"requestid", "0"}});
        bytes += client.writer.synStream(3, {{"streamtype", "data"}, {"port", std::to_string(pod.serverPort())}, {"requestid", "0"}});
        bytes += spdy::FrameWriter::ping(11) + spdy::FrameWriter::data(3, "split");
        for (qsizetype i = 0; i < bytes.size(); ++i)
            client.channel->fromClient(bytes.mid(i, 1));
        QTRY_COMPARE(client.dataOf(3), QByteArray("SPLIT"));
        QVERIFY(std::any_of(client.frames.begin(), client.frames.end(),
                            [](const spdy::Frame &f) { return f.type == spdy::Ping && f.streamId == 11; }));
        client.channel->clientGone();
    }

    void requestIdMissingPairsByStreamIds()
    {
        // Clients before requestid: error stream n, data stream n + 2.
        EchoServer pod;
        Client client;
        new PortForwardStream(client.channel, {}, "uid-1", "");
        const std::string port = std::to_string(pod.serverPort());
        client.channel->fromClient(client.writer.synStream(1, {{"streamtype", "error"}, {"port", port}}));
        client.channel->fromClient(client.writer.synStream(3, {{"streamtype", "data"}, {"port", port}}));
        client.channel->fromClient(spdy::FrameWriter::data(3, "old"));
        QTRY_COMPARE(client.dataOf(3), QByteArray("OLD"));
        client.channel->clientGone();
    }

    void garbageEndsTheSession()
    {
        Client client;
        QPointer<PortForwardStream> stream = new PortForwardStream(client.channel, {}, "uid-1", "");
        client.channel->fromClient(QByteArray("\x80\x02\x00\x01\x00\x00\x00\x00", 8));
        client.pump();
        QVERIFY(!client.frames.empty());
        QCOMPARE(client.frames.back().type, spdy::GoAway);
        QCOMPARE(client.channel->closeCode, 1002);
        QTRY_VERIFY(stream.isNull());
    }

    void channelsVariantForThePythonClient()
    {
        EchoServer pod;
        auto channel = std::make_shared<FakeChannel>();
        const int closed = refusedPort();
        new PortForwardChannels(channel, {}, {pod.serverPort(), closed}, "uid-3");
        // Each channel first says its port, little-endian.
        QVERIFY(channel->sent.size() >= 4);
        const auto portFrame = [](int ch, int port) { return QByteArray{} + char(ch) + char(port & 0xff) + char(port >> 8); };
        QCOMPARE(channel->sent[0], portFrame(0, pod.serverPort()));
        QCOMPARE(channel->sent[1], portFrame(1, pod.serverPort()));
        QCOMPARE(channel->sent[2], portFrame(2, closed));
        QCOMPARE(channel->sent[3], portFrame(3, closed));
        channel->fromClient(QByteArray(1, '\0') + "via channels");
        const auto received = [&](char ch) {
            QByteArray out;
            for (size_t i = 4; i < channel->sent.size(); ++i)
                if (!channel->sent[i].isEmpty() && channel->sent[i][0] == ch)
                    out += channel->sent[i].mid(1);
            return out;
        };
        QTRY_COMPARE(received(0), QByteArray("VIA CHANNELS"));
        QTRY_VERIFY(received(3).contains("connect: connection refused"));
        QVERIFY(received(1).isEmpty());
        QCOMPARE(channel->closeCode, 0);  // the first port still forwards
        channel->clientGone();
    }
};

QTEST_GUILESS_MAIN(TestPortForwardStream)
#include "tst_portforwardstream.moc"
