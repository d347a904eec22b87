#include "engine/server/websocketframes.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace cd::server::websocket {

QByteArray acceptKey(const std::string &key)
{
    const QByteArray input = QByteArray::fromStdString(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    return QCryptographicHash::hash(input, QCryptographicHash::Sha1).toBase64();
}

QByteArray frame(Opcode opcode, const QByteArray &payload, bool mask)
{
    QByteArray out;
    out.reserve(payload.size() + 14);
    out.append(char(0x80 | opcode));  // FIN: one frame per message
    const quint64 size = quint64(payload.size());
    const char maskBit = mask ? char(0x80) : char(0);
    if (size < 126) {
        out.append(char(maskBit | char(size)));
    } else if (size <= 0xFFFF) {
        out.append(char(maskBit | 126));
        out.append(char(size >> 8));
        out.append(char(size & 0xFF));
    } else {
        out.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((size >> shift) & 0xFF));
    }
    if (!mask) {
        out.append(payload);
        return out;
    }
    const quint32 key = QRandomGenerator::global()->generate();
    const char keyBytes[4] = {char(key >> 24), char(key >> 16), char(key >> 8), char(key)};
    out.append(keyBytes, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out.append(char(payload[i] ^ keyBytes[i % 4]));
    return out;
}

std::vector<Message> FrameReader::feed(const QByteArray &data)
{
    std::vector<Message> messages;
    if (!m_error.empty())
        return messages;
    m_buffer.append(data);
    while (true) {
        if (m_buffer.size() < 2)
            break;
        const auto *bytes = reinterpret_cast<const unsigned char *>(m_buffer.constData());
        const bool fin = bytes[0] & 0x80;
        const auto opcode = static_cast<Opcode>(bytes[0] & 0x0F);
        const bool masked = bytes[1] & 0x80;
        quint64 length = bytes[1] & 0x7F;
        qsizetype offset = 2;
        if (length == 126) {
            if (m_buffer.size() < 4)
                break;
            length = (quint64(bytes[2]) << 8) | bytes[3];
            offset = 4;
        } else if (length == 127) {
            if (m_buffer.size() < 10)
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | bytes[2 + i];
            offset = 10;
        }
        if (length > quint64(m_max)) {
            m_error = "message too large";
            return messages;
        }
        const qsizetype maskAt = offset;
        if (masked)
            offset += 4;
        if (quint64(m_buffer.size() - offset) < length)
            break;
        QByteArray payload = m_buffer.mid(offset, qsizetype(length));
        if (masked)
            for (qsizetype i = 0; i < payload.size(); ++i)
                payload[i] = char(payload[i] ^ m_buffer[maskAt + (i % 4)]);
        m_buffer.remove(0, offset + qsizetype(length));

        if (opcode >= Close) {  // control frames: never fragmented, may come between fragments
            if (!fin || length > 125) {
                m_error = "invalid control frame";
                return messages;
            }
            messages.push_back({opcode, payload});
            continue;
        }
        if (opcode == Continuation) {
            if (!m_inFragment) {
                m_error = "continuation without a message";
                return messages;
            }
            m_partial.append(payload);
        } else if (opcode == Text || opcode == Binary) {
            if (m_inFragment) {
                m_error = "new message inside a fragmented one";
                return messages;
            }
            m_partial = payload;
            m_partialOpcode = opcode;
            m_inFragment = true;
        } else {
            m_error = "unknown opcode";
            return messages;
        }
        if (m_partial.size() > m_max) {
            m_error = "message too large";
            return messages;
        }
        if (fin) {
            messages.push_back({m_partialOpcode, m_partial});
            m_partial.clear();
            m_inFragment = false;
        }
    }
    return messages;
}

} // namespace cd::server::websocket
