#include "engine/core/labels.h"

#include "engine/core/names.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace cd {
namespace {

const std::string *lookup(const Json &labels, const std::string &key, std::string &scratch)
{
    if (!labels.is_object())
        return nullptr;
    auto it = labels.find(key);
    if (it == labels.end() || !it->is_string())
        return nullptr;
    scratch = it->get<std::string>();
    return &scratch;
}

const std::string *lookup(const Labels &labels, const std::string &key, std::string &)
{
    auto it = labels.find(key);
    return it == labels.end() ? nullptr : &it->second;
}

template <typename LabelSource>
bool requirementMatches(const LabelRequirement &r, const LabelSource &labels)
{
    std::string scratch;
    const std::string *value = lookup(labels, r.key, scratch);
    auto inValues = [&] { return value && std::find(r.values.begin(), r.values.end(), *value) != r.values.end(); };
    using Op = LabelRequirement::Op;
    switch (r.op) {
    case Op::Equals:
    case Op::In: return inValues();
    case Op::NotEquals:
    case Op::NotIn: return !inValues();
    case Op::Exists: return value != nullptr;
    case Op::DoesNotExist: return value == nullptr;
    case Op::GreaterThan:
    case Op::LessThan: {
        if (!value || r.values.size() != 1)
            return false;
        char *end = nullptr;
        const long long have = std::strtoll(value->c_str(), &end, 10);
        if (value->empty() || *end)
            return false;
        const long long want = std::strtoll(r.values[0].c_str(), nullptr, 10);
        return r.op == Op::GreaterThan ? have > want : have < want;
    }
    }
    return false;
}

// A small hand-written lexer for the selector grammar; positions are reported 0-based like Kubernetes.
class SelectorParser {
public:
    explicit SelectorParser(std::string_view text) : m_text(text) {}

    Result<std::vector<LabelRequirement>> parse()
    {
        std::vector<LabelRequirement> out;
        skipSpace();
        if (atEnd())
            return out;
        while (true) {
            CD_TRY(LabelRequirement r, requirement());
            out.push_back(std::move(r));
            skipSpace();
            if (atEnd())
                return out;
            if (m_text[m_pos] != ',')
                return fail("found '" + std::string(1, m_text[m_pos]) + "', expected: ',' or 'end of string'");
            ++m_pos;
            skipSpace();
        }
    }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    void skipSpace()
    {
        while (!atEnd() && std::isspace(static_cast<unsigned char>(m_text[m_pos])))
            ++m_pos;
    }
    static bool isWordChar(char c)
    {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
    }
    std::string word()
    {
        const size_t start = m_pos;
        while (!atEnd() && isWordChar(m_text[m_pos]))
            ++m_pos;
        return std::string(m_text.substr(start, m_pos - start));
    }
    Error fail(const std::string &what) const
    {
        return Error::badRequest("unable to parse requirement: " + what);
    }

    Result<LabelRequirement> requirement()
    {
        LabelRequirement r;
        if (m_text[m_pos] == '!') {
            ++m_pos;
            skipSpace();
            r.key = word();
            if (r.key.empty())
                return fail("found '" + rest() + "', expected: identifier after '!'");
            CD_CHECK(checkKey(r.key));
            r.op = LabelRequirement::Op::DoesNotExist;
            return r;
        }
        r.key = word();
        if (r.key.empty())
            return fail("found '" + rest() + "', expected: !, identifier, or 'end of string'");
        CD_CHECK(checkKey(r.key));
        skipSpace();
        if (atEnd() || m_text[m_pos] == ',') {
            r.op = LabelRequirement::Op::Exists;
            return r;
        }
        using Op = LabelRequirement::Op;
        if (m_text.substr(m_pos, 2) == "==") {
            r.op = Op::Equals;
            m_pos += 2;
        } else if (m_text.substr(m_pos, 2) == "!=") {
            r.op = Op::NotEquals;
            m_pos += 2;
        } else if (m_text[m_pos] == '=') {
            r.op = Op::Equals;
            ++m_pos;
        } else if (m_text[m_pos] == '>') {
            r.op = Op::GreaterThan;
            ++m_pos;
        } else if (m_text[m_pos] == '<') {
            r.op = Op::LessThan;
            ++m_pos;
        } else {
            const std::string keyword = word();
            if (keyword == "in")
                r.op = Op::In;
            else if (keyword == "notin")
                r.op = Op::NotIn;
            else
                return fail("found '" + keyword + "', expected: in, notin, =, ==, !=, gt, lt");
        }
        skipSpace();
        if (r.op == Op::In || r.op == Op::NotIn) {
            if (atEnd() || m_text[m_pos] != '(')
                return fail("found '" + rest() + "', expected: '('");
            ++m_pos;
            while (true) {
                skipSpace();
                std::string value = word();
                CD_CHECK(checkValue(value));
                r.values.push_back(value);
                skipSpace();
                if (atEnd())
                    return fail("found 'end of string', expected: ',' or ')'");
                if (m_text[m_pos] == ')') {
                    ++m_pos;
                    break;
                }
                if (m_text[m_pos] != ',')
                    return fail("found '" + std::string(1, m_text[m_pos]) + "', expected: ',' or ')'");
                ++m_pos;
            }
            std::sort(r.values.begin(), r.values.end());
            return r;
        }
        std::string value = word();
        if (r.op == Op::GreaterThan || r.op == Op::LessThan) {
            char *end = nullptr;
            std::strtoll(value.c_str(), &end, 10);
            if (value.empty() || *end)
                return fail("for 'Gt', 'Lt' operators, the value must be an integer");
        } else {
            CD_CHECK(checkValue(value));
        }
        r.values.push_back(value);
        return r;
    }

