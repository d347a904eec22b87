#include "gui/design/yamltoken.h"

#include <algorithm>

namespace cd::gui {

bool isYamlBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

namespace {

// Whether a line's text leaves a flow collection (`{` or `[`) open, quotes and comments aside.
bool insideFlow(std::string_view text)
{
    int depth = 0;
    char quote = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quote) {
            if (c == '\\' && quote == '"')
                ++i;
            else if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '#' && (i == 0 || isYamlBlank(text[i - 1]))) {
            break;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return depth > 0;
}

} // namespace

// The bytes of the YAML token that starts at `start`: a quoted scalar with its quotes, a flow
// collection to its end on the line, or a plain scalar (a key stops at its `:`).
size_t yamlTokenLength(std::string_view line, size_t start, bool flowDocument)
{
    if (start >= line.size())
        return 0;
    const bool flow = flowDocument || insideFlow(line.substr(0, start));
    const char first = line[start];
    size_t end = start + 1;
    if (first == '"' || first == '\'') {
        while (end < line.size()) {
            if (first == '"' && line[end] == '\\') {
                end += 2;
                continue;
            }
            if (line[end] == first) {
                if (first == '\'' && end + 1 < line.size() && line[end + 1] == '\'') {
                    end += 2; // '' inside single quotes
                    continue;
                }
                return end + 1 - start;
            }
            ++end;
        }
        return line.size() - start;
    }
    if (first == '{' || first == '[') {
        int depth = 0;
        for (end = start; end < line.size(); ++end) {
            if (line[end] == '{' || line[end] == '[')
                ++depth;
            else if ((line[end] == '}' || line[end] == ']') && --depth == 0)
                return end + 1 - start;
        }
        return line.size() - start;
    }
    for (end = start; end < line.size(); ++end) {
        const char c = line[end];
        const bool blankOrEnd = end + 1 == line.size() || isYamlBlank(line[end + 1]);
        if (c == ':' && (blankOrEnd || (flow && (line[end + 1] == ',' || line[end + 1] == '}'))))
            break;
        if (c == '#' && end > start && isYamlBlank(line[end - 1]))
            break;
        if (flow && (c == '}' || c == ']' || (c == ',' && blankOrEnd)))
            break;
    }
    while (end > start && isYamlBlank(line[end - 1]))
        --end;
    return std::max<size_t>(end - start, 1);
}

// Whether a document is written in flow style (KYAML: `{ key: "value", ... }`).
bool isFlowDocument(std::string_view documentText)
{
    size_t offset = 0;
    while (offset < documentText.size()) {
        const size_t first = documentText.find_first_not_of(" \t\r\n", offset);
        if (first == std::string_view::npos)
            return false;
        if (documentText[first] != '#')
            return documentText[first] == '{' || documentText[first] == '[';
        offset = documentText.find('\n', first);
    }
    return false;
}

} // namespace cd::gui
