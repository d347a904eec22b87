#include "engine/node/portforwardroute.h"

#include "engine/api/status.h"
#include "engine/node/nodemanagerprivate.h"
#include "engine/node/portforwardchannels.h"
#include "engine/node/portforwardstream.h"

#include <algorithm>

namespace cd::node {
namespace {

std::vector<std::string> pathParts(const std::string &path)
{
    std::vector<std::string> parts;
    for (size_t start = 1; start <= path.size();) {
        const size_t slash = std::min(path.find('/', start), path.size());
        parts.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return parts;
}

bool offers(const api::ApiRequest &request, const char *protocol)
{
    const auto &offered = request.webSocketProtocols;
    return std::find(offered.begin(), offered.end(), protocol) != offered.end();
}

} // namespace

void servePortForward(NodeManagerPrivate &manager, const api::ApiRequest &request, const api::SinkPtr &sink)
{
    const auto fail = [&](const Error &error) { sink->respond(api::errorResponse(error)); };
    const std::vector<std::string> parts = pathParts(request.path);
    if (parts.size() != 3)
        return fail(Error::notFound("the kubelet serves no " + request.path));
    const char *spdyProtocol = offers(request, kSpdyPortForwardProtocol) ? kSpdyPortForwardProtocol
                               : offers(request, kSpdyPortForwardTokenProtocol) ? kSpdyPortForwardTokenProtocol
                                                                                 : nullptr;
    const bool spdy = spdyProtocol != nullptr;
    const bool channels = offers(request, kChannelPortForwardProtocol);
    if (!request.webSocket || (!spdy && !channels))
        return fail(Error::badRequest(std::string("port-forward needs a WebSocket with the ") + kSpdyPortForwardProtocol +
                                      " or " + kChannelPortForwardProtocol + " protocol"));

    auto it = manager.m_podStates.find(parts[1] + "/" + parts[2]);
    if (it == manager.m_podStates.end())
        return fail(Error::notFound("pod \"" + parts[2] + "\" is not on any node of this engine"));
    const PodState &pod = *it->second;
    const NodeAgent &agent = *manager.m_agents[pod.node];
    // A node without processes answers in the protocol, so kubectl shows the reason.
    const std::string refusal = manager.runsProcesses(pod) ? std::string()
                                                          : "node " + agent.spec.name + " is a " + agent.spec.kind +
                                                                " node: its pods run no processes to forward to";
    if (pod.stage != Stage::Running && pod.stage != Stage::Initializing)
        return fail(Error::badRequest("unable to do port forwarding: pod " + pod.name() + " is not running"));

    // Sockets are dialled from inside the pod's network namespace, as the kubelet's runtime does;
    // pods that share the host's network are on host loopback.
    PodSocketOpener opener;
    runtime::network::ClusterNetwork *network = manager.m_network.get();
    if (network && network->isolated()) {
        const std::string uid = pod.uid;
        opener = [network, uid]() { return network->podSocket(uid, runtime::network::ClusterNetwork::SocketType::Tcp); };
    }

    if (spdy) {
        api::ChannelPtr channel = sink->upgradeToWebSocket(spdyProtocol);
        if (channel)
            (new PortForwardStream(channel, opener, pod.uid, "", &manager))->refuseWith(refusal);
        return;
    }
    std::vector<int> ports;
    // The API server passes `port` (as kube-apiserver does); clients that come straight here say `ports`.
    for (const char *key : {"port", "ports"}) {
        for (auto [begin, end] = request.query.equal_range(key); begin != end; ++begin) {
            for (const QString &item : QString::fromStdString(begin->second).split(',', Qt::SkipEmptyParts)) {
                bool numeric = false;
                const int port = item.trimmed().toInt(&numeric);
                if (!numeric || port <= 0 || port > 65535)
                    return fail(Error::badRequest("invalid port " + item.toStdString()));
                ports.push_back(port);
            }
        }
    }
    if (ports.empty())
        return fail(Error::badRequest("query parameter \"port\" is required"));
    if (!refusal.empty())
        return fail(Error::badRequest("unable to do port forwarding: " + refusal));
    api::ChannelPtr channel = sink->upgradeToWebSocket(kChannelPortForwardProtocol);
    if (channel)
        new PortForwardChannels(channel, opener, ports, pod.uid, &manager);
}

} // namespace cd::node
