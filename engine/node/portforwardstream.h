#pragma once
// The kubelet's end of `kubectl port-forward` (the kubelet's portforward/httpstream.go over
// moby/spdystream): a SPDY/3.1 session carried in the messages of a channel — WebSocket binary
// messages (subprotocol SPDY/3.1+portforward.k8s.io) or the raw bytes of an upgraded socket.
// For every forwarded connection the client opens two streams with the headers streamtype
// (error, data), port and requestid; each gets a SYN_REPLY. Once a pair is complete a TCP
// connection to the pod's port is dialled and bytes flow both ways on the data stream; a failure
// is written on the error stream in the kubelet's words, and both streams end with FIN.

#include "engine/api/messagechannel.h"
#include "engine/node/podportconnection.h"
#include "engine/server/spdyframes.h"

#include <QObject>

#include <map>
#include <memory>
#include <string>

namespace cd::node {

class PortForwardStream : public QObject {
    Q_OBJECT
public:
    // `podId` and `uid` name the pod in error messages ("error forwarding port P to pod ID, uid UID: ...").
    PortForwardStream(api::ChannelPtr channel, PodSocketOpener opener, std::string podId, std::string uid,
                      QObject *parent = nullptr);
    ~PortForwardStream() override;

    // How many forwarded connections are open (tests).
    size_t activeConnections() const;
    // Every pair ends at once with this error (a node whose pods have no processes).
    void refuseWith(std::string why) { m_refusal = std::move(why); }

private:
    struct Pair {
        std::uint32_t errorStream = 0;
        std::uint32_t dataStream = 0;
        int port = 0;
        PodPortConnection *connection = nullptr;
        bool clientFinished = false;
    };

    void onBytes(const QByteArray &bytes);
    void onFrame(const server::spdy::Frame &frame);
    void onSynStream(const server::spdy::Frame &frame);
    void startForwarding(const std::string &requestId);
    void endPair(const std::string &requestId, const std::string &error);
    void send(const QByteArray &bytes);
    void shutDown();
    std::string pairOf(std::uint32_t streamId) const;

    api::ChannelPtr m_channel;
    PodSocketOpener m_opener;
    std::string m_podId;
    std::string m_uid;
    server::spdy::FrameReader m_reader;
    server::spdy::FrameWriter m_writer;
    std::map<std::string, Pair> m_pairs;                   // by requestid
    std::map<std::uint32_t, std::string> m_streamRequest;  // stream id -> requestid
    std::string m_refusal;
    std::uint32_t m_lastStream = 0;
    bool m_done = false;
};

} // namespace cd::node
