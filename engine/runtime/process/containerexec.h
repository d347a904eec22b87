#pragma once
// A command run inside a running process container (kubectl exec): it joins the container's
// namespaces (user, mount, pid, network, IPC, UTS) by its main process, starts in its working
// folder with its environment and the default container capabilities (never more than the
// container has), with pipes or a pseudo-terminal for its input and output.

#include "engine/runtime/runtime.h"

#include <QSocketNotifier>

#include <memory>

namespace cd::runtime::process {

struct ExecTarget {
    int containerPid = 0;        // the container's main process, as the host sees it
    std::string workingDir;      // inside the container ("/" when empty)
};

class ProcessExecSession : public ExecSession {
    Q_OBJECT
public:
    static Result<std::unique_ptr<ProcessExecSession>> start(const ExecTarget &target, const ExecSpec &spec);
    ~ProcessExecSession() override;

    void writeStdin(const QByteArray &data) override;
    void closeStdin() override;
    void resize(int columns, int rows) override;
    void kill() override;

private:
    ProcessExecSession() = default;
    void watch();
    void readOutput(int stream);
    void reap();

    int m_pid = 0;        // the helper that joined the namespaces and waits for the command
    int m_pidFd = -1;
    int m_stdin = -1;     // pipe or pty master
    int m_stdout = -1;
    int m_stderr = -1;
    bool m_tty = false;
    bool m_finished = false;
    std::unique_ptr<QSocketNotifier> m_outNotifier, m_errNotifier, m_exitNotifier;
};

} // namespace cd::runtime::process
