#pragma once
// kubectl attach on the process runtime: the container's stdin is the FIFO its shim reads
// (--stdin-fifo), and its output is what the shim writes to the container's CRI log, followed
// from where it stands when the client attaches (as the kubelet streams a container's output from
// the moment of attaching). A container with a terminal (tty: true) also has the FIFO by which the
// shim sets the terminal's size (--tty); its output comes as it is shown, prompts included. The
// session finishes when the container has exited; kill() detaches.

#include "engine/runtime/runtime.h"

#include <QTimer>

#include <functional>

namespace cd::runtime::process {

class ContainerAttachSession : public ExecSession {
    Q_OBJECT
public:
    // `fifo` empty: the container has no stdin to write to; `resizeFifo` empty: it has no
    // terminal. `exited` says whether it has ended.
    ContainerAttachSession(QString fifo, QString resizeFifo, QString logPath, std::function<bool()> exited,
                           QObject *parent = nullptr);
    ~ContainerAttachSession() override;

    void writeStdin(const QByteArray &data) override;
    void closeStdin() override;
    void resize(int columns, int rows) override;
    void kill() override;

private:
    void poll();

    QString m_fifo;
    QString m_resizeFifo;
    QString m_logPath;
    std::function<bool()> m_exited;
    qint64 m_offset = 0;
    QByteArray m_partialLine;
    int m_fd = -1;
    bool m_done = false;
    QTimer m_timer;
};

} // namespace cd::runtime::process
