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

// fields.UnescapeValue: "\\", "\," and "\=" are the only escapes, and an unescaped "," or "="
// in a value is an error. Go prints the offending rune with %v, which gives its number.
Result<std::string> unescapeValue(std::string_view s)
{
    std::string out;
    bool inSlash = false;
    for (char c : s) {
        if (inSlash) {
            if (c != '\\' && c != ',' && c != '=')
                return Error::badRequest(std::string("invalid field selector: invalid escape sequence: \\") + c);
            out += c;
            inSlash = false;
            continue;
        }
        if (c == '\\')
            inSlash = true;
        else if (c == ',' || c == '=')
            return Error::badRequest("invalid field selector: unescaped character in value: " +
                                     std::to_string(int(static_cast<unsigned char>(c))));
        else
            out += c;
    }
    if (inSlash)
        return Error::badRequest("invalid field selector: invalid escape sequence: \\");
    return out;
}

} // namespace

Result<FieldSelector> FieldSelector::parse(std::string_view text)
{
    FieldSelector selector;
    for (const std::string &term : splitTerms(text)) {
        if (term.empty())
            continue;
        // The first position where "!=", "==" or "=" starts splits the term; the field name is
        // taken literally (no escapes), the value is unescaped.
        size_t pos = std::string::npos;
        size_t opLength = 0;
        bool equals = true;
        for (size_t i = 0; i < term.size() && pos == std::string::npos; ++i) {
            if (term.compare(i, 2, "!=") == 0) {
                pos = i, opLength = 2, equals = false;
            } else if (term.compare(i, 2, "==") == 0) {
                pos = i, opLength = 2;
            } else if (term[i] == '=') {
                pos = i, opLength = 1;
            }
        }
        if (pos == std::string::npos)
            return Error::badRequest("invalid selector: '" + std::string(text) + "'; can't understand '" + term + "'");
        CD_TRY(std::string value, unescapeValue(std::string_view(term).substr(pos + opLength)));
        selector.m_requirements.push_back({term.substr(0, pos), equals, std::move(value)});
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
