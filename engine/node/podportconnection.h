#pragma once
// One TCP connection to a port of a pod, as the kubelet's port-forward makes it: dialled to
// 127.0.0.1:PORT from inside the pod's network namespace (a socket the cluster network made
// there), or on the host's loopback for pods that share the host's network. Bytes written
// before the connection is up wait; the peer's end of data and failures are reported once.

#include "engine/core/result.h"

#include <QByteArray>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <string>

class QSocketNotifier;
class QTcpSocket;

namespace cd::node {

// A fresh, unconnected TCP socket (close-on-exec; the caller's to close) in the pod's network.
using PodSocketOpener = std::function<Result<int>()>;

class PodPortConnection : public QObject {
    Q_OBJECT
public:
    PodPortConnection(int port, QObject *parent = nullptr);
    ~PodPortConnection() override;

    // Starts connecting; failed() comes later (never from inside this call) when it cannot.
    void open(const PodSocketOpener &opener, int timeoutMs = 10000);
    void write(const QByteArray &data);
    // No more data for the pod (its side reads end of file once the queue is written).
    void finishWriting();
    void abort();

Q_SIGNALS:
    void connected();
    void received(const QByteArray &data);
    // The pod closed its side (after everything it sent was received).
    void finished();
    // Go's words: "dial tcp4 127.0.0.1:8080: connect: connection refused".
    void failed(const QString &reason);

private:
    void onConnectDone(int error);
    void fail(const std::string &reason);
    void flushPending();

    int m_port;
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QTcpSocket *m_socket = nullptr;
    QTimer m_timeout;
    QByteArray m_pending;
    bool m_finishWriting = false;
    bool m_done = false;
};

} // namespace cd::node
