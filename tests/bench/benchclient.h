#pragma once
// A small asynchronous HTTPS client for the benchmark tools: one keep-alive connection, one
// request at a time, responses parsed by http_parser (the parser the server uses), with
// steady-clock timestamps taken when bytes arrive, before any parsing. Streams (watch) hand
// each dechunked body piece to a callback together with the time its bytes were read.

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSslSocket>
#include <QString>
#include <QStringList>

#include <http_parser.h>

#include <chrono>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

inline double millisecondsBetween(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

// Where the API serves and how to authenticate: --server URL and --token-file PATH.
struct Endpoint {
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 0;
    bool tls = true;
    QByteArray token;
};

// Reads --server and --token-file from the arguments; an error message on failure.
std::optional<Endpoint> endpointFromArguments(const QStringList &arguments, QString *error);
// The value after `name` in the arguments, or fallback.
QString argumentValue(const QStringList &arguments, const QString &name, const QString &fallback = {});
QStringList argumentValues(const QStringList &arguments, const QString &name);

struct Response {
    int status = 0;
    QByteArray body;
    Clock::time_point sent;
    Clock::time_point firstByte;
    Clock::time_point completed;
};

struct Header {
    QByteArray name;
    QByteArray value;
};

class ClientConnection : public QObject {
    Q_OBJECT
public:
    using ResponseCallback = std::function<void(const Response &)>;
    // A piece of a streamed body and the time its bytes were read from the socket.
    using StreamCallback = std::function<void(const char *data, size_t size, Clock::time_point readAt)>;

    explicit ClientConnection(Endpoint endpoint, QObject *parent = nullptr);
    ~ClientConnection() override;

    // Connects (and completes the TLS handshake); emits ready() or failed().
    void open();
    bool isReady() const { return m_ready; }

    // Sends a request; `done` runs once the whole response is read. One request at a time.
    void request(const QByteArray &method, const QByteArray &path, const QByteArray &body = {},
                 const QList<Header> &headers = {}, ResponseCallback done = {});
    // Sends a GET whose response is a stream: `onHeaders` runs when the status line and headers
    // arrive (the server has registered the watch by then), `onData` for each body piece.
    void stream(const QByteArray &path, std::function<void(int status)> onHeaders, StreamCallback onData);

Q_SIGNALS:
    void ready();
    void failed(const QString &message);

private:
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);
    void readIncoming();

    Endpoint m_endpoint;
    QSslSocket *m_socket = nullptr;
    bool m_ready = false;
    http_parser m_parser;
    http_parser_settings m_settings;
    Response m_current;
    bool m_streaming = false;
    bool m_awaiting = false;
    Clock::time_point m_readAt;
    ResponseCallback m_done;
    std::function<void(int)> m_onHeaders;
    StreamCallback m_onData;
};

// p-th percentile (0..100) by the nearest-rank method; 0 for an empty list.
double percentile(std::vector<double> values, double p);
double median(std::vector<double> values);

} // namespace bench
