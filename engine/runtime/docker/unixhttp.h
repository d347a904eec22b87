#pragma once
// HTTP/1.1 over a unix socket, as the Docker Engine API (and Podman's compatible service) speak
// it: one request per connection, the answer parsed by http_parser (chunked bodies decoded,
// close-delimited ones read to the end). Two ways to ask: unixHttpRequest() waits for the answer
// (short calls: version, image look-ups, inspect); UnixHttpExchange delivers it on the event
// loop, the body piece by piece when it streams (logs -f, exec output).

#include "engine/core/result.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

class QLocalSocket;
class QTimer;

namespace cd::runtime::docker {

struct HttpRequest {
    QByteArray method = "GET";
    QByteArray target;  // "/v1.41/containers/json?all=1"
    QByteArray body;    // sent as application/json when not empty
    // Asks the server to hand the connection over (Docker's hijacked streams: attach, exec).
    bool upgrade = false;
};

struct HttpResponse {
    int status = 0;
    QByteArray contentType;
    QByteArray body;
};

// Feeds bytes to http_parser and says what it found; the body goes to onBody as it comes.
class ResponseParser {
public:
    ResponseParser();
    ~ResponseParser();
    ResponseParser(const ResponseParser &) = delete;
    ResponseParser &operator=(const ResponseParser &) = delete;

    std::function<void(int status)> onHeaders;
    std::function<void(const char *data, size_t size)> onBody;

    // False when the bytes are not HTTP (error() says why).
    bool feed(const char *data, size_t size);
    // The connection closed: ends a close-delimited body.
    bool finish();
    bool complete() const { return m_complete; }
    int status() const { return m_status; }
    const QByteArray &contentType() const { return m_contentType; }
    const std::string &error() const { return m_error; }

private:
    struct Impl;
    std::unique_ptr<Impl> d;
    bool m_complete = false;
    bool m_upgraded = false;
    int m_status = 0;
    QByteArray m_contentType;
    std::string m_error;
};

QByteArray serializeRequest(const HttpRequest &request);

// Asks and waits (blocking the calling thread for at most `timeout`).
Result<HttpResponse> unixHttpRequest(const QString &socketPath, const HttpRequest &request,
                                     std::chrono::milliseconds timeout);

// One request answered on the event loop. Deletes nothing by itself: the owner deletes it once
// finished (deleteLater from onFinished is fine).
class UnixHttpExchange : public QObject {
    Q_OBJECT
public:
    UnixHttpExchange(QString socketPath, HttpRequest request, QObject *parent = nullptr);
    ~UnixHttpExchange() override;

    // With a body handler the body is not collected: it goes there as it arrives.
    std::function<void(int status)> onHeaders;
    std::function<void(const QByteArray &data)> onBody;
    // Exactly once: the whole answer, or why there is none (connection refused, timeout, not HTTP).
    std::function<void(Result<HttpResponse>)> onFinished;

    // Zero: no time limit (streams that follow a container).
    void start(std::chrono::milliseconds timeout);
    // Writes on the connection once the answer's headers came (a hijacked stream's input);
    // kept until then.
    void write(const QByteArray &data);
    // Ends what is written (shutdown SHUT_WR after the buffered bytes): a hijacked stream's
    // command sees the end of its input.
    void closeWrite();
    // Ends the request without calling onFinished.
    void abort();

private:
    void onReadyRead();
    void fail(const std::string &message);
    void complete();

    QString m_socketPath;
    HttpRequest m_request;
    QLocalSocket *m_socket = nullptr;
    QTimer *m_timer = nullptr;
    ResponseParser m_parser;
    HttpResponse m_response;
    bool m_done = false;
    bool m_headersSeen = false;
    QByteArray m_queued;        // input written before the headers came
    bool m_closeQueued = false;
};

} // namespace cd::runtime::docker
