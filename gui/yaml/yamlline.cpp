#include "gui/yaml/yamlline.h"

namespace cd::gui {

YamlLine YamlLine::parse(const QString &text)
{
    YamlLine line;
    if (text.startsWith(QLatin1String("---")) || text.startsWith(QLatin1String("..."))) {
        const QString rest = text.mid(3);
        if (rest.isEmpty() || rest.at(0).isSpace() || rest.at(0) == QLatin1Char('#')) {
            line.separator = true;
            return line;
        }
    }
    int i = 0;
    while (i < text.size() && text.at(i) == QLatin1Char(' '))
        ++i;
    line.indent = i;
    while (i < text.size() && text.at(i) == QLatin1Char('-') &&
           (i + 1 == text.size() || text.at(i + 1) == QLatin1Char(' '))) {
        ++line.dashes;
        ++i;
        while (i < text.size() && text.at(i) == QLatin1Char(' '))
            ++i;
    }
    line.contentColumn = i;
    if (i >= text.size() || text.at(i) == QLatin1Char('#')) {
        line.blank = line.dashes == 0;
        return line;
    }
    // The key: quoted, or plain up to `: ` / a final `:`.
    int keyEnd = -1;
    const QChar first = text.at(i);
    if (first == QLatin1Char('"') || first == QLatin1Char('\'')) {
        const int close = text.indexOf(first, i + 1);
        if (close > 0 && close + 1 < text.size() && text.at(close + 1) == QLatin1Char(':')) {
            line.key = text.mid(i + 1, close - i - 1);
            keyEnd = close + 1;
        }
    } else if (first != QLatin1Char('{') && first != QLatin1Char('[')) {
        for (int j = i; j < text.size(); ++j) {
            const QChar c = text.at(j);
            if (c == QLatin1Char('#') && j > i && text.at(j - 1).isSpace())
                break;
            if (c == QLatin1Char(':') && (j + 1 == text.size() || text.at(j + 1).isSpace())) {
                line.key = text.mid(i, j - i).trimmed();
                keyEnd = j;
                break;
            }
        }
    }
    if (keyEnd < 0)
        return line;
    line.keyLength = keyEnd - i;
    QString value = text.mid(keyEnd + 1);
    const int comment = value.indexOf(QLatin1String(" #"));
    if (comment >= 0)
        value.truncate(comment);
    value = value.trimmed();
    if (value.startsWith(QLatin1Char('#')))
        value.clear();
    line.hasValue = !value.isEmpty();
    line.blockScalar = value.startsWith(QLatin1Char('|')) || value.startsWith(QLatin1Char('>'));
    return line;
}

} // namespace cd::gui
