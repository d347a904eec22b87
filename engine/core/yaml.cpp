#include "engine/core/yaml.h"

#include "engine/core/yamlnode.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

namespace cd {
namespace {

// A conversion error: what is wrong as the message, where in `where`.
Error failAt(const YAML::Mark &mark, YAML::Mark &where, std::string message)
{
    where = mark;
    return Error::badRequest(std::move(message));
}

bool isOneOf(const std::string &s, std::initializer_list<const char *> options)
{
    for (const char *o : options)
        if (s == o)
            return true;
    return false;
}

// A plain (unquoted) scalar resolved by the YAML 1.2 core schema.
Json resolvePlain(const std::string &s)
{
    if (s.empty() || isOneOf(s, {"~", "null", "Null", "NULL"}))
        return nullptr;
    if (isOneOf(s, {"true", "True", "TRUE"}))
        return true;
    if (isOneOf(s, {"false", "False", "FALSE"}))
        return false;
    const char *begin = s.c_str();
    char *end = nullptr;
    // Integers: decimal with optional sign, 0x hex, 0o octal (digits only: strtoll alone would
    // also take a sign or spaces, reading "0x-1" as -1).
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        const bool hex = s[1] == 'x';
        const bool digitsOnly = s.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "01234567", 2) == std::string::npos;
        errno = 0;
        const long long v = digitsOnly ? std::strtoll(begin + 2, &end, hex ? 16 : 8) : 0;
        if (digitsOnly && *end == '\0' && errno == 0)
            return v;
    }
    bool integral = true;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (!((c >= '0' && c <= '9') || (i == 0 && (c == '-' || c == '+'))))
            integral = false;
    }
    if (integral && s != "-" && s != "+") {
        errno = 0;
        const long long v = std::strtoll(begin, &end, 10);
        if (*end == '\0' && errno == 0)
            return v;
        // Above INT64_MAX: unsigned, for non-negative values only (strtoull would wrap "-N").
        if (s[0] != '-') {
            errno = 0;  // strtoll left ERANGE behind
            const unsigned long long u = std::strtoull(begin, &end, 10);
            if (*end == '\0' && errno == 0)
                return u;
        }
    }
    if (isOneOf(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}))
        return std::numeric_limits<double>::infinity();
    if (isOneOf(s, {"-.inf", "-.Inf", "-.INF"}))
        return -std::numeric_limits<double>::infinity();
    // Floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+'))
        ++i;
    size_t digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
        ++i, ++digits;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            ++i, ++digits;
    }
    if (digits > 0 && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < s.size() && (s[j] == '-' || s[j] == '+'))
            ++j;
        size_t expDigits = 0;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
            ++j, ++expDigits;
        if (expDigits > 0)
            i = j;
    }
    if (digits > 0 && i == s.size())
        return std::strtod(begin, nullptr);
    return s;
}

Result<Json> convert(const YAML::Node &node, int depth, YAML::Mark &where)
{
    if (depth > 200)
        return failAt(node.Mark(), where, "the document is nested too deeply");
    switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return Json(nullptr);
    case YAML::NodeType::Scalar: {
        const std::string &tag = node.Tag();
        const std::string &text = node.Scalar();
        if (tag == "!" || tag == "tag:yaml.org,2002:str" || tag == "!!str")
            return Json(text);
        if (tag == "?" || tag.empty())
            return resolvePlain(text);
        if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" || tag == "tag:yaml.org,2002:bool" ||
            tag == "tag:yaml.org,2002:null") {
            Json v = resolvePlain(text);
            if (v.is_string())
                return failAt(node.Mark(), where, "cannot read \"" + text + "\" as " + tag.substr(18));
            return v;
        }
        if (tag == "tag:yaml.org,2002:binary")
            return Json(text);
        return Json(text);  // unknown local tags: keep the text
    }
    case YAML::NodeType::Sequence: {
        Json array = Json::array();
        for (const YAML::Node &item : node) {
            CD_TRY(Json value, convert(item, depth + 1, where));
            array.push_back(std::move(value));
        }
        return array;
    }
    case YAML::NodeType::Map: {
        Json object = Json::object();
        for (auto it = node.begin(); it != node.end(); ++it) {
            const YAML::Node keyNode = it->first;  // a copy: it->first is a temporary
            if (!keyNode.IsScalar())
                return failAt(keyNode.Mark(), where, "a mapping key must be a scalar");
            std::string key = keyNode.Scalar();
            if (keyNode.Tag() == "?" && key == "<<")
                return failAt(keyNode.Mark(), where, "merge keys (<<) are not supported");
            if (object.contains(key))
                return failAt(keyNode.Mark(), where, "mapping key \"" + key + "\" already defined");
            CD_TRY(Json value, convert(it->second, depth + 1, where));
            object[key] = std::move(value);
        }
        return object;
    }
    }
    return Json(nullptr);
}

