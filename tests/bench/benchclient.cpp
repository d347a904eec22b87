#include "benchclient.h"

#include <QFile>
#include <QSslConfiguration>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace bench {

QString argumentValue(const QStringList &arguments, const QString &name, const QString &fallback)
{
    const qsizetype at = arguments.indexOf(name);
    return at >= 0 && at + 1 < arguments.size() ? arguments.at(at + 1) : fallback;
}

QStringList argumentValues(const QStringList &arguments, const QString &name)
{
    QStringList values;
    for (qsizetype i = 0; i + 1 < arguments.size(); ++i)
        if (arguments.at(i) == name)
            values << arguments.at(i + 1);
    return values;
}

std::optional<Endpoint> endpointFromArguments(const QStringList &arguments, QString *error)
{
    const QUrl url(argumentValue(arguments, QStringLiteral("--server")));
    if (!url.isValid() || url.port() <= 0) {
        *error = QStringLiteral("--server https://HOST:PORT is required");
        return std::nullopt;
    }
    Endpoint endpoint;
    endpoint.host = url.host();
    endpoint.port = quint16(url.port());
    endpoint.tls = url.scheme() == QLatin1String("https");
    const QString tokenFile = argumentValue(arguments, QStringLiteral("--token-file"));
    if (!tokenFile.isEmpty()) {
        QFile file(tokenFile);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read the token file ") + tokenFile;
            return std::nullopt;
        }
        endpoint.token = file.readAll().trimmed();
    }
    return endpoint;
}

ClientConnection::ClientConnection(Endpoint endpoint, QObject *parent)
    : QObject(parent), m_endpoint(std::move(endpoint))
{
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    http_parser_settings_init(&m_settings);
    m_settings.on_headers_complete = &ClientConnection::onHeadersComplete;
    m_settings.on_body = &ClientConnection::onBody;
    m_settings.on_message_complete = &ClientConnection::onMessageComplete;
}

ClientConnection::~ClientConnection() = default;

void ClientConnection::open()
{
    m_socket = new QSslSocket(this);
    // Benchmarks measure the server, not certificate checks; the server is ours on loopback.
    m_socket->setPeerVerifyMode(QSslSocket::VerifyNone);
    connect(m_socket, &QSslSocket::readyRead, this, &ClientConnection::readIncoming);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, [this] {
        if (m_socket->error() != QAbstractSocket::RemoteHostClosedError || m_awaiting)
            Q_EMIT failed(m_socket->errorString());
    });
    auto becomeReady = [this] {
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_ready = true;
        Q_EMIT ready();
    };
    if (m_endpoint.tls) {
        connect(m_socket, &QSslSocket::encrypted, this, becomeReady);
        m_socket->connectToHostEncrypted(m_endpoint.host, m_endpoint.port);
    } else {
        connect(m_socket, &QSslSocket::connected, this, becomeReady);
        m_socket->connectToHost(m_endpoint.host, m_endpoint.port);
    }
}

void ClientConnection::request(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                               const QList<Header> &headers, ResponseCallback done)
{
    QByteArray text = method + ' ' + path + " HTTP/1.1\r\nHost: " + m_endpoint.host.toUtf8() + ':' +
                      QByteArray::number(m_endpoint.port) + "\r\n";
    if (!m_endpoint.token.isEmpty())
        text += "Authorization: Bearer " + m_endpoint.token + "\r\n";
    for (const Header &h : headers)
        text += h.name + ": " + h.value + "\r\n";
    if (!body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH")
        text += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    text += "\r\n";
    text += body;
    m_current = Response();
    m_done = std::move(done);
    m_streaming = false;
    m_awaiting = true;
    m_current.sent = Clock::now();
    m_socket->write(text);
    m_socket->flush();
}

void ClientConnection::stream(const QByteArray &path, std::function<void(int)> onHeaders, StreamCallback onData)
{
    m_onHeaders = std::move(onHeaders);
    m_onData = std::move(onData);
    request("GET", path);
    m_streaming = true;
}

void ClientConnection::readIncoming()
{
    m_readAt = Clock::now();
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty())
        return;
    if (m_current.firstByte == Clock::time_point())
        m_current.firstByte = m_readAt;
    const size_t parsed = http_parser_execute(&m_parser, &m_settings, data.constData(), size_t(data.size()));
    if (HTTP_PARSER_ERRNO(&m_parser) != HPE_OK || parsed != size_t(data.size()))
        Q_EMIT failed(QStringLiteral("malformed response: ") +
                      QString::fromLatin1(http_errno_description(HTTP_PARSER_ERRNO(&m_parser))));
}

int ClientConnection::onHeadersComplete(http_parser *parser)
{
    auto *c = static_cast<ClientConnection *>(parser->data);
    c->m_current.status = int(parser->status_code);
    if (c->m_streaming && c->m_onHeaders)
        c->m_onHeaders(c->m_current.status);
    return 0;
}

int ClientConnection::onBody(http_parser *parser, const char *at, size_t length)
{
    auto *c = static_cast<ClientConnection *>(parser->data);
    if (c->m_streaming && c->m_current.status == 200 && c->m_onData)
        c->m_onData(at, length, c->m_readAt);
    else
        c->m_current.body.append(at, qsizetype(length));
    return 0;
}

int ClientConnection::onMessageComplete(http_parser *parser)
{
    auto *c = static_cast<ClientConnection *>(parser->data);
    c->m_current.completed = c->m_readAt;
    c->m_awaiting = false;
    // The callback may send the next request, which resets m_current: hand over a copy.
    const Response response = std::move(c->m_current);
    c->m_current = Response();
    if (auto done = std::move(c->m_done))
        done(response);
    return 0;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t rank = size_t(std::ceil(p / 100.0 * double(values.size())));
    return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

double median(std::vector<double> values) { return percentile(std::move(values), 50); }

} // namespace bench
