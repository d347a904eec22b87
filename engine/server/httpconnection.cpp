#include "engine/server/httpconnection.h"

#include "engine/api/status.h"
#include "engine/server/websocketframes.h"

#include <QTimer>
#include <QUrl>

#include <cctype>

namespace cd::server {

// The response sink of one request. It outlives nothing: when the connection goes, the sink is
// marked closed and every write becomes a no-op.
class HttpConnection::Sink : public api::ResponseSink {
public:
    explicit Sink(HttpConnection *connection) : m_connection(connection) {}

    void respond(api::ApiResponse response) override
    {
        if (!live() || m_state != State::Idle)
            return;
        m_state = State::Done;
        m_connection->writeResponse(response);
        m_connection->responseDone();
    }
    void startStream(int status, const std::string &contentType) override
    {
        if (!live() || m_state != State::Idle)
            return;
        m_state = State::Streaming;
        m_connection->writeStreamStart(status, contentType);
    }
    void write(const std::string &chunk) override
    {
        if (live() && m_state == State::Streaming && !chunk.empty())
            m_connection->writeChunk(chunk);
    }
    void finish() override
    {
        if (!live() || m_state != State::Streaming)
            return;
        m_state = State::Done;
        m_connection->writeStreamEnd();
        m_connection->responseDone();
    }
    void close() { markClosed(); }
    api::ChannelPtr upgradeToWebSocket(const std::string &protocol) override
    {
        if (!live() || m_state != State::Idle)
            return nullptr;
        m_state = State::Done;
        return m_connection->upgradeToWebSocket(protocol);
    }

private:
    enum class State { Idle, Streaming, Done };
    bool live() const { return m_connection && !isClosed(); }
    QPointer<HttpConnection> m_connection;
    State m_state = State::Idle;
};

// The message channel of an upgraded connection.
class HttpConnection::WebSocketChannel : public api::MessageChannel {
public:
    explicit WebSocketChannel(HttpConnection *connection) : m_connection(connection) {}
    void send(const QByteArray &message, bool binary) override
    {
        if (!isClosed() && m_connection)
            m_connection->m_socket->write(
                websocket::frame(binary ? websocket::Binary : websocket::Text, message));
    }
    void close(int code, const QByteArray &reason) override
    {
        if (isClosed() || !m_connection)
            return;
        QByteArray payload;
        payload.append(char(code >> 8));
        payload.append(char(code & 0xFF));
        payload.append(reason.left(120));
        m_connection->m_socket->write(websocket::frame(websocket::Close, payload));
        m_connection->m_socket->flush();
        m_connection->m_closing = true;
        m_connection->m_socket->disconnectFromHost();
        markClosed();
    }
    void received(const websocket::Message &message) { deliver(message.payload, message.opcode == websocket::Binary); }
    void gone() { markClosed(); }

private:
    QPointer<HttpConnection> m_connection;
};

namespace {

const char *reasonPhrase(int status)
{
    switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
    }
}

std::string lower(std::string s)
{
    for (char &c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// application/x-www-form-urlencoded decoding: '+' is a space (Go encodes query values so).
std::string decodeComponent(const std::string &text)
{
    std::string replaced = text;
    for (char &c : replaced)
        if (c == '+')
            c = ' ';
    return QUrl::fromPercentEncoding(QByteArray::fromStdString(replaced)).toStdString();
}

api::Method methodOf(unsigned method)
{
    switch (method) {
    case HTTP_GET: return api::Method::Get;
    case HTTP_POST: return api::Method::Post;
    case HTTP_PUT: return api::Method::Put;
    case HTTP_PATCH: return api::Method::Patch;
    case HTTP_DELETE: return api::Method::Delete;
    case HTTP_HEAD: return api::Method::Head;
    case HTTP_OPTIONS: return api::Method::Options;
    default: return api::Method::Other;
    }
}

HttpConnection *self(http_parser *parser) { return static_cast<HttpConnection *>(parser->data); }

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, ConnectionLimits limits, Handler handler, QObject *parent)
    : QObject(parent), m_socket(socket), m_limits(limits), m_handler(std::move(handler))
{
    m_socket->setParent(this);
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;
    http_parser_settings_init(&m_settings);
    m_settings.on_message_begin = &HttpConnection::onMessageBegin;
    m_settings.on_url = &HttpConnection::onUrl;
    m_settings.on_header_field = &HttpConnection::onHeaderField;
    m_settings.on_header_value = &HttpConnection::onHeaderValue;
    m_settings.on_headers_complete = &HttpConnection::onHeadersComplete;
    m_settings.on_body = &HttpConnection::onBody;
    m_settings.on_message_complete = &HttpConnection::onMessageComplete;
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::readIncoming);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::readIncoming, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection()
{
    if (m_inFlight)
        m_inFlight->close();
}

int HttpConnection::onMessageBegin(http_parser *parser)
{
    HttpConnection *c = self(parser);
    c->m_current = api::ApiRequest();
    c->m_url.clear();
    c->m_headerField.clear();
    c->m_headerValue.clear();
    c->m_authorization.clear();
    c->m_webSocketKey.clear();
    c->m_lastWasValue = false;
    c->m_headerBytes = 0;
    return 0;
}

int HttpConnection::onUrl(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *c = self(parser);
    c->m_headerBytes += qint64(length);
    if (c->m_headerBytes > c->m_limits.maxHeaderBytes)
        return 1;
    c->m_url.append(at, length);
    return 0;
}

int HttpConnection::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *c = self(parser);
    c->m_headerBytes += qint64(length);
    if (c->m_headerBytes > c->m_limits.maxHeaderBytes)
        return 1;
    if (c->m_lastWasValue) {
        c->finishHeader();
        c->m_headerField.clear();
        c->m_headerValue.clear();
        c->m_lastWasValue = false;
    }
    c->m_headerField.append(at, length);
    return 0;
}

int HttpConnection::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *c = self(parser);
    c->m_headerBytes += qint64(length);
    if (c->m_headerBytes > c->m_limits.maxHeaderBytes)
        return 1;
    c->m_headerValue.append(at, length);
    c->m_lastWasValue = true;
    return 0;
}

