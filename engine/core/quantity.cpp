#include "engine/core/quantity.h"

#include <cmath>
#include <cstdio>

namespace cd {
namespace {

constexpr __int128 kNano = 1000000000;
// Far above any real resource (about 1.7e29 in base units), so overflow checks stay simple.
constexpr __int128 kLimit = (static_cast<__int128>(1) << 126) / 1000;

std::string int128ToString(__int128 v)
{
    if (v == 0)
        return "0";
    const bool negative = v < 0;
    if (negative)
        v = -v;
    std::string digits;
    while (v > 0) {
        digits.insert(digits.begin(), char('0' + int(v % 10)));
        v /= 10;
    }
    return negative ? "-" + digits : digits;
}

__int128 pow10(int n)
{
    __int128 r = 1;
    while (n-- > 0)
        r *= 10;
    return r;
}

} // namespace

const char *Quantity::syntaxMessage()
{
    return "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
}

Quantity Quantity::fromMilli(long long milli)
{
    Quantity q;
    q.m_nanos = static_cast<__int128>(milli) * 1000000;
    return q;
}

Quantity Quantity::fromValue(long long value, Format format)
{
    Quantity q;
    q.m_nanos = static_cast<__int128>(value) * kNano;
    q.m_format = format;
    return q;
}

Result<Quantity> Quantity::parse(std::string_view text)
{
    const Error syntax = Error::badRequest(syntaxMessage());
    size_t pos = 0;
    bool negative = false;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        negative = text[pos] == '-';
        ++pos;
    }
    // Digits with an optional decimal point; kept as an integer plus a count of fraction digits.
    __int128 mantissa = 0;
    int fractionDigits = 0;
    int digitCount = 0;
    bool seenPoint = false;
    int droppedDigits = 0;  // digits beyond what nano precision can hold (rounded up later)
    bool droppedNonZero = false;
    for (; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (c == '.') {
            if (seenPoint)
                return syntax;
            seenPoint = true;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        ++digitCount;
        if (mantissa > kLimit / 10) {
            if (!seenPoint)
                return Error::badRequest("quantity is too large");
            ++droppedDigits;
            droppedNonZero |= c != '0';
            continue;
        }
        mantissa = mantissa * 10 + (c - '0');
        if (seenPoint)
            ++fractionDigits;
    }
    if (digitCount == 0)
        return syntax;
    (void)droppedDigits;

    std::string_view suffix = text.substr(pos);
    Quantity q;
    int decimalExponent = 0;  // power of ten applied to the mantissa
    __int128 binaryFactor = 1;
    if (suffix.empty()) {
        q.m_format = Format::DecimalSI;
    } else if (suffix.size() == 2 && suffix[1] == 'i') {
        static const char units[] = "KMGTPE";
        const char *u = std::char_traits<char>::find(units, 6, suffix[0]);
        if (!u)
            return syntax;
        for (int i = 0; i <= u - units; ++i)
            binaryFactor *= 1024;
        q.m_format = Format::BinarySI;
    } else if (suffix.size() == 1) {
        // A lone letter is an SI suffix; "E" alone is exa, not an exponent (as Kubernetes reads it).
        switch (suffix[0]) {
        case 'n': decimalExponent = -9; break;
        case 'u': decimalExponent = -6; break;
        case 'm': decimalExponent = -3; break;
        case 'k': decimalExponent = 3; break;
        case 'M': decimalExponent = 6; break;
        case 'G': decimalExponent = 9; break;
        case 'T': decimalExponent = 12; break;
        case 'P': decimalExponent = 15; break;
        case 'E': decimalExponent = 18; break;
        default: return syntax;
        }
        q.m_format = Format::DecimalSI;
    } else if (suffix[0] == 'e' || suffix[0] == 'E') {
        std::string_view exponent = suffix.substr(1);
        bool expNegative = false;
        size_t i = 0;
        if (exponent[0] == '+' || exponent[0] == '-') {
            expNegative = exponent[0] == '-';
            ++i;
        }
        if (i == exponent.size())
            return syntax;
        // Kubernetes keeps the exponent in an int32 and rejects anything beyond it.
        long long value = 0;
        for (; i < exponent.size(); ++i) {
            if (exponent[i] < '0' || exponent[i] > '9')
                return syntax;
            value = value * 10 + (exponent[i] - '0');
            if (value > 2147483647)
                return syntax;
        }
        decimalExponent = int(expNegative ? -value : value);
        q.m_format = Format::DecimalExponent;
    } else {
        return syntax;
    }

    // nanos = mantissa * 10^(decimalExponent - fractionDigits + 9) * binaryFactor, rounded up.
    const long long shift = static_cast<long long>(decimalExponent) - fractionDigits + 9;
    // Kubernetes caps binary quantities at the largest int64 (in base units).
    const __int128 maxBinary = static_cast<__int128>(9223372036854775807LL) * kNano;
    if (mantissa > kLimit / binaryFactor) {
        if (q.m_format != Format::BinarySI)
            return Error::badRequest("quantity is too large");
        q.m_nanos = negative ? -maxBinary : maxBinary;
        return q;
    }
    __int128 nanos = mantissa * binaryFactor;
    bool inexact = droppedNonZero;
    if (shift >= 0) {
        if (nanos != 0) {
            const __int128 factor = shift > 38 ? 0 : pow10(int(shift));
            if (factor == 0 || nanos > kLimit / factor) {
                if (q.m_format != Format::BinarySI)
                    return Error::badRequest("quantity is too large");
                nanos = maxBinary;
            } else {
                nanos *= factor;
            }
        }
    } else {
        if (-shift > 38) {
            inexact |= nanos != 0;
            nanos = 0;
        } else {
            const __int128 divisor = pow10(int(-shift));
            inexact |= nanos % divisor != 0;
            nanos /= divisor;
        }
        if (inexact)
            nanos += 1;  // Kubernetes rounds values finer than 1n up
    }
    if (q.m_format == Format::BinarySI) {
        // A binary amount below one unit reads as decimal (".000000000001Ki" is "2n").
        if (nanos > maxBinary)
            nanos = maxBinary;
        if (nanos > 0 && nanos < kNano)
            q.m_format = Format::DecimalSI;
    }
    q.m_nanos = negative ? -nanos : nanos;
    return q;
}

Result<Quantity> Quantity::fromJson(const Json &value)
{
    // As Quantity.UnmarshalJSON: null is zero, and a string is trimmed before it is parsed.
    if (value.is_null())
        return Quantity();
    if (value.is_string()) {
        std::string_view text = value.get_ref<const std::string &>();
        auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
        while (!text.empty() && isSpace(text.front()))
            text.remove_prefix(1);
        while (!text.empty() && isSpace(text.back()))
            text.remove_suffix(1);
        return parse(text);
    }
    if (value.is_number_integer())
        return parse(std::to_string(value.get<long long>()));
    if (value.is_number_float()) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%.9f", value.get<double>());
        std::string text = buffer;
        while (!text.empty() && text.back() == '0')
            text.pop_back();
        if (!text.empty() && text.back() == '.')
            text.pop_back();
        return parse(text);
    }
    return Error::badRequest(syntaxMessage());
}

