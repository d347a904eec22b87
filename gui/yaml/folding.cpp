#include "gui/yaml/folding.h"

#include "gui/yaml/yamlline.h"

#include <QTextDocument>

namespace cd::gui {

QTextBlock foldEnd(const QTextBlock &header)
{
    const YamlLine head = YamlLine::parse(header.text());
    if (head.blank || head.separator)
        return {};
    // A `key:` line also holds items written at its own indentation (Kubernetes' usual style).
    const bool holdsItemsAtSameIndent = !head.key.isEmpty() && !head.hasValue;
    const int column = head.indent;
    QTextBlock last;
    for (QTextBlock b = header.next(); b.isValid(); b = b.next()) {
        const YamlLine line = YamlLine::parse(b.text());
        if (line.separator)
            break;
        if (line.blank)
            continue;
        const bool inside = line.indent > column ||
                            (holdsItemsAtSameIndent && line.dashes > 0 && line.indent == column && head.dashes == 0);
        if (!inside)
            break;
        last = b;
    }
    return last;
}

bool isFolded(const QTextBlock &header)
{
    const QTextBlock next = header.next();
    return header.isVisible() && next.isValid() && !next.isVisible();
}

bool setFolded(const QTextBlock &header, bool folded)
{
    const QTextBlock end = foldEnd(header);
    if (!end.isValid())
        return false;
    for (QTextBlock b = header.next(); b.isValid(); b = b.next()) {
        b.setVisible(!folded);
        if (b == end)
            break;
    }
    QTextDocument *document = const_cast<QTextDocument *>(header.document());
    document->markContentsDirty(header.position(), end.position() + end.length() - header.position());
    return true;
}

} // namespace cd::gui
