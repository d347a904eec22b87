// The kubelet's /exec/{namespace}/{pod}/{container}?command=...&stdin&stdout&stderr&tty and
// /attach/{namespace}/{pod}/{container}?stdin&stdout&stderr&tty: the API server forwards
// `kubectl exec` and `kubectl attach` here as WebSockets; a command runs in the container (exec)
// or the container's own stdin and output are joined (attach) through its runtime, and either
// streams over the channel protocol (execstream.h).
#include "engine/node/execstream.h"
#include "engine/node/nodemanagerprivate.h"

#include "engine/api/status.h"

namespace cd::node {

void NodeManagerPrivate::serveContainerStream(const api::ApiRequest &request, const api::SinkPtr &sink)
{
    const auto fail = [&](const Error &error) { sink->respond(api::errorResponse(error)); };
    const std::vector<std::string> parts = request.segments();
    if (parts.size() != 4 || (parts[0] != "exec" && parts[0] != "attach"))
        return fail(Error::notFound("the kubelet serves no " + request.path));
    const bool attach = parts[0] == "attach";
    const std::string protocol = api::chooseChannelProtocol(request.webSocketProtocols);
    if (!request.webSocket || protocol.empty())
        return fail(Error::badRequest(parts[0] +
                                      " needs a WebSocket with the v5.channel.k8s.io or v4.channel.k8s.io protocol"));

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

    Result<std::unique_ptr<runtime::ExecSession>> session = Error::internal("no session");
    if (attach) {
        runtime::AttachSpec spec;
        spec.stdin = request.flag("stdin");
        spec.tty = request.flag("tty");
        session = runtimeOf(pod).attach(handle, spec);
    } else {
        runtime::ExecSpec spec;
        for (auto [begin, end] = request.query.equal_range("command"); begin != end; ++begin)
            spec.command.push_back(begin->second);
        spec.tty = request.flag("tty");
        spec.stdin = request.flag("stdin");
        session = runtimeOf(pod).exec(handle, spec);
    }
    if (!session.ok())
        return fail(session.error());
    api::ChannelPtr channel = sink->upgradeToWebSocket(protocol);
    if (!channel)
        return;  // the client is gone
    new ExecStream(channel, std::move(*session), protocol, this);
}

} // namespace cd::node