void emit(YAML::Emitter &out, const Json &value, const YamlKeyRank &rank)
{
    switch (value.type()) {
    case Json::value_t::object: {
        std::vector<const std::string *> keys;
        keys.reserve(value.size());
        for (auto it = value.begin(); it != value.end(); ++it)
            keys.push_back(&it.key());
        if (rank)  // stable: keys of equal rank stay in the object's (alphabetical) order
            std::stable_sort(keys.begin(), keys.end(),
                             [&rank](const std::string *a, const std::string *b) { return rank(*a) < rank(*b); });
        out << YAML::BeginMap;
        for (const std::string *key : keys) {
            out << YAML::Key << *key << YAML::Value;
            emit(out, value[*key], rank);
        }
        out << YAML::EndMap;
        break;
    }
    case Json::value_t::array:
        out << YAML::BeginSeq;
        for (const Json &item : value)
            emit(out, item, rank);
        out << YAML::EndSeq;
        break;
    case Json::value_t::string: {
        const std::string &s = value.get_ref<const std::string &>();
        // Quote strings that would read back as another type.
        if (!resolvePlain(s).is_string() || s.empty())
            out << YAML::DoubleQuoted << s;
        else
            out << s;
        break;
    }
    case Json::value_t::boolean: out << (value.get<bool>() ? "true" : "false"); break;
    case Json::value_t::null: out << YAML::Null; break;
    default: out << value.dump(); break;
    }
}

} // namespace

Result<Json> yamlnode::toJson(const YAML::Node &node, YAML::Mark &where)
{
    return convert(node, 0, where);
}

Error yamlnode::error(const YAML::Mark &mark, const std::string &message)
{
    return Error::badRequest("yaml: line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) +
                             ": " + message);
}

Result<std::vector<YamlDocument>> parseYamlDocuments(std::string_view text)
{
    std::vector<YamlDocument> documents;
    try {
        const std::vector<YAML::Node> nodes = YAML::LoadAll(std::string(text));
        for (const YAML::Node &node : nodes) {
            if (node.IsNull() && node.Tag() != "!")
                continue;
            YAML::Mark where;
            auto value = convert(node, 0, where);
            if (!value.ok())
                return yamlnode::error(where, value.error().message);
            documents.push_back({std::move(value).value(), node.Mark().line + 1});
        }
    } catch (const YAML::Exception &e) {
        return yamlnode::error(e.mark, e.msg);
    }
    return documents;
}

Result<Json> parseYaml(std::string_view text)
{
    CD_TRY(auto documents, parseYamlDocuments(text));
    if (documents.empty())
        return Json(nullptr);
    if (documents.size() > 1)
        return Error::badRequest("yaml: expected one document, found " + std::to_string(documents.size()));
    return std::move(documents.front().value);
}

std::string toYaml(const Json &value, const YamlKeyRank &rank)
{
    YAML::Emitter out;
    out.SetIndent(2);
    out.SetSeqFormat(YAML::Block);
    emit(out, value, rank);
    return std::string(out.c_str()) + "\n";
}

} // namespace cd
