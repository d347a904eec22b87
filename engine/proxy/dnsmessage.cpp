#include "engine/proxy/dnsmessage.h"

#include <algorithm>

#include <arpa/inet.h>

namespace cd::proxy::dns {

namespace {

constexpr size_t kHeaderSize = 12;
constexpr int kMaxPointerHops = 32;

std::uint16_t read16(std::string_view bytes, size_t at)
{
    return std::uint16_t((std::uint8_t(bytes[at]) << 8) | std::uint8_t(bytes[at + 1]));
}

void put16(std::string &out, std::uint16_t value)
{
    out.push_back(char(value >> 8));
    out.push_back(char(value & 0xff));
}

void put32(std::string &out, std::uint32_t value)
{
    put16(out, std::uint16_t(value >> 16));
    put16(out, std::uint16_t(value & 0xffff));
}

// Reads a possibly compressed name at `at`; `next` is where the record continues after it.
bool readName(std::string_view bytes, size_t at, std::string &name, size_t &next)
{
    name.clear();
    bool jumped = false;
    for (int hops = 0; hops <= kMaxPointerHops;) {
        if (at >= bytes.size())
            return false;
        const std::uint8_t length = std::uint8_t(bytes[at]);
        if (length == 0) {
            if (!jumped)
                next = at + 1;
            return name.size() <= 253;
        }
        if ((length & 0xc0) == 0xc0) {
            if (at + 1 >= bytes.size())
                return false;
            if (!jumped)
                next = at + 2;
            jumped = true;
            at = read16(bytes, at) & 0x3fff;
            ++hops;
            continue;
        }
        if (length & 0xc0)
            return false; // the extended label types nobody uses
        if (at + 1 + length > bytes.size())
            return false;
        if (!name.empty())
            name.push_back('.');
        name.append(bytes.substr(at + 1, length));
        at += 1 + length;
        if (name.size() > 255)
            return false;
    }
    return false; // a pointer loop
}

} // namespace

std::string encodeName(std::string_view name)
{
    if (!name.empty() && name.back() == '.')
        name.remove_suffix(1);
    std::string out;
    while (!name.empty()) {
        const size_t dot = name.find('.');
        const std::string_view label = name.substr(0, dot);
        if (label.empty() || label.size() > 63)
            return {};
        out.push_back(char(label.size()));
        out.append(label);
        if (dot == std::string_view::npos)
            break;
        name.remove_prefix(dot + 1);
        if (name.empty())
            return {}; // "a..": an empty label
    }
    out.push_back('\0');
    return out.size() > 255 ? std::string() : out;
}

std::optional<Query> parseQuery(std::string_view bytes)
{
    if (bytes.size() < kHeaderSize)
        return std::nullopt;
    Query query;
    query.id = read16(bytes, 0);
    const std::uint16_t flags = read16(bytes, 2);
    if (flags & 0x8000)
        return std::nullopt; // a response: never answer one (no loops between servers)
    query.opcode = std::uint8_t((flags >> 11) & 0x0f);
    query.recursionDesired = flags & 0x0100;
    const std::uint16_t questions = read16(bytes, 4);
    const std::uint16_t answers = read16(bytes, 6);
    const std::uint16_t authorities = read16(bytes, 8);
    const std::uint16_t additionals = read16(bytes, 10);
    size_t at = kHeaderSize;
    for (std::uint16_t i = 0; i < questions; ++i) {
        Question question;
        if (!readName(bytes, at, question.name, at) || at + 4 > bytes.size()) {
            query.malformed = true;
            return query;
        }
        question.type = read16(bytes, at);
        question.klass = read16(bytes, at + 2);
        at += 4;
        query.questions.push_back(std::move(question));
    }
    // Records after the questions: only an EDNS OPT in the additional section matters.
    const int records = answers + authorities + additionals;
    for (int i = 0; i < records; ++i) {
        std::string name;
        if (!readName(bytes, at, name, at) || at + 10 > bytes.size()) {
            query.malformed = true;
            return query;
        }
        const std::uint16_t type = read16(bytes, at);
        const std::uint16_t klass = read16(bytes, at + 2);
        const std::uint16_t length = read16(bytes, at + 8);
        at += 10;
        if (at + length > bytes.size()) {
            query.malformed = true;
            return query;
        }
        at += length;
        if (type == OPT && i >= answers + authorities) {
            query.edns = true;
            query.udpSize = std::clamp<size_t>(klass, kClassicUdpSize, kMaxUdpSize);
        }
    }
    return query;
}

Record addressRecord(const std::string &name, const std::string &ipv4, std::uint32_t ttl)
{
    Record record{name, A, ttl, {}};
    in_addr address{};
    if (::inet_pton(AF_INET, ipv4.c_str(), &address) == 1)
        record.data.assign(reinterpret_cast<const char *>(&address), 4);
    return record;
}

Record canonicalNameRecord(const std::string &name, const std::string &target, std::uint32_t ttl)
{
    return {name, CNAME, ttl, encodeName(target)};
}

std::string encodeResponse(const Query &query, Rcode rcode, const std::vector<Record> &answers, bool authoritative,
                           size_t limit)
{
    std::string out;
    put16(out, query.id);
    std::uint16_t flags = 0x8000 | std::uint16_t(query.opcode << 11) | 0x0080 /* RA */ | std::uint16_t(rcode);
    if (authoritative)
        flags |= 0x0400;
    if (query.recursionDesired)
        flags |= 0x0100;
    put16(out, flags);
    const Question *question = query.questions.empty() ? nullptr : &query.questions.front();
    const std::string questionName = question ? encodeName(question->name) : std::string();
    const bool withQuestion = question && !questionName.empty();
    put16(out, withQuestion ? 1 : 0);
    put16(out, 0); // answers, patched below
    put16(out, 0);
    put16(out, query.edns ? 1 : 0);
    if (withQuestion) {
        out += questionName;
        put16(out, question->type);
        put16(out, question->klass);
    }
    // The OPT record goes last but its room is kept from the start.
    const size_t optSize = query.edns ? 11 : 0;
    std::uint16_t written = 0;
    bool truncated = false;
    for (const Record &record : answers) {
        if (record.data.empty())
            continue;
        // The question's own name is a pointer to it (offset 12); others are written out.
        const bool same = withQuestion && encodeName(record.name) == questionName;
        std::string encoded = same ? std::string("\xc0\x0c", 2) : encodeName(record.name);
        if (encoded.empty())
            continue;
        put16(encoded, record.type);
        put16(encoded, IN);
        put32(encoded, record.ttl);
        put16(encoded, std::uint16_t(record.data.size()));
        encoded += record.data;
        if (out.size() + encoded.size() + optSize > limit) {
            truncated = true;
            break;
        }
        out += encoded;
        ++written;
    }
    out[6] = char(written >> 8);
    out[7] = char(written & 0xff);
    if (truncated)
        out[2] = char(std::uint8_t(out[2]) | 0x02);
    if (query.edns) {
        out.push_back('\0'); // the root name
        put16(out, OPT);
        put16(out, std::uint16_t(kMaxUdpSize));
        put32(out, 0); // extended rcode, version 0, no flags
        put16(out, 0);
    }
    return out;
}

} // namespace cd::proxy::dns
