#include "engine/runtime/docker/dockerclient.h"

#include <QFileInfo>
#include <QUrl>

namespace cd::runtime::docker {

Result<QString> socketPathFromHost(const QString &host)
{
    if (host.startsWith(QLatin1String("unix://")))
        return host.mid(7);
    if (host.startsWith(QLatin1Char('/')))
        return host;
    return Error::badRequest("the Docker host \"" + host.toStdString() +
                             "\" is not a unix socket (unix:///PATH): container engines are reached on this machine only");
}

QString defaultDockerHost()
{
    if (const QByteArray fromEnv = qgetenv("DOCKER_HOST"); !fromEnv.isEmpty())
        return QString::fromLocal8Bit(fromEnv);
    QStringList candidates = {QStringLiteral("/var/run/docker.sock")};
    if (const QByteArray runtimeDir = qgetenv("XDG_RUNTIME_DIR"); !runtimeDir.isEmpty())
        candidates << QString::fromLocal8Bit(runtimeDir) + QStringLiteral("/podman/podman.sock");
    candidates << QStringLiteral("/run/podman/podman.sock");
    for (const QString &path : candidates)
        if (QFileInfo::exists(path))
            return QStringLiteral("unix://") + path;
    return QStringLiteral("unix:///var/run/docker.sock");
}

DockerClient::DockerClient(QString socketPath, QObject *parent) : QObject(parent), m_socketPath(std::move(socketPath)) {}

QByteArray DockerClient::versioned(const std::string &path) const
{
    const std::string version = m_engine ? m_engine->apiVersion : kApiVersion;
    return QByteArray::fromStdString("/v" + version + path);
}

namespace {

// "1.41" < "1.9"? Compares numerically, part by part.
bool versionLess(const std::string &a, const std::string &b)
{
    const QStringList pa = QString::fromStdString(a).split('.'), pb = QString::fromStdString(b).split('.');
    for (int i = 0; i < std::max(pa.size(), pb.size()); ++i) {
        const int x = pa.value(i).toInt(), y = pb.value(i).toInt();
        if (x != y)
            return x < y;
    }
    return false;
}

Result<Json> jsonAnswer(const HttpResponse &response, const std::string &what)
{
    if (response.status >= 400)
        return engineError(response, what);
    if (response.body.trimmed().isEmpty())
        return Json();
    Json value = Json::parse(response.body.toStdString(), nullptr, false);
    if (value.is_discarded())
        return Error::internal(what + ": the engine's answer is not JSON");
    return value;
}

} // namespace

Error engineError(const HttpResponse &response, const std::string &what)
{
    std::string message;
    const Json body = Json::parse(response.body.toStdString(), nullptr, false);
    if (!body.is_discarded() && body.is_object())
        message = str(body, {"message"});
    if (message.empty())
        message = response.body.trimmed().left(300).toStdString();
    message = what + ": " + (message.empty() ? "HTTP " + std::to_string(response.status) : message);
    switch (response.status) {
    case 400: return Error::badRequest(message);
    case 404: return Error::notFound(message);
    case 409: return Error::conflict(message);
    default: return Error::internal(message);
    }
}

std::string queryEncode(const std::string &value)
{
    return QUrl::toPercentEncoding(QString::fromStdString(value)).toStdString();
}

Result<EngineInfo> DockerClient::negotiate(std::chrono::milliseconds timeout)
{
    if (m_engine)
        return *m_engine;
    HttpRequest request;
    request.target = "/version";
    CD_TRY(HttpResponse response, unixHttpRequest(m_socketPath, request, timeout));
    return acceptVersion(response);
}

void DockerClient::negotiateAsync(std::chrono::milliseconds timeout, std::function<void(Result<EngineInfo>)> done)
{
    if (m_engine)
        return done(*m_engine);
    HttpRequest request;
    request.target = "/version";
    auto *exchange = new UnixHttpExchange(m_socketPath, request, this);
    exchange->onFinished = [this, exchange, done = std::move(done)](Result<HttpResponse> response) {
        exchange->deleteLater();
        if (!response.ok())
            return done(response.error());
        done(acceptVersion(*response));
    };
    exchange->start(timeout);
}

// The engine's /version answer: who it is and the API version both sides speak.
Result<EngineInfo> DockerClient::acceptVersion(const HttpResponse &response)
{
    CD_TRY(Json version, jsonAnswer(response, "GET /version"));
    EngineInfo info;
    info.product = "docker";
    info.version = str(version, {"Version"});
    if (const Json *components = find(version, {"Components"}); components && components->is_array())
        for (const Json &component : *components)
            if (str(component, {"Name"}).find("Podman") != std::string::npos) {
                info.product = "podman";
                info.version = str(component, {"Version"}, info.version);
            }
    const std::string server = str(version, {"ApiVersion"});
    if (server.empty())
        return Error::internal("GET /version: the engine at " + m_socketPath.toStdString() + " names no API version");
    if (versionLess(server, "1.24"))
        return Error::badRequest("the engine at " + m_socketPath.toStdString() + " speaks API " + server +
                                 "; clusterdeck needs 1.24 or later");
    info.apiVersion = versionLess(server, kApiVersion) ? server : kApiVersion;
    m_engine = info;
    return info;
}

Result<Json> DockerClient::call(const QByteArray &method, const std::string &path, const Json &body,
                                std::chrono::milliseconds timeout)
{
    HttpRequest request;
    request.method = method;
    request.target = versioned(path);
    if (!body.is_null())
        request.body = QByteArray::fromStdString(body.dump());
    CD_TRY(HttpResponse response, unixHttpRequest(m_socketPath, request, timeout));
    return jsonAnswer(response, method.toStdString() + " " + path);
}

void DockerClient::callAsync(const QByteArray &method, const std::string &path, const Json &body,
                             std::chrono::milliseconds timeout, std::function<void(Result<Json>)> done)
{
    HttpRequest request;
    request.method = method;
    request.target = versioned(path);
    if (!body.is_null())
        request.body = QByteArray::fromStdString(body.dump());
    auto *exchange = new UnixHttpExchange(m_socketPath, request, this);
    const std::string what = method.toStdString() + " " + path;
    exchange->onFinished = [exchange, what, done = std::move(done)](Result<HttpResponse> response) {
        exchange->deleteLater();
        if (!response.ok())
            done(Error::internal(what + ": " + response.error().message));
        else
            done(jsonAnswer(*response, what));
    };
    exchange->start(timeout);
}

UnixHttpExchange *DockerClient::stream(const QByteArray &method, const std::string &path, const Json &body,
                                       std::function<void(const QByteArray &)> onBody,
                                       std::function<void(Status)> onEnd, bool upgrade)
{
    HttpRequest request;
    request.method = method;
    request.target = versioned(path);
    request.upgrade = upgrade;
    if (!body.is_null())
        request.body = QByteArray::fromStdString(body.dump());
    auto *exchange = new UnixHttpExchange(m_socketPath, request, this);
    const std::string what = method.toStdString() + " " + path;
    // An error answer's body is its message, not stream data.
    auto status = std::make_shared<int>(0);
    auto errorBody = std::make_shared<QByteArray>();
    exchange->onHeaders = [status](int code) { *status = code; };
    exchange->onBody = [status, errorBody, onBody](const QByteArray &data) {
        if (*status >= 400)
            errorBody->append(data);
        else if (onBody)
            onBody(data);
    };
    exchange->onFinished = [exchange, what, status, errorBody, onEnd = std::move(onEnd)](Result<HttpResponse> response) {
        exchange->deleteLater();
        if (!response.ok())
            return onEnd(Error::internal(what + ": " + response.error().message));
        if (*status >= 400)
            return onEnd(engineError(HttpResponse{*status, {}, *errorBody}, what));
        onEnd(Status());
    };
    exchange->start(std::chrono::milliseconds(0));
    return exchange;
}

} // namespace cd::runtime::docker
