#pragma once
// kubectl exec and attach on a container node. Exec is the Docker API's exec (POST
// /containers/{id}/exec, then /exec/{id}/start on a hijacked connection that carries the
// command's input and output), with its exit code from GET /exec/{id}/json once the stream ends.
// Attach is POST /containers/{id}/attach on a hijacked connection: the container's own stdin
// (OpenStdin) and its output from the moment of attaching; it ends with the container.

#include "engine/core/json.h"
#include "engine/runtime/docker/streamframes.h"
#include "engine/runtime/runtime.h"

#include <QPointer>

#include <optional>
#include <utility>

namespace cd::runtime::docker {

class DockerClient;
class UnixHttpExchange;

class DockerExecSession : public ExecSession {
public:
    // Creates the exec (blocking, short) and starts it on the event loop.
    static Result<std::unique_ptr<DockerExecSession>> start(DockerClient *client, const std::string &containerId,
                                                            const ExecSpec &spec);
    // `tty`: the container has a terminal (Config.Tty), so its stream is not multiplexed.
    static std::unique_ptr<DockerExecSession> attach(DockerClient *client, const std::string &containerId,
                                                     const AttachSpec &spec, bool tty);
    ~DockerExecSession() override;

    void writeStdin(const QByteArray &data) override;
    void closeStdin() override;
    void resize(int columns, int rows) override;
    void kill() override;

private:
    // What the session streams from and how its terminal is resized: an exec or a container.
    struct Target {
        std::string startPath;  // POST on a hijacked connection
        Json startBody;
        std::string resizePath;  // + "?h=ROWS&w=COLUMNS"
        std::string execId;      // empty: attach, which has no exit code of its own
    };
    DockerExecSession(DockerClient *client, Target target, bool tty);
    void begin();
    void finish(const std::string &error);

    QPointer<DockerClient> m_client;
    Target m_target;
    bool m_tty = false;
    bool m_finished = false;
    QPointer<UnixHttpExchange> m_stream;
    FrameDemuxer m_frames;
    QByteArray m_pendingInput;  // written before the stream began
    bool m_closePending = false;
    // One resize at a time, the latest asked for next: kubectl attach asks for its size plus one,
    // then its size (to force a redraw), and two calls on two connections may land in any order.
    bool m_resizing = false;
    std::optional<std::pair<int, int>> m_nextSize;
};

} // namespace cd::runtime::docker