    std::string rest() const { return atEnd() ? "end of string" : std::string(m_text.substr(m_pos, 1)); }

    static Status checkKey(const std::string &key)
    {
        const auto problems = names::qualifiedName(key);
        if (!problems.empty())
            return Error::badRequest("unable to parse requirement: key: Invalid value: \"" + key + "\": " + problems[0]);
        return {};
    }
    static Status checkValue(const std::string &value)
    {
        const auto problems = names::labelValue(value);
        if (!problems.empty())
            return Error::badRequest("unable to parse requirement: values[0]: Invalid value: \"" + value + "\": " +
                                     problems[0]);
        return {};
    }

    std::string_view m_text;
    size_t m_pos = 0;
};

} // namespace

bool LabelRequirement::matches(const Labels &labels) const { return requirementMatches(*this, labels); }
bool LabelRequirement::matches(const Json &labels) const { return requirementMatches(*this, labels); }

LabelSelector LabelSelector::nothing()
{
    LabelSelector s;
    s.m_nothing = true;
    return s;
}

Result<LabelSelector> LabelSelector::parse(std::string_view text)
{
    SelectorParser parser(text);
    CD_TRY(auto requirements, parser.parse());
    LabelSelector s;
    s.m_requirements = std::move(requirements);
    std::stable_sort(s.m_requirements.begin(), s.m_requirements.end(),
                     [](const auto &a, const auto &b) { return a.key < b.key; });
    return s;
}

Result<LabelSelector> LabelSelector::fromJson(const Json &selector)
{
    if (selector.is_null())
        return nothing();
    if (!selector.is_object())
        return Error::badRequest("a label selector must be an object");
    LabelSelector s;
    if (const Json *labels = find(selector, {"matchLabels"}); labels && labels->is_object()) {
        for (auto it = labels->begin(); it != labels->end(); ++it) {
            if (!it.value().is_string())
                return Error::badRequest("matchLabels values must be strings");
            s.m_requirements.push_back({it.key(), LabelRequirement::Op::Equals, {it.value().get<std::string>()}});
        }
    }
    if (const Json *expressions = find(selector, {"matchExpressions"}); expressions && expressions->is_array()) {
        for (const Json &e : *expressions) {
            LabelRequirement r;
            r.key = str(e, {"key"});
            const std::string op = str(e, {"operator"});
            if (const Json *values = find(e, {"values"}); values && values->is_array())
                for (const Json &v : *values)
                    if (v.is_string())
                        r.values.push_back(v.get<std::string>());
            using Op = LabelRequirement::Op;
            if (op == "In")
                r.op = Op::In;
            else if (op == "NotIn")
                r.op = Op::NotIn;
            else if (op == "Exists")
                r.op = Op::Exists;
            else if (op == "DoesNotExist")
                r.op = Op::DoesNotExist;
            else
                return Error::badRequest("\"" + op + "\" is not a valid label selector operator");
            std::sort(r.values.begin(), r.values.end());
            s.m_requirements.push_back(std::move(r));
        }
    }
    std::stable_sort(s.m_requirements.begin(), s.m_requirements.end(),
                     [](const auto &a, const auto &b) { return a.key < b.key; });
    return s;
}

LabelSelector LabelSelector::fromMap(const Labels &labels)
{
    LabelSelector s;
    for (const auto &[key, value] : labels)
        s.m_requirements.push_back({key, LabelRequirement::Op::Equals, {value}});
    return s;
}

bool LabelSelector::matches(const Labels &labels) const
{
    if (m_nothing)
        return false;
    for (const auto &r : m_requirements)
        if (!r.matches(labels))
            return false;
    return true;
}

bool LabelSelector::matches(const Json &labelsObject) const
{
    if (m_nothing)
        return false;
    for (const auto &r : m_requirements)
        if (!r.matches(labelsObject))
            return false;
    return true;
}

std::string LabelSelector::toString() const
{
    std::string out;
    for (const auto &r : m_requirements) {
        if (!out.empty())
            out += ',';
        using Op = LabelRequirement::Op;
        auto joined = [&] {
            std::string v;
            for (const auto &value : r.values)
                v += (v.empty() ? "" : ",") + value;
            return v;
        };
        switch (r.op) {
        case Op::Equals: out += r.key + "=" + joined(); break;
        case Op::NotEquals: out += r.key + "!=" + joined(); break;
        case Op::In: out += r.key + " in (" + joined() + ")"; break;
        case Op::NotIn: out += r.key + " notin (" + joined() + ")"; break;
        case Op::Exists: out += r.key; break;
        case Op::DoesNotExist: out += "!" + r.key; break;
        case Op::GreaterThan: out += r.key + ">" + joined(); break;
        case Op::LessThan: out += r.key + "<" + joined(); break;
        }
    }
    return out;
}

} // namespace cd
