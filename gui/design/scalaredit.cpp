#include "gui/design/scalaredit.h"

#include "engine/core/yaml.h"
#include "gui/design/yamltoken.h"

#include <algorithm>
#include <vector>

namespace cd::gui {

namespace {

constexpr char kSeparator = '\x1f';  // as in yamlsource's field keys

struct Change {
    std::string key;  // field key (segments joined by kSeparator)
    const Json *oldValue;
    const Json *newValue;
};

bool isScalar(const Json &v)
{
    return !v.is_object() && !v.is_array();
}

// Collects replaced scalars; false when anything else changed (keys added or removed, list
// lengths, a scalar turned into a mapping, ...).
bool collect(const Json &oldValue, const Json &newValue, const std::string &key, std::vector<Change> &out)
{
    if (isScalar(oldValue) && isScalar(newValue)) {
        if (oldValue != newValue)
            out.push_back({key, &oldValue, &newValue});
        return true;
    }
    if (oldValue.type() != newValue.type() || oldValue.size() != newValue.size())
        return false;
    auto child = [&key](const std::string &segment) { return key.empty() ? segment : key + kSeparator + segment; };
    if (oldValue.is_object()) {
        for (auto it = oldValue.begin(); it != oldValue.end(); ++it) {
            const auto other = newValue.find(it.key());
            if (other == newValue.end() || !collect(it.value(), *other, child(it.key()), out))
                return false;
        }
        return true;
    }
    for (size_t i = 0; i < oldValue.size(); ++i)
        if (!collect(oldValue[i], newValue[i], child(std::to_string(i)), out))
            return false;
    return true;
}

// The plain-text form of a scalar as YAML would print it unquoted ("3", "true", "nginx").
std::string plainForm(const Json &v)
{
    return v.is_string() ? v.get<std::string>() : v.dump();
}

// The new scalar's text, in the quoting style the old one was written in where that is safe.
std::string written(const Json &v, char quote)
{
    if (!v.is_string())
        return v.is_null() ? std::string("null") : v.dump();
    const std::string &s = v.get_ref<const std::string &>();
    if (quote == '"')
        return v.dump();  // JSON's escaping is YAML's double-quoted form
    if (quote == '\'') {
        std::string out = "'";
        for (char c : s)
            out += c == '\'' ? std::string("''") : std::string(1, c);
        return out + "'";
    }
    std::string plain = toYaml(v);  // the emitter quotes what would read back as something else
    while (!plain.empty() && (plain.back() == '\n' || plain.back() == ' '))
        plain.pop_back();
    return plain;
}

// The scalar token written at `offset` (its length and its quote character, 0 for plain), when
// it is `oldValue` as the parser read it there.
std::optional<std::pair<size_t, char>> scalarToken(std::string_view line, size_t offset, const Json &oldValue, bool flow)
{
    if (offset >= line.size())
        return std::nullopt;
    const size_t length = yamlTokenLength(line, offset, flow);
    const char first = line[offset];
    if (first == '"' || first == '\'') {
        if (length < 2 || line[offset + length - 1] != first)
            return std::nullopt;  // not closed on this line: leave it to a rewrite
        return std::make_pair(length, first);
    }
    if (line.substr(offset, length) != plainForm(oldValue))
        return std::nullopt;
    return std::make_pair(length, char(0));
}

std::vector<size_t> lineStarts(std::string_view text)
{
    std::vector<size_t> starts{0};
    for (size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n')
            starts.push_back(i + 1);
    return starts;
}

} // namespace

std::optional<std::string> replaceScalars(std::string_view text, const SourceDocument &document, const Json &updated)
{
    if (document.error || document.empty)
        return std::nullopt;
    std::vector<Change> changes;
    if (!collect(document.value, updated, {}, changes) || changes.empty())
        return std::nullopt;

    const std::vector<size_t> starts = lineStarts(text);
    const bool flow = isFlowDocument(text);
    struct Replacement {
        size_t offset, length;
        std::string text;
    };
    std::vector<Replacement> replacements;
    for (const Change &change : changes) {
        const auto field = document.fields.find(change.key);
        if (field == document.fields.end())
            return std::nullopt;
        const SourcePosition at = field->second.value;
        const int line = at.line - document.firstLine;
        if (!at.valid() || line < 0 || size_t(line) >= starts.size())
            return std::nullopt;
        const size_t lineStart = starts[size_t(line)];
        const size_t lineEnd = std::min(text.find('\n', lineStart), text.size());
        const auto token = scalarToken(text.substr(lineStart, lineEnd - lineStart), size_t(at.column - 1), *change.oldValue, flow);
        if (!token)
            return std::nullopt;
        replacements.push_back({lineStart + size_t(at.column - 1), token->first, written(*change.newValue, token->second)});
    }
    std::sort(replacements.begin(), replacements.end(), [](const Replacement &a, const Replacement &b) { return a.offset > b.offset; });
    std::string out(text);
    for (const Replacement &r : replacements)
        out.replace(r.offset, r.length, r.text);

    // Trust, but verify: the edited text must read back as exactly the updated object.
    auto reread = parseYaml(out);
    if (!reread.ok() || *reread != updated)
        return std::nullopt;
    return out;
}

} // namespace cd::gui
