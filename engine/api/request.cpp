#include "engine/api/request.h"

#include <algorithm>
#include <cctype>

namespace cd::api {

std::optional<std::string> ApiRequest::param(const std::string &name) const
{
    auto range = query.equal_range(name);
    if (range.first == range.second)
        return std::nullopt;
    return std::prev(range.second)->second;
}

std::string ApiRequest::param(const std::string &name, const std::string &fallback) const
{
    auto value = param(name);
    return value ? *value : fallback;
}

bool ApiRequest::flag(const std::string &name) const
{
    auto value = param(name);
    if (!value)
        return false;
    std::string lower = *value;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower == "true" || lower == "1" || lower == "t";
}

std::vector<std::string> ApiRequest::segments() const
{
    std::vector<std::string> parts;
    size_t start = 0;
    while (start < path.size()) {
        size_t slash = path.find('/', start);
        if (slash == std::string::npos)
            slash = path.size();
        if (slash > start)
            parts.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return parts;
}

} // namespace cd::api
