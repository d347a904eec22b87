// The handlers' runs, worded as the kubelet's probers word them (pkg/probe/exec, http, tcp,
// v1.32): an exec failure shows the command's output; HTTP, "HTTP probe failed with statuscode:
// 500" or Go's dial error; TCP, Go's dial error.
#include "engine/node/probeaction.h"

#include <QPointer>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTimer>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cd::node {

void ActionRun::finish(ActionResult result)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_done)
        m_done(result); // may delete this
}

void ActionRun::finishLater(ActionResult result)
{
    QPointer<ActionRun> self(this);
    QTimer::singleShot(0, this, [self, result]() {
        if (self)
            self->finish(result);
    });
}

HandlerKind handlerKind(const Json &handler)
{
    if (has(handler, {"exec"}))
        return HandlerKind::Exec;
    if (has(handler, {"httpGet"}))
        return HandlerKind::HttpGet;
    if (has(handler, {"tcpSocket"}))
        return HandlerKind::TcpSocket;
    if (has(handler, {"grpc"}))
        return HandlerKind::Grpc;
    if (has(handler, {"sleep"}))
        return HandlerKind::Sleep;
    return HandlerKind::None;
}

int resolvePort(const Json &port, const Json &containerSpec)
{
    if (port.is_number_integer())
        return static_cast<int>(port.get<long long>());
    if (!port.is_string())
        return 0;
    const std::string name = port.get<std::string>();
    if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::atoi(name.c_str());
    if (const Json *ports = find(containerSpec, {"ports"}); ports && ports->is_array())
        for (const Json &p : *ports)
            if (str(p, {"name"}) == name)
                return static_cast<int>(integer(p, {"containerPort"}));
    return 0;
}

namespace {

constexpr int kMaxOutput = 10 * 1024; // the kubelet keeps 10 KiB of a probe's output

ActionResult failure(std::string output)
{
    return {ActionResult::Outcome::Failure, std::move(output), 0};
}
ActionResult error(std::string output)
{
    return {ActionResult::Outcome::Error, std::move(output), 0};
}

// An error of Go's net package: "connection refused" (strerror without its capital).
std::string goErrno(int code)
{
    std::string text = std::strerror(code);
    if (!text.empty())
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

class ExecRun : public ActionRun {
public:
    ExecRun(std::unique_ptr<runtime::ExecSession> session, std::string command, int timeoutMs, Done done)
        : ActionRun(std::move(done)), m_session(std::move(session)), m_command(std::move(command))
    {
        connect(m_session.get(), &runtime::ExecSession::output, this, [this](int, const QByteArray &data) {
            if (m_output.size() < kMaxOutput)
                m_output += data.left(kMaxOutput - m_output.size());
        });
        connect(m_session.get(), &runtime::ExecSession::finished, this, [this](int exitCode, const QString &why) {
            m_running = false;
            if (exitCode == 0)
                return finish({ActionResult::Outcome::Success, m_output.toStdString(), 0});
            std::string output = m_output.toStdString();
            if (output.empty() && !why.isEmpty())
                output = why.toStdString();
            finish({ActionResult::Outcome::Failure, output, exitCode});
        });
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, [this]() {
            if (m_running)
                m_session->kill();
            m_running = false;
            finish(failure("command \"" + m_command + "\" timed out"));
        });
        m_timer.start(timeoutMs);
    }
    ~ExecRun() override
    {
        if (m_running)
            m_session->kill();
    }

private:
    std::unique_ptr<runtime::ExecSession> m_session;
    std::string m_command;
    QByteArray m_output;
    QTimer m_timer;
    bool m_running = true;
};

// A TCP connection from the pod's namespace; for httpGet, then one request and its status line.
class SocketRun : public ActionRun {
public:
    struct Http {
        std::string url; // for messages: http://host:port/path
        QByteArray request;
        bool anyStatus = false;
    };

