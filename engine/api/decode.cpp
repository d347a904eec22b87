#include "engine/api/decode.h"

#include "engine/api/protobuf.h"
#include "engine/core/yaml.h"

namespace cd::api {

std::pair<int, int> lineColumn(const std::string &text, size_t offset)
{
    int line = 1, column = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

namespace {

bool isYaml(const std::string &contentType)
{
    return contentType.find("yaml") != std::string::npos;
}

Error invalidJson(const std::string &body, const Json::parse_error &e)
{
    const auto [line, column] = lineColumn(body, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..." -> the tail
    const size_t colon = what.find(": ", what.find("parse error"));
    std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    return Error::badRequest("the request body is not valid JSON: line " + std::to_string(line) + ", column " +
                             std::to_string(column) + ": " + detail);
}

size_t membersInValue(const Json &value)
{
    size_t members = 0;
    if (value.is_object())
        members += value.size();
    if (value.is_structured())
        for (const Json &child : value)
            members += membersInValue(child);
    return members;
}

// Parsing while tracking every object's keys names the repeated fields, but costs about twice a
// plain parse. Most bodies have none: a plain parse that holds every member the text has
// (jsonTextShape counted them) tells so.
Result<DecodedBody> decodeJson(const std::string &body, size_t membersInText)
{
    try {
        DecodedBody plain;
        plain.value = Json::parse(body);
        if (membersInValue(plain.value) == membersInText)
            return plain;
    } catch (const Json::parse_error &e) {
        return invalidJson(body, e);
    }
    DecodedBody out;
    // Track the keys of every open object so a repeated field is noticed (Go's strict decoder
    // reports them; nlohmann would silently keep the last one).
    struct Frame {
        std::vector<std::string> keys;
        std::string path;
        bool isObject;
        size_t index = 0;
    };
    std::vector<Frame> stack;
    std::string pendingKey;
    auto childPath = [&](const Frame &parent) {
        if (!parent.isObject)
            return parent.path + "[" + std::to_string(parent.index) + "]";
        return parent.path.empty() ? pendingKey : parent.path + "." + pendingKey;
    };
    auto callback = [&](int, Json::parse_event_t event, Json &parsed) -> bool {
        switch (event) {
        case Json::parse_event_t::object_start:
        case Json::parse_event_t::array_start: {
            std::string path = stack.empty() ? std::string() : childPath(stack.back());
            stack.push_back({{}, std::move(path), event == Json::parse_event_t::object_start});
            break;
        }
        case Json::parse_event_t::object_end:
        case Json::parse_event_t::array_end:
            stack.pop_back();
            if (!stack.empty() && !stack.back().isObject)
                ++stack.back().index;
            break;
        case Json::parse_event_t::key: {
            pendingKey = parsed.get<std::string>();
            Frame &frame = stack.back();
            for (const std::string &k : frame.keys) {
                if (k == pendingKey) {
                    out.duplicateFields.push_back(childPath(frame));
                    break;
                }
            }
            frame.keys.push_back(pendingKey);
            break;
        }
        case Json::parse_event_t::value:
            if (!stack.empty() && !stack.back().isObject)
                ++stack.back().index;
            break;
        }
        return true;
    };
    try {
        out.value = Json::parse(body, callback);
    } catch (const Json::parse_error &e) {
        return invalidJson(body, e);
    }
    return out;
}

} // namespace

Result<DecodedBody> decodeBody(const std::string &body, const std::string &contentType)
{
    if (body.empty())
        return Error::badRequest("the request body is empty; an object was expected");
    // Binary: decoded before the JSON nesting scan, which would read its bytes as brackets.
    if (isProtobufContentType(contentType)) {
        CD_TRY(ProtobufBody decoded, decodeProtobuf(body));
        DecodedBody out;
        out.value = std::move(decoded.value);
        out.unknownFields = std::move(decoded.unknownFields);
        return out;
    }
    const JsonTextShape shape = jsonTextShape(body, kMaxNestingDepth);
    if (shape.depth > kMaxNestingDepth)
        return Error::badRequest("the request body is nested more than " + std::to_string(kMaxNestingDepth) +
                                 " levels deep");
    size_t first = body.find_first_not_of(" \t\r\n");
    const bool looksLikeJson = first != std::string::npos && (body[first] == '{' || body[first] == '[');
    if (isYaml(contentType) && !looksLikeJson) {
        auto yaml = parseYaml(body);
        if (!yaml.ok())
            return Error::badRequest("the request body is not valid YAML: " + yaml.error().message);
        DecodedBody out;
        out.value = std::move(yaml).value();
        return out;
    }
    return decodeJson(body, shape.members);
}

} // namespace cd::api
