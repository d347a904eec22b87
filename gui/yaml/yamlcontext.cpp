#include "gui/yaml/yamlcontext.h"

#include "gui/yaml/yamlline.h"

#include <QRegularExpression>
#include <QTextBlock>
#include <QTextDocument>

namespace cd::gui {
namespace {

const QString kItem = QStringLiteral("[]");

// Whether text before a position leaves a quote, a flow collection or a comment open.
bool insideFlowOrComment(const QString &before)
{
    int depth = 0;
    QChar quote;
    for (int i = 0; i < before.size(); ++i) {
        const QChar c = before.at(i);
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
        } else if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            quote = c;
        } else if (c == QLatin1Char('#') && (i == 0 || before.at(i - 1).isSpace())) {
            return true;
        } else if (c == QLatin1Char('{') || c == QLatin1Char('[')) {
            ++depth;
        } else if ((c == QLatin1Char('}') || c == QLatin1Char(']')) && depth > 0) {
            --depth;
        }
    }
    return depth > 0;
}

// The document's top-level apiVersion and kind, looked for above and below the block.
void findKind(const QTextBlock &at, YamlContext &context)
{
    auto take = [&context](const QString &text) {
        if (text.isEmpty() || text.at(0).isSpace())
            return;
        const YamlLine line = YamlLine::parse(text);
        if (line.indent != 0 || line.dashes != 0 || !line.hasValue)
            return;
        QString value = text.mid(text.indexOf(QLatin1Char(':')) + 1);
        const int comment = value.indexOf(QLatin1String(" #"));
        if (comment >= 0)
            value.truncate(comment);
        value = value.trimmed();
        if (value.size() >= 2 && (value.front() == QLatin1Char('"') || value.front() == QLatin1Char('\'')))
            value = value.mid(1, value.size() - 2);
        if (line.key == QLatin1String("apiVersion") && context.apiVersion.isEmpty())
            context.apiVersion = value;
        else if (line.key == QLatin1String("kind") && context.kind.isEmpty())
            context.kind = value;
    };
    for (QTextBlock b = at; b.isValid(); b = b.previous()) {
        if (b != at && YamlLine::parse(b.text()).separator)
            break;
        take(b.text());
    }
    for (QTextBlock b = at.next(); b.isValid(); b = b.next()) {
        if (YamlLine::parse(b.text()).separator)
            break;
        take(b.text());
    }
}

// Walks up from `block` to the mappings and sequences that hold a node starting at `column`
// (a key when `inSequence` is false, the dash of an item when true); appends outermost last.
bool collectParents(QTextBlock block, int column, bool inSequence, QStringList &reversed)
{
    for (block = block.previous(); block.isValid(); block = block.previous()) {
        if (!inSequence && column == 0)
            return true;
        const YamlLine line = YamlLine::parse(block.text());
        if (line.separator)
            return true;
        if (line.blank)
            continue;
        if (line.dashes > 0) {
            if (!inSequence && line.contentColumn == column && line.indent < column) {
                // A sibling key of the item's first key: this item holds us.
                reversed << kItem;
                column = line.indent;
                inSequence = true;
            } else if (line.contentColumn < column && line.indent < column && !line.key.isEmpty() && !line.hasValue) {
                // `- key:` whose value (a mapping or a sequence) holds us.
                if (line.blockScalar)
                    return false;
                reversed << line.key << kItem;
                column = line.indent;
                inSequence = true;
            }
            continue;
        }
        const bool parent = line.indent < column || (inSequence && line.indent == column && !line.hasValue);
        if (!parent || line.key.isEmpty())
            continue;
        if (line.blockScalar)
            return false; // we are in the text of a block scalar
        reversed << line.key;
        column = line.indent;
        inSequence = false;
    }
    return true;
}

} // namespace

YamlContext yamlContextAt(const QTextDocument *document, int position)
{
    YamlContext context;
    const QTextBlock block = document->findBlock(position);
    if (!block.isValid())
        return context;
    const int column = position - block.position();
    const QString before = block.text().left(column);
    if (insideFlowOrComment(before) || YamlLine::parse(block.text()).separator)
        return context;

    static const QRegularExpression shape(QStringLiteral("^( *)((?:- +)*)(.*)$"));
    static const QRegularExpression keyValue(QStringLiteral("^(\"[^\"]*\"|'[^']*'|[^\\s:#][^:#]*?) *: +(.*)$"));
    static const QRegularExpression partialKey(QStringLiteral("^[A-Za-z0-9_$][\\w.\\-/$]*$|^$"));
    const QRegularExpressionMatch m = shape.match(before);
    const int indent = int(m.capturedLength(1));
    const bool item = m.capturedLength(2) > 0;
    const QString rest = m.captured(3);
    QStringList reversed;
    context.keyColumn = indent + int(m.capturedLength(2));
    if (const QRegularExpressionMatch kv = keyValue.match(rest); kv.hasMatch()) {
        QString key = kv.captured(1);
        if (key.startsWith(QLatin1Char('"')) || key.startsWith(QLatin1Char('\'')))
            key = key.mid(1, key.size() - 2);
        QString value = kv.captured(2);
        int start = position - int(value.size());
        if (value.startsWith(QLatin1Char('"')) || value.startsWith(QLatin1Char('\''))) {
            value.remove(0, 1);
            ++start;
        }
        if (value.contains(QLatin1Char(' ')) && !value.isEmpty())
            return context; // a sentence, not an enum value
        context.atValue = true;
        context.prefix = value;
        context.prefixStart = start;
        reversed << key;
    } else if (partialKey.match(rest).hasMatch()) {
        context.prefix = rest;
        context.prefixStart = position - int(rest.size());
    } else {
        return context;
    }
    if (item) {
        // The key typed on an item line is the first key of that item's mapping; the dashes of
        // `- - a` are nested sequences.
        for (int i = 0; i < m.captured(2).count(QLatin1Char('-')); ++i)
            reversed << kItem;
    }
    if (!collectParents(block, item ? indent : context.keyColumn, item, reversed))
        return context;
    for (auto it = reversed.crbegin(); it != reversed.crend(); ++it)
        context.path << *it;
    findKind(block, context);
    context.valid = true;
    return context;
}

YamlContext yamlKeyAt(const QTextDocument *document, int position)
{
    const QTextBlock block = document->findBlock(position);
    const YamlLine line = YamlLine::parse(block.text());
    const int column = position - block.position();
    if (line.key.isEmpty() || column < line.contentColumn || column > line.contentColumn + line.keyLength)
        return {};
    // The context at the key's end, then the key itself.
    YamlContext context = yamlContextAt(document, block.position() + line.contentColumn);
    if (context.valid)
        context.path << line.key;
    context.prefix.clear();
    return context;
}

} // namespace cd::gui
