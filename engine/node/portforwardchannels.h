#pragma once
// The kubelet's older WebSocket port-forward (portforward/websocket.go), which the Python client
// speaks: `?ports=P1,P2` with the v4.channel.k8s.io protocol, one TCP connection per port dialled
// at once. Port i uses channel 2i for data both ways and 2i+1 for errors; the first message on
// every channel is [channel, port low byte, port high byte]. The WebSocket closes once every
// port's connection has ended.

#include "engine/api/messagechannel.h"
#include "engine/node/podportconnection.h"

#include <QObject>

#include <string>
#include <vector>

namespace cd::node {

class PortForwardChannels : public QObject {
    Q_OBJECT
public:
    PortForwardChannels(api::ChannelPtr channel, PodSocketOpener opener, std::vector<int> ports, std::string podId,
                        QObject *parent = nullptr);

private:
    void onMessage(const QByteArray &message);
    void portDone(size_t index, const QString &error);
    void shutDown();

    api::ChannelPtr m_channel;
    std::vector<int> m_ports;
    std::vector<PodPortConnection *> m_connections;  // null once that port's connection ended
    std::string m_podId;
    bool m_done = false;
};

} // namespace cd::node
