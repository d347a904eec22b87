#pragma once
// resource.Quantity: "500m", "0.5", "1Gi", "1e3". Values are kept exactly in nano units (the
// smallest unit Kubernetes keeps) and printed in Kubernetes' canonical form ("0.5" -> "500m").

#include "engine/core/json.h"
#include "engine/core/result.h"

#include <compare>
#include <string>
#include <string_view>

namespace cd {

class Quantity {
public:
    enum class Format { DecimalSI, BinarySI, DecimalExponent };

    Quantity() = default;
    static Quantity fromMilli(long long milli);
    static Quantity fromValue(long long value, Format format = Format::DecimalSI);

    static Result<Quantity> parse(std::string_view text);
    // A JSON string or number, as found in resources.requests.
    static Result<Quantity> fromJson(const Json &value);
    static const char *syntaxMessage();

    std::string toString() const;  // canonical form
    Json toJson() const { return toString(); }

    long long milliValue() const;  // rounded up, as Quantity.MilliValue
    long long value() const;       // rounded up, as Quantity.Value
    double asDouble() const;
    bool isZero() const { return m_nanos == 0; }
    bool isNegative() const { return m_nanos < 0; }
    Format format() const { return m_format; }

    Quantity &operator+=(const Quantity &other);
    Quantity &operator-=(const Quantity &other);
    friend Quantity operator+(Quantity a, const Quantity &b) { return a += b; }
    friend Quantity operator-(Quantity a, const Quantity &b) { return a -= b; }
    friend bool operator==(const Quantity &a, const Quantity &b) { return a.m_nanos == b.m_nanos; }
    friend std::strong_ordering operator<=>(const Quantity &a, const Quantity &b) { return a.m_nanos <=> b.m_nanos; }

private:
    __int128 m_nanos = 0;
    Format m_format = Format::DecimalSI;
};

} // namespace cd
