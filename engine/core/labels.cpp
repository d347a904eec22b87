#include "engine/core/labels.h"

#include "engine/core/names.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <set>

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

// strconv.ParseInt(s, 10, 64): optional sign, decimal digits only, no overflow.
bool parseInt64(const std::string &s, long long &out)
{
    if (s.empty())
        return false;
    size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if (i == s.size())
        return false;
    for (size_t j = i; j < s.size(); ++j)
        if (s[j] < '0' || s[j] > '9')
            return false;
    errno = 0;
    char *end = nullptr;
    out = std::strtoll(s.c_str(), &end, 10);
    return errno == 0 && *end == '\0';
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
    case Op::NotIn: return !inValues();  // a missing key matches, as in Kubernetes
    case Op::Exists: return value != nullptr;
    case Op::DoesNotExist: return value == nullptr;
    case Op::GreaterThan:
    case Op::LessThan: {
        long long have = 0, want = 0;
        if (!value || r.values.size() != 1 || !parseInt64(*value, have) || !parseInt64(r.values[0], want))
            return false;
        return r.op == Op::GreaterThan ? have > want : have < want;
    }
    }
    return false;
}

// Go's %q for the strings that appear in selectors.
std::string quoted(const std::string &s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char buffer[8];
                std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
                out += buffer;
            } else {
                out += char(c);
            }
        }
    }
    return out + "\"";
}

// Go's %#v of a []string, the way field.Invalid prints a list of values (an empty list reaches
// labels.NewRequirement as a nil slice).
std::string goStringSlice(const std::vector<std::string> &values)
{
    if (values.empty())
        return "[]string(nil)";
    std::string out = "[]string{";
    for (size_t i = 0; i < values.size(); ++i)
        out += (i ? ", " : "") + quoted(values[i]);
    return out + "}";
}

std::string joined(const names::Messages &messages)
{
    std::string out;
    for (const auto &m : messages)
        out += (out.empty() ? "" : "; ") + m;
    return out;
}

// An errors.Aggregate's text: one error alone, several in brackets, duplicates once.
std::string aggregate(const std::vector<std::string> &errors)
{
    std::vector<std::string> unique;
    for (const auto &e : errors)
        if (std::find(unique.begin(), unique.end(), e) == unique.end())
            unique.push_back(e);
    if (unique.size() == 1)
        return unique[0];
    std::string out;
    for (const auto &e : unique)
        out += (out.empty() ? "" : ", ") + e;
    return "[" + out + "]";
}

std::string invalidKey(const std::string &path, const std::string &key)
{
    const auto problems = names::qualifiedName(key);
    return problems.empty() ? std::string() : path + ": Invalid value: " + quoted(key) + ": " + joined(problems);
}

// labels.NewRequirement's checks; the key is checked only when checkKey is set (the parser has
// already checked it, with its own path).
std::vector<std::string> requirementErrors(const LabelRequirement &r, bool checkKey)
{
    using Op = LabelRequirement::Op;
    std::vector<std::string> errors;
    if (checkKey)
        if (std::string e = invalidKey("key", r.key); !e.empty())
            errors.push_back(e);
    switch (r.op) {
    case Op::In:
    case Op::NotIn:
        if (r.values.empty())
            errors.push_back("values: Invalid value: " + goStringSlice(r.values) +
                             ": for 'in', 'notin' operators, values set can't be empty");
        break;
    case Op::Equals:
    case Op::NotEquals:
        if (r.values.size() != 1)
            errors.push_back("values: Invalid value: " + goStringSlice(r.values) +
                             ": exact-match compatibility requires one single value");
        break;
    case Op::Exists:
    case Op::DoesNotExist:
        if (!r.values.empty())
            errors.push_back("values: Invalid value: " + goStringSlice(r.values) +
                             ": values set must be empty for exists and does not exist");
        break;
    case Op::GreaterThan:
    case Op::LessThan:
        if (r.values.size() != 1)
            errors.push_back("values: Invalid value: " + goStringSlice(r.values) +
                             ": for 'Gt', 'Lt' operators, exactly one value is required");
        for (size_t i = 0; i < r.values.size(); ++i) {
            long long ignored;
            if (!parseInt64(r.values[i], ignored))
                errors.push_back("values[" + std::to_string(i) + "]: Invalid value: " + quoted(r.values[i]) +
                                 ": for 'Gt', 'Lt' operators, the value must be an integer");
        }
        break;
    }
    for (size_t i = 0; i < r.values.size(); ++i) {
        const auto problems = names::labelValue(r.values[i]);
        if (!problems.empty())
            errors.push_back("values[" + std::to_string(i) + "][" + r.key + "]: Invalid value: " +
                             quoted(r.values[i]) + ": " + joined(problems));
    }
    return errors;
}

