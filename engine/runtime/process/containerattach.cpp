#include "engine/runtime/process/containerattach.h"

#include <QFile>
#include <QFileInfo>

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace cd::runtime::process {

ContainerAttachSession::ContainerAttachSession(QString fifo, QString resizeFifo, QString logPath,
                                               std::function<bool()> exited, QObject *parent)
    : ExecSession(parent),
      m_fifo(std::move(fifo)),
      m_resizeFifo(std::move(resizeFifo)),
      m_logPath(std::move(logPath)),
      m_exited(std::move(exited))
{
    m_offset = QFileInfo(m_logPath).size();
    connect(&m_timer, &QTimer::timeout, this, &ContainerAttachSession::poll);
    // A terminal echoes each key: its output is looked for more often.
    m_timer.start(m_resizeFifo.isEmpty() ? 50 : 15);
}

ContainerAttachSession::~ContainerAttachSession() { closeStdin(); }

void ContainerAttachSession::writeStdin(const QByteArray &data)
{
    if (m_done || m_fifo.isEmpty() || data.isEmpty())
        return;
    if (m_fd < 0) {
        // Non-blocking to open (the shim always has the reading end), then blocking writes.
        m_fd = ::open(QFile::encodeName(m_fifo).constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (m_fd < 0)
            return;
        ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) & ~O_NONBLOCK);
    }
    const char *p = data.constData();
    qsizetype left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(m_fd, p, size_t(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        left -= n;
    }
}

void ContainerAttachSession::resize(int columns, int rows)
{
    if (m_done || m_resizeFifo.isEmpty() || columns <= 0 || rows <= 0)
        return;
    // One short write (atomic on a FIFO); non-blocking, as the shim always has the reading end.
    const int fd = ::open(QFile::encodeName(m_resizeFifo).constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return;
    const QByteArray line = QByteArray::number(columns) + ' ' + QByteArray::number(rows) + '\n';
    (void)!::write(fd, line.constData(), size_t(line.size()));
    ::close(fd);
}

void ContainerAttachSession::closeStdin()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

void ContainerAttachSession::kill()
{
    m_done = true;
    m_timer.stop();
    closeStdin();
}

// New CRI log lines ("<time> <stream> <F|P> <text>") become output; a rotated log starts over.
void ContainerAttachSession::poll()
{
    if (m_done)
        return;
    const bool exited = m_exited && m_exited();
    QFile log(m_logPath);
    if (log.open(QIODevice::ReadOnly)) {
        if (log.size() < m_offset)
            m_offset = 0;
        log.seek(m_offset);
        const QByteArray bytes = log.readAll();
        m_offset += bytes.size();
        m_partialLine += bytes;
        qsizetype start = 0;
        for (qsizetype nl; (nl = m_partialLine.indexOf('\n', start)) >= 0; start = nl + 1) {
            const QByteArray line = m_partialLine.mid(start, nl - start);
            const qsizetype first = line.indexOf(' ');
            const qsizetype second = first < 0 ? -1 : line.indexOf(' ', first + 1);
            if (second < 0 || line.size() < second + 3)
                continue;
            const QByteArray stream = line.mid(first + 1, second - first - 1);
            const bool full = line[second + 1] == 'F';
            const QByteArray text = line.mid(second + 3) + (full ? "\n" : "");
            Q_EMIT output(stream == "stderr" ? 2 : 1, text);
        }
        m_partialLine.remove(0, start);
    }
    if (exited) {
        m_done = true;
        m_timer.stop();
        closeStdin();
        Q_EMIT finished(0, {});
    }
}

} // namespace cd::runtime::process
