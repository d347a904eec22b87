#include "engine/api/metrics.h"

#include "engine/api/handlers.h"
#include "engine/api/metricsobjects.h"
#include "engine/api/metricsscrape.h"
#include "engine/api/status.h"

#include <cctype>
#include <map>
#include <set>

namespace cd::api {
namespace {

using namespace std::chrono_literals;

// How long a request waits for the kubelets (metrics-server's scrape timeout is 10 s).
constexpr std::chrono::milliseconds kScrapeTimeout = 5s;

// The resources of metrics.k8s.io, for metrics-server's NotFound messages
// (nodemetrics.metrics.k8s.io "node-1" not found).
ResourceType metricsType(const char *plural, const char *kind, bool namespaced)
{
    ResourceType type;
    type.group = metrics::kGroup;
    type.version = metrics::kVersion;
    type.plural = plural;
    type.kind = kind;
    type.namespaced = namespaced;
    return type;
}

const ResourceType &nodeMetricsType()
{
    static const ResourceType type = metricsType("nodemetrics", "NodeMetrics", false);
    return type;
}

const ResourceType &podMetricsType()
{
    static const ResourceType type = metricsType("podmetrics", "PodMetrics", true);
    return type;
}

void respondJson(const SinkPtr &sink, const Json &body) { sink->respond(objectResponse(200, dump(body))); }

long long kubeletPort(const Json &node) { return integer(node, {"status", "daemonEndpoints", "kubeletEndpoint", "Port"}); }

bool validPort(long long port) { return port > 0 && port <= 65535; }

void serveNodeMetrics(ApiContext &context, const std::string &name, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &nodes = *context.registry().find("", "v1", "nodes");
    std::vector<StoredObject> targets;
    if (!name.empty()) {
        auto node = context.load(nodes, "", name);
        if (!node)
            return respondError(sink, notFound(nodes, name));
        targets.push_back(std::move(*node));
    } else {
        auto selectors = parseSelectors(nodes, request);
        if (!selectors.ok())
            return respondError(sink, selectors.error());
        for (StoredObject &node : context.loadAll(nodes, ""))
            if (selectors->matches(nodes, node.object))
                targets.push_back(std::move(node));
    }
    std::set<int> ports;
    for (const StoredObject &node : targets)
        if (const long long port = kubeletPort(node.object); validPort(port))
            ports.insert(static_cast<int>(port));
    metrics::scrapeSummaries(*context.kubelets(), ports, kScrapeTimeout,
                             [sink, name, targets = std::move(targets)](metrics::Summaries summaries) {
        Json items = Json::array();
        for (const StoredObject &node : targets) {
            auto summary = summaries.find(node.name());
            if (summary == summaries.end())
                continue;  // a node without metrics (simulated, or its kubelet did not answer)
            if (auto m = metrics::nodeMetrics(node.object, summary->second.summary, summary->second.windowMs))
                items.push_back(std::move(*m));
        }
        if (name.empty())
            respondJson(sink, metrics::metricsList("NodeMetricsList", std::move(items)));
        else if (items.empty())
            respondError(sink, notFound(nodeMetricsType(), name));
        else
            respondJson(sink, items[0]);
    });
}

// The pod's entry in its node's Summary, if the kubelet measured it (same uid: not an older
// pod of the same name).
const Json *podSummary(const metrics::Summaries &summaries, const Json &pod)
{
    auto summary = summaries.find(str(pod, {"spec", "nodeName"}));
    if (summary == summaries.end())
        return nullptr;
    const Json *pods = find(summary->second.summary, {"pods"});
    if (!pods || !pods->is_array())
        return nullptr;
    for (const Json &entry : *pods)
        if (str(entry, {"podRef", "uid"}) == str(pod, {"metadata", "uid"}))
            return &entry;
    return nullptr;
}

void servePodMetrics(ApiContext &context, const std::string &ns, const std::string &name, const ApiRequest &request,
                     const SinkPtr &sink)
{
    const ResourceType &pods = *context.registry().find("", "v1", "pods");
    const ResourceType &nodes = *context.registry().find("", "v1", "nodes");
    std::vector<StoredObject> targets;
    if (!name.empty()) {
        auto pod = context.load(pods, ns, name);
        if (!pod)
            return respondError(sink, notFound(pods, name));
        targets.push_back(std::move(*pod));
    } else {
        auto selectors = parseSelectors(pods, request);
        if (!selectors.ok())
            return respondError(sink, selectors.error());
        for (StoredObject &pod : context.loadAll(pods, ns))
            if (selectors->matches(pods, pod.object))
                targets.push_back(std::move(pod));
    }
    // Only running pods have metrics (as metrics-server ignores the others).
    std::erase_if(targets, [](const StoredObject &pod) {
        return str(pod.object, {"status", "phase"}) != "Running" || str(pod.object, {"spec", "nodeName"}).empty();
    });
    std::set<std::string> nodeNames;
    for (const StoredObject &pod : targets)
        nodeNames.insert(str(pod.object, {"spec", "nodeName"}));
    std::set<int> ports;
    for (const std::string &nodeName : nodeNames)
        if (auto node = context.load(nodes, "", nodeName))
            if (const long long port = kubeletPort(node->object); validPort(port))
                ports.insert(static_cast<int>(port));
    metrics::scrapeSummaries(*context.kubelets(), ports, kScrapeTimeout,
                             [sink, ns, name, targets = std::move(targets)](metrics::Summaries summaries) {
        Json items = Json::array();
        for (const StoredObject &pod : targets) {
            auto summary = summaries.find(str(pod.object, {"spec", "nodeName"}));
            const Json *entry = podSummary(summaries, pod.object);
            if (!entry)
                continue;  // not measured (yet), or its kubelet did not answer
            if (auto m = metrics::podMetrics(pod.object, *entry, summary->second.windowMs))
                items.push_back(std::move(*m));
        }
        if (name.empty())
            respondJson(sink, metrics::metricsList("PodMetricsList", std::move(items)));
        else if (items.empty())
            respondError(sink, notFound(podMetricsType(), ns + "/" + name));
        else
            respondJson(sink, items[0]);
    });
}

// GET /api/v1/nodes/NAME/proxy/stats/...: passed on to the node's kubelet, which serves every
// local node and so is told which one (?node=NAME). Its errors are Status objects already.
void serveNodeStatsProxy(ApiContext &context, const std::vector<std::string> &parts, const ApiRequest &request,
                         const SinkPtr &sink)
{
    const ResourceType &nodes = *context.registry().find("", "v1", "nodes");
    const std::string &nodeName = parts[3];
    auto node = context.load(nodes, "", nodeName);
    if (!node)
        return respondError(sink, notFound(nodes, nodeName));
    const long long port = kubeletPort(node->object);
    if (!validPort(port))
        return respondError(sink, Error{ErrorKind::ServiceUnavailable,
                                        "the kubelet of node " + nodeName + " cannot be reached from this API server", {}});
    std::string path;
    for (size_t i = 5; i < parts.size(); ++i)
        path += "/" + kubeletEscape(parts[i]);
    std::string query = "?node=" + kubeletEscape(nodeName);
    for (const auto &[key, value] : request.query)
        if (key != "node")
            query += "&" + kubeletEscape(key) + "=" + kubeletEscape(value);
    // Whole answers, so that every transport (the in-process client too) gets them as one response.
    metrics::fetchFromKubelet(*context.kubelets(), static_cast<int>(port), path + query, kScrapeTimeout,
                              [sink, nodeName](metrics::KubeletAnswer answer) {
        if (answer.status == 0)
            return respondError(sink, Error{ErrorKind::ServiceUnavailable,
                                            "the kubelet of node " + nodeName + " did not answer in time", {}});
        ApiResponse response;
        response.status = answer.status;
        response.contentType = answer.contentType.empty() ? "application/json" : answer.contentType;
        response.body = std::move(answer.body);
        sink->respond(std::move(response));
    });
}

} // namespace

void addMetricsGroup(const ApiContext &context, Json &groupList)
{
    if (context.kubelets())
        groupList["groups"].push_back(metrics::apiGroup());
}

bool handleMetrics(ApiContext &context, const ApiRequest &request, const SinkPtr &sink)
{
    if (!context.kubelets())
        return false;
    const std::vector<std::string> parts = request.segments();
    const bool nodeProxy = parts.size() >= 6 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "nodes" &&
                           parts[4] == "proxy" && parts[5] == "stats";
    const bool metricsGroup = parts.size() >= 2 && parts[0] == "apis" && parts[1] == metrics::kGroup;
    if (!nodeProxy && !metricsGroup)
        return false;
    if (request.method != Method::Get && request.method != Method::Head) {
        respondError(sink, Error{ErrorKind::MethodNotAllowed,
                                 "the server does not allow this method on the requested resource", {}});
        return true;
    }
    if (nodeProxy) {
        serveNodeStatsProxy(context, parts, request, sink);
        return true;
    }
    if (parts.size() == 2) {
        Json group = metrics::apiGroup();
        group["kind"] = "APIGroup";
        group["apiVersion"] = "v1";
        respondJson(sink, group);
        return true;
    }
    if (parts[2] != metrics::kVersion) {
        respondError(sink, resourceNotServed(parts[1] + "/" + parts[2] + " is not served by Clusterdeck"));
        return true;
    }
    if (parts.size() == 3) {
        respondJson(sink, metrics::apiResourceList());
        return true;
    }
    std::vector<std::string> rest(parts.begin() + 3, parts.end());
    if (rest[0] == "watch" || request.flag("watch")) {
        respondError(sink, Error{ErrorKind::MethodNotAllowed,
                                 "the server does not allow this method on the requested resource", {}});
        return true;
    }
    if (rest[0] == "nodes" && rest.size() <= 2) {
        serveNodeMetrics(context, rest.size() == 2 ? rest[1] : std::string(), request, sink);
        return true;
    }
    if (rest[0] == "pods" && rest.size() == 1) {
        servePodMetrics(context, "", "", request, sink);
        return true;
    }
    if (rest[0] == "namespaces" && rest.size() >= 3 && rest.size() <= 4 && rest[2] == "pods") {
        servePodMetrics(context, rest[1], rest.size() == 4 ? rest[3] : std::string(), request, sink);
        return true;
    }
    respondError(sink, resourceNotServed(request.path.substr(1) + " is not served by Clusterdeck; " +
                                         metrics::kGroupVersion + " offers: nodes, pods"));
    return true;
}

} // namespace cd::api