// The selector grammar of apimachinery's labels.Parse, token for token, so that what is accepted
// and every error message match Kubernetes.
class SelectorParser {
public:
    explicit SelectorParser(std::string_view text) { scan(text); }

    Result<std::vector<LabelRequirement>> parse()
    {
        std::vector<LabelRequirement> out;
        while (true) {
            const Token t = lookahead(Context::Values);
            if (t.type == Tok::EndOfString)
                return out;
            if (t.type != Tok::Identifier && t.type != Tok::DoesNotExist)
                return Error::badRequest("found '" + t.literal + "', expected: !, identifier, or 'end of string'");
            // Only a requirement's own errors carry this prefix in Kubernetes.
            auto r = requirement();
            if (!r.ok())
                return Error::badRequest("unable to parse requirement: " + r.error().message);
            out.push_back(std::move(r).value());
            const Token next = consume(Context::Values);
            if (next.type == Tok::EndOfString)
                return out;
            if (next.type != Tok::Comma)
                return Error::badRequest("found '" + next.literal + "', expected: ',' or 'end of string'");
            const Token after = lookahead(Context::Values);
            if (after.type != Tok::Identifier && after.type != Tok::DoesNotExist)
                return Error::badRequest("found '" + after.literal + "', expected: identifier after ','");
        }
    }

private:
    enum class Tok {
        EndOfString, ClosedPar, Comma, DoesNotExist, DoubleEquals, Equals, GreaterThan,
        Identifier, In, LessThan, NotEquals, NotIn, OpenPar
    };
    enum class Context { KeyAndOperator, Values };
    struct Token {
        Tok type;
        std::string literal;
    };

    static bool isWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
    static bool isSpecial(char c)
    {
        return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
    }
    static bool symbol(const std::string &s, Tok &type)
    {
        static const std::pair<const char *, Tok> table[] = {
            {")", Tok::ClosedPar}, {",", Tok::Comma},       {"!", Tok::DoesNotExist}, {"==", Tok::DoubleEquals},
            {"=", Tok::Equals},    {">", Tok::GreaterThan}, {"<", Tok::LessThan},     {"!=", Tok::NotEquals},
            {"(", Tok::OpenPar},
        };
        for (const auto &[text, t] : table)
            if (s == text) {
                type = t;
                return true;
            }
        return false;
    }

    void scan(std::string_view text)
    {
        size_t pos = 0;
        while (true) {
            while (pos < text.size() && isWhitespace(text[pos]))
                ++pos;
            if (pos >= text.size()) {
                m_tokens.push_back({Tok::EndOfString, ""});
                return;
            }
            if (isSpecial(text[pos])) {
                // The longest run of special characters that still forms an operator.
                std::string buffer;
                Token last{Tok::EndOfString, ""};  // every single special character is an operator
                while (pos < text.size() && isSpecial(text[pos])) {
                    buffer += text[pos];
                    Tok type;
                    if (symbol(buffer, type)) {
                        last = {type, buffer};
                        ++pos;
                    } else {
                        break;
                    }
                }
                m_tokens.push_back(last);
                continue;
            }
            const size_t start = pos;
            while (pos < text.size() && !isSpecial(text[pos]) && !isWhitespace(text[pos]))
                ++pos;
            std::string word(text.substr(start, pos - start));
            const Tok type = word == "in" ? Tok::In : word == "notin" ? Tok::NotIn : Tok::Identifier;
            m_tokens.push_back({type, std::move(word)});
        }
    }

    Token adjust(Token t, Context context) const
    {
        // "in" and "notin" are plain words where a value is expected ("x in (in)").
        if (context == Context::Values && (t.type == Tok::In || t.type == Tok::NotIn))
            t.type = Tok::Identifier;
        return t;
    }
    Token lookahead(Context context) const { return adjust(m_tokens[m_pos], context); }
    Token consume(Context context)
    {
        Token t = adjust(m_tokens[m_pos], context);
        if (m_pos + 1 < m_tokens.size())
            ++m_pos;
        return t;
    }

