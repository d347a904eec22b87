#pragma once
// SPDY/3.1 framing, the subset Kubernetes streams use (moby/spdystream, which kubectl's
// port-forward speaks — raw after `Upgrade: SPDY/3.1`, or inside WebSocket binary messages with
// the `SPDY/3.1+portforward.k8s.io` subprotocol). Pure: bytes in, frames out, and back.
//
// Control frame: 0x8003, u16 type, u8 flags, u24 length, payload. Data frame: u31 stream id,
// u8 flags (FIN = 1), u24 length, payload. Header blocks (SYN_STREAM, SYN_REPLY, HEADERS) are
// u32 count, then u32-length-prefixed lowercase names and values (several values NUL-joined),
// compressed with one zlib stream per direction primed with the SPDY/3 dictionary and flushed
// (Z_SYNC_FLUSH) after each block — so a reader and a writer each keep state for a connection.

#include <QByteArray>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cd::server::spdy {

enum FrameType : std::uint16_t {
    Data = 0,  // not a control type: marks a data frame
    SynStream = 1,
    SynReply = 2,
    RstStream = 3,
    Settings = 4,
    Ping = 6,
    GoAway = 7,
    Headers = 8,
    WindowUpdate = 9,
};

constexpr std::uint8_t FlagFin = 0x01;

// RST_STREAM status codes (SPDY/3 §2.6.3).
enum RstStatus : std::uint32_t { ProtocolError = 1, InvalidStream = 2, RefusedStream = 3, Cancel = 5, InternalError = 6 };

using HeaderMap = std::map<std::string, std::string>;

struct Frame {
    FrameType type = Data;
    std::uint8_t flags = 0;
    // The stream of a data, SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS or WINDOW_UPDATE frame; the
    // last good stream of a GOAWAY; the id of a PING.
    std::uint32_t streamId = 0;
    std::uint32_t associatedStreamId = 0;  // SYN_STREAM
    std::uint8_t priority = 0;             // SYN_STREAM, 0-7
    std::uint32_t status = 0;              // RST_STREAM, GOAWAY; the delta of a WINDOW_UPDATE
    HeaderMap headers;                     // SYN_STREAM, SYN_REPLY, HEADERS
    QByteArray data;                       // a data frame's payload (or an unknown control frame's)

    bool fin() const { return flags & FlagFin; }
    std::string header(const std::string &name) const;
};

// The SPDY/3 header compression dictionary (1423 bytes).
const QByteArray &dictionary();

// Writes frames of one direction of a connection (owns that direction's zlib stream).
class FrameWriter {
public:
    FrameWriter();
    ~FrameWriter();
    FrameWriter(const FrameWriter &) = delete;
    FrameWriter &operator=(const FrameWriter &) = delete;

    QByteArray synStream(std::uint32_t streamId, const HeaderMap &headers, std::uint8_t flags = 0);
    QByteArray synReply(std::uint32_t streamId, const HeaderMap &headers = {}, std::uint8_t flags = 0);
    QByteArray headers(std::uint32_t streamId, const HeaderMap &headers, std::uint8_t flags = 0);
    static QByteArray data(std::uint32_t streamId, const QByteArray &payload, std::uint8_t flags = 0);
    static QByteArray rstStream(std::uint32_t streamId, std::uint32_t status);
    static QByteArray ping(std::uint32_t id);
    static QByteArray goAway(std::uint32_t lastGoodStreamId, std::uint32_t status = 0);
    static QByteArray windowUpdate(std::uint32_t streamId, std::uint32_t delta);
    // Any frame; control frames with a header block compress it.
    QByteArray write(const Frame &frame);

    static constexpr int kMaxDataLength = (1 << 24) - 1;

private:
    QByteArray compress(const HeaderMap &headers);
    struct Deflater;
    std::unique_ptr<Deflater> m_deflater;
};

// Reads the frames of one direction of a connection from bytes as they arrive, in pieces of any
// size (a frame may span several WebSocket messages, or one message hold several frames).
class FrameReader {
public:
    explicit FrameReader(std::uint32_t maxFrameBytes = 16 * 1024 * 1024);
    ~FrameReader();
    FrameReader(const FrameReader &) = delete;
    FrameReader &operator=(const FrameReader &) = delete;

    // Appends bytes; returns the frames they complete. After a protocol error (error() is set)
    // nothing more is read: the connection should end with GOAWAY.
    std::vector<Frame> feed(const QByteArray &bytes);
    const std::string &error() const { return m_error; }

private:
    bool parse(std::uint16_t type, std::uint8_t flags, const QByteArray &payload, Frame &frame);
    bool decompress(const char *data, qsizetype size, HeaderMap &headers);

    struct Inflater;
    std::unique_ptr<Inflater> m_inflater;
    QByteArray m_buffer;
    std::uint32_t m_max;
    std::string m_error;
};

} // namespace cd::server::spdy
