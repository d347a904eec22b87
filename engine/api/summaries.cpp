#include "engine/api/summaries.h"

#include "engine/api/context.h"
#include "engine/api/selectors.h"
#include "engine/api/table.h"

#include <string_view>

namespace cd::api {
namespace {

// Positions in JSON text, nothing parsed: enough to cut a member out of a stored object.
class Scanner {
public:
    struct Member {
        std::string_view key;  // as written (escapes not decoded)
        size_t begin = 0;      // the key's opening quote
        size_t valueBegin = 0;
        size_t end = 0;        // just after the value
    };

    explicit Scanner(std::string_view text) : m_text(text) {}

    // Visits the members of the object that starts at `at`; false when the text is not an object.
    template <typename Visit>
    bool members(size_t at, Visit visit)
    {
        m_at = at;
        skipSpace();
        if (!take('{'))
            return false;
        skipSpace();
        if (take('}'))
            return true;
        while (true) {
            skipSpace();
            Member m;
            m.begin = m_at;
            if (!string())
                return false;
            m.key = m_text.substr(m.begin + 1, m_at - m.begin - 2);
            skipSpace();
            if (!take(':'))
                return false;
            skipSpace();
            m.valueBegin = m_at;
            if (!value())
                return false;
            m.end = m_at;
            visit(m);
            skipSpace();
            if (take(','))
                continue;
            return take('}');
        }
    }

private:
    bool take(char c)
    {
        if (m_at < m_text.size() && m_text[m_at] == c) {
            ++m_at;
            return true;
        }
        return false;
    }
    void skipSpace()
    {
        while (m_at < m_text.size() && (m_text[m_at] == ' ' || m_text[m_at] == '\n' || m_text[m_at] == '\r' ||
                                        m_text[m_at] == '\t'))
            ++m_at;
    }
    bool string()
    {
        if (!take('"'))
            return false;
        for (; m_at < m_text.size(); ++m_at) {
            if (m_text[m_at] == '\\')
                ++m_at;
            else if (m_text[m_at] == '"') {
                ++m_at;
                return true;
            }
        }
        return false;
    }
    bool value()
    {
        if (m_at >= m_text.size())
            return false;
        const char c = m_text[m_at];
        if (c == '"')
            return string();
        if (c == '{' || c == '[') {
            int depth = 0;
            while (m_at < m_text.size()) {
                const char d = m_text[m_at];
                if (d == '"') {
                    if (!string())
                        return false;
                    continue;
                }
                if (d == '{' || d == '[')
                    ++depth;
                else if ((d == '}' || d == ']') && --depth == 0) {
                    ++m_at;
                    return true;
                }
                ++m_at;
            }
            return false;
        }
        const size_t start = m_at;
        while (m_at < m_text.size() && m_text[m_at] != ',' && m_text[m_at] != '}' && m_text[m_at] != ']' &&
               m_text[m_at] != ' ' && m_text[m_at] != '\n' && m_text[m_at] != '\r' && m_text[m_at] != '\t')
            ++m_at;
        return m_at > start;
    }

