#include "engine/core/json.h"

namespace cd {

const Json *find(const Json &object, std::initializer_list<std::string_view> path)
{
    const Json *node = &object;
    for (std::string_view key : path) {
        if (!node->is_object())
            return nullptr;
        auto it = node->find(key);
        if (it == node->end())
            return nullptr;
        node = &*it;
    }
    return node;
}

bool has(const Json &object, std::initializer_list<std::string_view> path)
{
    return find(object, path) != nullptr;
}

Json *find(Json &object, std::initializer_list<std::string_view> path)
{
    return const_cast<Json *>(find(static_cast<const Json &>(object), path));
}

std::string str(const Json &object, std::initializer_list<std::string_view> path, std::string_view fallback)
{
    const Json *node = find(object, path);
    if (node && node->is_string())
        return node->get<std::string>();
    return std::string(fallback);
}

long long integer(const Json &object, std::initializer_list<std::string_view> path, long long fallback)
{
    const Json *node = find(object, path);
    if (node && node->is_number_integer())
        return node->get<long long>();
    if (node && node->is_number_float())
        return static_cast<long long>(node->get<double>());
    return fallback;
}

bool boolean(const Json &object, std::initializer_list<std::string_view> path, bool fallback)
{
    const Json *node = find(object, path);
    if (node && node->is_boolean())
        return node->get<bool>();
    return fallback;
}

Json &ensureObject(Json &object, std::initializer_list<std::string_view> path)
{
    Json *node = &object;
    if (!node->is_object())
        *node = Json::object();
    for (std::string_view key : path) {
        Json &child = (*node)[std::string(key)];
        if (!child.is_object())
            child = Json::object();
        node = &child;
    }
    return *node;
}

std::map<std::string, std::string> stringMap(const Json &object, std::initializer_list<std::string_view> path)
{
    std::map<std::string, std::string> result;
    const Json *node = find(object, path);
    if (!node || !node->is_object())
        return result;
    for (auto it = node->begin(); it != node->end(); ++it) {
        if (it.value().is_string())
            result.emplace(it.key(), it.value().get<std::string>());
    }
    return result;
}

std::string dump(const Json &value)
{
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

JsonTextShape jsonTextShape(std::string_view text, int stopAbove)
{
    JsonTextShape shape;
    int depth = 0;
    bool inString = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        switch (c) {
        case '"': inString = true; break;
        case ':': ++shape.members; break;
        case '{':
        case '[':
            if (++depth > shape.depth) {
                shape.depth = depth;
                if (shape.depth > stopAbove)
                    return shape;
            }
            break;
        case '}':
        case ']': --depth; break;
        default: break;
        }
    }
    return shape;
}

int nestingDepth(std::string_view text, int stopAbove) { return jsonTextShape(text, stopAbove).depth; }

} // namespace cd
