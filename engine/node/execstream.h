#pragma once
// The kubelet's end of `kubectl exec`: a WebSocket speaking the Kubernetes channel protocol
// (v5.channel.k8s.io, or v4) joined to a command running in a container. Each message is one
// channel byte and data: 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 terminal resizes
// ({"Width":120,"Height":40}); v5 adds [255, n], the client closing its stream n (0: stdin).

#include "engine/api/messagechannel.h"
#include "engine/runtime/runtime.h"

#include <QObject>

#include <memory>

namespace cd::node {

class ExecStream : public QObject {
    Q_OBJECT
public:
    ExecStream(api::ChannelPtr channel, std::unique_ptr<runtime::ExecSession> session, std::string protocol,
               QObject *parent = nullptr);
    ~ExecStream() override;

    // The Status sent on channel 3 when a command ends with `exitCode` (Success for 0).
    static QByteArray exitStatus(int exitCode, const QString &error);

private:
    void onMessage(const QByteArray &message);
    void onFinished(int exitCode, const QString &error);

    api::ChannelPtr m_channel;
    std::unique_ptr<runtime::ExecSession> m_session;
    bool m_v5 = true;
    bool m_done = false;
};

} // namespace cd::node
