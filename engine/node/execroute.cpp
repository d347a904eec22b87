// The kubelet's /exec/{namespace}/{pod}/{container}?command=...&stdin&stdout&stderr&tty: the
// API server forwards `kubectl exec` here as a WebSocket; the command runs in the container
// through its runtime and streams over the channel protocol (execstream.h).
#include "engine/node/execstream.h"
#include "engine/node/nodemanagerprivate.h"

#include "engine/api/status.h"

namespace cd::node {

void NodeManagerPrivate::serveExec(const api::ApiRequest &request, const api::SinkPtr &sink)
{
    const auto fail = [&](const Error &error) { sink->respond(api::errorResponse(error)); };
    std::vector<std::string> parts;
    for (size_t start = 1; start <= request.path.size();) {
        const size_t slash = std::min(request.path.find('/', start), request.path.size());
        parts.push_back(request.path.substr(start, slash - start));
        start = slash + 1;
    }
    if (parts.size() != 4)
        return fail(Error::notFound("the kubelet serves no " + request.path));
    const std::string protocol = api::chooseChannelProtocol(request.webSocketProtocols);
    if (!request.webSocket || protocol.empty())
        return fail(Error::badRequest("exec needs a WebSocket with the v5.channel.k8s.io or v4.channel.k8s.io protocol"));

    auto it = m_podStates.find(parts[1] + "/" + parts[2]);
    if (it == m_podStates.end())
        return fail(Error::notFound("pod \"" + parts[2] + "\" is not on any node of this engine"));
    PodState &pod = *it->second;
    client::ObjectPtr object = cachedPod(pod);
    if (!object)
        return fail(Error::notFound("pod \"" + parts[2] + "\" is not on any node of this engine"));
    runtime::ContainerHandle handle = 0;
    for (size_t i = 0; i < pod.containers.size(); ++i)
        if (str(containerAt(*object, pod, i), {"name"}) == parts[3] &&
            pod.containers[i].state == runtime::ContainerState::Running)
            handle = pod.containers[i].handle;
    if (!handle)
        return fail(Error::notFound("container not found (\"" + parts[3] + "\")"));

    runtime::ExecSpec spec;
    for (auto [begin, end] = request.query.equal_range("command"); begin != end; ++begin)
        spec.command.push_back(begin->second);
    spec.tty = request.flag("tty");
    spec.stdin = request.flag("stdin");
    auto session = runtimeOf(pod).exec(handle, spec);
    if (!session.ok())
        return fail(session.error());
    api::ChannelPtr channel = sink->upgradeToWebSocket(protocol);
    if (!channel)
        return;  // the client is gone
    new ExecStream(channel, std::move(*session), protocol, this);
}

} // namespace cd::node
