#pragma once
// Stored texts kept deflated in memory. A cluster of 150,000 pods holds about a gigabyte of
// object text (a Running pod is ~2.5 KB of JSON, each of its four events ~650 B), and objects of
// one type are nearly alike: deflated against a recent text of the same type as a preset
// dictionary, a pod shrinks about 11x and an event about 3x (docs/benchmarks.md, "Cluster
// scale"). The store packs its values (SQLite keeps the plain text) and informers their caches.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cd {

struct PackedText {
    std::shared_ptr<const std::string> dictionary;  // the text it was deflated against
    std::unique_ptr<char[]> bytes;
    std::uint32_t packedSize = 0;
    std::uint32_t size = 0;  // of the plain text

    bool empty() const { return !bytes; }
};

// Deflates texts against a dictionary per type: the type is read from the key's first four
// slashes ("/registry/<group>/<resource>/..."), so a packer for one type may pass any constant
// key. Owns zlib state: one packer per thread.
class TextPacker {
public:
    TextPacker();
    ~TextPacker();
    TextPacker(const TextPacker &) = delete;
    TextPacker &operator=(const TextPacker &) = delete;

    // Empty when packing would not save memory (or zlib refused).
    PackedText pack(std::string_view key, const std::string &text);

private:
    struct Dictionary {
        std::shared_ptr<const std::string> text;
        std::uint64_t uses = 0;
    };
    std::shared_ptr<const std::string> dictionaryFor(std::string_view key, const std::string &text);

    struct Stream;
    std::unique_ptr<Stream> m_stream;
    std::unordered_map<std::string, Dictionary> m_dictionaries;
};

// The plain text again; empty only if the packed bytes are damaged (logged).
std::string unpack(const PackedText &packed);

} // namespace cd
