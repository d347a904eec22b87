#include "engine/runtime/network/ipv4.h"

namespace cd::runtime::network {

std::optional<std::uint32_t> parseIpv4(std::string_view text)
{
    std::uint32_t address = 0;
    int octets = 0;
    size_t at = 0;
    while (octets < 4) {
        size_t end = at;
        unsigned value = 0;
        while (end < text.size() && text[end] >= '0' && text[end] <= '9' && end - at < 3)
            value = value * 10 + unsigned(text[end++] - '0');
        const size_t digits = end - at;
        if (digits == 0 || value > 255 || (digits > 1 && text[at] == '0'))
            return std::nullopt;
        address = (address << 8) | value;
        ++octets;
        at = end;
        if (octets < 4) {
            if (at >= text.size() || text[at] != '.')
                return std::nullopt;
            ++at;
        }
    }
    if (at != text.size())
        return std::nullopt;
    return address;
}

std::string formatIpv4(std::uint32_t address)
{
    return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xff) + "." +
           std::to_string((address >> 8) & 0xff) + "." + std::to_string(address & 0xff);
}

std::optional<Ipv4Cidr> parseCidr(std::string_view text)
{
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos)
        return std::nullopt;
    const auto address = parseIpv4(text.substr(0, slash));
    const std::string_view lengthText = text.substr(slash + 1);
    if (!address || lengthText.empty() || lengthText.size() > 2)
        return std::nullopt;
    int length = 0;
    for (char c : lengthText) {
        if (c < '0' || c > '9')
            return std::nullopt;
        length = length * 10 + (c - '0');
    }
    if (length > 32)
        return std::nullopt;
    Ipv4Cidr cidr{*address, length};
    if ((cidr.network & cidr.mask()) != cidr.network)
        return std::nullopt;
    return cidr;
}

} // namespace cd::runtime::network
