#include "engine/server/httpserver.h"

#include "engine/api/status.h"

#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

namespace cd::server {

bool isLoopback(const QHostAddress &address)
{
    return address.isLoopback();
}

HttpServer::HttpServer(ServerOptions options, Handler handler, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_handler(std::move(handler))
{
}

HttpServer::~HttpServer() = default;

Status HttpServer::listen()
{
    if (m_options.tls) {
        auto server = std::make_unique<QSslServer>();
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        const QList<QSslCertificate> chain = QSslCertificate::fromData(m_options.certificatePem, QSsl::Pem);
        const QSslKey key(m_options.privateKeyPem, QSsl::Ec, QSsl::Pem);
        if (chain.isEmpty() || key.isNull())
            return Error::internal("tls: the server certificate or key cannot be read");
        config.setLocalCertificateChain(chain);
        config.setPrivateKey(key);
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
        config.setProtocol(QSsl::TlsV1_2OrLater);
        // Go offers h2 and http/1.1; this server speaks HTTP/1.1.
        config.setAllowedNextProtocols({QByteArrayLiteral("http/1.1")});
        server->setSslConfiguration(config);
        server->setHandshakeTimeout(10000);
        m_server = std::move(server);
    } else {
        m_server = std::make_unique<QTcpServer>();
    }
    m_server->setMaxPendingConnections(m_options.maxConnections);
    connect(m_server.get(), &QTcpServer::pendingConnectionAvailable, this, &HttpServer::acceptConnections);
    if (!m_server->listen(m_options.address, m_options.port))
        return Error{ErrorKind::ServiceUnavailable,
                     "cannot listen on " + m_options.address.toString().toStdString() + ":" +
                         std::to_string(m_options.port) + ": " + m_server->errorString().toStdString(),
                     {}};
    return {};
}

quint16 HttpServer::port() const { return m_server ? m_server->serverPort() : 0; }
QHostAddress HttpServer::address() const { return m_server ? m_server->serverAddress() : QHostAddress(); }

void HttpServer::acceptConnections()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_connections >= m_options.maxConnections) {
            // Over the limit: refuse politely rather than let one client starve the rest.
            socket->write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            socket->disconnectFromHost();
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            continue;
        }
        ++m_connections;
        auto *connection = new HttpConnection(
            socket, m_options.limits,
            [this](const api::ApiRequest &request, const std::string &authorization, const api::SinkPtr &sink) {
                handle(request, authorization, sink);
            },
            this);
        connect(connection, &HttpConnection::closed, this, [this] { --m_connections; });
    }
}

void HttpServer::handle(const api::ApiRequest &request, const std::string &authorization, const api::SinkPtr &sink)
{
    const bool health = request.path == "/healthz" || request.path == "/livez" || request.path == "/readyz";
    if (!m_options.token.isEmpty() && !health) {
        // The scheme's name is case-insensitive (RFC 7235; the Python client's in-cluster
        // configuration sends "bearer").
        static const std::string prefix = "bearer ";
        const bool hasBearer = authorization.size() > prefix.size() &&
                               std::equal(prefix.begin(), prefix.end(), authorization.begin(), [](char a, char b) {
                                   return a == std::tolower(static_cast<unsigned char>(b));
                               });
        const std::string given = hasBearer ? authorization.substr(prefix.size()) : std::string();
        const bool valid = (given.size() == size_t(m_options.token.size()) &&
                            CRYPTO_memcmp(given.data(), m_options.token.constData(), given.size()) == 0) ||
                           (hasBearer && m_options.acceptsToken && m_options.acceptsToken(given));
        if (!valid) {
            sink->respond(api::errorResponse(Error{ErrorKind::Unauthorized, "Unauthorized", {}}));
            return;
        }
    }
    m_handler(request, sink);
}

} // namespace cd::server
