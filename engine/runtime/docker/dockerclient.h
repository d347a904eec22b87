#pragma once
// A client of the Docker Engine API on a unix socket (Docker's dockerd, or Podman's
// `podman system service`, which serves the same API). It negotiates the API version once
// (GET /version: the lower of the server's and the one this client speaks) and prefixes every
// path with it; answers >= 400 become Errors carrying the engine's own message.

#include "engine/core/json.h"
#include "engine/core/result.h"
#include "engine/runtime/docker/unixhttp.h"

#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <optional>

namespace cd::runtime::docker {

// What the engine says of itself.
struct EngineInfo {
    std::string product;     // "docker" or "podman"
    std::string version;     // "4.3.1"
    std::string apiVersion;  // the API version both speak: "1.41"
};

// "unix:///run/podman/podman.sock" or a plain path → the socket's path; other schemes (tcp://,
// ssh://) are refused: engines are reached on this machine only.
Result<QString> socketPathFromHost(const QString &host);
// The engine to use when none is named: $DOCKER_HOST, then /var/run/docker.sock, then Podman's
// sockets ($XDG_RUNTIME_DIR/podman/podman.sock, /run/podman/podman.sock); the first that exists.
QString defaultDockerHost();

class DockerClient : public QObject {
    Q_OBJECT
public:
    // The API version this client is written against (Docker 20.10, Podman 4).
    static constexpr const char *kApiVersion = "1.41";

    explicit DockerClient(QString socketPath, QObject *parent = nullptr);

    const QString &socketPath() const { return m_socketPath; }
    // GET /version; remembered after the first success.
    Result<EngineInfo> negotiate(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // The same on the event loop (health checks of an engine that did not answer yet).
    void negotiateAsync(std::chrono::milliseconds timeout, std::function<void(Result<EngineInfo>)> done);
    std::optional<EngineInfo> engine() const { return m_engine; }

    // Blocking: the answer's JSON (null for an empty body).
    Result<Json> call(const QByteArray &method, const std::string &path, const Json &body = Json(),
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // On the event loop; `done` is called once, on this object's thread.
    void callAsync(const QByteArray &method, const std::string &path, const Json &body,
                   std::chrono::milliseconds timeout, std::function<void(Result<Json>)> done);
    // A streamed answer (logs -f, exec output): the body goes to onBody as it comes, then onEnd
    // (with an error when the request failed or the answer is an error). The exchange is owned
    // by this client and deletes itself after onEnd; abort() it to stop earlier.
    UnixHttpExchange *stream(const QByteArray &method, const std::string &path, const Json &body,
                             std::function<void(const QByteArray &)> onBody, std::function<void(Status)> onEnd,
                             bool upgrade = false);

    // The versioned path ("/v1.41/containers/json"), negotiated or not.
    QByteArray versioned(const std::string &path) const;

private:
    Result<EngineInfo> acceptVersion(const HttpResponse &response);

    QString m_socketPath;
    std::optional<EngineInfo> m_engine;
};

// The error an answer >= 400 stands for: 404 NotFound, 409 Conflict, 400 BadRequest, else
// Internal; the message is the engine's ("no such image: ...").
Error engineError(const HttpResponse &response, const std::string &what);
// Percent-encodes a query value (filters, names).
std::string queryEncode(const std::string &value);

} // namespace cd::runtime::docker
