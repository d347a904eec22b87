#include "engine/core/yamlsource.h"

#include "engine/core/yamlnode.h"

namespace cd {
namespace {

constexpr char kSeparator = '\x1f';  // between path segments: never part of a YAML key we index

SourcePosition positionOf(const YAML::Mark &mark, int lineOffset)
{
    if (mark.line < 0)
        return {};
    return {mark.line + 1 + lineOffset, mark.column + 1};
}

void indexFields(const YAML::Node &node, const std::string &path, int lineOffset, SourceDocument &document,
                 int depth)
{
    if (depth > 200)
        return;
    if (node.IsMap()) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            const YAML::Node key = it->first;
            const YAML::Node value = it->second;
            if (!key.IsScalar())
                continue;
            const std::string child = path.empty() ? key.Scalar() : path + kSeparator + key.Scalar();
            document.fields[child] = {positionOf(key.Mark(), lineOffset), positionOf(value.Mark(), lineOffset)};
            indexFields(value, child, lineOffset, document, depth + 1);
        }
    } else if (node.IsSequence()) {
        size_t index = 0;
        for (const YAML::Node &item : node) {
            const std::string child = (path.empty() ? std::string() : path + kSeparator) + std::to_string(index++);
            const SourcePosition at = positionOf(item.Mark(), lineOffset);
            document.fields[child] = {at, at};
            indexFields(item, child, lineOffset, document, depth + 1);
        }
    }
}

bool blankOrComment(std::string_view line)
{
    for (char c : line) {
        if (c == '#')
            return true;
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
    }
    return true;
}

// `---` or `...` followed by nothing or a blank: a document marker at column 1.
bool isMarker(std::string_view line, char c)
{
    if (line.size() < 3 || line[0] != c || line[1] != c || line[2] != c)
        return false;
    return line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r' || line[3] == '#';
}

void parseDocument(std::string_view text, SourceDocument &document)
{
    const std::string part(text.substr(document.begin, document.end - document.begin));
    const int lineOffset = document.firstLine - 1;
    YAML::Mark where;
    try {
        const YAML::Node node = YAML::Load(part);
        auto value = yamlnode::toJson(node, where);
        if (value.ok()) {
            document.value = std::move(value).value();
            indexFields(node, {}, lineOffset, document, 0);
            return;
        }
        document.error = value.error().message;
    } catch (const YAML::Exception &e) {
        document.error = e.msg;
        where = e.mark;
    }
    document.errorAt = positionOf(where, lineOffset);
    if (!document.errorAt.valid())
        document.errorAt = {document.firstLine, 1};
}

} // namespace

std::string fieldPathKey(std::string_view fieldPath)
{
    std::string key;
    key.reserve(fieldPath.size());
    size_t i = 0;
    auto separate = [&key] {
        if (!key.empty())
            key += kSeparator;
    };
    while (i < fieldPath.size()) {
        const char c = fieldPath[i];
        if (c == '.') {
            ++i;
        } else if (c == '[') {
            const size_t close = fieldPath.find(']', i);
            const size_t stop = close == std::string_view::npos ? fieldPath.size() : close;
            separate();
            key.append(fieldPath.substr(i + 1, stop - i - 1));
            i = stop + 1;
        } else {
            const size_t stop = fieldPath.find_first_of(".[", i);
            const size_t end = stop == std::string_view::npos ? fieldPath.size() : stop;
            separate();
            key.append(fieldPath.substr(i, end - i));
            i = end;
        }
    }
    return key;
}

SourceField SourceDocument::locate(std::string_view fieldPath) const
{
    std::string key = fieldPathKey(fieldPath);
    while (!key.empty()) {
        if (auto it = fields.find(key); it != fields.end())
            return it->second;
        const size_t cut = key.rfind(kSeparator);
        key.resize(cut == std::string::npos ? 0 : cut);
    }
    const SourcePosition start{firstLine, 1};
    return {start, start};
}

namespace {

std::vector<SourceDocument> splitDocuments(std::string_view text)
{
    std::vector<SourceDocument> documents;
    SourceDocument current;
    current.begin = 0;
    current.firstLine = 1;
    auto finish = [&](size_t end) {
        current.end = end;
        documents.push_back(std::move(current));
        current = SourceDocument();
    };
    size_t offset = 0;
    int line = 1;
    bool separatorSeen = false;  // a leading `---` starts the first document rather than ending one
    while (offset < text.size()) {
        const size_t newline = text.find('\n', offset);
        const size_t lineEnd = newline == std::string_view::npos ? text.size() : newline;
        const size_t next = newline == std::string_view::npos ? text.size() : newline + 1;
        const std::string_view content = text.substr(offset, lineEnd - offset);
        if (isMarker(content, '-') || isMarker(content, '.')) {
            if (!current.empty || separatorSeen || documents.size() > 0)
                finish(offset);
            else
                current = SourceDocument();  // only blanks before the first `---`: not a document
            separatorSeen = true;
            current.begin = next;
            current.firstLine = line + 1;
        } else if (!blankOrComment(content)) {
            current.empty = false;
        }
        offset = next;
        ++line;
    }
    finish(text.size());
    return documents;
}

void moveLines(SourcePosition &position, int delta)
{
    if (position.valid())
        position.line += delta;
}

} // namespace

std::vector<SourceDocument> parseYamlSource(std::string_view text)
{
    std::vector<SourceDocument> documents = splitDocuments(text);
    for (SourceDocument &document : documents)
        if (!document.empty)
            parseDocument(text, document);
    return documents;
}

std::vector<SourceDocument> parseYamlSource(std::string_view text, std::string_view previousText,
                                            std::vector<SourceDocument> &&previous)
{
    std::map<std::string_view, SourceDocument *> unchanged;
    for (SourceDocument &old : previous)
        if (!old.empty && old.end <= previousText.size())
            unchanged.emplace(previousText.substr(old.begin, old.end - old.begin), &old);
    std::vector<SourceDocument> documents = splitDocuments(text);
    for (SourceDocument &document : documents) {
        if (document.empty)
            continue;
        const auto it = unchanged.find(text.substr(document.begin, document.end - document.begin));
        if (it == unchanged.end()) {
            parseDocument(text, document);
            continue;
        }
        SourceDocument &old = *it->second;
        unchanged.erase(it);  // taken: a second identical document parses on its own
        const int delta = document.firstLine - old.firstLine;
        document.value = std::move(old.value);
        document.error = std::move(old.error);
        document.errorAt = old.errorAt;
        moveLines(document.errorAt, delta);
        document.fields = std::move(old.fields);
        if (delta != 0)
            for (auto &[path, field] : document.fields) {
                moveLines(field.key, delta);
                moveLines(field.value, delta);
            }
    }
    return documents;
}

} // namespace cd
