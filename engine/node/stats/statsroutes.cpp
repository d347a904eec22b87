#include "engine/node/stats/statsroutes.h"

#include "engine/api/status.h"
#include "engine/node/stats/statsjson.h"

namespace cd::node::stats {
namespace {

void respondJson(const api::SinkPtr &sink, const Json &body)
{
    api::ApiResponse response;
    response.body = dump(body);
    sink->respond(std::move(response));
}

void respondError(const api::SinkPtr &sink, Error error) { sink->respond(api::errorResponse(error)); }

Error noNodeStats(const std::string &node)
{
    return Error::notFound("no statistics for node \"" + node +
                           "\": only process and container nodes run containers to measure (simulated nodes run none)");
}

Result<const NodeStats *> namedNode(const StatsCollector *collector, const api::ApiRequest &request)
{
    const std::string name = request.param("node", "");
    if (name.empty()) {
        const size_t count = collector ? collector->nodes().size() : 0;
        if (count == 1)
            return &collector->nodes().begin()->second;
        return Error::badRequest("this kubelet serves " + std::to_string(count) +
                                 " nodes with statistics: name one with ?node=NAME");
    }
    const NodeStats *node = collector ? collector->node(name) : nullptr;
    if (!node)
        return noNodeStats(name);
    return node;
}

} // namespace

void serveStats(const StatsCollector *collector, const api::ApiRequest &request, const api::SinkPtr &sink)
{
    if (request.method != api::Method::Get) {
        respondError(sink, {ErrorKind::MethodNotAllowed, "the kubelet's statistics are read with GET", {}});
        return;
    }
    const std::string &path = request.path;
    if (path == "/stats/summary" || path == "/stats/summary/") {
        auto node = namedNode(collector, request);
        if (!node.ok())
            return respondError(sink, node.takeError());
        respondJson(sink, nodeSummary(*collector, **node));
        return;
    }
    if (path == "/stats/nodes") {
        if (!collector)
            return respondJson(sink, {{"kind", "SummaryList"}, {"windowMs", 0}, {"items", Json::array()}});
        respondJson(sink, summaryList(*collector));
        return;
    }
    if (path == "/stats/history") {
        const std::string pod = request.param("pod", "");
        if (pod.empty()) {
            auto node = namedNode(collector, request);
            if (!node.ok())
                return respondError(sink, node.takeError());
            respondJson(sink, nodeHistory(*collector, **node));
            return;
        }
        const std::string ns = request.param("namespace", "default");
        const NodeStats *on = nullptr;
        const PodStats *stats = collector ? collector->pod(ns, pod, &on) : nullptr;
        const std::string node = request.param("node", "");
        if (!stats || (!node.empty() && on->name != node))
            return respondError(sink, Error::notFound("no statistics for pod \"" + ns + "/" + pod + "\"" +
                                                      (node.empty() ? "" : " on node " + node) +
                                                      ": it runs no container on a process node"));
        respondJson(sink, podHistory(*collector, *on, *stats));
        return;
    }
    respondError(sink, Error::notFound("the kubelet serves no " + path +
                                       " (it serves /stats/summary, /stats/nodes and /stats/history)"));
}

} // namespace cd::node::stats