void HttpConnection::finishHeader()
{
    const std::string name = lower(m_headerField);
    if (name == "accept")
        m_current.accept = m_headerValue;
    else if (name == "content-type")
        m_current.contentType = m_headerValue;
    else if (name == "authorization")
        m_authorization = m_headerValue;
    else if (name == "user-agent")
        m_current.userAgent = m_headerValue;
    else if (name == "upgrade")
        m_current.webSocket = lower(m_headerValue) == "websocket";
    else if (name == "sec-websocket-key")
        m_webSocketKey = m_headerValue;
    else if (name == "sec-websocket-protocol") {
        // One header or several, each a comma-separated list.
        std::string list = m_headerValue;
        size_t start = 0;
        while (start <= list.size()) {
            const size_t comma = std::min(list.find(',', start), list.size());
            std::string item = list.substr(start, comma - start);
            while (!item.empty() && item.front() == ' ')
                item.erase(0, 1);
            while (!item.empty() && item.back() == ' ')
                item.pop_back();
            if (!item.empty())
                m_current.webSocketProtocols.push_back(item);
            start = comma + 1;
        }
    }
}

int HttpConnection::onHeadersComplete(http_parser *parser)
{
    HttpConnection *c = self(parser);
    if (c->m_lastWasValue)
        c->finishHeader();
    c->m_current.method = methodOf(parser->method);
    if (parser->content_length != ULLONG_MAX && qint64(parser->content_length) > c->m_limits.maxBodyBytes) {
        c->rejectAndClose(413, "RequestEntityTooLarge", c->bodyTooLargeMessage());
        return 1;
    }
    // Split the target into a decoded path and decoded query parameters.
    const size_t question = c->m_url.find('?');
    const std::string rawPath = c->m_url.substr(0, question);
    c->m_current.path = QUrl::fromPercentEncoding(QByteArray::fromStdString(rawPath)).toStdString();
    if (c->m_current.path.size() > 1 && c->m_current.path.back() == '/')
        c->m_current.path.pop_back();
    if (question != std::string::npos) {
        const std::string query = c->m_url.substr(question + 1);
        size_t start = 0;
        while (start <= query.size()) {
            size_t amp = query.find('&', start);
            if (amp == std::string::npos)
                amp = query.size();
            const std::string pair = query.substr(start, amp - start);
            if (!pair.empty()) {
                const size_t eq = pair.find('=');
                c->m_current.query.emplace(decodeComponent(pair.substr(0, eq)),
                                           eq == std::string::npos ? std::string() : decodeComponent(pair.substr(eq + 1)));
            }
            start = amp + 1;
        }
    }
    return 0;
}

