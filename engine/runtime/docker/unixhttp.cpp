#include "engine/runtime/docker/unixhttp.h"

#include <QLocalSocket>
#include <QTimer>

#include <http_parser.h>

#include <cerrno>
#include <utility>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace cd::runtime::docker {

struct ResponseParser::Impl {
    http_parser parser{};
    http_parser_settings settings{};
    ResponseParser *owner = nullptr;
    QByteArray headerField;
    bool inContentType = false;
};

ResponseParser::ResponseParser() : d(std::make_unique<Impl>())
{
    d->owner = this;
    http_parser_init(&d->parser, HTTP_RESPONSE);
    d->parser.data = d.get();
    http_parser_settings_init(&d->settings);
    d->settings.on_header_field = [](http_parser *p, const char *at, size_t length) {
        auto *impl = static_cast<Impl *>(p->data);
        impl->headerField = QByteArray(at, qsizetype(length)).toLower();
        impl->inContentType = impl->headerField == "content-type";
        return 0;
    };
    d->settings.on_header_value = [](http_parser *p, const char *at, size_t length) {
        auto *impl = static_cast<Impl *>(p->data);
        if (impl->inContentType)
            impl->owner->m_contentType.append(at, qsizetype(length));
        return 0;
    };
    d->settings.on_headers_complete = [](http_parser *p) {
        auto *impl = static_cast<Impl *>(p->data);
        impl->owner->m_status = int(p->status_code);
        if (impl->owner->onHeaders)
            impl->owner->onHeaders(impl->owner->m_status);
        return 0;
    };
    d->settings.on_body = [](http_parser *p, const char *at, size_t length) {
        auto *impl = static_cast<Impl *>(p->data);
        if (impl->owner->onBody)
            impl->owner->onBody(at, length);
        return 0;
    };
    d->settings.on_message_complete = [](http_parser *p) {
        auto *impl = static_cast<Impl *>(p->data);
        if (!p->upgrade)
            impl->owner->m_complete = true;
        return 0;
    };
}

ResponseParser::~ResponseParser() = default;

bool ResponseParser::feed(const char *data, size_t size)
{
    if (m_upgraded) {
        // A hijacked connection carries the stream itself, no more HTTP.
        if (onBody && size)
            onBody(data, size);
        return true;
    }
    const size_t parsed = http_parser_execute(&d->parser, &d->settings, data, size);
    if (d->parser.upgrade) {
        m_upgraded = true;
        if (onBody && parsed < size)
            onBody(data + parsed, size - parsed);
        return true;
    }
    if (HTTP_PARSER_ERRNO(&d->parser) != HPE_OK) {
        m_error = std::string("malformed HTTP answer: ") + http_errno_description(HTTP_PARSER_ERRNO(&d->parser));
        return false;
    }
    return true;
}

bool ResponseParser::finish()
{
    if (m_upgraded) {
        m_complete = true;
        return true;
    }
    if (m_complete)
        return true;
    http_parser_execute(&d->parser, &d->settings, nullptr, 0);
    if (!m_complete && m_error.empty())
        m_error = m_status ? "the connection closed in the middle of the answer" : "the connection closed without an answer";
    return m_complete;
}

QByteArray serializeRequest(const HttpRequest &request)
{
    QByteArray text = request.method + ' ' + request.target + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: clusterdeck\r\n";
    if (!request.body.isEmpty() || request.method == "POST")
        text += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(request.body.size()) + "\r\n";
    text += request.upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "Connection: close\r\n";
    text += "\r\n";
    text += request.body;
    return text;
}

namespace {

class Fd {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

std::string systemError(const std::string &what) { return what + ": " + std::strerror(errno); }

} // namespace

Result<HttpResponse> unixHttpRequest(const QString &socketPath, const HttpRequest &request,
                                     std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto remainingMs = [deadline] {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        return int(std::max<long long>(0, left.count()));
    };
    const QByteArray path = socketPath.toLocal8Bit();
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (size_t(path.size()) >= sizeof address.sun_path)
        return Error::badRequest("socket path too long: " + path.toStdString());
    std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0)
        return Error::internal(systemError("socket"));
    if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        return Error::internal(systemError("cannot connect to " + path.toStdString()));
    const QByteArray out = serializeRequest(request);
    qsizetype written = 0;
    while (written < out.size()) {
        const ssize_t n = ::send(fd.get(), out.constData() + written, size_t(out.size() - written), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error::internal(systemError("cannot write to " + path.toStdString()));
        written += n;
    }
    HttpResponse response;
    ResponseParser parser;
    parser.onBody = [&response](const char *data, size_t size) { response.body.append(data, qsizetype(size)); };
    char buffer[16384];
    while (!parser.complete()) {
        pollfd pfd{fd.get(), POLLIN, 0};
        const int ready = ::poll(&pfd, 1, remainingMs());
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0)
            return Error::internal("no answer from " + path.toStdString() + " within " +
                                   std::to_string(timeout.count()) + " ms (" + request.method.toStdString() + " " +
                                   request.target.toStdString() + ")");
        const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error::internal(systemError("cannot read from " + path.toStdString()));
        if (n == 0) {
            if (!parser.finish())
                return Error::internal(parser.error() + " (" + path.toStdString() + ")");
            break;
        }
        if (!parser.feed(buffer, size_t(n)))
            return Error::internal(parser.error());
    }
    response.status = parser.status();
    response.contentType = parser.contentType();
    return response;
}

