// IP addresses and CIDRs as Kubernetes checks them (netutils.ParseIPSloppy, IsValidIP,
// IsValidCIDR, ValidateNonSpecialIP), for Services, Endpoints, EndpointSlices and Nodes.

#include "engine/api/resources/corekinds.h"

#include <arpa/inet.h>

namespace cd::api::corekinds {
namespace {

std::optional<IpAddress> parseIpv4(std::string_view text)
{
    IpAddress out;
    out.family = 4;
    int part = 0;
    size_t pos = 0;
    while (part < 4) {
        size_t digits = 0;
        unsigned value = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 4) {
            value = value * 10 + unsigned(text[pos] - '0');
            ++pos;
            ++digits;
        }
        if (digits == 0 || digits > 3 || value > 255)
            return std::nullopt;
        out.bytes[part++] = std::uint8_t(value);
        if (part < 4) {
            if (pos >= text.size() || text[pos] != '.')
                return std::nullopt;
            ++pos;
        }
    }
    if (pos != text.size())
        return std::nullopt;
    return out;
}

} // namespace

std::optional<IpAddress> parseIp(std::string_view text)
{
    if (text.find(':') == std::string_view::npos)
        return parseIpv4(text);
    IpAddress out;
    out.family = 6;
    const std::string copy(text);
    if (inet_pton(AF_INET6, copy.c_str(), out.bytes.data()) != 1)
        return std::nullopt;
    return out;
}

bool isIPv6(std::string_view text)
{
    auto ip = parseIp(text);
    return ip && ip->family == 6;
}

void validateIp(const std::string &value, const FieldPath &path, FieldErrors &errors)
{
    if (!parseIp(value))
        errors.invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
}

int cidrFamily(std::string_view text)
{
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos)
        return 0;
    auto ip = parseIp(text.substr(0, slash));
    std::string_view bits = text.substr(slash + 1);
    if (!ip || bits.empty() || bits.size() > 3)
        return 0;
    int n = 0;
    for (char c : bits) {
        if (c < '0' || c > '9')
            return 0;
        n = n * 10 + (c - '0');
    }
    if (n > (ip->family == 4 ? 32 : 128))
        return 0;
    return ip->family;
}

void validateCidr(const std::string &value, const FieldPath &path, FieldErrors &errors)
{
    if (cidrFamily(value) == 0)
        errors.invalid(path, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
}

void validateNonSpecialIp(const std::string &value, const FieldPath &path, FieldErrors &errors)
{
    auto ip = parseIp(value);
    if (!ip) {
        errors.invalid(path, value, "must be a valid IP address");
        return;
    }
    const auto &b = ip->bytes;
    bool unspecified = true;
    for (int i = 0; i < (ip->family == 4 ? 4 : 16); ++i)
        unspecified = unspecified && b[i] == 0;
    bool loopback, linkLocal, linkLocalMulticast;
    if (ip->family == 4) {
        loopback = b[0] == 127;
        linkLocal = b[0] == 169 && b[1] == 254;
        linkLocalMulticast = b[0] == 224 && b[1] == 0 && b[2] == 0;
    } else {
        bool mapped = true; // ::ffff:a.b.c.d counts as the IPv4 address, as in Go
        for (int i = 0; i < 10; ++i)
            mapped = mapped && b[i] == 0;
        mapped = mapped && b[10] == 0xff && b[11] == 0xff;
        if (mapped) {
            loopback = b[12] == 127;
            linkLocal = b[12] == 169 && b[13] == 254;
            linkLocalMulticast = b[12] == 224 && b[13] == 0 && b[14] == 0;
            unspecified = b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 0;
        } else {
            bool one = b[15] == 1;
            for (int i = 0; i < 15; ++i)
                one = one && b[i] == 0;
            loopback = one;
            linkLocal = b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
            linkLocalMulticast = b[0] == 0xff && (b[1] & 0x0f) == 0x02;
        }
    }
    if (unspecified)
        errors.invalid(path, value, "may not be unspecified (" + value + ")");
    if (loopback)
        errors.invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)");
    if (linkLocal)
        errors.invalid(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
    if (linkLocalMulticast)
        errors.invalid(path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
}

} // namespace cd::api::corekinds
