#pragma once
// kubectl exec on a container node: the Docker API's exec (POST /containers/{id}/exec, then
// /exec/{id}/start on a hijacked connection that carries the command's input and output), and
// its exit code from GET /exec/{id}/json once the stream ends.

#include "engine/runtime/docker/streamframes.h"
#include "engine/runtime/runtime.h"

#include <QPointer>

namespace cd::runtime::docker {

class DockerClient;
class UnixHttpExchange;

class DockerExecSession : public ExecSession {
public:
    // Creates the exec (blocking, short) and starts it on the event loop.
    static Result<std::unique_ptr<DockerExecSession>> start(DockerClient *client, const std::string &containerId,
                                                            const ExecSpec &spec);
    ~DockerExecSession() override;

    void writeStdin(const QByteArray &data) override;
    void closeStdin() override;
    void resize(int columns, int rows) override;
    void kill() override;

private:
    DockerExecSession(DockerClient *client, std::string execId, bool tty);
    void begin();
    void finish(const std::string &error);

    QPointer<DockerClient> m_client;
    std::string m_execId;
    bool m_tty = false;
    bool m_finished = false;
    QPointer<UnixHttpExchange> m_stream;
    FrameDemuxer m_frames;
    QByteArray m_pendingInput;  // written before the stream began
    bool m_closePending = false;
};

} // namespace cd::runtime::docker
