#pragma once
// The kubelet's /portForward/{namespace}/{pod}: the API server forwards `kubectl port-forward`
// here as a WebSocket (SPDY/3.1+portforward.k8s.io, SPDY inside; or v4.channel.k8s.io with
// ?ports= for the Python client). Registered by the node manager as the route "portForward".

#include "engine/api/request.h"

namespace cd::node {

class NodeManagerPrivate;

// The WebSocket subprotocols port-forward speaks, best first: SPDY inside WebSocket under
// kubectl's name, or under "portforward.k8s.io" (what the API server asks for: its WebSocket
// client accepts only RFC 6455 tokens, and '/' is not allowed in one).
inline constexpr const char *kSpdyPortForwardProtocol = "SPDY/3.1+portforward.k8s.io";
inline constexpr const char *kSpdyPortForwardTokenProtocol = "portforward.k8s.io";
inline constexpr const char *kChannelPortForwardProtocol = "v4.channel.k8s.io";

void servePortForward(NodeManagerPrivate &manager, const api::ApiRequest &request, const api::SinkPtr &sink);

} // namespace cd::node