UnixHttpExchange::UnixHttpExchange(QString socketPath, HttpRequest request, QObject *parent)
    : QObject(parent), m_socketPath(std::move(socketPath)), m_request(std::move(request))
{
}

UnixHttpExchange::~UnixHttpExchange()
{
    m_done = true;
    if (m_socket)
        m_socket->abort();
}

void UnixHttpExchange::start(std::chrono::milliseconds timeout)
{
    m_parser.onHeaders = [this](int status) {
        m_response.status = status;
        m_headersSeen = true;
        if (!m_queued.isEmpty())
            m_socket->write(std::exchange(m_queued, {}));
        if (m_closeQueued)
            QTimer::singleShot(0, this, &UnixHttpExchange::closeWrite);
        if (onHeaders)
            onHeaders(status);
    };
    m_parser.onBody = [this](const char *data, size_t size) {
        if (onBody)
            onBody(QByteArray(data, qsizetype(size)));
        else
            m_response.body.append(data, qsizetype(size));
    };
    m_socket = new QLocalSocket(this);
    connect(m_socket, &QLocalSocket::connected, this,
            [this] { m_socket->write(serializeRequest(m_request)); });
    connect(m_socket, &QLocalSocket::readyRead, this, &UnixHttpExchange::onReadyRead);
    connect(m_socket, &QLocalSocket::disconnected, this, [this] {
        onReadyRead();
        if (m_done)
            return;
        if (m_parser.finish())
            complete();
        else
            fail(m_parser.error());
    });
    connect(m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError error) {
        if (error == QLocalSocket::PeerClosedError)
            return;  // disconnected() ends the answer
        fail("cannot reach " + m_socketPath.toStdString() + ": " + m_socket->errorString().toStdString());
    });
    if (timeout.count() > 0) {
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        connect(m_timer, &QTimer::timeout, this, [this, timeout] {
            fail("no answer from " + m_socketPath.toStdString() + " within " + std::to_string(timeout.count()) +
                 " ms (" + m_request.method.toStdString() + " " + m_request.target.toStdString() + ")");
        });
        m_timer->start(timeout);
    }
    m_socket->connectToServer(m_socketPath);
}

void UnixHttpExchange::write(const QByteArray &data)
{
    if (!m_socket || m_done)
        return;
    if (m_headersSeen)
        m_socket->write(data);
    else
        m_queued += data;
}

void UnixHttpExchange::closeWrite()
{
    if (!m_socket || m_done)
        return;
    if (!m_headersSeen) {
        m_closeQueued = true;
        return;
    }
    while (m_socket->bytesToWrite() > 0 && m_socket->waitForBytesWritten(2000)) {
    }
    if (m_socket->socketDescriptor() >= 0)
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
}

void UnixHttpExchange::abort()
{
    m_done = true;
    if (m_timer)
        m_timer->stop();
    if (m_socket)
        m_socket->abort();
}

void UnixHttpExchange::onReadyRead()
{
    if (m_done || !m_socket)
        return;
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty())
        return;
    if (!m_parser.feed(data.constData(), size_t(data.size()))) {
        fail(m_parser.error());
        return;
    }
    if (m_parser.complete())
        complete();
}

void UnixHttpExchange::fail(const std::string &message)
{
    if (m_done)
        return;
    m_done = true;
    if (m_timer)
        m_timer->stop();
    if (m_socket)
        m_socket->abort();
    if (onFinished)
        onFinished(Error::internal(message));
}

void UnixHttpExchange::complete()
{
    if (m_done)
        return;
    m_done = true;
    if (m_timer)
        m_timer->stop();
    m_response.contentType = m_parser.contentType();
    if (m_socket)
        m_socket->abort();
    if (onFinished)
        onFinished(std::move(m_response));
}

} // namespace cd::runtime::docker