    SocketRun(int fd, const std::string &host, int port, std::optional<Http> http, int timeoutMs, Done done)
        : ActionRun(std::move(done)), m_fd(fd), m_address(host + ":" + std::to_string(port)), m_http(std::move(http))
    {
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, [this]() {
            if (m_http)
                return finish(
                    failure("Get \"" + m_http->url +
                            "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"));
            finish(failure("dial tcp " + m_address + ": i/o timeout"));
        });
        m_timer.start(timeoutMs);

        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        ::inet_pton(AF_INET, host.c_str(), &address.sin_addr);
        ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
        if (::connect(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0)
            QTimer::singleShot(0, this, [this]() { connected(0); });
        else if (errno == EINPROGRESS) {
            m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Write);
            connect(m_notifier.get(), &QSocketNotifier::activated, this, [this]() {
                m_notifier->setEnabled(false);
                int code = 0;
                socklen_t length = sizeof code;
                ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &code, &length);
                connected(code);
            });
        } else {
            const int code = errno;
            QTimer::singleShot(0, this, [this, code]() { connected(code); });
        }
    }
    ~SocketRun() override
    {
        m_notifier.reset();
        if (m_socket)
            m_socket->abort();
        else if (m_fd >= 0)
            ::close(m_fd);
    }

private:
    void connected(int code)
    {
        if (code != 0) {
            const std::string dial = "dial tcp " + m_address + ": connect: " + goErrno(code);
            return finish(failure(m_http ? "Get \"" + m_http->url + "\": " + dial : dial));
        }
        if (!m_http)
            return finish({ActionResult::Outcome::Success, {}, 0});
        m_notifier.reset();
        m_socket = new QTcpSocket(this);
        if (!m_socket->setSocketDescriptor(m_fd, QAbstractSocket::ConnectedState)) {
            return finish(error("Get \"" + m_http->url + "\": " + m_socket->errorString().toStdString()));
        }
        m_fd = -1; // the socket's now
        connect(m_socket, &QTcpSocket::readyRead, this, [this]() { readResponse(); });
        connect(m_socket, &QTcpSocket::disconnected, this, [this]() {
            readResponse();
            finish(failure("Get \"" + m_http->url + "\": EOF"));
        });
        m_socket->write(m_http->request);
    }

    void readResponse()
    {
        if (!m_socket->isOpen())
            return;
        m_response += m_socket->readAll();
        const qsizetype end = m_response.indexOf("\r\n");
        if (end < 0) {
            if (m_response.size() > 8192)
                finish(failure("Get \"" + m_http->url + "\": malformed HTTP response"));
            return;
        }
        // "HTTP/1.1 200 OK"
        const QList<QByteArray> parts = m_response.left(end).split(' ');
        bool number = false;
        const int status = parts.size() >= 2 ? parts[1].toInt(&number) : 0;
        if (!parts.value(0).startsWith("HTTP/") || !number)
            return finish(failure("Get \"" + m_http->url + "\": malformed HTTP response \"" +
                                  m_response.left(std::min<qsizetype>(end, 80)).toStdString() + "\""));
        if (m_http->anyStatus || (status >= 200 && status < 400))
            return finish({ActionResult::Outcome::Success, {}, status});
        finish(
            {ActionResult::Outcome::Failure, "HTTP probe failed with statuscode: " + std::to_string(status), status});
    }

    int m_fd = -1;
    std::string m_address;
    std::optional<Http> m_http;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QTcpSocket *m_socket = nullptr;
    QByteArray m_response;
    QTimer m_timer;
};

// A run that fails at once (a port that is not there, a socket that could not be made).
class FailedRun : public ActionRun {
public:
    FailedRun(ActionResult result, Done done) : ActionRun(std::move(done)) { finishLater(std::move(result)); }
};

bool isIpv4(const std::string &host)
{
    in_addr parsed{};
    return ::inet_pton(AF_INET, host.c_str(), &parsed) == 1;
}

Result<int> openSocket(const ActionTarget &target)
{
    if (target.openSocket)
        return target.openSocket();
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error::internal(std::string("socket: ") + std::strerror(errno));
    return fd;
}

} // namespace