    std::string_view m_text;
    size_t m_at = 0;
};

const char *const kPartialPrefix = R"({"apiVersion":"meta.k8s.io/v1","kind":"PartialObjectMetadata","metadata":)";

// The metadata object's text without managedFields; nullopt when the text is not as expected.
std::optional<std::string> metadataWithoutManagedFields(std::string_view stored)
{
    Scanner top(stored);
    std::optional<Scanner::Member> metadata;
    if (!top.members(0, [&](const Scanner::Member &m) {
            if (m.key == "metadata")
                metadata = m;
        }))
        return std::nullopt;
    if (!metadata)
        return std::string("{}");
    const std::string_view text = stored.substr(metadata->valueBegin, metadata->end - metadata->valueBegin);
    std::string out = "{";
    Scanner inner(text);
    if (!inner.members(0, [&](const Scanner::Member &m) {
            if (m.key == "managedFields")
                return;
            if (out.size() > 1)
                out += ',';
            out.append(text.substr(m.begin, m.end - m.begin));
        }))
        return std::nullopt;
    out += '}';
    return out;
}

void appendValue(std::string &out, std::string_view value)
{
    out += value;
    out += '\0';
}

} // namespace

Labels ObjectSummary::labelMap() const
{
    Labels out;
    const std::string_view pairs = labels();
    size_t at = 0;
    while (at < pairs.size()) {
        const size_t keyEnd = pairs.find('\0', at);
        const size_t valueEnd = pairs.find('\0', keyEnd + 1);
        out.emplace(std::string(pairs.substr(at, keyEnd - at)),
                    std::string(pairs.substr(keyEnd + 1, valueEnd - keyEnd - 1)));
        at = valueEnd + 1;
    }
    return out;
}

std::string ObjectSummary::field(const ResourceType &type, const std::string &name) const
{
    const std::optional<size_t> index = selectableFieldIndex(type, name);
    if (!index)
        return {};
    const std::string_view values = fields();
    size_t at = 0;
    for (size_t i = 0; i < *index && at < values.size(); ++i)
        at = values.find('\0', at) + 1;
    if (at >= values.size())
        return {};
    return std::string(values.substr(at, values.find('\0', at) - at));
}

std::optional<size_t> selectableFieldIndex(const ResourceType &type, const std::string &name)
{
    if (name == "metadata.name")
        return 0;
    const size_t first = type.namespaced ? 2 : 1;
    if (name == "metadata.namespace")
        return type.namespaced ? std::optional<size_t>(1) : std::nullopt;
    size_t i = 0;
    for (const auto &[field, value] : type.selectableFields) {
        if (field == name)
            return first + i;
        ++i;
    }
    return std::nullopt;
}

std::string partialObjectMetadata(const std::string &stored)
{
    if (std::optional<std::string> metadata = metadataWithoutManagedFields(stored))
        return kPartialPrefix + *metadata + "}";
    // Not the compact text the store writes: parse it.
    const Json object = Json::parse(stored, nullptr, false);
    Json meta = object.is_object() && object.contains("metadata") ? object["metadata"] : Json::object();
    if (meta.is_object())
        meta.erase("managedFields");
    return kPartialPrefix + dump(meta) + "}";
}

ObjectSummary SummaryCache::summarize(const ResourceType &type, const std::string &key, store::Revision revision,
                                      const Json &object)
{
    ObjectSummary s;
    s.revision = revision;
    std::string &data = s.data;
    data = key;
    s.keyEnd = std::uint32_t(data.size());
    if (const Json *labels = find(object, {"metadata", "labels"}); labels && labels->is_object())
        for (const auto &[key, value] : labels->items())
            if (value.is_string()) {
                appendValue(data, key);
                appendValue(data, value.get_ref<const std::string &>());
            }
    s.labelsEnd = std::uint32_t(data.size());
    appendValue(data, str(object, {"metadata", "name"}));
    if (type.namespaced)
        appendValue(data, str(object, {"metadata", "namespace"}));
    for (const auto &[field, value] : type.selectableFields)
        appendValue(data, value(object));
    s.fieldsEnd = std::uint32_t(data.size());
    if (!type.cellsOnRead)
        data += dump(unrenderedCells(type, object));
    data.shrink_to_fit();
    return s;
}

const ObjectSummary &SummaryCache::keep(ObjectSummary summary)
{
    auto it = m_entries.find(summary.key());
    if (it == m_entries.end())
        return *m_entries.insert(std::move(summary)).first;
    // Elements of a set are constant: the node is taken out, refilled and put back.
    auto node = m_entries.extract(it);
    node.value() = std::move(summary);
    return *m_entries.insert(std::move(node)).position;
}

const ObjectSummary &SummaryCache::summary(const ResourceType &type, const store::RecordView &record)
{
    auto it = m_entries.find(std::string_view(record.key()));
    if (it != m_entries.end() && it->revision == record.modRevision())
        return *it;
    return keep(summarize(type, record.key(), record.modRevision(), parseStored(record.value())));
}

void SummaryCache::remember(const ResourceType &type, const store::Record &record, const Json &object)
{
    keep(summarize(type, record.key, record.modRevision, object));
}

void SummaryCache::forget(const std::string &key)
{
    if (auto it = m_entries.find(std::string_view(key)); it != m_entries.end())
        m_entries.erase(it);
}

} // namespace cd::api
