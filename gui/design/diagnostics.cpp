#include "gui/design/diagnostics.h"

#include "gui/design/yamltoken.h"

#include <QCoreApplication>

#include <algorithm>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace cd::gui {
namespace {

using Severity = Diagnostic::Severity;

QString trDiagnostics(const char *text)
{
    return QCoreApplication::translate("cd::gui::Diagnostics", text);
}

// checkManifest's answers by document text: a keystroke changes one document, and only that one
// is checked again. Bounded so a long session does not grow it without end.
class CheckCache {
public:
    std::vector<api::ManifestProblem> problems(std::string_view documentText, const Json &value)
    {
        std::string key(documentText);
        {
            std::lock_guard lock(m_mutex);
            if (auto it = m_entries.find(key); it != m_entries.end())
                return it->second;
        }
        std::vector<api::ManifestProblem> problems = api::checkManifest(value);
        std::lock_guard lock(m_mutex);
        if (m_entries.size() >= kMaxEntries)
            m_entries.clear();
        m_entries.emplace(std::move(key), problems);
        return problems;
    }

private:
    static constexpr size_t kMaxEntries = 20000;
    std::mutex m_mutex;
    std::unordered_map<std::string, std::vector<api::ManifestProblem>> m_entries;
};

CheckCache &checkCache()
{
    static CheckCache cache;
    return cache;
}

bool isValueProblem(const api::ManifestProblem &problem)
{
    if (problem.path == "kind" || problem.path == "apiVersion")
        return true;
    for (const char *prefix : {"Invalid value", "Unsupported value", "Duplicate value", "cannot unmarshal"})
        if (problem.message.rfind(prefix, 0) == 0)
            return true;
    return false;
}

// Places problems in the text: byte positions of the parser to QString columns of the line.
class Placer {
public:
    explicit Placer(std::string_view text) : m_text(text) {}

    std::string_view line(int number)
    {
        if (m_starts.empty()) {
            m_starts.push_back(0);
            for (size_t i = m_text.find('\n'); i != std::string_view::npos; i = m_text.find('\n', i + 1))
                m_starts.push_back(i + 1);
        }
        if (number < 1 || size_t(number) > m_starts.size())
            return {};
        const size_t begin = m_starts[size_t(number) - 1];
        const size_t end = size_t(number) < m_starts.size() ? m_starts[size_t(number)] - 1 : m_text.size();
        std::string_view text = m_text.substr(begin, end - begin);
        if (!text.empty() && text.back() == '\r')
            text.remove_suffix(1);
        return text;
    }

    // A diagnostic at a 1-based byte column, underlining the token found there.
    Diagnostic at(int lineNumber, int byteColumn, bool flow)
    {
        const std::string_view text = line(lineNumber);
        size_t start = byteColumn > 0 ? size_t(byteColumn) - 1 : 0;
        if (start >= text.size()) { // past the end (a parse error at the line's end): its last character
            start = text.empty() ? 0 : text.size() - 1;
            while (start > 0 && isYamlBlank(text[start]))
                --start;
        }
        const size_t bytes = yamlTokenLength(text, start, flow);
        Diagnostic d;
        d.line = lineNumber;
        d.column = characters(text.substr(0, start)) + 1;
        d.length = std::max(1, characters(text.substr(start, bytes)));
        return d;
    }

    // The first line of a document with content (its first key, or the `{` of a flow mapping).
    Diagnostic head(const SourceDocument &document)
    {
        for (int number = document.firstLine;; ++number) {
            const std::string_view text = line(number);
            if (text.data() == nullptr || size_t(text.data() - m_text.data()) >= document.end)
                break;
            const size_t first = text.find_first_not_of(" \t");
            if (first != std::string_view::npos && text[first] != '#')
                return at(number, int(first) + 1, false);
        }
        return at(document.firstLine, 1, false);
    }

private:
    static int characters(std::string_view utf8)
    {
        if (std::all_of(utf8.begin(), utf8.end(), [](char c) { return (c & 0x80) == 0; }))
            return int(utf8.size());
        return int(QString::fromUtf8(utf8.data(), qsizetype(utf8.size())).size());
    }

