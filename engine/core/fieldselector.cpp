#include "engine/core/fieldselector.h"

namespace cd {
namespace {

// Splits on unescaped commas, as fields.ParseSelector does.
std::vector<std::string> splitTerms(std::string_view text)
{
    std::vector<std::string> terms;
    std::string current;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            current += text[i];
            current += text[++i];
        } else if (text[i] == ',') {
            terms.push_back(current);
            current.clear();
        } else {
            current += text[i];
        }
    }
    terms.push_back(current);
    return terms;
}

std::string unescape(std::string_view s)
{
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size())
            ++i;
        out += s[i];
    }
    return out;
}

// Position of the first unescaped occurrence of needle.
size_t findUnescaped(std::string_view s, std::string_view needle)
{
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
            continue;
        }
        if (s.substr(i, needle.size()) == needle)
            return i;
    }
    return std::string_view::npos;
}

} // namespace

Result<FieldSelector> FieldSelector::parse(std::string_view text)
{
    FieldSelector selector;
    if (text.empty())
        return selector;
    for (const std::string &term : splitTerms(text)) {
        if (term.empty())
            continue;
        FieldRequirement r;
        size_t pos;
        if ((pos = findUnescaped(term, "!=")) != std::string_view::npos) {
            r.equals = false;
            r.field = unescape(std::string_view(term).substr(0, pos));
            r.value = unescape(std::string_view(term).substr(pos + 2));
        } else if ((pos = findUnescaped(term, "==")) != std::string_view::npos) {
            r.field = unescape(std::string_view(term).substr(0, pos));
            r.value = unescape(std::string_view(term).substr(pos + 2));
        } else if ((pos = findUnescaped(term, "=")) != std::string_view::npos) {
            r.field = unescape(std::string_view(term).substr(0, pos));
            r.value = unescape(std::string_view(term).substr(pos + 1));
        } else {
            return Error::badRequest("invalid selector: '" + std::string(text) + "'; can't understand '" + term + "'");
        }
        selector.m_requirements.push_back(std::move(r));
    }
    return selector;
}

const std::string *FieldSelector::requiredValue(std::string_view field) const
{
    for (const auto &r : m_requirements)
        if (r.equals && r.field == field)
            return &r.value;
    return nullptr;
}

bool FieldSelector::matches(const std::function<std::string(const std::string &)> &fieldValue) const
{
    for (const auto &r : m_requirements) {
        if ((fieldValue(r.field) == r.value) != r.equals)
            return false;
    }
    return true;
}

} // namespace cd
