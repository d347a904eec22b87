#include "engine/api/protobuf.h"

#include "engine/api/decode.h"

#include <QByteArray>
#include <QFile>

#include <cstdio>
#include <cstring>

namespace cd::api {
namespace {

constexpr std::string_view kMagic("k8s\0", 4);
constexpr std::string_view kRefPrefix = "#/components/schemas/";

// Types whose JSON form is a scalar or raw JSON though the wire carries a message; their field
// numbers are fixed by apimachinery and read here rather than through fields.yaml.
const std::string kQuantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const std::string kIntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const std::string kTime = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
const std::string kMicroTime = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
const std::string kDuration = "io.k8s.apimachinery.pkg.apis.meta.v1.Duration";
const std::string kFieldsV1 = "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1";
const std::string kRawExtension = "io.k8s.apimachinery.pkg.runtime.RawExtension";

bool isSpecial(const std::string &ref)
{
    return ref == kQuantity || ref == kIntOrString || ref == kTime || ref == kMicroTime || ref == kDuration ||
           ref == kFieldsV1 || ref == kRawExtension;
}

enum WireType { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 };

const char *wireTypeName(int wireType)
{
    switch (wireType) {
    case Varint: return "varint";
    case Fixed64: return "64-bit";
    case LengthDelimited: return "length-delimited";
    case Fixed32: return "32-bit";
    default: return "unknown";
    }
}

struct WireField {
    int number = 0;
    int wireType = 0;
    uint64_t scalar = 0;    // a varint, 64-bit or 32-bit value
    std::string_view bytes; // a length-delimited payload
    size_t offset = 0;      // where the field's key starts in the body
};

// The definition a property schema names ($ref, or an allOf around one $ref), or "".
std::string refName(const Json &schema)
{
    const Json *node = &schema;
    if (const Json *allOf = find(schema, {"allOf"}); allOf && allOf->is_array() && allOf->size() == 1)
        node = &(*allOf)[0];
    const Json *ref = find(*node, {"$ref"});
    if (!ref || !ref->is_string())
        return {};
    std::string target = ref->get<std::string>();
    if (target.compare(0, kRefPrefix.size(), kRefPrefix) == 0)
        target.erase(0, kRefPrefix.size());
    return target;
}

std::string childPath(const std::string &path, const std::string &name)
{
    return path.empty() ? name : path + "." + name;
}

// Go's encoder writes U+FFFD for each byte that is not valid UTF-8; nlohmann would throw later.
std::string validUtf8(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool valid = length > 0 && i + length <= text.size();
        for (size_t k = 1; valid && k < length; ++k)
            valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
        if (valid && length > 1) {
            // Reject overlong forms, surrogates and code points past U+10FFFF, as Go does.
            uint32_t cp = c & (0xff >> (length + 1));
            for (size_t k = 1; k < length; ++k)
                cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
            const uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
            valid = cp >= minimum[length] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
        }
        if (valid) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out += "\xef\xbf\xbd";
            ++i;
        }
    }
    return out;
}

