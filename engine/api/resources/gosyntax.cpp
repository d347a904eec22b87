#include "engine/api/resources/gosyntax.h"

#include <cstdio>

namespace cd::api::gosyntax {
namespace {

std::string hex(unsigned value, int digits)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%0*x", digits, value);
    return buffer;
}

// Decodes one UTF-8 sequence at text[i]; returns its length, 0 when it is not valid UTF-8.
size_t decodeUtf8(std::string_view text, size_t i, char32_t &rune)
{
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
    if (lead >= 0xF5 || length == 0 || i + length > text.size())
        return 0;
    rune = lead & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80)
            return 0;
        rune = (rune << 6) | (byte(i + k) & 0x3F);
    }
    const char32_t minimum = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    if (rune < minimum || rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF))
        return 0;
    return length;
}

// Go's unicode.IsPrint, closely enough for label values and names: C1 controls, the soft
// hyphen and the Unicode separators and specials are not printable.
bool printable(char32_t rune)
{
    if (rune < 0xA0)
        return false;
    if (rune == 0xAD || (rune >= 0x2028 && rune <= 0x2029) || (rune >= 0x200B && rune <= 0x200F) ||
        (rune >= 0x202A && rune <= 0x202E) || (rune >= 0x2060 && rune <= 0x206F) || rune == 0xFEFF ||
        (rune >= 0xFFF9 && rune <= 0xFFFB) || (rune & 0xFFFE) == 0xFFFE || (rune >= 0xE000 && rune <= 0xF8FF))
        return false;
    return true;
}

} // namespace

std::string quote(std::string_view text)
{
    std::string out = "\"";
    for (size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\a': out += "\\a"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\v': out += "\\v"; break;
            default:
                if (c < 0x20 || c == 0x7F)
                    out += "\\x" + hex(c, 2);
                else
                    out += char(c);
            }
            ++i;
            continue;
        }
        char32_t rune = 0;
        const size_t length = decodeUtf8(text, i, rune);
        if (length == 0) {
            out += "\\x" + hex(c, 2);
            ++i;
            continue;
        }
        if (printable(rune))
            out.append(text.substr(i, length));
        else if (rune < 0x10000)
            out += "\\u" + hex(unsigned(rune), 4);
        else
            out += "\\U" + hex(unsigned(rune), 8);
        i += length;
    }
    return out + "\"";
}

std::string slice(const Json *values, std::string_view type)
{
    if (!values || !values->is_array())
        return std::string(type) + "(nil)";
    std::string out = std::string(type) + "{";
    bool first = true;
    for (const Json &v : *values) {
        out += first ? "" : ", ";
        out += v.is_string() ? quote(v.get<std::string>()) : dump(v);
        first = false;
    }
    return out + "}";
}

std::string stringMap(const Json *map)
{
    if (!map || !map->is_object())
        return "map[string]string(nil)";
    std::string out = "map[string]string{";
    bool first = true;
    for (auto it = map->begin(); it != map->end(); ++it) { // nlohmann keeps keys sorted, as Go prints them
        out += first ? "" : ", ";
        out += quote(it.key()) + ":" + quote(it.value().is_string() ? it.value().get<std::string>() : dump(it.value()));
        first = false;
    }
    return out + "}";
}

std::string labelSelector(const Json &selector)
{
    std::string out =
        "v1.LabelSelector{MatchLabels:" + stringMap(find(selector, {"matchLabels"})) + ", MatchExpressions:";
    const Json *expressions = find(selector, {"matchExpressions"});
    if (!expressions || !expressions->is_array())
        return out + "[]v1.LabelSelectorRequirement(nil)}";
    out += "[]v1.LabelSelectorRequirement{";
    bool first = true;
    for (const Json &e : *expressions) {
        out += first ? "" : ", ";
        out += "v1.LabelSelectorRequirement{Key:" + quote(str(e, {"key"})) +
               ", Operator:" + quote(str(e, {"operator"})) + ", Values:" + slice(find(e, {"values"})) + "}";
        first = false;
    }
    return out + "}}";
}

std::string intOrString(const Json &value)
{
    if (value.is_string())
        return "intstr.IntOrString{Type:1, IntVal:0, StrVal:" + quote(value.get<std::string>()) + "}";
    const long long number = value.is_number() ? value.get<long long>() : 0;
    return "intstr.IntOrString{Type:0, IntVal:" + std::to_string(number) + ", StrVal:\"\"}";
}

std::string podTemplate(const Json &podTemplate)
{
    const Json meta = podTemplate.contains("metadata") ? podTemplate["metadata"] : Json::object();
    return "core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{Name:" + quote(str(meta, {"name"})) +
           ", GenerateName:" + quote(str(meta, {"generateName"})) + ", Namespace:" + quote(str(meta, {"namespace"})) +
           ", SelfLink:\"\", UID:\"\", ResourceVersion:\"\", Generation:0, "
           "CreationTimestamp:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC), DeletionTimestamp:<nil>, "
           "DeletionGracePeriodSeconds:(*int64)(nil), Labels:" +
           stringMap(find(meta, {"labels"})) + ", Annotations:" + stringMap(find(meta, {"annotations"})) +
           ", OwnerReferences:[]v1.OwnerReference(nil), Finalizers:[]string(nil), "
           "ManagedFields:[]v1.ManagedFieldsEntry(nil)}, Spec:core.PodSpec{...}}";
}

std::string pointerOr(const Json *value, const std::string &printed)
{
    return !value || value->is_null() ? std::string("\"null\"") : printed;
}

} // namespace cd::api::gosyntax
