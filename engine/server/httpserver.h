#pragma once
// The API server's transport: TLS (by default) or plain HTTP on a loopback address, bearer-token
// authentication, a cap on connections, and HttpConnection per client feeding the API handler.

#include "engine/api/request.h"
#include "engine/core/result.h"
#include "engine/server/httpconnection.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QTcpServer>

#include <functional>
#include <memory>

namespace cd::server {

struct ServerOptions {
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 6443;  // 0 picks a free port
    bool tls = true;
    QByteArray certificatePem;
    QByteArray privateKeyPem;
    QByteArray token;           // empty: no authentication (tests of the transport only)
    // Other bearer tokens to accept (ServiceAccounts' tokens); called on the server's thread.
    std::function<bool(const std::string &token)> acceptsToken;
    int maxConnections = 1024;
    ConnectionLimits limits;
};

class HttpServer : public QObject {
    Q_OBJECT
public:
    using Handler = std::function<void(const api::ApiRequest &request, const api::SinkPtr &sink)>;

    HttpServer(ServerOptions options, Handler handler, QObject *parent = nullptr);
    ~HttpServer() override;

    cd::Status listen();
    quint16 port() const;
    QHostAddress address() const;
    int connectionCount() const { return m_connections; }

private:
    void acceptConnections();
    void handle(const api::ApiRequest &request, const std::string &authorization, const api::SinkPtr &sink);

    ServerOptions m_options;
    Handler m_handler;
    std::unique_ptr<QTcpServer> m_server;
    int m_connections = 0;
};

// Whether an address stays on this machine (127.0.0.0/8, ::1).
bool isLoopback(const QHostAddress &address);

} // namespace cd::server