int HttpConnection::onBody(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *c = self(parser);
    if (qint64(c->m_current.body.size() + length) > c->m_limits.maxBodyBytes) {
        c->rejectAndClose(413, "RequestEntityTooLarge", c->bodyTooLargeMessage());
        return 1;
    }
    c->m_current.body.append(at, length);
    return 0;
}

int HttpConnection::onMessageComplete(http_parser *parser)
{
    HttpConnection *c = self(parser);
    if (c->m_rejected)
        return 1;
    c->m_queue.push_back({std::move(c->m_current), std::move(c->m_authorization), http_should_keep_alive(parser) != 0,
                          std::move(c->m_webSocketKey)});
    c->m_current = api::ApiRequest();
    return 0;
}

void HttpConnection::readIncoming()
{
    if (m_rejected) {
        m_socket->readAll();  // draining a rejected body (rejectAndClose)
        return;
    }
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty())
        return;
    if (m_webSocket) {
        readWebSocket(data);
        return;
    }
    if (m_upgrading) {
        m_afterUpgrade.append(data);
        return;
    }
    const size_t parsed = http_parser_execute(&m_parser, &m_settings, data.constData(), size_t(data.size()));
    if (m_parser.upgrade && !m_rejected) {
        // Everything after the upgrade request's head belongs to the new protocol.
        m_upgrading = true;
        m_afterUpgrade.append(data.mid(qsizetype(parsed)));
        processNext();
        return;
    }
    if (m_rejected)
        return;
    const auto error = HTTP_PARSER_ERRNO(&m_parser);
    if (error != HPE_OK || (parsed != size_t(data.size()) && !m_parser.upgrade)) {
        if (error == HPE_CB_url || error == HPE_CB_header_field || error == HPE_CB_header_value ||
            error == HPE_HEADER_OVERFLOW)
            rejectAndClose(431, "RequestHeaderFieldsTooLarge",
                           "the request headers are larger than the limit of " +
                               std::to_string(m_limits.maxHeaderBytes) + " bytes");
        else
            rejectAndClose(400, "BadRequest",
                           std::string("malformed HTTP request: ") + http_errno_description(error));
        return;
    }
    processNext();
}

void HttpConnection::processNext()
{
    if (m_inFlight || m_queue.empty() || m_closing)
        return;
    Pending next = std::move(m_queue.front());
    m_queue.pop_front();
    m_keepAliveInFlight = next.keepAlive && !next.request.webSocket;
    m_webSocketKeyInFlight = next.webSocketKey;
    m_inFlight = std::make_shared<Sink>(this);
    api::SinkPtr sink = m_inFlight;
    m_handler(next.request, next.authorization, sink);
}

void HttpConnection::responseDone()
{
    m_inFlight.reset();
    if (!m_keepAliveInFlight) {
        m_closing = true;
        m_socket->disconnectFromHost();
        return;
    }
    // The next request may already be parsed; answer it after this call unwinds.
    if (!m_queue.empty())
        QMetaObject::invokeMethod(this, &HttpConnection::processNext, Qt::QueuedConnection);
}

// Kubernetes' words for a body over the limit (apiserver handlers/rest.go, limitedReadBody).
std::string HttpConnection::bodyTooLargeMessage() const
{
    return "Request entity too large: limit is " + std::to_string(m_limits.maxBodyBytes);
}