int64_t floorDiv(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// RFC 3339 in UTC with 0 or 6 fraction digits, for any year Go can print (0000-9999).
bool formatTimestamp(int64_t seconds, int64_t nanos, int fractionDigits, std::string &out)
{
    seconds += floorDiv(nanos, 1000000000);
    nanos -= floorDiv(nanos, 1000000000) * 1000000000;
    if (seconds < -62167219200 || seconds > 253402300799) // 0000-01-01 .. 9999-12-31
        return false;
    int64_t days = floorDiv(seconds, 86400);
    const int64_t secondOfDay = seconds - days * 86400;
    // Days since 1970-01-01 to a civil date (proleptic Gregorian), by 400-year eras.
    days += 719468;
    const int64_t era = floorDiv(days, 146097);
    const int64_t dayOfEra = days - era * 146097;
    const int64_t yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    const int64_t dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const int64_t monthIndex = (5 * dayOfYear + 2) / 153;
    const int day = static_cast<int>(dayOfYear - (153 * monthIndex + 2) / 5 + 1);
    const int month = static_cast<int>(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9);
    const long long year = yearOfEra + era * 400 + (month <= 2);
    char text[48];
    std::snprintf(text, sizeof text, "%04lld-%02d-%02dT%02d:%02d:%02d", year, month, day,
                  static_cast<int>(secondOfDay / 3600), static_cast<int>(secondOfDay / 60 % 60),
                  static_cast<int>(secondOfDay % 60));
    out = text;
    if (fractionDigits == 6) {
        std::snprintf(text, sizeof text, ".%06d", static_cast<int>(nanos / 1000));
        out += text;
    }
    out += "Z";
    return true;
}

// Go's time.Duration.String(), which is how metav1.Duration writes JSON: "1h30m0s", "1.5s", "300ms".
std::string goDuration(int64_t duration)
{
    if (duration == 0)
        return "0s";
    const bool negative = duration < 0;
    const uint64_t u = negative ? 0 - static_cast<uint64_t>(duration) : static_cast<uint64_t>(duration);
    auto fraction = [](uint64_t value, int digits) {
        std::string text(digits, '0');
        for (int i = digits - 1; i >= 0; --i, value /= 10)
            text[i] = static_cast<char>('0' + value % 10);
        text.erase(text.find_last_not_of('0') + 1);
        return text.empty() ? text : "." + text;
    };
    std::string out;
    if (u < 1000) {
        out = std::to_string(u) + "ns";
    } else if (u < 1000000) {
        out = std::to_string(u / 1000) + fraction(u % 1000, 3) + "\xc2\xb5s";
    } else if (u < 1000000000) {
        out = std::to_string(u / 1000000) + fraction(u % 1000000, 6) + "ms";
    } else {
        const uint64_t totalSeconds = u / 1000000000;
        out = std::to_string(totalSeconds % 60) + fraction(u % 1000000000, 9) + "s";
        const uint64_t minutes = totalSeconds / 60;
        if (minutes > 0) {
            out = std::to_string(minutes % 60) + "m" + out;
            if (minutes / 60 > 0)
                out = std::to_string(minutes / 60) + "h" + out;
        }
    }
    return negative ? "-" + out : out;
}

bool isZeroScalar(const Json &value)
{
    switch (value.type()) {
    case Json::value_t::string: return value.get_ref<const std::string &>().empty();
    case Json::value_t::boolean: return !value.get<bool>();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return value.get<long long>() == 0;
    case Json::value_t::number_float: return value.get<double>() == 0.0;
    default: return false;
    }
}

class Decoder {
public:
    Decoder(std::string_view body, const SchemaRegistry &schemas, const ProtobufFields &fields)
        : m_body(body), m_schemas(schemas), m_fields(fields)
    {
    }

    std::vector<std::string> unknownFields;
    const Error &error() const { return m_error; }

    // Reads one field (key and value) off the front of `rest`.
    bool next(std::string_view &rest, WireField &f, const std::string &path)
    {
        f = WireField{};
        f.offset = offsetOf(rest);
        uint64_t key = 0;
        if (!varint(rest, key, path))
            return false;
        f.wireType = static_cast<int>(key & 7);
        if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff)
            return fail(f.offset, path, "field number " + std::to_string(key >> 3) + " is out of range");
        f.number = static_cast<int>(key >> 3);
        switch (f.wireType) {
        case Varint: return varint(rest, f.scalar, path);
        case Fixed64:
        case Fixed32: {
            const size_t size = f.wireType == Fixed64 ? 8 : 4;
            if (rest.size() < size)
                return fail(offsetOf(rest), path,
                            "the " + std::string(wireTypeName(f.wireType)) + " value of field " +
                                std::to_string(f.number) + " is cut short");
            for (size_t i = 0; i < size; ++i)
                f.scalar |= static_cast<uint64_t>(static_cast<unsigned char>(rest[i])) << (8 * i);
            rest.remove_prefix(size);
            return true;
        }
        case LengthDelimited: {
            const size_t lengthAt = offsetOf(rest);
            uint64_t length = 0;
            if (!varint(rest, length, path))
                return false;
            if (length > rest.size())
                return fail(lengthAt, path,
                            "field " + std::to_string(f.number) + " says it has " + std::to_string(length) +
                                " bytes but only " + std::to_string(rest.size()) + " remain");
            f.bytes = rest.substr(0, length);
            rest.remove_prefix(length);
            return true;
        }
        default:
            return fail(f.offset, path,
                        "field " + std::to_string(f.number) + " has wire type " + std::to_string(f.wireType) +
                            ", which Kubernetes never writes");
        }
    }

    // The fields of one message of `definition` into the JSON object `out`. `schema` is the
    // object schema the properties come from (the outer one for an inline definition).
    bool message(std::string_view bytes, const std::string &definition, const Json *schema, Json &out,
                 const std::string &path, int depth)
    {
        if (depth > kMaxNestingDepth)
            return fail(offsetOf(bytes), path,
                        "messages are nested more than " + std::to_string(kMaxNestingDepth) + " levels deep");
        if (!out.is_object())
            out = Json::object();
        while (!bytes.empty()) {
            WireField f;
            if (!next(bytes, f, path))
                return false;
            const ProtobufFields::Field *field = m_fields.field(definition, f.number);
            if (!field) {
                unknownFields.push_back(childPath(path, "#" + std::to_string(f.number)));
                continue;
            }
            if (!field->inlineDefinition.empty()) {
                if (!expect(f, LengthDelimited, path, "an embedded message") ||
                    !message(f.bytes, field->inlineDefinition, schema, out, path, depth + 1))
                    return false;
                continue;
            }
            const std::string fieldPath = childPath(path, field->name);
            const Json *raw = m_schemas.rawProperty(schema, field->name);
            if (!raw) {
                unknownFields.push_back(fieldPath);
                continue;
            }
            if (!property(*field, *raw, f, out, fieldPath, depth))
                return false;
        }
        return true;
    }

private:
    size_t offsetOf(std::string_view piece) const { return static_cast<size_t>(piece.data() - m_body.data()); }

    bool fail(size_t offset, const std::string &path, const std::string &what)
    {
        m_error = Error::badRequest("the protobuf request body could not be read at byte " + std::to_string(offset) +
                                    (path.empty() ? std::string() : " (" + path + ")") + ": " + what);
        return false;
    }

    bool varint(std::string_view &rest, uint64_t &out, const std::string &path)
    {
        const size_t start = offsetOf(rest);
        out = 0;
        for (int i = 0; i < 10; ++i) {
            if (rest.empty())
                return fail(start, path, "a varint is cut short");
            const auto byte = static_cast<unsigned char>(rest.front());
            rest.remove_prefix(1);
            if (i == 9 && byte > 1)
                return fail(start, path, "a varint overflows 64 bits");
            out |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
            if (!(byte & 0x80))
                return true;
        }
        return fail(start, path, "a varint overflows 64 bits");
    }

    bool expect(const WireField &f, int wireType, const std::string &path, const std::string &what)
    {
        if (f.wireType == wireType)
            return true;
        return fail(f.offset, path,
                    "field " + std::to_string(f.number) + " is " + wireTypeName(f.wireType) + " but " + what +
                        " is expected");
    }

    bool property(const ProtobufFields::Field &field, const Json &raw, const WireField &f, Json &out,
                  const std::string &path, int depth)
    {
        const std::string ref = refName(raw);
        const Json *schema = isSpecial(ref) ? nullptr : m_schemas.resolve(&raw);
        const std::string type = schema ? str(*schema, {"type"}) : std::string();
        if (field.wrapped || type == "array") {
            const Json *items = schema ? find(*schema, {"items"}) : nullptr;
            if (!items)
                return fail(f.offset, path, "the schema gives no item type for this list");
            Json &list = out[field.name];
            if (!list.is_array())
                list = Json::array();
            if (field.wrapped) {
                // A named list type (metav1.Verbs): a message whose field 1 repeats the items.
                if (!expect(f, LengthDelimited, path, "a list message"))
                    return false;
                std::string_view rest = f.bytes;
                while (!rest.empty()) {
                    WireField item;
                    if (!next(rest, item, path))
                        return false;
                    if (item.number != 1) {
                        unknownFields.push_back(childPath(path, "#" + std::to_string(item.number)));
                        continue;
                    }
                    if (!appendItem(*items, item, list, path, depth))
                        return false;
                }
                return true;
            }
            return appendItem(*items, f, list, path, depth);
        }
        if (type == "object" && schema->contains("additionalProperties") && !schema->contains("properties"))
            return mapEntry(*find(*schema, {"additionalProperties"}), f, out[field.name], path, depth);
        Json &target = out[field.name];
        if (!value(raw, f, target, path, depth))
            return false;
        // Go's encoder leaves out a zero scalar whose field has omitempty (proto carries it anyway).
        if (!field.emitZero && !isSpecial(ref) && type != "object" && isZeroScalar(target))
            out.erase(field.name);
        return true;
    }

    // One occurrence of a repeated field: one item, or a packed run of numbers.
    bool appendItem(const Json &itemsRaw, const WireField &f, Json &list, const std::string &path, int depth)
    {
        const Json *items = m_schemas.resolve(&itemsRaw);
        const std::string type = items && !isSpecial(refName(itemsRaw)) ? str(*items, {"type"}) : std::string();
        const bool numeric = type == "integer" || type == "boolean" || type == "number";
        if (numeric && f.wireType == LengthDelimited) {
            std::string_view rest = f.bytes;
            while (!rest.empty()) {
                WireField element;
                element.number = f.number;
                element.offset = offsetOf(rest);
                const std::string elementPath = path + "[" + std::to_string(list.size()) + "]";
                if (type == "number") {
                    if (rest.size() < 8)
                        return fail(offsetOf(rest), elementPath, "a packed 64-bit value is cut short");
                    element.wireType = Fixed64;
                    for (size_t i = 0; i < 8; ++i)
                        element.scalar |= static_cast<uint64_t>(static_cast<unsigned char>(rest[i])) << (8 * i);
                    rest.remove_prefix(8);
                } else {
                    element.wireType = Varint;
                    if (!varint(rest, element.scalar, elementPath))
                        return false;
                }
                Json item;
                if (!value(itemsRaw, element, item, elementPath, depth))
                    return false;
                list.push_back(std::move(item));
            }
            return true;
        }
        Json item;
        if (!value(itemsRaw, f, item, path + "[" + std::to_string(list.size()) + "]", depth))
            return false;
        list.push_back(std::move(item));
        return true;
    }

    // One entry of a map field: a message with the key in field 1 and the value in field 2.
    bool mapEntry(const Json &valueRaw, const WireField &f, Json &map, const std::string &path, int depth)
    {
        if (!expect(f, LengthDelimited, path, "a map entry"))
            return false;
        if (!map.is_object())
            map = Json::object();
        std::string key;
        Json entry = zeroValue(valueRaw);
        std::string_view rest = f.bytes;
        while (!rest.empty()) {
            WireField part;
            if (!next(rest, part, path))
                return false;
            if (part.number == 1) {
                if (!expect(part, LengthDelimited, path, "a string key"))
                    return false;
                key = validUtf8(part.bytes);
            } else if (part.number == 2) {
                if (!value(valueRaw, part, entry, childPath(path, key), depth))
                    return false;
            } else {
                unknownFields.push_back(childPath(path, "#" + std::to_string(part.number)));
            }
        }
        map[key] = std::move(entry);
        return true;
    }

    // What Go writes for a map value the entry leaves out: the zero value of its type.
    Json zeroValue(const Json &raw) const
    {
        const std::string ref = refName(raw);
        if (ref == kQuantity)
            return "0";
        if (ref == kIntOrString)
            return 0;
        if (isSpecial(ref))
            return nullptr;
        const Json *schema = m_schemas.resolve(&raw);
        const std::string type = schema ? str(*schema, {"type"}) : std::string();
        if (type == "string")
            return "";
        if (type == "integer" || type == "number")
            return 0;
        if (type == "boolean")
            return false;
        if (type == "array")
            return Json::array();
        return Json::object();
    }

    // One value, guided by its property (or item, or map value) schema.
    bool value(const Json &raw, const WireField &f, Json &target, const std::string &path, int depth)
    {
        const std::string ref = refName(raw);
        if (isSpecial(ref))
            return special(ref, f, target, path);
        const Json *schema = m_schemas.resolve(&raw);
        if (!schema)
            return fail(f.offset, path, "the schema of this field is missing");
        const std::string type = str(*schema, {"type"});
        if (type == "object" && !ref.empty() && m_fields.describes(ref)) {
            return expect(f, LengthDelimited, path, "a message") &&
                   message(f.bytes, ref, schema, target, path, depth + 1);
        }
        if (type == "string") {
            if (!expect(f, LengthDelimited, path, "a string"))
                return false;
            if (str(*schema, {"format"}) == "byte") {
                const QByteArray bytes(f.bytes.data(), static_cast<qsizetype>(f.bytes.size()));
                target = bytes.toBase64().toStdString();
            } else {
                target = validUtf8(f.bytes);
            }
            return true;
        }
        if (type == "integer") {
            if (!expect(f, Varint, path, "an integer (varint)"))
                return false;
            if (str(*schema, {"format"}) == "int32")
                target = static_cast<int32_t>(static_cast<uint32_t>(f.scalar)); // negatives come sign-extended
            else
                target = static_cast<int64_t>(f.scalar);
            return true;
        }
        if (type == "boolean") {
            if (!expect(f, Varint, path, "a bool (varint)"))
                return false;
            target = f.scalar != 0;
            return true;
        }
        if (type == "number") {
            if (f.wireType == Fixed64) {
                double d;
                std::memcpy(&d, &f.scalar, sizeof d);
                target = d;
            } else if (f.wireType == Fixed32) {
                const auto bits = static_cast<uint32_t>(f.scalar);
                float v;
                std::memcpy(&v, &bits, sizeof v);
                target = static_cast<double>(v);
            } else if (f.wireType == Varint) {
                target = static_cast<int64_t>(f.scalar);
            } else {
                return expect(f, Fixed64, path, "a number");
            }
            return true;
        }
        return fail(f.offset, path, "the schema does not say how to read field " + std::to_string(f.number));
    }

    // The apimachinery types whose JSON is not an object.
    bool special(const std::string &ref, const WireField &f, Json &target, const std::string &path)
    {
        if (!expect(f, LengthDelimited, path, "a message"))
            return false;
        uint64_t numbers[4] = {0, 0, 0, 0}; // varint fields 1..3 by number
        std::string_view strings[4];
        bool seen[4] = {false, false, false, false};
        std::string_view rest = f.bytes;
        while (!rest.empty()) {
            WireField part;
            if (!next(rest, part, path))
                return false;
            const bool known = part.number <= 3 && (part.wireType == Varint || part.wireType == LengthDelimited);
            if (!known) {
                unknownFields.push_back(childPath(path, "#" + std::to_string(part.number)));
                continue;
            }
            seen[part.number] = true;
            numbers[part.number] = part.scalar;
            strings[part.number] = part.bytes;
        }
        if (ref == kQuantity) { // 1: string
            target = seen[1] ? validUtf8(strings[1]) : std::string("0");
        } else if (ref == kIntOrString) { // 1: type (0 int, 1 string), 2: intVal, 3: strVal
            if (numbers[1] == 1)
                target = validUtf8(strings[3]);
            else
                target = static_cast<int32_t>(static_cast<uint32_t>(numbers[2]));
        } else if (ref == kTime || ref == kMicroTime) { // 1: seconds, 2: nanos; empty is the zero time
            if (f.bytes.empty()) {
                target = nullptr; // Go writes a zero Time as null
                return true;
            }
            // metav1.Time keeps whole seconds only; MicroTime keeps microseconds.
            const bool micro = ref == kMicroTime;
            std::string text;
            if (!formatTimestamp(static_cast<int64_t>(numbers[1]),
                                 micro ? static_cast<int32_t>(static_cast<uint32_t>(numbers[2])) : 0, micro ? 6 : 0,
                                 text))
                return fail(f.offset, path, "the timestamp is outside the years 0000-9999");
            target = text;
        } else if (ref == kDuration) { // 1: duration in nanoseconds
            target = goDuration(static_cast<int64_t>(numbers[1]));
        } else { // FieldsV1 and RawExtension: 1: raw JSON bytes
            if (!seen[1]) {
                target = nullptr;
                return true;
            }
            if (nestingDepth(strings[1], kMaxNestingDepth) > kMaxNestingDepth)
                return fail(offsetOf(strings[1]), path,
                            "the embedded raw object is nested more than " + std::to_string(kMaxNestingDepth) +
                                " levels deep");
            Json parsed = Json::parse(strings[1].begin(), strings[1].end(), nullptr, false);
            if (parsed.is_discarded())
                return fail(offsetOf(strings[1]), path, "the embedded raw object is not JSON");
            target = std::move(parsed);
        }
        return true;
    }

    std::string_view m_body;
    const SchemaRegistry &m_schemas;
    const ProtobufFields &m_fields;
    Error m_error;
};

} // namespace

