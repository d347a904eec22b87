#pragma once
// WebSocket (RFC 6455) on the server's side of an upgraded HTTP connection: the handshake's
// accept key, and frames — reading the client's (masked) frames into whole messages, writing
// the server's (unmasked) ones. Pings are answered by the connection, continuations joined here.

#include <QByteArray>

#include <optional>
#include <string>
#include <vector>

namespace cd::server::websocket {

enum Opcode : unsigned char { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA };

// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
QByteArray acceptKey(const std::string &key);

// A frame to send. Clients mask theirs (`mask` true); servers never do.
QByteArray frame(Opcode opcode, const QByteArray &payload, bool mask = false);

struct Message {
    Opcode opcode = Binary;  // Text, Binary, Close, Ping or Pong
    QByteArray payload;
};

class FrameReader {
public:
    explicit FrameReader(qint64 maxMessageBytes = 16 * 1024 * 1024) : m_max(maxMessageBytes) {}
    // Appends bytes; returns the complete messages they finish. An error (a protocol violation)
    // is kept in error() and the connection should close with 1002.
    std::vector<Message> feed(const QByteArray &data);
    const std::string &error() const { return m_error; }

private:
    QByteArray m_buffer;
    QByteArray m_partial;     // a fragmented message so far
    Opcode m_partialOpcode = Binary;
    bool m_inFragment = false;
    qint64 m_max;
    std::string m_error;
};

} // namespace cd::server::websocket
