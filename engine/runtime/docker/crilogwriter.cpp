#include "engine/runtime/docker/crilogwriter.h"

#include "engine/core/clock.h"

#include <QDateTime>

namespace cd::runtime::docker {

namespace {
constexpr qsizetype kMaxLine = 16 * 1024;  // the kubelet's: longer lines go out in parts ("P")
}

CriLogWriter::CriLogWriter(const QString &path, std::string skipStamp, int skipFirst, long long maxBytes, int maxFiles)
    : m_file(path), m_maxBytes(maxBytes), m_maxFiles(maxFiles), m_skipStamp(std::move(skipStamp)), m_skip(skipFirst)
{
    open();
}

void CriLogWriter::open()
{
    if (m_file.open(QIODevice::WriteOnly | QIODevice::Append))
        m_size = m_file.size();
}

void CriLogWriter::feed(const QByteArray &data)
{
    const auto take = [this](int stream, const QByteArray &payload) {
        const int slot = stream == 2 ? 2 : 1;
        QByteArray &partial = m_partial[slot];
        partial.append(payload);
        qsizetype newline;
        while ((newline = partial.indexOf('\n')) >= 0) {
            writeLine(slot, partial.left(newline), true);
            partial.remove(0, newline + 1);
        }
        // The stamp leads the line: a part keeps its stamp, the rest of the line gets it again.
        while (partial.size() > kMaxLine) {
            const qsizetype space = partial.indexOf(' ');
            const QByteArray stamp = space > 0 && space < 64 ? partial.left(space + 1) : QByteArray();
            writeLine(slot, partial.left(kMaxLine), false);
            partial = stamp + partial.mid(kMaxLine);
        }
    };
    if (m_terminal)
        take(1, data);
    else
        m_frames.feed(data, take);
    m_file.flush();
}

void CriLogWriter::flush()
{
    for (int slot : {1, 2})
        if (!m_partial[slot].isEmpty()) {
            writeLine(slot, m_partial[slot], false);
            m_partial[slot].clear();
        }
    m_file.flush();
}

void CriLogWriter::writeLine(int stream, const QByteArray &line, bool complete)
{
    // "<time> <text>": the engine's stamp leads each line.
    const qsizetype space = line.indexOf(' ');
    QByteArray stamp = space > 0 ? line.left(space) : QByteArray();
    QByteArray text = space > 0 ? line.mid(space + 1) : line;
    if (stamp.isEmpty() || !stamp.contains('T')) {
        stamp = QByteArray::fromStdString(rfc3339Micro(Clock::current().now()));
        text = line;
    }
    if (m_skip > 0) {
        if (stamp.toStdString() == m_skipStamp) {
            --m_skip;
            return;
        }
        m_skip = 0;
    }
    if (!m_file.isOpen())
        return;
    for (qsizetype at = 0; at == 0 || at < text.size(); at += kMaxLine) {
        const bool last = at + kMaxLine >= text.size();
        const QByteArray record = stamp + (stream == 2 ? " stderr " : " stdout ") + (last && complete ? "F " : "P ") +
                                  text.mid(at, kMaxLine) + '\n';
        if (m_size > 0 && m_size + record.size() > m_maxBytes) {
            m_file.close();
            rotateLogFiles(m_file.fileName().toStdString(), m_maxFiles);
            open();
        }
        if (m_file.write(record) == record.size())
            m_size += record.size();
    }
}

LogResumePoint logResumePoint(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    if (file.size() > 65536)
        file.seek(file.size() - 65536);
    QList<QByteArray> lines = file.readAll().split('\n');
    LogResumePoint point;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        if (it->isEmpty())
            continue;
        const std::string stamp = it->left(it->indexOf(' ')).toStdString();
        if (point.stamp.empty())
            point.stamp = stamp;
        if (stamp != point.stamp)
            break;
        ++point.linesWithStamp;
    }
    return point;
}

std::string unixTimestamp(const std::string &rfc3339)
{
    const QString text = QString::fromStdString(rfc3339);
    // Seconds from the whole-second part, nanoseconds from the fraction as written.
    const qsizetype dot = text.indexOf('.');
    qsizetype zone = text.indexOf(QLatin1Char('Z'));
    if (zone < 0)
        zone = std::max(text.lastIndexOf('+'), text.lastIndexOf('-'));
    if (zone < 19)
        return {};
    const QString whole = text.left(dot > 0 && dot < zone ? dot : zone) + text.mid(zone);
    const QDateTime when = QDateTime::fromString(whole, Qt::ISODate);
    if (!when.isValid())
        return {};
    QString fraction = dot > 0 && dot < zone ? text.mid(dot + 1, zone - dot - 1) : QString();
    fraction = fraction.left(9).leftJustified(9, QLatin1Char('0'));
    return std::to_string(when.toSecsSinceEpoch()) + "." + fraction.toStdString();
}

} // namespace cd::runtime::docker
