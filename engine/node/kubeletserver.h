#pragma once
// The kubelet's own HTTP server, on loopback (Node.status.daemonEndpoints.kubeletEndpoint.Port):
// the API server reaches it for what only the node has — today container logs
// (GET /containerLogs/{namespace}/{pod}/{container}), later exec, attach, port-forward and
// stats. One server serves every node agent of the engine; it answers only the API server's
// kubelet token.

#include "engine/core/result.h"
#include "engine/node/containerlogs.h"

#include <QObject>

#include <functional>
#include <map>
#include <memory>

namespace cd::server {
class HttpServer;
}

namespace cd::node {

// Where a container's log is and whether it may still grow.
struct LogSource {
    QString path;
    std::function<bool()> writing;
};

class KubeletServer : public QObject {
    Q_OBJECT
public:
    using LogLookup = std::function<Result<LogSource>(const std::string &ns, const std::string &pod,
                                                      const std::string &container, bool previous)>;
    // Serves the paths under `/<first segment>/...` (e.g. "stats" for /stats/summary).
    using Route = std::function<void(const api::ApiRequest &request, const api::SinkPtr &sink)>;

    KubeletServer(QByteArray token, LogLookup logs, QObject *parent = nullptr);
    ~KubeletServer() override;
    void addRoute(const std::string &firstSegment, Route route);
    Status listen();
    quint16 port() const;

private:
    void handle(const api::ApiRequest &request, const api::SinkPtr &sink);

    void serveLogs(const std::vector<std::string> &parts, const api::ApiRequest &request, const api::SinkPtr &sink);

    LogLookup m_logs;
    std::map<std::string, Route> m_routes;
    std::unique_ptr<server::HttpServer> m_server;
};

} // namespace cd::node
