#pragma once
// One HTTP/1.1 connection: parses requests with http-parser, enforces the size limits, hands
// each request to the server's handler in order, and writes plain or chunked (streamed) responses.

#include "engine/api/request.h"
#include "engine/server/websocketframes.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>

#include <deque>
#include <functional>
#include <memory>

#include <http_parser.h>

namespace cd::server {

struct ConnectionLimits {
    qint64 maxBodyBytes = 3 * 1024 * 1024;
    qint64 maxHeaderBytes = 64 * 1024;
};

class HttpConnection : public QObject {
    Q_OBJECT
public:
    // authorization is the request's Authorization header, kept apart from the API request.
    using Handler = std::function<void(const api::ApiRequest &request, const std::string &authorization,
                                       const api::SinkPtr &sink)>;

    HttpConnection(QTcpSocket *socket, ConnectionLimits limits, Handler handler, QObject *parent = nullptr);
    ~HttpConnection() override;

    QTcpSocket *socket() const { return m_socket; }

Q_SIGNALS:
    void closed();

private:
    class Sink;
    friend class Sink;
    class WebSocketChannel;
    friend class WebSocketChannel;

    static int onMessageBegin(http_parser *parser);
    static int onUrl(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);

    void readIncoming();
    void finishHeader();
    void processNext();
    void rejectAndClose(int status, const std::string &reason, const std::string &message);
    std::string bodyTooLargeMessage() const;
    void onDisconnected();

    // Called by the sink of the request in flight.
    void writeResponse(const api::ApiResponse &response);
    void writeStreamStart(int status, const std::string &contentType);
    void writeChunk(const std::string &chunk);
    void writeStreamEnd();
    void responseDone();
    // The request in flight becomes a WebSocket: 101, then frames both ways.
    api::ChannelPtr upgradeToWebSocket(const std::string &protocol);
    void readWebSocket(const QByteArray &data);

    QTcpSocket *m_socket;
    ConnectionLimits m_limits;
    Handler m_handler;
    http_parser m_parser;
    http_parser_settings m_settings;

    // The request being parsed.
    api::ApiRequest m_current;
    std::string m_url;
    std::string m_headerField;
    std::string m_headerValue;
    std::string m_authorization;
    std::string m_webSocketKey;
    bool m_lastWasValue = false;
    qint64 m_headerBytes = 0;
    bool m_keepAliveCurrent = true;
    bool m_rejected = false;
    static constexpr int kDrainTimeoutMs = 5000;  // how long a rejected body is drained

    struct Pending {
        api::ApiRequest request;
        std::string authorization;
        bool keepAlive = true;
        std::string webSocketKey;
    };
    std::deque<Pending> m_queue;
    std::shared_ptr<Sink> m_inFlight;
    bool m_keepAliveInFlight = true;
    bool m_closing = false;
    // After a request asked to upgrade, bytes are no longer HTTP: they wait here for the
    // handler's answer, then feed the WebSocket (or are dropped when it answered plainly).
    bool m_upgrading = false;
    QByteArray m_afterUpgrade;
    std::string m_webSocketKeyInFlight;
    std::shared_ptr<WebSocketChannel> m_webSocket;
    std::unique_ptr<websocket::FrameReader> m_frames;
};

} // namespace cd::server