bool isProtobufContentType(const std::string &contentType)
{
    return contentType.compare(0, kProtobufContentType.size(), kProtobufContentType) == 0;
}

const ProtobufFields &ProtobufFields::builtin()
{
    static const ProtobufFields fields = [] {
        QFile file(QStringLiteral(":/clusterdeck/protobuf/fields.json"));
        Json numbers = Json::object();
        if (file.open(QIODevice::ReadOnly)) {
            const QByteArray bytes = file.readAll();
            numbers = Json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
            if (numbers.is_discarded())
                numbers = Json::object();
        }
        return ProtobufFields(numbers);
    }();
    return fields;
}

ProtobufFields::ProtobufFields(const Json &numbers)
{
    if (!numbers.is_object())
        return;
    for (auto definition = numbers.begin(); definition != numbers.end(); ++definition) {
        auto &fields = m_fields[definition.key()];
        if (!definition->is_object())
            continue;
        for (auto entry = definition->begin(); entry != definition->end(); ++entry) {
            const std::string &key = entry.key();
            if (key.empty() || key.size() > 9 || key.find_first_not_of("0123456789") != std::string::npos)
                continue;
            Field field;
            if (entry->is_string()) {
                field.name = entry->get<std::string>();
            } else {
                field.name = str(*entry, {"name"});
                field.inlineDefinition = str(*entry, {"inline"});
                field.emitZero = boolean(*entry, {"emitZero"});
                field.wrapped = boolean(*entry, {"wrapped"});
            }
            fields[std::stoi(key)] = std::move(field);
        }
    }
}

