#include "engine/core/names.h"

#include <QRandomGenerator>

#include <cstdio>

namespace cd::names {
namespace {

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return isLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

bool isLabel1123(std::string_view s)
{
    if (s.empty() || !isLowerAlnum(s.front()) || !isLowerAlnum(s.back()))
        return false;
    for (char c : s)
        if (!isLowerAlnum(c) && c != '-')
            return false;
    return true;
}

bool isSubdomain1123(std::string_view s)
{
    if (s.empty())
        return false;
    size_t start = 0;
    while (true) {
        size_t dot = s.find('.', start);
        std::string_view part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (!isLabel1123(part))
            return false;
        if (dot == std::string_view::npos)
            return true;
        start = dot + 1;
    }
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool isQualifiedNamePart(std::string_view s)
{
    if (s.empty() || !isAlnum(s.front()) || !isAlnum(s.back()))
        return false;
    for (char c : s)
        if (!isAlnum(c) && c != '-' && c != '_' && c != '.')
            return false;
    return true;
}

std::string maxLength(size_t n) { return "must be no more than " + std::to_string(n) + " characters"; }

const char *kSubdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char *kLabelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char *kQualifiedNameMessage =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

} // namespace

Messages dns1123Subdomain(std::string_view value)
{
    Messages out;
    if (value.size() > 253)
        out.push_back(maxLength(253));
    if (!isSubdomain1123(value))
        out.push_back(kSubdomainMessage);
    return out;
}

Messages dns1123Label(std::string_view value)
{
    Messages out;
    if (value.size() > 63)
        out.push_back(maxLength(63));
    if (!isLabel1123(value))
        out.push_back(kLabelMessage);
    return out;
}

Messages dns1035Label(std::string_view value)
{
    Messages out;
    if (value.size() > 63)
        out.push_back(maxLength(63));
    if (!isLabel1123(value) || !(value.front() >= 'a' && value.front() <= 'z')) {
        out.push_back("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                      "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
                      "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
    }
    return out;
}

Messages qualifiedName(std::string_view value)
{
    Messages out;
    std::string_view name = value;
    const size_t slash = value.find('/');
    if (slash != std::string_view::npos) {
        std::string_view prefix = value.substr(0, slash);
        name = value.substr(slash + 1);
        if (name.find('/') != std::string_view::npos) {
            out.push_back("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start "
                          "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
                          "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
                          "subdomain prefix and '/' (e.g. 'example.com/MyName')");
            return out;
        }
        if (prefix.empty())
            out.push_back("prefix part must be non-empty");
        else
            for (const std::string &m : dns1123Subdomain(prefix))
                out.push_back("prefix part " + m);
    }
    // An empty name part gets both messages, as in Kubernetes (the pattern does not match "" either).
    if (name.empty())
        out.push_back("name part must be non-empty");
    else if (name.size() > 63)
        out.push_back("name part " + maxLength(63));
    if (!isQualifiedNamePart(name))
        out.push_back(kQualifiedNameMessage);
    return out;
}

Messages labelValue(std::string_view value)
{
    Messages out;
    if (value.size() > 63)
        out.push_back(maxLength(63));
    if (!value.empty() && !isQualifiedNamePart(value)) {
        out.push_back("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                      "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                      "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
    }
    return out;
}

Messages ianaServiceName(std::string_view value)
{
    Messages out;
    if (value.size() > 15)
        out.push_back(maxLength(15));
    bool lowerAlnumDash = !value.empty();
    bool hasLetter = false;
    for (char c : value) {
        if (!isLowerAlnum(c) && c != '-')
            lowerAlnumDash = false;
        if (c >= 'a' && c <= 'z')
            hasLetter = true;
    }
    // The order of IsValidPortName's messages.
    if (!lowerAlnumDash)
        out.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    if (!hasLetter)
        out.push_back("must contain at least one letter (a-z)");
    if (value.find("--") != std::string_view::npos)
        out.push_back("must not contain consecutive hyphens");
    if (!value.empty() && (value.front() == '-' || value.back() == '-'))
        out.push_back("must not begin or end with a hyphen");
    return out;
}

Messages portNumber(long long port)
{
    if (port < 1 || port > 65535)
        return {"must be between 1 and 65535, inclusive"};
    return {};
}

Messages cIdentifier(std::string_view value)
{
    bool ok = !value.empty() && !(value.front() >= '0' && value.front() <= '9');
    for (char c : value)
        if (!isAlnum(c) && c != '_')
            ok = false;
    if (!ok)
        return {"a valid C identifier must start with alphabetic character or '_', followed by a string of "
                "alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for "
                "validation is '[A-Za-z_][A-Za-z0-9_]*')"};
    return {};
}

Messages envVarName(std::string_view value)
{
    // IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, on by default in v1.32).
    Messages out;
    if (value.empty())
        out.push_back("environment variable name must be non-empty");
    for (char c : value)
        if (c < 32 || c > 126 || c == '=') {
            out.push_back("a valid environment variable name must consist only of printable ASCII characters other "
                          "than '='");
            break;
        }
    return out;
}

Messages configMapKey(std::string_view value)
{
    Messages out;
    if (value.size() > 253)
        out.push_back(maxLength(253));
    bool ok = !value.empty();
    for (char c : value)
        if (!isAlnum(c) && c != '-' && c != '_' && c != '.')
            ok = false;
    if (!ok)
        out.push_back("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
                      "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
    if (value == "." || value == "..")
        out.push_back("must not be '" + std::string(value) + "'");
    else if (value.substr(0, 2) == "..")
        out.push_back("must not start with '..'");
    return out;
}

std::string randomSuffix(int length)
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    std::string out;
    out.reserve(length);
    for (int i = 0; i < length; ++i)
        out.push_back(alphabet[QRandomGenerator::system()->bounded(int(sizeof(alphabet) - 1))]);
    return out;
}

std::string uuid()
{
    unsigned char b[16];
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(b), 4);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    char out[37];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                  b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return out;
}

std::string randomHex(int bytes)
{
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < bytes; ++i) {
        const quint32 v = QRandomGenerator::system()->generate() & 0xff;
        out.push_back(hex[v >> 4]);
        out.push_back(hex[v & 15]);
    }
    return out;
}

} // namespace cd::names
