#pragma once
// kubectl attach on the process runtime: the container's stdin is the FIFO its shim reads
// (--stdin-fifo), and its output is what the shim writes to the container's CRI log, followed
// from where it stands when the client attaches (as the kubelet streams a container's output from
// the moment of attaching). The session finishes when the container has exited; kill() detaches.

#include "engine/runtime/runtime.h"

#include <QTimer>

#include <functional>

namespace cd::runtime::process {

class ContainerAttachSession : public ExecSession {
    Q_OBJECT
public:
    // `fifo` empty: the container has no stdin to write to. `exited` says whether it has ended.
    ContainerAttachSession(QString fifo, QString logPath, std::function<bool()> exited, QObject *parent = nullptr);
    ~ContainerAttachSession() override;

    void writeStdin(const QByteArray &data) override;
    void closeStdin() override;
    void resize(int, int) override {}
    void kill() override;

private:
    void poll();

    QString m_fifo;
    QString m_logPath;
    std::function<bool()> m_exited;
    qint64 m_offset = 0;
    QByteArray m_partialLine;
    int m_fd = -1;
    bool m_done = false;
    QTimer m_timer;
};

} // namespace cd::runtime::process