std::string Quantity::toString() const
{
    if (m_nanos == 0)
        return "0";
    const bool negative = m_nanos < 0;
    const __int128 magnitude = negative ? -m_nanos : m_nanos;
    const std::string sign = negative ? "-" : "";

    Format format = m_format;
    if (format == Format::BinarySI) {
        // Small or fractional binary values read better in decimal, as Kubernetes prints them.
        if (magnitude < 1024 * kNano || magnitude % kNano != 0)
            format = Format::DecimalSI;
    }
    if (format == Format::BinarySI) {
        __int128 value = magnitude / kNano;
        int exponent = 0;
        while (exponent < 6 && value % 1024 == 0) {
            value /= 1024;
            ++exponent;
        }
        static const char *suffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
        return sign + int128ToString(value) + suffixes[exponent];
    }
    // Decimal: the largest exponent (multiple of 3, from -9) leaving an integer mantissa.
    __int128 mantissa = magnitude;
    int exponent = -9;
    while (mantissa % 1000 == 0 && exponent < 18) {
        mantissa /= 1000;
        exponent += 3;
    }
    if (format == Format::DecimalExponent) {
        if (exponent == 0)
            return sign + int128ToString(mantissa);
        return sign + int128ToString(mantissa) + "e" + std::to_string(exponent);
    }
    const char *suffix = "";
    switch (exponent) {
    case -9: suffix = "n"; break;
    case -6: suffix = "u"; break;
    case -3: suffix = "m"; break;
    case 0: suffix = ""; break;
    case 3: suffix = "k"; break;
    case 6: suffix = "M"; break;
    case 9: suffix = "G"; break;
    case 12: suffix = "T"; break;
    case 15: suffix = "P"; break;
    case 18: suffix = "E"; break;
    }
    return sign + int128ToString(mantissa) + suffix;
}

// Kubernetes rounds a value that does not divide evenly away from zero (-1.5 gives -2).
static long long divideAwayFromZero(__int128 nanos, __int128 unit)
{
    __int128 v = nanos / unit;
    if (nanos % unit != 0)
        v += nanos > 0 ? 1 : -1;
    return static_cast<long long>(v);
}

long long Quantity::milliValue() const { return divideAwayFromZero(m_nanos, 1000000); }

long long Quantity::value() const { return divideAwayFromZero(m_nanos, kNano); }

double Quantity::asDouble() const { return static_cast<double>(m_nanos) / 1e9; }

// Adding to (or subtracting from) zero takes the other side's format, as Quantity.Add and Sub
// do, so "0" + "1Gi" prints "1Gi".
Quantity &Quantity::operator+=(const Quantity &other)
{
    if (m_nanos == 0)
        m_format = other.m_format;
    m_nanos += other.m_nanos;
    return *this;
}

Quantity &Quantity::operator-=(const Quantity &other)
{
    if (m_nanos == 0)
        m_format = other.m_format;
    m_nanos -= other.m_nanos;
    return *this;
}

} // namespace cd