const ProtobufFields::Field *ProtobufFields::field(const std::string &definition, int number) const
{
    auto it = m_fields.find(definition);
    if (it == m_fields.end())
        return nullptr;
    auto field = it->second.find(number);
    return field == it->second.end() ? nullptr : &field->second;
}

std::vector<std::string> ProtobufFields::properties(const std::string &definition) const
{
    std::vector<std::string> out;
    auto it = m_fields.find(definition);
    if (it == m_fields.end())
        return out;
    for (const auto &[number, field] : it->second) {
        if (field.inlineDefinition.empty()) {
            out.push_back(field.name);
        } else if (field.inlineDefinition != definition) {
            for (std::string &name : properties(field.inlineDefinition))
                out.push_back(std::move(name));
        }
    }
    return out;
}

Result<ProtobufBody> decodeProtobufMessage(std::string_view message, const std::string &definition,
                                           const SchemaRegistry &schemas, const ProtobufFields &fields)
{
    const Json *schema = schemas.definition(definition);
    if (!schema || !fields.describes(definition))
        return Error::badRequest("the protobuf request body could not be read: " + definition +
                                 " has no protobuf field numbers");
    Decoder decoder(message, schemas, fields);
    ProtobufBody out;
    out.value = Json::object();
    if (!decoder.message(message, definition, schema, out.value, "", 0))
        return decoder.error();
    out.unknownFields = std::move(decoder.unknownFields);
    return out;
}

