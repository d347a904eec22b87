#pragma once
// How the API server reaches a node's kubelet for what only the node has: container logs (and
// later exec, attach, port-forward and stats). Kubernetes' API server dials the kubelet's port
// from Node.status.daemonEndpoints; local nodes' kubelets listen on loopback. The transport
// lives in engine/server; the composition root installs it, so the API stays free of sockets.

#include "engine/api/request.h"
#include "engine/core/result.h"

#include <QUrl>

#include <functional>

#include <string>

namespace cd::api {

// A path segment or query value of a kubelet URL, percent-encoded.
inline std::string kubeletEscape(const std::string &text)
{
    return QUrl::toPercentEncoding(QString::fromStdString(text)).toStdString();
}

class KubeletConnector {
public:
    virtual ~KubeletConnector() = default;
    // GET pathAndQuery from the kubelet on 127.0.0.1:port; the response (a stream when the
    // kubelet streams) goes to the sink as it arrives. Errors answer with a Status.
    virtual void get(int port, const std::string &pathAndQuery, const SinkPtr &sink) = 0;
    // Opens a WebSocket to the kubelet with one subprotocol (exec, attach, port-forward); the
    // callback gets the kubelet's side of it, or why it could not be opened.
    using Opened = std::function<void(Result<ChannelPtr> channel)>;
    virtual void openChannel(int port, const std::string &pathAndQuery, const std::string &protocol, Opened opened) = 0;
};

} // namespace cd::api