    Result<LabelRequirement> requirement()
    {
        using Op = LabelRequirement::Op;
        LabelRequirement r;
        bool negated = false;
        Token t = consume(Context::Values);
        if (t.type == Tok::DoesNotExist) {
            negated = true;
            t = consume(Context::Values);
        }
        if (t.type != Tok::Identifier)
            return Error::badRequest("found '" + t.literal + "', expected: identifier");
        if (std::string e = invalidKey("<nil>", t.literal); !e.empty())
            return Error::badRequest(e);
        r.key = t.literal;
        const Tok next = lookahead(Context::Values).type;
        if (negated || next == Tok::EndOfString || next == Tok::Comma) {
            r.op = negated ? Op::DoesNotExist : Op::Exists;
            return r;
        }
        const Token op = consume(Context::KeyAndOperator);
        switch (op.type) {
        case Tok::In: r.op = Op::In; break;
        case Tok::NotIn: r.op = Op::NotIn; break;
        case Tok::Equals:
        case Tok::DoubleEquals: r.op = Op::Equals; break;
        case Tok::NotEquals: r.op = Op::NotEquals; break;
        case Tok::GreaterThan: r.op = Op::GreaterThan; break;
        case Tok::LessThan: r.op = Op::LessThan; break;
        default: return Error::badRequest("found '" + op.literal + "', expected: in, notin, =, ==, !=, gt, lt");
        }
        std::set<std::string> values;  // a sorted set, as sets.String gives them
        if (r.op == Op::In || r.op == Op::NotIn) {
            const Token open = consume(Context::Values);
            if (open.type != Tok::OpenPar)
                return Error::badRequest("found '" + open.literal + "' expected: '('");
            const Token first = lookahead(Context::Values);
            if (first.type == Tok::ClosedPar) {
                consume(Context::Values);
                values.insert("");
            } else if (first.type == Tok::Identifier || first.type == Tok::Comma) {
                CD_CHECK(identifierList(values));
                if (consume(Context::Values).type != Tok::ClosedPar)
                    return Error::badRequest("found '" + first.literal + "', expected: ')'");
            } else {
                return Error::badRequest("found '" + first.literal + "', expected: ',', ')' or identifier");
            }
        } else {
            const Token v = lookahead(Context::Values);
            if (v.type == Tok::EndOfString || v.type == Tok::Comma) {
                values.insert("");
            } else {
                const Token value = consume(Context::Values);
                if (value.type != Tok::Identifier)
                    return Error::badRequest("found '" + value.literal + "', expected: identifier");
                values.insert(value.literal);
            }
        }
        r.values.assign(values.begin(), values.end());
        const auto errors = requirementErrors(r, false);
        if (!errors.empty())
            return Error::badRequest(aggregate(errors));
        return r;
    }

    Status identifierList(std::set<std::string> &values)
    {
        while (true) {
            const Token t = consume(Context::Values);
            if (t.type == Tok::Identifier) {
                values.insert(t.literal);
                const Token next = lookahead(Context::Values);
                if (next.type == Tok::Comma)
                    continue;
                if (next.type == Tok::ClosedPar)
                    return {};
                return Error::badRequest("found '" + next.literal + "', expected: ',' or ')'");
            }
            if (t.type == Tok::Comma) {
                // "(,a", "a,)" and "a,,b" each hold the empty value.
                if (values.empty())
                    values.insert("");
                const Tok next = lookahead(Context::Values).type;
                if (next == Tok::ClosedPar) {
                    values.insert("");
                    return {};
                }
                if (next == Tok::Comma)
                    values.insert("");
                continue;
            }
            return Error::badRequest("found '" + t.literal + "', expected: ',', or identifier");
        }
    }

    std::vector<Token> m_tokens;
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
    // metav1.LabelSelectorAsSelector: null selects nothing, {} everything, and every requirement
    // passes labels.NewRequirement's checks.
    if (selector.is_null())
        return nothing();
    if (!selector.is_object())
        return Error::badRequest("a label selector must be an object");
    LabelSelector s;
    if (const Json *labels = find(selector, {"matchLabels"}); labels && labels->is_object()) {
        for (auto it = labels->begin(); it != labels->end(); ++it) {
            if (!it.value().is_string())
                return Error::badRequest("matchLabels values must be strings");
            LabelRequirement r{it.key(), LabelRequirement::Op::Equals, {it.value().get<std::string>()}};
            if (const auto errors = requirementErrors(r, true); !errors.empty())
                return Error::badRequest(aggregate(errors));
            s.m_requirements.push_back(std::move(r));
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
                return Error::badRequest(quoted(op) + " is not a valid label selector operator");
            if (const auto errors = requirementErrors(r, true); !errors.empty())
                return Error::badRequest(aggregate(errors));
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
            // By position, not by what is written so far: an empty value still takes its comma.
            std::string v;
            for (size_t i = 0; i < r.values.size(); ++i)
                v += (i ? "," : "") + r.values[i];
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
