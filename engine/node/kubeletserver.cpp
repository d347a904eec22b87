#include "engine/node/kubeletserver.h"

#include "engine/api/status.h"
#include "engine/core/clock.h"
#include "engine/server/httpserver.h"

namespace cd::node {
namespace {

std::vector<std::string> pathParts(const std::string &path)
{
    std::vector<std::string> parts;
    size_t start = 1;
    while (start <= path.size()) {
        const size_t slash = std::min(path.find('/', start), path.size());
        parts.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return parts;
}

std::int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::current().now().time_since_epoch()).count();
}

} // namespace

KubeletServer::KubeletServer(QByteArray token, LogLookup logs, QObject *parent)
    : QObject(parent), m_logs(std::move(logs))
{
    server::ServerOptions options;
    options.address = QHostAddress::LocalHost;
    options.port = 0;
    options.tls = false;  // loopback only, and every request carries the kubelet token
    options.token = std::move(token);
    options.maxConnections = 256;
    m_server = std::make_unique<server::HttpServer>(
        options, [this](const api::ApiRequest &request, const api::SinkPtr &sink) { handle(request, sink); }, this);
}

KubeletServer::~KubeletServer() = default;

Status KubeletServer::listen() { return m_server->listen(); }

quint16 KubeletServer::port() const { return m_server->port(); }

void KubeletServer::addRoute(const std::string &firstSegment, Route route)
{
    m_routes[firstSegment] = std::move(route);
}

void KubeletServer::handle(const api::ApiRequest &request, const api::SinkPtr &sink)
{
    const std::vector<std::string> parts = pathParts(request.path);
    if (request.method == api::Method::Get && parts.size() == 4 && parts[0] == "containerLogs") {
        serveLogs(parts, request, sink);
        return;
    }
    if (auto route = m_routes.find(parts.empty() ? std::string() : parts[0]); route != m_routes.end()) {
        route->second(request, sink);
        return;
    }
    sink->respond(api::errorResponse(Error::notFound("the kubelet serves no " + request.path)));
}

void KubeletServer::serveLogs(const std::vector<std::string> &parts, const api::ApiRequest &request,
                              const api::SinkPtr &sink)
{
    auto options = LogOptions::fromRequest(request, nowNs());
    if (!options.ok()) {
        sink->respond(api::errorResponse(options.error()));
        return;
    }
    auto source = m_logs(parts[1], parts[2], parts[3], request.flag("previous"));
    if (!source.ok()) {
        sink->respond(api::errorResponse(source.error()));
        return;
    }
    if (options->follow && source->writing && source->writing()) {
        (new LogFollower(source->path, *options, source->writing, sink, this))->start();
        return;
    }
    api::ApiResponse response;
    response.contentType = "text/plain";
    response.body = readLogFile(source->path, *options);
    sink->respond(std::move(response));
}

} // namespace cd::node