void HttpConnection::rejectAndClose(int status, const std::string &reason, const std::string &message)
{
    m_rejected = true;
    m_closing = true;
    const cd::Json body = {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", cd::Json::object()},
                            {"status", "Failure"}, {"message", message}, {"reason", reason}, {"code", status}};
    api::ApiResponse response;
    response.status = status;
    response.body = cd::dump(body);
    writeResponse(response);
    if (status != 413) {
        m_socket->disconnectFromHost();
        return;
    }
    // The client is still sending the body it announced. Closing now, with its bytes unread,
    // makes the kernel answer with a reset that can destroy the response before the client
    // reads it. So keep reading and discarding (readIncoming) until the client, having read the
    // "Connection: close" answer, hangs up, or for a bounded time: Go's server lingers likewise.
    QTimer::singleShot(kDrainTimeoutMs, this, [this] { m_socket->disconnectFromHost(); });
}

api::ChannelPtr HttpConnection::upgradeToWebSocket(const std::string &protocol)
{
    if (!m_upgrading || m_webSocketKeyInFlight.empty())
        return nullptr;
    std::string head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    head += "Sec-WebSocket-Accept: " + websocket::acceptKey(m_webSocketKeyInFlight).toStdString() + "\r\n";
    if (!protocol.empty())
        head += "Sec-WebSocket-Protocol: " + protocol + "\r\n";
    head += "\r\n";
    m_socket->write(head.data(), qint64(head.size()));
    m_inFlight.reset();
    m_webSocket = std::make_shared<WebSocketChannel>(this);
    m_frames = std::make_unique<websocket::FrameReader>();
    const QByteArray early = std::exchange(m_afterUpgrade, QByteArray());
    if (!early.isEmpty())
        QMetaObject::invokeMethod(this, [this, early] { readWebSocket(early); }, Qt::QueuedConnection);
    return m_webSocket;
}

void HttpConnection::readWebSocket(const QByteArray &data)
{
    if (!m_webSocket)
        return;
    std::shared_ptr<WebSocketChannel> channel = m_webSocket;  // callbacks may close it
    for (const websocket::Message &message : m_frames->feed(data)) {
        if (channel->isClosed())
            return;
        switch (message.opcode) {
        case websocket::Ping:
            m_socket->write(websocket::frame(websocket::Pong, message.payload));
            break;
        case websocket::Pong:
            break;
        case websocket::Close: {
            // Echo the code, then the connection ends.
            m_socket->write(websocket::frame(websocket::Close, message.payload.left(2)));
            m_socket->flush();
            m_closing = true;
            channel->gone();
            m_socket->disconnectFromHost();
            return;
        }
        default:
            channel->received(message);
        }
    }
    if (!m_frames->error().empty())
        channel->close(1002, QByteArray::fromStdString(m_frames->error()));
}

void HttpConnection::onDisconnected()
{
    m_closing = true;
    if (m_webSocket)
        m_webSocket->gone();
    if (m_inFlight) {
        m_inFlight->close();
        m_inFlight.reset();
    }
    Q_EMIT closed();
    deleteLater();
}

void HttpConnection::writeResponse(const api::ApiResponse &response)
{
    std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + reasonPhrase(response.status) + "\r\n";
    head += "Content-Type: " + response.contentType + "\r\n";
    head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    head += "Cache-Control: no-cache, private\r\n";
    for (const std::string &warning : response.warnings)
        head += "Warning: 299 - " + cd::dump(cd::Json(warning)) + "\r\n";
    if (!m_keepAliveInFlight || m_rejected)
        head += "Connection: close\r\n";
    head += "\r\n";
    head += response.body;
    m_socket->write(head.data(), qint64(head.size()));
}

void HttpConnection::writeStreamStart(int status, const std::string &contentType)
{
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) + "\r\n";
    head += "Content-Type: " + contentType + "\r\n";
    head += "Transfer-Encoding: chunked\r\n";
    head += "Cache-Control: no-cache, private\r\n\r\n";
    m_socket->write(head.data(), qint64(head.size()));
    m_socket->flush();
}

void HttpConnection::writeChunk(const std::string &chunk)
{
    char size[32];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    std::string frame;
    frame.reserve(chunk.size() + n + 2);
    frame.append(size, n);
    frame += chunk;
    frame += "\r\n";
    m_socket->write(frame.data(), qint64(frame.size()));
}

void HttpConnection::writeStreamEnd()
{
    static const char terminal[] = "0\r\n\r\n";
    m_socket->write(terminal, sizeof terminal - 1);
}

} // namespace cd::server
