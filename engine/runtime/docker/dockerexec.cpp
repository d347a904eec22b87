#include "engine/runtime/docker/dockerexec.h"

#include "engine/runtime/docker/dockerclient.h"

#include <QTimer>

#include <utility>

namespace cd::runtime::docker {

Result<std::unique_ptr<DockerExecSession>> DockerExecSession::start(DockerClient *client, const std::string &containerId,
                                                                    const ExecSpec &spec)
{
    if (spec.command.empty())
        return Error::badRequest("exec: no command");
    const Json body = {{"AttachStdin", spec.stdin}, {"AttachStdout", true}, {"AttachStderr", true},
                       {"Tty", spec.tty},           {"Cmd", spec.command}};
    CD_TRY(Json created, client->call("POST", "/containers/" + containerId + "/exec", body, std::chrono::seconds(10)));
    const std::string id = str(created, {"Id"});
    if (id.empty())
        return Error::internal("exec: the container engine named no exec id");
    Target target{"/exec/" + id + "/start", Json{{"Detach", false}, {"Tty", spec.tty}}, "/exec/" + id + "/resize", id};
    std::unique_ptr<DockerExecSession> session(new DockerExecSession(client, std::move(target), spec.tty));
    QTimer::singleShot(0, session.get(), [s = session.get()] { s->begin(); });
    return session;
}

std::unique_ptr<DockerExecSession> DockerExecSession::attach(DockerClient *client, const std::string &containerId,
                                                             const AttachSpec &spec, bool tty)
{
    Target target{"/containers/" + containerId + "/attach?stream=1&stdout=1&stderr=1&stdin=" + (spec.stdin ? "1" : "0"),
                  Json(), "/containers/" + containerId + "/resize", {}};
    std::unique_ptr<DockerExecSession> session(new DockerExecSession(client, std::move(target), tty));
    QTimer::singleShot(0, session.get(), [s = session.get()] { s->begin(); });
    return session;
}

DockerExecSession::DockerExecSession(DockerClient *client, Target target, bool tty)
    : m_client(client), m_target(std::move(target)), m_tty(tty)
{
}

DockerExecSession::~DockerExecSession()
{
    if (m_stream) {
        m_stream->abort();
        m_stream->deleteLater();
    }
}

void DockerExecSession::begin()
{
    if (!m_client)
        return finish("the container engine client is gone");
    m_stream = m_client->stream(
        "POST", m_target.startPath, m_target.startBody,
        [this](const QByteArray &data) {
            if (m_tty) {
                Q_EMIT output(1, data);
                return;
            }
            m_frames.feed(data, [this](int stream, const QByteArray &payload) { Q_EMIT output(stream == 2 ? 2 : 1, payload); });
        },
        [this](Status ended) {
            m_stream = nullptr;
            finish(ended.ok() ? std::string() : ended.error().message);
        },
        true);
    if (!m_pendingInput.isEmpty())
        m_stream->write(std::exchange(m_pendingInput, {}));
    if (m_closePending)
        m_stream->closeWrite();
}

void DockerExecSession::finish(const std::string &error)
{
    if (m_finished)
        return;
    m_finished = true;
    if (!error.empty() || !m_client) {
        Q_EMIT finished(126, QString::fromStdString(error.empty() ? "the container engine client is gone" : error));
        return;
    }
    if (m_target.execId.empty()) {
        Q_EMIT finished(0, {});  // an attach ends with the container, whose exit is its own status
        return;
    }
    m_client->callAsync("GET", "/exec/" + m_target.execId + "/json", Json(), std::chrono::seconds(10),
                        [self = QPointer<DockerExecSession>(this)](Result<Json> inspected) {
                            if (!self)
                                return;
                            if (!inspected.ok())
                                Q_EMIT self->finished(126, QString::fromStdString(inspected.error().message));
                            else
                                Q_EMIT self->finished(static_cast<int>(integer(*inspected, {"ExitCode"})), QString());
                        });
}

void DockerExecSession::writeStdin(const QByteArray &data)
{
    if (m_stream)
        m_stream->write(data);
    else if (!m_finished)
        m_pendingInput += data;  // before begin(): the stream takes it once it exists
}

void DockerExecSession::closeStdin()
{
    if (m_stream)
        m_stream->closeWrite();
    else
        m_closePending = true;
}

void DockerExecSession::resize(int columns, int rows)
{
    if (!m_client || !m_tty)
        return;
    if (m_resizing) {
        m_nextSize = {columns, rows};
        return;
    }
    m_resizing = true;
    m_client->callAsync("POST", m_target.resizePath + "?h=" + std::to_string(rows) + "&w=" + std::to_string(columns),
                        Json(), std::chrono::seconds(5), [self = QPointer<DockerExecSession>(this)](Result<Json>) {
                            if (!self)
                                return;
                            self->m_resizing = false;
                            if (const auto next = std::exchange(self->m_nextSize, std::nullopt))
                                self->resize(next->first, next->second);
                        });
}

void DockerExecSession::kill()
{
    if (m_stream) {
        m_stream->abort();
        m_stream->deleteLater();
        m_stream = nullptr;
    }
    finish("killed");
}

} // namespace cd::runtime::docker
