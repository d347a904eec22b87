#include "engine/server/spdyframes.h"

#include <zlib.h>

namespace cd::server::spdy {
namespace {

// The largest header block accepted once decompressed: Kubernetes streams send a handful of
// short headers, so anything near this is a mistake or an attack (a zlib bomb).
constexpr qsizetype kMaxHeaderBlock = 256 * 1024;

void putU32(QByteArray &out, std::uint32_t value)
{
    out.append(char(value >> 24));
    out.append(char(value >> 16));
    out.append(char(value >> 8));
    out.append(char(value));
}

std::uint32_t getU32(const char *p)
{
    const auto *u = reinterpret_cast<const unsigned char *>(p);
    return std::uint32_t(u[0]) << 24 | std::uint32_t(u[1]) << 16 | std::uint32_t(u[2]) << 8 | u[3];
}

QByteArray controlHeader(FrameType type, std::uint8_t flags, std::uint32_t length)
{
    QByteArray out;
    out.reserve(int(8 + length));
    out.append(char(0x80));
    out.append(char(3));  // version
    out.append(char(type >> 8));
    out.append(char(type & 0xFF));
    putU32(out, std::uint32_t(flags) << 24 | (length & 0xFFFFFF));
    return out;
}

QByteArray buildDictionary()
{
    static const char *const words[] = {
        "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
        "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
        "content-base", "content-encoding", "content-language", "content-length", "content-location",
        "content-md5", "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host",
        "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified",
        "location", "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
        "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via",
        "warning", "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url",
        "public", "set-cookie", "keep-alive", "origin"};
    QByteArray out;
    for (const char *word : words) {
        putU32(out, std::uint32_t(qstrlen(word)));
        out.append(word);
    }
    out.append("100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
               "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 "
               "Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service "
               "UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, "
               "Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,application/xml,application/"
               "xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset="
               "iso-8859-1,utf-,*,enq=0.");
    return out;
}

} // namespace

std::string Frame::header(const std::string &name) const
{
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

const QByteArray &dictionary()
{
    static const QByteArray bytes = buildDictionary();
    return bytes;
}

// --- writing ------------------------------------------------------------------------------------

struct FrameWriter::Deflater {
    z_stream stream{};
    bool ready = false;
    Deflater()
    {
        if (deflateInit(&stream, Z_BEST_COMPRESSION) != Z_OK)
            return;
        const QByteArray &dict = dictionary();
        ready = deflateSetDictionary(&stream, reinterpret_cast<const Bytef *>(dict.constData()), uInt(dict.size())) ==
                Z_OK;
    }
    ~Deflater() { deflateEnd(&stream); }
};

FrameWriter::FrameWriter() : m_deflater(std::make_unique<Deflater>()) {}

FrameWriter::~FrameWriter() = default;

QByteArray FrameWriter::compress(const HeaderMap &headers)
{
    QByteArray plain;
    putU32(plain, std::uint32_t(headers.size()));
    for (const auto &[name, value] : headers) {
        putU32(plain, std::uint32_t(name.size()));
        plain.append(name.data(), qsizetype(name.size()));
        putU32(plain, std::uint32_t(value.size()));
        plain.append(value.data(), qsizetype(value.size()));
    }
    QByteArray out;
    if (!m_deflater->ready)
        return out;
    z_stream &z = m_deflater->stream;
    z.next_in = reinterpret_cast<Bytef *>(plain.data());
    z.avail_in = uInt(plain.size());
    char chunk[4096];
    do {
        z.next_out = reinterpret_cast<Bytef *>(chunk);
        z.avail_out = sizeof chunk;
        deflate(&z, Z_SYNC_FLUSH);
        out.append(chunk, qsizetype(sizeof chunk - z.avail_out));
    } while (z.avail_out == 0);
    return out;
}

QByteArray FrameWriter::synStream(std::uint32_t streamId, const HeaderMap &headers, std::uint8_t flags)
{
    const QByteArray block = compress(headers);
    QByteArray out = controlHeader(SynStream, flags, std::uint32_t(10 + block.size()));
    putU32(out, streamId & 0x7FFFFFFF);
    putU32(out, 0);  // associated stream
    out.append(char(0));  // priority << 5
    out.append(char(0));  // slot
    out.append(block);
    return out;
}

QByteArray FrameWriter::synReply(std::uint32_t streamId, const HeaderMap &headers, std::uint8_t flags)
{
    const QByteArray block = compress(headers);
    QByteArray out = controlHeader(SynReply, flags, std::uint32_t(4 + block.size()));
    putU32(out, streamId & 0x7FFFFFFF);
    out.append(block);
    return out;
}

QByteArray FrameWriter::headers(std::uint32_t streamId, const HeaderMap &headers, std::uint8_t flags)
{
    const QByteArray block = compress(headers);
    QByteArray out = controlHeader(Headers, flags, std::uint32_t(4 + block.size()));
    putU32(out, streamId & 0x7FFFFFFF);
    out.append(block);
    return out;
}

QByteArray FrameWriter::data(std::uint32_t streamId, const QByteArray &payload, std::uint8_t flags)
{
    QByteArray out;
    out.reserve(payload.size() + 8);
    putU32(out, streamId & 0x7FFFFFFF);
    putU32(out, std::uint32_t(flags) << 24 | (std::uint32_t(payload.size()) & 0xFFFFFF));
    out.append(payload);
    return out;
}

QByteArray FrameWriter::rstStream(std::uint32_t streamId, std::uint32_t status)
{
    QByteArray out = controlHeader(RstStream, 0, 8);
    putU32(out, streamId & 0x7FFFFFFF);
    putU32(out, status);
    return out;
}

QByteArray FrameWriter::ping(std::uint32_t id)
{
    QByteArray out = controlHeader(Ping, 0, 4);
    putU32(out, id);
    return out;
}

QByteArray FrameWriter::goAway(std::uint32_t lastGoodStreamId, std::uint32_t status)
{
    QByteArray out = controlHeader(GoAway, 0, 8);
    putU32(out, lastGoodStreamId & 0x7FFFFFFF);
    putU32(out, status);
    return out;
}

QByteArray FrameWriter::windowUpdate(std::uint32_t streamId, std::uint32_t delta)
{
    QByteArray out = controlHeader(WindowUpdate, 0, 8);
    putU32(out, streamId & 0x7FFFFFFF);
    putU32(out, delta & 0x7FFFFFFF);
    return out;
}

QByteArray FrameWriter::write(const Frame &frame)
{
    switch (frame.type) {
    case Data: return data(frame.streamId, frame.data, frame.flags);
    case SynStream: return synStream(frame.streamId, frame.headers, frame.flags);
    case SynReply: return synReply(frame.streamId, frame.headers, frame.flags);
    case Headers: return headers(frame.streamId, frame.headers, frame.flags);
    case RstStream: return rstStream(frame.streamId, frame.status);
    case Ping: return ping(frame.streamId);
    case GoAway: return goAway(frame.streamId, frame.status);
    case WindowUpdate: return windowUpdate(frame.streamId, frame.status);
    case Settings: {
        QByteArray out = controlHeader(Settings, frame.flags, 4);
        putU32(out, 0);
        return out;
    }
    }
    return {};
}

// --- reading ------------------------------------------------------------------------------------

struct FrameReader::Inflater {
    z_stream stream{};
    bool ready = false;
    Inflater() { ready = inflateInit(&stream) == Z_OK; }
    ~Inflater() { inflateEnd(&stream); }
};

FrameReader::FrameReader(std::uint32_t maxFrameBytes)
    : m_inflater(std::make_unique<Inflater>()), m_max(std::min<std::uint32_t>(maxFrameBytes, 0xFFFFFF))
{
}

FrameReader::~FrameReader() = default;

bool FrameReader::decompress(const char *data, qsizetype size, HeaderMap &headers)
{
    if (!m_inflater->ready) {
        m_error = "the header decompressor could not start";
        return false;
    }
    z_stream &z = m_inflater->stream;
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
    z.avail_in = uInt(size);
    QByteArray plain;
    char chunk[4096];
    for (;;) {
        z.next_out = reinterpret_cast<Bytef *>(chunk);
        z.avail_out = sizeof chunk;
        const int result = inflate(&z, Z_SYNC_FLUSH);
        if (result == Z_NEED_DICT) {
            const QByteArray &dict = dictionary();
            if (inflateSetDictionary(&z, reinterpret_cast<const Bytef *>(dict.constData()), uInt(dict.size())) != Z_OK) {
                m_error = "the header block was compressed with another dictionary";
                return false;
            }
            continue;
        }
        plain.append(chunk, qsizetype(sizeof chunk - z.avail_out));
        if (result != Z_OK && result != Z_BUF_ERROR) {
            m_error = std::string("the header block does not decompress: ") + (z.msg ? z.msg : "zlib error");
            return false;
        }
        if (plain.size() > kMaxHeaderBlock) {
            m_error = "the header block is too large";
            return false;
        }
        // Done when the input is used up and zlib had no more output to give.
        if (result == Z_BUF_ERROR || (z.avail_in == 0 && z.avail_out != 0))
            break;
    }

    const char *p = plain.constData();
    const char *end = p + plain.size();
    auto take = [&](std::string &out) {
        if (end - p < 4)
            return false;
        const std::uint32_t length = getU32(p);
        p += 4;
        if (std::uint64_t(end - p) < length)
            return false;
        out.assign(p, length);
        p += length;
        return true;
    };
    if (end - p < 4) {
        m_error = "the header block is truncated";
        return false;
    }
    const std::uint32_t count = getU32(p);
    p += 4;
    for (std::uint32_t i = 0; i < count; ++i) {
        std::string name, value;
        if (!take(name) || !take(value)) {
            m_error = "the header block is truncated";
            return false;
        }
        for (char &c : name)
            if (c >= 'A' && c <= 'Z')
                c = char(c - 'A' + 'a');
        headers[name] = value;
    }
    return true;
}

bool FrameReader::parse(std::uint16_t type, std::uint8_t flags, const QByteArray &payload, Frame &frame)
{
    frame.type = FrameType(type);
    frame.flags = flags;
    const char *p = payload.constData();
    const qsizetype size = payload.size();
    auto need = [&](qsizetype bytes) {
        if (size >= bytes)
            return true;
        m_error = "a control frame of type " + std::to_string(type) + " is too short";
        return false;
    };
    switch (type) {
    case SynStream:
        if (!need(10))
            return false;
        frame.streamId = getU32(p) & 0x7FFFFFFF;
        frame.associatedStreamId = getU32(p + 4) & 0x7FFFFFFF;
        frame.priority = std::uint8_t(static_cast<unsigned char>(p[8]) >> 5);
        return decompress(p + 10, size - 10, frame.headers);
    case SynReply:
    case Headers:
        if (!need(4))
            return false;
        frame.streamId = getU32(p) & 0x7FFFFFFF;
        return decompress(p + 4, size - 4, frame.headers);
    case RstStream:
    case GoAway:
    case WindowUpdate:
        if (!need(8))
            return false;
        frame.streamId = getU32(p) & 0x7FFFFFFF;
        frame.status = getU32(p + 4);
        return true;
    case Ping:
        if (!need(4))
            return false;
        frame.streamId = getU32(p);
        return true;
    default:
        // SETTINGS and types this subset does not know: kept raw, for the caller to ignore.
        frame.type = FrameType(type);
        frame.data = payload;
        return true;
    }
}

std::vector<Frame> FrameReader::feed(const QByteArray &bytes)
{
    std::vector<Frame> frames;
    if (!m_error.empty())
        return frames;
    m_buffer.append(bytes);
    qsizetype offset = 0;
    while (m_buffer.size() - offset >= 8) {
        const char *p = m_buffer.constData() + offset;
        const std::uint32_t first = getU32(p);
        const std::uint32_t second = getU32(p + 4);
        const std::uint8_t flags = std::uint8_t(second >> 24);
        const std::uint32_t length = second & 0xFFFFFF;
        if (length > m_max) {
            m_error = "a frame of " + std::to_string(length) + " bytes is larger than the limit";
            break;
        }
        if (m_buffer.size() - offset < qsizetype(8 + length))
            break;
        const QByteArray payload = m_buffer.mid(offset + 8, length);
        offset += 8 + length;
        Frame frame;
        if (first & 0x80000000) {
            const std::uint16_t version = std::uint16_t((first >> 16) & 0x7FFF);
            if (version != 3) {
                m_error = "unsupported SPDY version " + std::to_string(version);
                break;
            }
            if (!parse(std::uint16_t(first & 0xFFFF), flags, payload, frame))
                break;
        } else {
            frame.type = Data;
            frame.flags = flags;
            frame.streamId = first & 0x7FFFFFFF;
            frame.data = payload;
            if (frame.streamId == 0) {
                m_error = "a data frame on stream 0";
                break;
            }
        }
        frames.push_back(std::move(frame));
    }
    m_buffer.remove(0, offset);
    return frames;
}

} // namespace cd::server::spdy