Result<ProtobufBody> decodeProtobuf(std::string_view body, const SchemaRegistry &schemas, const ProtobufFields &fields)
{
    if (body.substr(0, kMagic.size()) != kMagic)
        return Error::badRequest("the protobuf request body could not be read: it does not start with the 4 bytes "
                                 "\"k8s\\x00\" of a Kubernetes protobuf message");
    // The envelope, runtime.Unknown: 1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding,
    // 4 contentType.
    Decoder decoder(body, schemas, fields);
    std::string_view rest = body.substr(kMagic.size());
    std::string apiVersion, kind, contentEncoding;
    std::string_view raw = body.substr(body.size());
    while (!rest.empty()) {
        WireField f;
        if (!decoder.next(rest, f, "envelope"))
            return decoder.error();
        if (f.wireType != LengthDelimited)
            continue;
        if (f.number == 1) {
            std::string_view typeMeta = f.bytes;
            while (!typeMeta.empty()) {
                WireField part;
                if (!decoder.next(typeMeta, part, "envelope.typeMeta"))
                    return decoder.error();
                if (part.wireType == LengthDelimited && part.number == 1)
                    apiVersion = std::string(part.bytes);
                else if (part.wireType == LengthDelimited && part.number == 2)
                    kind = std::string(part.bytes);
            }
        } else if (f.number == 2) {
            raw = f.bytes;
        } else if (f.number == 3) {
            contentEncoding = std::string(f.bytes);
        }
    }
    if (!contentEncoding.empty())
        return Error::badRequest("the protobuf request body could not be read: content encoding \"" +
                                 validUtf8(contentEncoding) + "\" is not supported");
    if (kind.empty())
        return Error::badRequest("the protobuf request body could not be read: the envelope names no kind");
    const size_t slash = apiVersion.find('/');
    const std::string group = slash == std::string::npos ? std::string() : apiVersion.substr(0, slash);
    const std::string version = slash == std::string::npos ? apiVersion : apiVersion.substr(slash + 1);
    const std::string definition = schemas.definitionFor(group, version, kind);
    const Json *schema = definition.empty() ? nullptr : schemas.definition(definition);
    if (!schema || !fields.describes(definition))
        return Error::badRequest("the protobuf request body could not be read: no kind \"" + validUtf8(kind) +
                                 "\" is registered for version \"" + validUtf8(apiVersion) + "\"");
    ProtobufBody out;
    out.value = Json::object();
    if (!decoder.message(raw, definition, schema, out.value, "", 0))
        return decoder.error();
    // TypeMeta is not part of the object's message; Go's JSON puts it first.
    if (!apiVersion.empty())
        out.value["apiVersion"] = apiVersion;
    out.value["kind"] = kind;
    out.unknownFields = std::move(decoder.unknownFields);
    return out;
}

} // namespace cd::api
