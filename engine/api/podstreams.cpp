// pods/{name}/exec, as kube-apiserver serves it since Kubernetes 1.30: the client's WebSocket
// (channel protocol v5 or v4) is joined to a WebSocket to the kubelet of the pod's node, and
// messages pass both ways unchanged. The pod, container and phase are checked here first, in
// Kubernetes' words; the kubelet answers the rest (a container that is not running).
#include "engine/api/handlers.h"
#include "engine/api/status.h"

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

} // namespace

void handlePodExec(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
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
        respondError(sink, badRequest("cannot exec into a container in a completed pod; current phase is " + phase));
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
    if (request.param("command", "").empty()) {
        respondError(sink, badRequest("you must specify at least 1 command"));
        return;
    }
    const std::string protocol = chooseChannelProtocol(request.webSocketProtocols);
    if (!request.webSocket || protocol.empty()) {
        respondError(sink, badRequest("exec is served over WebSocket (v5.channel.k8s.io or v4.channel.k8s.io); "
                                      "SPDY is not supported"));
        return;
    }
    const std::string nodeName = str(pod, {"spec", "nodeName"});
    const ResourceType *nodes = context.registry().find("", "v1", "nodes");
    const auto node = nodes && !nodeName.empty() ? context.load(*nodes, "", nodeName) : std::nullopt;
    const long long port = node ? integer(node->object, {"status", "daemonEndpoints", "kubeletEndpoint", "Port"}) : 0;
    if (!context.kubelets() || port <= 0 || port > 65535) {
        respondError(sink, badRequest("pod " + target.name + " does not have a host assigned"));
        return;
    }
    std::string path = "/exec/" + kubeletEscape(target.ns) + "/" + kubeletEscape(target.name) + "/" +
                       kubeletEscape(container);
    char separator = '?';
    for (const auto &[key, value] : request.query) {
        if (key != "command" && key != "stdin" && key != "stdout" && key != "stderr" && key != "tty")
            continue;
        path += separator + key + "=" + kubeletEscape(value);
        separator = '&';
    }
    context.kubelets()->openChannel(static_cast<int>(port), path, protocol, [sink, protocol](Result<ChannelPtr> kubelet) {
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

} // namespace cd::api
