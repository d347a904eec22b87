#include "engine/core/packedtext.h"

#include <QtGlobal>

#include <cstring>
#include <limits>
#include <vector>

#include <zlib.h>

namespace cd {
namespace {

// A deflate window holds 32 KB; a dictionary beyond that would not be seen.
constexpr size_t kMaxDictionary = 32 * 1024;

// The type part of a key: "/registry/core/pods/" of "/registry/core/pods/default/web-1".
std::string_view typePrefix(std::string_view key)
{
    size_t at = 0;
    for (int slash = 0; slash < 4; ++slash) {
        at = key.find('/', at);
        if (at == std::string_view::npos)
            return key;
        ++at;
    }
    return key.substr(0, at);
}

// A dictionary is renewed with the text being packed at these counts, so it follows objects as
// they settle (a pod's first text has no status yet), then stays: each renewal keeps another
// dictionary alive for as long as texts packed against it live.
bool renewsAt(std::uint64_t uses)
{
    return uses == 16 || uses == 256 || uses == 4096;
}

std::shared_ptr<const std::string> dictionaryText(const std::string &text)
{
    return std::make_shared<const std::string>(text.size() > kMaxDictionary ? text.substr(text.size() - kMaxDictionary)
                                                                            : text);
}

struct Inflater {
    z_stream stream{};
    bool ready = false;
    Inflater() { ready = inflateInit2(&stream, -MAX_WBITS) == Z_OK; }
    ~Inflater()
    {
        if (ready)
            inflateEnd(&stream);
    }
};

} // namespace

struct TextPacker::Stream {
    z_stream stream{};
    bool ready = false;
    std::vector<unsigned char> out;
};

TextPacker::TextPacker() : m_stream(std::make_unique<Stream>())
{
    // Raw deflate (no zlib header or checksum: these copies live in memory only). Level 3: as small
    // as level 6 within 8 % for pods and events, and about twice as fast (12 us for a pod).
    m_stream->ready = deflateInit2(&m_stream->stream, 3, Z_DEFLATED, -MAX_WBITS, 8,
                                   Z_DEFAULT_STRATEGY) == Z_OK;
}

TextPacker::~TextPacker()
{
    if (m_stream->ready)
        deflateEnd(&m_stream->stream);
}

std::shared_ptr<const std::string> TextPacker::dictionaryFor(std::string_view key, const std::string &text)
{
    auto [it, added] = m_dictionaries.try_emplace(std::string(typePrefix(key)));
    Dictionary &dictionary = it->second;
    ++dictionary.uses;
    if (added || renewsAt(dictionary.uses))
        dictionary.text = dictionaryText(text);
    return dictionary.text;
}

PackedText TextPacker::pack(std::string_view key, const std::string &text)
{
    if (!m_stream->ready || text.empty() || text.size() > std::numeric_limits<std::uint32_t>::max() / 2)
        return {};
    std::shared_ptr<const std::string> dictionary = dictionaryFor(key, text);
    z_stream &z = m_stream->stream;
    if (deflateReset(&z) != Z_OK ||
        deflateSetDictionary(&z, reinterpret_cast<const Bytef *>(dictionary->data()), uInt(dictionary->size())) != Z_OK)
        return {};
    m_stream->out.resize(deflateBound(&z, uLong(text.size())));
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(text.data()));
    z.avail_in = uInt(text.size());
    z.next_out = m_stream->out.data();
    z.avail_out = uInt(m_stream->out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        return {};
    const size_t packedSize = m_stream->out.size() - z.avail_out;
    // Below this the allocation and the dictionary pointer cost more than they save.
    if (packedSize + 64 >= text.size())
        return {};
    PackedText packed;
    packed.dictionary = std::move(dictionary);
    packed.bytes = std::make_unique<char[]>(packedSize);
    std::memcpy(packed.bytes.get(), m_stream->out.data(), packedSize);
    packed.packedSize = std::uint32_t(packedSize);
    packed.size = std::uint32_t(text.size());
    return packed;
}

std::string unpack(const PackedText &packed)
{
    thread_local Inflater inflater;
    if (packed.empty() || !inflater.ready)
        return {};
    z_stream &z = inflater.stream;
    std::string out(packed.size, '\0');
    bool ok = inflateReset(&z) == Z_OK &&
              inflateSetDictionary(&z, reinterpret_cast<const Bytef *>(packed.dictionary->data()),
                                   uInt(packed.dictionary->size())) == Z_OK;
    if (ok) {
        z.next_in = reinterpret_cast<Bytef *>(packed.bytes.get());
        z.avail_in = packed.packedSize;
        z.next_out = reinterpret_cast<Bytef *>(out.data());
        z.avail_out = uInt(out.size());
        ok = inflate(&z, Z_FINISH) == Z_STREAM_END && z.avail_out == 0;
    }
    if (!ok) {
        qCritical("a packed text in memory is damaged (%s)", z.msg ? z.msg : "");
        return {};
    }
    return out;
}

} // namespace cd