Result<std::unique_ptr<ActionRun>> startAction(const Json &handler, const ActionTarget &target,
                                               const ActionOptions &options, ActionRun::Done done)
{
    const int timeoutMs = std::max(1, options.timeoutMs);
    switch (handlerKind(handler)) {
    case HandlerKind::Exec: {
        runtime::ExecSpec spec;
        std::string joined;
        if (const Json *command = find(handler, {"exec", "command"}); command && command->is_array())
            for (const Json &word : *command)
                if (word.is_string()) {
                    spec.command.push_back(word.get<std::string>());
                    joined += (joined.empty() ? "" : " ") + word.get<std::string>();
                }
        if (spec.command.empty())
            return Error::badRequest("exec: no command");
        auto session = target.runtime->exec(target.container, spec);
        if (!session.ok())
            return std::unique_ptr<ActionRun>(
                std::make_unique<FailedRun>(error(session.error().message), std::move(done)));
        return std::unique_ptr<ActionRun>(
            std::make_unique<ExecRun>(std::move(*session), joined, timeoutMs, std::move(done)));
    }
    case HandlerKind::HttpGet:
    case HandlerKind::TcpSocket: {
        const bool http = handlerKind(handler) == HandlerKind::HttpGet;
        const Json &action = handler[http ? "httpGet" : "tcpSocket"];
        const Json *portField = find(action, {"port"});
        const int port = portField ? resolvePort(*portField, target.containerSpec) : 0;
        if (port <= 0 || port > 65535) {
            const std::string name = portField && portField->is_string() ? portField->get<std::string>()
                                                                         : dump(portField ? *portField : Json());
            return std::unique_ptr<ActionRun>(
                std::make_unique<FailedRun>(error("couldn't find port: " + name), std::move(done)));
        }
        const std::string host = str(action, {"host"}, target.podIp);
        if (!isIpv4(host))
            return std::unique_ptr<ActionRun>(std::make_unique<FailedRun>(
                error("host \"" + host + "\": only IPv4 addresses are supported as a probe's host"), std::move(done)));
        std::optional<SocketRun::Http> request;
        if (http) {
            if (str(action, {"scheme"}, "HTTP") != "HTTP")
                return std::unique_ptr<ActionRun>(std::make_unique<FailedRun>(
                    error("scheme " + str(action, {"scheme"}) + " is not supported yet: only HTTP"), std::move(done)));
            std::string path = str(action, {"path"}, "/");
            if (path.empty() || path[0] != '/')
                path = "/" + path;
            const std::string hostPort = host + ":" + std::to_string(port);
            request = SocketRun::Http{"http://" + hostPort + path, {}, options.anyHttpStatus};
            // The kubelet's headers, each replaced by an httpHeaders entry of the same name.
            std::vector<std::pair<std::string, std::string>> headers = {
                {"Host", hostPort}, {"User-Agent", "kube-probe/1.32"}, {"Accept", "*/*"}};
            if (const Json *extra = find(action, {"httpHeaders"}); extra && extra->is_array())
                for (const Json &h : *extra) {
                    const std::string name = str(h, {"name"});
                    const auto same = std::find_if(headers.begin(), headers.end(), [&](const auto &e) {
                        return QByteArray::fromStdString(e.first).toLower() ==
                               QByteArray::fromStdString(name).toLower();
                    });
                    if (same != headers.end())
                        same->second = str(h, {"value"});
                    else
                        headers.emplace_back(name, str(h, {"value"}));
                }
            std::string text = "GET " + path + " HTTP/1.1\r\n";
            for (const auto &[name, value] : headers)
                text += name + ": " + value + "\r\n";
            text += "Connection: close\r\n\r\n";
            request->request = QByteArray::fromStdString(text);
        }
        auto fd = openSocket(target);
        if (!fd.ok())
            return std::unique_ptr<ActionRun>(std::make_unique<FailedRun>(error(fd.error().message), std::move(done)));
        return std::unique_ptr<ActionRun>(
            std::make_unique<SocketRun>(*fd, host, port, std::move(request), timeoutMs, std::move(done)));
    }
    case HandlerKind::Grpc: return Error::badRequest("gRPC probes are not supported by the clusterdeck node agent");
    case HandlerKind::Sleep: return Error::badRequest("a sleep handler runs no action");
    case HandlerKind::None: break;
    }
    return Error::badRequest("the handler has no exec, httpGet or tcpSocket action");
}

} // namespace cd::node
