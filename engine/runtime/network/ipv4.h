#pragma once
// IPv4 addresses and CIDR blocks, in host byte order: enough to check pod and Service addresses
// against their ranges without QtNetwork (the runtime links Qt Core only).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cd::runtime::network {

// Strict dotted quad: four decimal numbers 0-255, no leading zeros, nothing else.
std::optional<std::uint32_t> parseIpv4(std::string_view text);
std::string formatIpv4(std::uint32_t address);

struct Ipv4Cidr {
    std::uint32_t network = 0;
    int prefixLength = 0;

    std::uint32_t mask() const { return prefixLength == 0 ? 0 : ~std::uint32_t(0) << (32 - prefixLength); }
    std::uint32_t broadcast() const { return network | ~mask(); }
    bool contains(std::uint32_t address) const { return (address & mask()) == network; }
    bool overlaps(const Ipv4Cidr &other) const
    {
        const int shorter = prefixLength < other.prefixLength ? prefixLength : other.prefixLength;
        const std::uint32_t m = shorter == 0 ? 0 : ~std::uint32_t(0) << (32 - shorter);
        return (network & m) == (other.network & m);
    }
    std::string toString() const { return formatIpv4(network) + "/" + std::to_string(prefixLength); }
};

// "10.244.0.0/16"; the address must be the block's first (no host bits set).
std::optional<Ipv4Cidr> parseCidr(std::string_view text);

} // namespace cd::runtime::network
