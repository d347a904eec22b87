#pragma once
// The DNS wire format (RFC 1035), as much as a cluster DNS needs: read a query (names with
// compression pointers, an EDNS OPT record for the UDP size), write a response that repeats the
// question and carries A and CNAME records, cut to a size with the TC bit set, so the client
// asks again over TCP. Bytes in std::string; no sockets here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cd::proxy::dns {

enum RecordType : std::uint16_t {
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    AAAA = 28,
    SRV = 33,
    OPT = 41,
    ANY = 255
};
enum Class : std::uint16_t { IN = 1, ANY_CLASS = 255 };
enum class Rcode : std::uint8_t { NoError = 0, FormErr = 1, ServFail = 2, NXDomain = 3, NotImp = 4, Refused = 5 };

inline constexpr size_t kClassicUdpSize = 512;
inline constexpr size_t kMaxUdpSize = 1232; // what we accept and offer over EDNS (the DNS Flag Day value)

struct Question {
    std::string name; // dotted, without the final dot; as sent (case kept)
    std::uint16_t type = A;
    std::uint16_t klass = IN;
};

struct Query {
    std::uint16_t id = 0;
    std::uint8_t opcode = 0;
    bool recursionDesired = false;
    std::vector<Question> questions;
    bool edns = false;
    size_t udpSize = kClassicUdpSize; // how large a UDP answer the client takes
    bool malformed = false;           // a header, but the rest does not parse: answer FORMERR
};

struct Record {
    std::string name;
    std::uint16_t type = A;
    std::uint32_t ttl = 5;
    std::string data; // RDATA, encoded
};

// nullopt: shorter than a header, or a response (QR set) — nothing to answer.
std::optional<Query> parseQuery(std::string_view message);

Record addressRecord(const std::string &name, const std::string &ipv4, std::uint32_t ttl); // data empty if not IPv4
Record canonicalNameRecord(const std::string &name, const std::string &target, std::uint32_t ttl);

// A response to `query`: its id, RD echoed, RA set, AA as given, the first question repeated,
// then the answers that fit in `limit` bytes (TC set when some did not).
std::string encodeResponse(const Query &query, Rcode rcode, const std::vector<Record> &answers, bool authoritative,
                           size_t limit);

// A name in wire form (labels, uncompressed); empty when a label is empty or over 63 bytes.
std::string encodeName(std::string_view name);

} // namespace cd::proxy::dns