    std::string_view m_text;
    std::vector<size_t> m_starts;
};

} // namespace

QList<Diagnostic> diagnose(const std::vector<SourceDocument> &documents, std::string_view utf8Text,
                           const QSet<ObjectKey> &definedBefore)
{
    QList<Diagnostic> out;
    Placer placer(utf8Text);
    QHash<ObjectKey, int> definedHere; // key -> line of the first definition in this file
    for (size_t index = 0; index < documents.size(); ++index) {
        const SourceDocument &document = documents[index];
        if (document.empty || document.end > utf8Text.size())
            continue;
        const std::string_view documentText = utf8Text.substr(document.begin, document.end - document.begin);
        const bool flow = isFlowDocument(documentText);
        auto add = [&](Diagnostic d, Severity severity, QString message, QString fieldPath) {
            d.severity = severity;
            d.message = std::move(message);
            d.fieldPath = std::move(fieldPath);
            d.document = int(index);
            out.push_back(std::move(d));
        };

        if (document.error) {
            const SourcePosition at =
                document.errorAt.valid() ? document.errorAt : SourcePosition{document.firstLine, 1};
            add(placer.at(at.line, at.column, flow), Severity::Error, QString::fromStdString(*document.error), {});
            continue;
        }

        for (const api::ManifestProblem &problem : checkCache().problems(documentText, document.value)) {
            const std::string key = fieldPathKey(problem.path);
            const auto exact = document.fields.find(key);
            Diagnostic d;
            if (exact != document.fields.end()) {
                const SourceField &field = exact->second;
                // A bad value is underlined itself, unless it is a block (a mapping on the lines below).
                const bool onValue =
                    isValueProblem(problem) && field.value.valid() && field.value.line == field.key.line;
                const SourcePosition &at = onValue ? field.value : field.key;
                d = placer.at(at.line, at.column, flow);
            } else {
                // Not written (a required field): its nearest written ancestor, else the document.
                const SourceField nearest = document.locate(problem.path);
                const bool documentStart = nearest.key.line == document.firstLine && nearest.key.column == 1;
                d = documentStart ? placer.head(document) : placer.at(nearest.key.line, nearest.key.column, flow);
            }
            add(std::move(d), problem.severity, QString::fromStdString(problem.message),
                QString::fromStdString(problem.path));
        }

        // The same object twice: the later definition would silently replace the earlier one.
        if (!document.value.is_object() || str(document.value, {"kind"}).empty() ||
            str(document.value, {"metadata", "name"}).empty())
            continue;
        const ObjectKey objectKey = ObjectKey::of(document.value);
        const SourceField name = document.locate("metadata.name");
        const auto first = definedHere.constFind(objectKey);
        if (first != definedHere.constEnd()) {
            add(placer.at(name.value.line, name.value.column, flow), Severity::Error,
                trDiagnostics("%1 is defined twice: first at line %2").arg(objectKey.display()).arg(*first),
                QStringLiteral("metadata.name"));
        } else if (definedBefore.contains(objectKey)) {
            add(placer.at(name.value.line, name.value.column, flow), Severity::Error,
                trDiagnostics("%1 is already defined in another file").arg(objectKey.display()),
                QStringLiteral("metadata.name"));
        } else {
            definedHere.insert(objectKey, name.value.line);
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Diagnostic &a, const Diagnostic &b) {
        return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    return out;
}

QList<Diagnostic> diagnose(const std::vector<SourceDocument> &documents, const QString &text,
                           const QSet<ObjectKey> &definedBefore)
{
    const QByteArray utf8 = text.toUtf8();
    return diagnose(documents, std::string_view(utf8.constData(), size_t(utf8.size())), definedBefore);
}

QString severityName(Diagnostic::Severity severity)
{
    switch (severity) {
    case Severity::Error: return trDiagnostics("Error");
    case Severity::Warning: return trDiagnostics("Warning");
    case Severity::Info: return trDiagnostics("Info");
    }
    return {};
}

} // namespace cd::gui
