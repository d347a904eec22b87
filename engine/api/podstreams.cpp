// pods/{name}/exec, attach and portforward, as kube-apiserver serves them since Kubernetes
// 1.30: the client's WebSocket (channel protocol v5 or v4 for exec; SPDY/3.1+portforward.k8s.io,
// whose binary messages carry a SPDY byte stream, or v4 for port-forward) is joined to a
// WebSocket to the kubelet of the pod's node, and messages pass both ways unchanged. The pod, container and phase are checked here first, in
// Kubernetes' words; the kubelet answers the rest (a container that is not running).
#include "engine/api/handlers.h"
#include "engine/api/status.h"

#include <algorithm>
#include <memory>

namespace cd::api {
namespace {

// Passes every message of one channel to the other until either closes.
void join(const ChannelPtr &a, const ChannelPtr &b)
{
    std::weak_ptr<MessageChannel> weakA = a, weakB = b;
    a->onMessage([weakB](const QByteArray &message, bool binary) {
        if (auto other = weakB.lock())
            other->send(message, binary);
    });
    b->onMessage([weakA](const QByteArray &message, bool binary) {
        if (auto other = weakA.lock())
            other->send(message, binary);
    });
    // Each side keeps the other alive while it lives; closing one closes the other.
    a->onClosed([b] { b->close(1000); });
    b->onClosed([a] { a->close(1000); });
}

// The kubelet port of the pod's node (Node.status.daemonEndpoints); 0 when there is none.
int kubeletPortOf(ApiContext &context, const Json &pod)
{
    const std::string nodeName = str(pod, {"spec", "nodeName"});
    const ResourceType *nodes = context.registry().find("", "v1", "nodes");
    const auto node = nodes && !nodeName.empty() ? context.load(*nodes, "", nodeName) : std::nullopt;
    const long long port = node ? integer(node->object, {"status", "daemonEndpoints", "kubeletEndpoint", "Port"}) : 0;
    return context.kubelets() && port > 0 && port <= 65535 ? int(port) : 0;
}

// Opens the kubelet's side, then answers the client's upgrade and joins the two. The kubelet's
// subprotocol may be another name for the same bytes (Qt's WebSocket client accepts only tokens,
// and "SPDY/3.1+portforward.k8s.io" is none).
void joinWithKubelet(ApiContext &context, int port, const std::string &path, const std::string &protocol,
                     const SinkPtr &sink, const std::string &kubeletProtocol = {})
{
    const std::string towardsKubelet = kubeletProtocol.empty() ? protocol : kubeletProtocol;
    context.kubelets()->openChannel(port, path, towardsKubelet, [sink, protocol](Result<ChannelPtr> kubelet) {
        if (!kubelet.ok()) {
            respondError(sink, kubelet.error());
            return;
        }
        ChannelPtr client = sink->upgradeToWebSocket(protocol);
        if (!client) {
            (*kubelet)->close(1000);
            return;
        }
        join(client, *kubelet);
    });
}

// exec and attach: the same checks, then the kubelet's /exec or /attach.
void handleContainerStream(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink,
                           bool attach)
{
    const std::string verb = attach ? "attach to" : "exec into";
    const ResourceType &pods = *target.type;
    const auto existing = context.load(pods, target.ns, target.name);
    if (!existing) {
        respondError(sink, notFound(pods, target.name));
        return;
    }
    const Json &pod = existing->object;
    std::vector<std::string> containers;
    for (const char *list : {"containers", "initContainers", "ephemeralContainers"})
        if (const Json *items = find(pod, {"spec", list}); items && items->is_array())
            for (const Json &c : *items)
                containers.push_back(str(c, {"name"}));
    std::string container = request.param("container", "");
    if (container.empty()) {
        const Json *regular = find(pod, {"spec", "containers"});
        if (regular && regular->is_array() && regular->size() == 1) {
            container = str((*regular)[0], {"name"});
        } else {
            respondError(sink, badRequest("a container name must be specified for pod " + target.name));
            return;
        }
    }
    if (std::find(containers.begin(), containers.end(), container) == containers.end()) {
        respondError(sink, badRequest("container " + container + " is not valid for pod " + target.name));
        return;
    }
    const std::string phase = str(pod, {"status", "phase"});
    if (phase == "Succeeded" || phase == "Failed") {
        respondError(sink, badRequest("cannot " + verb + " a container in a completed pod; current phase is " + phase));
        return;
    }
    // The kubelet runs commands only in running containers (it answers "container not found").
    bool running = false;
    for (const char *list : {"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"})
        if (const Json *statuses = find(pod, {"status", list}); statuses && statuses->is_array())
            for (const Json &s : *statuses)
                if (str(s, {"name"}) == container && find(s, {"state", "running"}))
                    running = true;
    if (!running) {
        respondError(sink, badRequest("unable to upgrade connection: container not found (\"" + container + "\")"));
        return;
    }
    if (!attach && request.param("command", "").empty()) {
        respondError(sink, badRequest("you must specify at least 1 command"));
        return;
    }
    const std::string protocol = chooseChannelProtocol(request.webSocketProtocols);
    if (!request.webSocket || protocol.empty()) {
        respondError(sink, badRequest(std::string(attach ? "attach" : "exec") +
                                      " is served over WebSocket (v5.channel.k8s.io or v4.channel.k8s.io); "
                                      "SPDY is not supported"));
        return;
    }
    const int port = kubeletPortOf(context, pod);
    if (port <= 0) {
        respondError(sink, badRequest("pod " + target.name + " does not have a host assigned"));
        return;
    }
    std::string path = std::string(attach ? "/attach/" : "/exec/") + kubeletEscape(target.ns) + "/" + kubeletEscape(target.name) + "/" +
                       kubeletEscape(container);
    char separator = '?';
    for (const auto &[key, value] : request.query) {
        if (key != "command" && key != "stdin" && key != "stdout" && key != "stderr" && key != "tty")
            continue;
        path += separator + key + "=" + kubeletEscape(value);
        separator = '&';
    }
    joinWithKubelet(context, port, path, protocol, sink);
}

} // namespace

void handlePodExec(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    handleContainerStream(context, target, request, sink, false);
}

void handlePodAttach(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    handleContainerStream(context, target, request, sink, true);
}

void handlePodPortForward(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &pods = *target.type;
    const auto existing = context.load(pods, target.ns, target.name);
    if (!existing) {
        respondError(sink, notFound(pods, target.name));
        return;
    }
    const Json &pod = existing->object;
    // kube-apiserver itself only needs a node; kubectl refuses a pod that is not Running in
    // these words, and so does this server for every client.
    const std::string phase = str(pod, {"status", "phase"});
    if (phase != "Running") {
        respondError(sink, badRequest("unable to forward port because pod is not running. Current status=" +
                                      (phase.empty() ? std::string("Pending") : phase)));
        return;
    }
    const int port = kubeletPortOf(context, pod);
    if (port <= 0) {
        respondError(sink, badRequest("pod " + target.name + " does not have a host assigned"));
        return;
    }
    const auto &offered = request.webSocketProtocols;
    const auto offers = [&](const char *protocol) {
        return std::find(offered.begin(), offered.end(), protocol) != offered.end();
    };
    std::string path = "/portForward/" + kubeletEscape(target.ns) + "/" + kubeletEscape(target.name);
    if (request.webSocket && offers("SPDY/3.1+portforward.k8s.io")) {
        joinWithKubelet(context, port, path, "SPDY/3.1+portforward.k8s.io", sink, "portforward.k8s.io");
        return;
    }
    if (request.webSocket && offers("v4.channel.k8s.io")) {
        // The older WebSocket port-forward (the Python client): ?ports=8080,9090, one channel pair per port.
        char separator = '?';
        for (const char *key : {"ports", "port"})
            for (auto [begin, end] = request.query.equal_range(key); begin != end; ++begin) {
                path += separator + std::string("port=") + kubeletEscape(begin->second);
                separator = '&';
            }
        if (separator == '?') {
            respondError(sink, badRequest("query parameter \"port\" is required"));
            return;
        }
        joinWithKubelet(context, port, path, "v4.channel.k8s.io", sink);
        return;
    }
    respondError(sink, badRequest("port-forward is served over WebSocket (SPDY/3.1+portforward.k8s.io or "
                                  "v4.channel.k8s.io)"));
}

} // namespace cd::api
