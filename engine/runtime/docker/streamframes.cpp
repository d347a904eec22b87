#include "engine/runtime/docker/streamframes.h"

namespace cd::runtime::docker {

void FrameDemuxer::feed(const QByteArray &data, const Sink &sink)
{
    m_pending.append(data);
    qsizetype at = 0;
    while (m_pending.size() - at >= 8) {
        const auto *header = reinterpret_cast<const unsigned char *>(m_pending.constData() + at);
        const quint32 size = (quint32(header[4]) << 24) | (quint32(header[5]) << 16) | (quint32(header[6]) << 8) | header[7];
        if (m_pending.size() - at - 8 < qsizetype(size))
            break;
        sink(header[0], QByteArray(m_pending.constData() + at + 8, qsizetype(size)));
        at += 8 + qsizetype(size);
    }
    m_pending.remove(0, at);
}

} // namespace cd::runtime::docker
