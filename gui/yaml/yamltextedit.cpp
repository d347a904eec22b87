#include "gui/yaml/yamltextedit.h"

#include "gui/design/designdocument.h"
#include "gui/design/templates.h"
#include "gui/yaml/editorgutter.h"
#include "gui/yaml/folding.h"
#include "gui/yaml/yamlline.h"

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>

#include <QAbstractItemView>
#include <QCompleter>
#include <QFontDatabase>
#include <QHeaderView>
#include <QMenu>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QTextBlock>
#include <QToolTip>
#include <QTreeView>

namespace cd::gui {
namespace {

using KSyntaxHighlighting::Theme;

// Loading the definitions takes a while: one repository for every editor.
KSyntaxHighlighting::Repository &repository()
{
    static KSyntaxHighlighting::Repository instance;
    return instance;
}

enum CompletionRole { FlagsRole = Qt::UserRole + 1 };
enum CompletionFlag { ValueFlag = 1, BlockFlag = 2, ListFlag = 4 };

QString firstSentence(const QString &text)
{
    const int stop = text.indexOf(QLatin1String(". "));
    return stop < 0 ? text : text.left(stop + 1);
}

bool isKeyCharacter(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('-') || c == QLatin1Char('.') ||
           c == QLatin1Char('/');
}

} // namespace

YamlTextEdit::YamlTextEdit(QWidget *parent) : QPlainTextEdit(parent), m_gutter(new EditorGutter(this))
{
    setUndoRedoEnabled(false); // the design document's QUndoStack owns undo
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setTabStopDistance(fontMetrics().horizontalAdvance(QLatin1Char(' ')) * 2);
    m_highlighter = new KSyntaxHighlighting::SyntaxHighlighter(document());
    m_highlighter->setDefinition(repository().definitionForName(QStringLiteral("YAML")));
    applyTheme();

    connect(this, &QPlainTextEdit::blockCountChanged, this, &YamlTextEdit::updateGutterWidth);
    connect(this, &QPlainTextEdit::updateRequest, this, &YamlTextEdit::updateGutter);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, [this] {
        ensureCursorUnfolded();
        updateExtraSelections();
        m_gutter->update();
    });
    connect(document(), &QTextDocument::contentsChanged, this, &YamlTextEdit::onContentsChanged);

    m_completionModel = new QStandardItemModel(this);
    m_completer = new QCompleter(m_completionModel, this);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setCompletionColumn(0);
    auto *popup = new QTreeView;
    popup->setHeaderHidden(true);
    popup->setRootIsDecorated(false);
    popup->setUniformRowHeights(true);
    popup->setSelectionBehavior(QAbstractItemView::SelectRows);
    popup->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_completer->setPopup(popup);
    popup->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(m_completer, QOverload<const QModelIndex &>::of(&QCompleter::activated), this,
            &YamlTextEdit::insertCompletion);

    updateGutterWidth();
    updateExtraSelections();
}

YamlTextEdit::~YamlTextEdit() = default;

// ---- Text in and out -------------------------------------------------------------------------

void YamlTextEdit::setText(const QString &text)
{
    ++m_applying;
    setPlainText(text);
    --m_applying;
    m_text = toPlainText();
    m_diagnostics.clear();
    updateExtraSelections();
}

void YamlTextEdit::setTextKeepingCursor(const QString &text)
{
    const QString old = toPlainText();
    if (text == old) {
        m_text = old;
        return;
    }
    const qsizetype common = std::min(old.size(), text.size());
    qsizetype prefix = 0;
    while (prefix < common && old.at(prefix) == text.at(prefix))
        ++prefix;
    if (prefix > 0 && old.at(prefix - 1).isHighSurrogate())
        --prefix; // never split a surrogate pair
    qsizetype suffix = 0;
    while (suffix < common - prefix && old.at(old.size() - 1 - suffix) == text.at(text.size() - 1 - suffix))
        ++suffix;
    if (suffix > 0 && old.at(old.size() - suffix).isLowSurrogate())
        --suffix;

    const int horizontal = horizontalScrollBar()->value();
    const int vertical = verticalScrollBar()->value();
    ++m_applying;
    QTextCursor cursor(document());
    cursor.beginEditBlock();
    cursor.setPosition(int(prefix));
    cursor.setPosition(int(old.size() - suffix), QTextCursor::KeepAnchor);
    cursor.insertText(text.mid(prefix, text.size() - prefix - suffix));
    cursor.endEditBlock();
    --m_applying;
    horizontalScrollBar()->setValue(horizontal);
    verticalScrollBar()->setValue(vertical);
    m_text = toPlainText();
}

void YamlTextEdit::onContentsChanged()
{
    if (m_applying)
        return;
    QString now = toPlainText();
    if (now == m_text)
        return; // a format-only change
    m_text = std::move(now);
    Q_EMIT textEdited(m_text);
}

// ---- Diagnostics and places ------------------------------------------------------------------

QColor YamlTextEdit::severityColor(Diagnostic::Severity severity)
{
    switch (severity) {
    case Diagnostic::Severity::Error: return QColor(0xe0, 0x36, 0x2c);
    case Diagnostic::Severity::Warning: return QColor(0xe6, 0xa1, 0x00);
    case Diagnostic::Severity::Info: return QColor(0x2f, 0x80, 0xed);
    }
    return {};
}

void YamlTextEdit::setDiagnostics(const QList<Diagnostic> &diagnostics)
{
    m_diagnostics = diagnostics;
    updateExtraSelections();
}

std::pair<int, int> YamlTextEdit::diagnosticRange(const Diagnostic &d) const
{
    const QTextBlock block = document()->findBlockByNumber(d.line - 1);
    if (!block.isValid())
        return {-1, -1};
    const int lineLength = block.length() - 1;
    int start = std::clamp(d.column - 1, 0, lineLength);
    int end = std::min(start + std::max(1, d.length), lineLength);
    if (end <= start && lineLength > 0) { // past the line's end: its last character
        start = lineLength - 1;
        end = lineLength;
    }
    return {block.position() + start, block.position() + end};
}

void YamlTextEdit::updateExtraSelections()
{
    QList<QTextEdit::ExtraSelection> selections;
    QTextEdit::ExtraSelection current;
    current.format.setBackground(m_currentLine);
    current.format.setProperty(QTextFormat::FullWidthSelection, true);
    current.cursor = textCursor();
    current.cursor.clearSelection();
    selections << current;
    // Infos first, errors last: the most severe underline is drawn on top.
    for (auto severity : {Diagnostic::Severity::Info, Diagnostic::Severity::Warning, Diagnostic::Severity::Error}) {
        for (const Diagnostic &d : m_diagnostics) {
            if (d.severity != severity)
                continue;
            const auto [start, end] = diagnosticRange(d);
            if (start < 0)
                continue;
            QTextEdit::ExtraSelection selection;
            selection.cursor = QTextCursor(document());
            selection.cursor.setPosition(start);
            selection.cursor.setPosition(end, QTextCursor::KeepAnchor);
            selection.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
            selection.format.setUnderlineColor(severityColor(severity));
            selection.format.setToolTip(d.message);
            selections << selection;
        }
    }
    setExtraSelections(selections);
}

void YamlTextEdit::goTo(int line, int column)
{
    QTextBlock block = document()->findBlockByNumber(std::max(0, line - 1));
    if (!block.isValid())
        block = document()->lastBlock();
    QTextCursor cursor(document());
    cursor.setPosition(block.position() + std::clamp(column - 1, 0, block.length() - 1));
    setTextCursor(cursor);
    ensureCursorUnfolded();
    centerCursor();
}

QString YamlTextEdit::toolTipAt(int position) const
{
    QStringList parts;
    for (const Diagnostic &d : m_diagnostics) {
        const auto [start, end] = diagnosticRange(d);
        if (start < 0 || position < start || position > end)
            continue;
        QString part = QStringLiteral("<b>%1</b>: %2").arg(severityName(d.severity), d.message.toHtmlEscaped());
        if (!d.fieldPath.isEmpty())
            part += QStringLiteral("<br><i>%1</i>").arg(d.fieldPath.toHtmlEscaped());
        parts << part;
    }
    if (!parts.isEmpty())
        return QStringLiteral("<qt>") + parts.join(QStringLiteral("<hr>")) + QStringLiteral("</qt>");
    const SchemaSuggestion field = schemaField(yamlKeyAt(document(), position));
    if (field.text.isEmpty())
        return {};
    QString help =
        QStringLiteral("<qt><b>%1</b> <i>%2</i>").arg(field.text.toHtmlEscaped(), field.type.toHtmlEscaped());
    if (!field.description.isEmpty())
        help += QStringLiteral("<p>%1</p>").arg(field.description.toHtmlEscaped());
    return help + QStringLiteral("</qt>");
}

// ---- Completion --------------------------------------------------------------------------------

YamlContext YamlTextEdit::contextAtCursor() const
{
    return yamlContextAt(document(), textCursor().position());
}

QList<SchemaSuggestion> YamlTextEdit::completionsAtCursor() const
{
    return schemaSuggestions(contextAtCursor());
}

bool YamlTextEdit::isCompletionVisible() const
{
    return m_completer->popup()->isVisible();
}

void YamlTextEdit::showCompletion()
{
    m_completionContext = contextAtCursor();
    const QList<SchemaSuggestion> suggestions = schemaSuggestions(m_completionContext);
    m_completionModel->clear();
    for (const SchemaSuggestion &s : suggestions) {
        auto *name = new QStandardItem(s.text);
        name->setData((s.value ? ValueFlag : 0) | (s.block ? BlockFlag : 0) | (s.list ? ListFlag : 0), FlagsRole);
        name->setToolTip(s.description);
        auto *type = new QStandardItem(s.type);
        type->setForeground(palette().color(QPalette::PlaceholderText));
        auto *description = new QStandardItem(firstSentence(s.description));
        description->setToolTip(s.description);
        m_completionModel->appendRow({name, type, description});
    }
    m_completer->setCompletionPrefix(m_completionContext.prefix);
    const bool onlyWhatIsTyped =
        m_completer->completionCount() == 1 && m_completer->currentCompletion() == m_completionContext.prefix;
    if (suggestions.isEmpty() || m_completer->completionCount() == 0 || onlyWhatIsTyped) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    QRect rect = cursorRect();
    rect.translate(viewportMargins().left(), 0);
    rect.setWidth(std::min(width(), std::max(420, width() * 2 / 3)));
    m_completer->complete(rect);
}

void YamlTextEdit::insertCompletion(const QModelIndex &index)
{
    const QModelIndex first = index.sibling(index.row(), 0);
    const QString text = first.data(Qt::DisplayRole).toString();
    const int flags = first.data(FlagsRole).toInt();
    QTextCursor cursor = textCursor();
    const QString rest = cursor.block().text().mid(cursor.positionInBlock());
    int wordEnd = 0;
    while (wordEnd < rest.size() && isKeyCharacter(rest.at(wordEnd)))
        ++wordEnd;
    cursor.setPosition(m_completionContext.prefixStart);
    cursor.setPosition(textCursor().position() + wordEnd, QTextCursor::KeepAnchor);
    QString insert = text;
    if (!(flags & ValueFlag) && !rest.mid(wordEnd).trimmed().startsWith(QLatin1Char(':'))) {
        const QString indent(m_completionContext.keyColumn, QLatin1Char(' '));
        if (flags & ListFlag)
            insert += QStringLiteral(":\n") + indent + QStringLiteral("- ");
        else if (flags & BlockFlag)
            insert += QStringLiteral(":\n") + indent + QStringLiteral("  ");
        else
            insert += QStringLiteral(": ");
    }
    cursor.insertText(insert);
    setTextCursor(cursor);
}

// ---- Snippets and folding -------------------------------------------------------------------------

void YamlTextEdit::insertSnippet(const QString &kind, const QString &name)
{
    const KindTemplate *kindTemplate = findTemplate(kind);
    if (!kindTemplate || kindTemplate->apiVersion.isEmpty())
        return;
    const QString yaml = manifestYaml(newObject(kind, name.isEmpty() ? kindTemplate->baseName : name));
    const QString current = toPlainText();
    QString insert;
    if (!current.trimmed().isEmpty()) {
        if (!current.endsWith(QLatin1Char('\n')))
            insert += QLatin1Char('\n');
        insert += QStringLiteral("---\n");
    }
    const int start = int(current.size() + insert.size());
    insert += yaml;
    if (!insert.endsWith(QLatin1Char('\n')))
        insert += QLatin1Char('\n');
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(insert);
    cursor.setPosition(start);
    setTextCursor(cursor);
    centerCursor();
}

void YamlTextEdit::toggleFold(const QTextBlock &header)
{
    if (!setFolded(header, !isFolded(header)))
        return;
    if (!textCursor().block().isVisible()) { // the cursor was in what got folded away
        QTextCursor cursor(header);
        cursor.movePosition(QTextCursor::EndOfBlock);
        setTextCursor(cursor);
    }
    viewport()->update();
    m_gutter->update();
}

void YamlTextEdit::unfoldAll()
{
    for (QTextBlock b = document()->firstBlock(); b.isValid(); b = b.next())
        b.setVisible(true);
    document()->markContentsDirty(0, document()->characterCount());
    viewport()->update();
    m_gutter->update();
}

void YamlTextEdit::ensureCursorUnfolded()
{
    for (int guard = 0; guard < 100 && !textCursor().block().isVisible(); ++guard) {
        QTextBlock header = textCursor().block();
        while (header.isValid() && !header.isVisible())
            header = header.previous();
        if (!header.isValid() || !setFolded(header, false))
            break;
    }
}

// ---- Looks -----------------------------------------------------------------------------------------

void YamlTextEdit::applyTheme()
{
    // The theme whose background suits the palette: light or dark, as the system is.
    const Theme theme = repository().themeForPalette(palette());
    m_highlighter->setTheme(theme);
    m_highlighter->rehighlight();
    m_currentLine = QColor::fromRgba(theme.editorColor(Theme::CurrentLine));
    m_gutterColors = {QColor::fromRgba(theme.editorColor(Theme::IconBorder)),
                      QColor::fromRgba(theme.editorColor(Theme::LineNumbers)),
                      QColor::fromRgba(theme.editorColor(Theme::CurrentLineNumber)),
                      QColor::fromRgba(theme.editorColor(Theme::LineNumbers))};
    updateExtraSelections();
    m_gutter->update();
}

void YamlTextEdit::updateGutterWidth()
{
    setViewportMargins(m_gutter->preferredWidth(), 0, 0, 0);
}

void YamlTextEdit::updateGutter(const QRect &rect, int dy)
{
    if (dy)
        m_gutter->scroll(0, dy);
    else
        m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
    if (rect.contains(viewport()->rect()))
        updateGutterWidth();
}

QRectF YamlTextEdit::blockRect(const QTextBlock &block) const
{
    return blockBoundingGeometry(block).translated(contentOffset());
}

void YamlTextEdit::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect area = contentsRect();
    m_gutter->setGeometry(area.left(), area.top(), m_gutter->preferredWidth(), area.height());
}

void YamlTextEdit::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    else if (event->type() == QEvent::FontChange)
        updateGutterWidth();
}

// ---- Keys, hover, menu --------------------------------------------------------------------------------

bool YamlTextEdit::event(QEvent *event)
{
    if (event->type() == QEvent::ShortcutOverride) {
        // Undo and redo belong to the design document's stack: let the window's actions have them.
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo)) {
            event->ignore();
            return false;
        }
    }
    return QPlainTextEdit::event(event);
}

bool YamlTextEdit::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString tip = toolTipAt(cursorForPosition(help->pos()).position());
        if (tip.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), tip, viewport());
        return true;
    }
    return QPlainTextEdit::viewportEvent(event);
}

void YamlTextEdit::autoIndentNewLine()
{
    QTextCursor cursor = textCursor();
    const QString before = cursor.block().text().left(cursor.positionInBlock());
    const YamlLine line = YamlLine::parse(before);
    int indent = line.blank ? line.indent : line.contentColumn;
    if (!line.key.isEmpty() && !line.hasValue)
        indent += 2; // `key:` opens a mapping below
    cursor.insertText(QLatin1Char('\n') + QString(indent, QLatin1Char(' ')));
    setTextCursor(cursor);
}

void YamlTextEdit::keyPressEvent(QKeyEvent *event)
{
    if (isCompletionVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Tab:
        case Qt::Key_Backtab:
        case Qt::Key_Escape:
            event->ignore(); // the completer takes them
            return;
        default: break;
        }
    }
    const bool control = event->modifiers() & Qt::ControlModifier;
    if (control && event->key() == Qt::Key_Space) {
        showCompletion();
        return;
    }
    if (event->modifiers() == Qt::NoModifier && event->key() == Qt::Key_Tab && !textCursor().hasSelection()) {
        insertPlainText(QStringLiteral("  ")); // YAML forbids tabs for indentation
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) &&
        !(event->modifiers() & ~Qt::KeypadModifier)) {
        autoIndentNewLine();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);

    // Completion while typing a key, or a value the schema enumerates.
    const QString typed = event->text();
    const bool typing = !typed.isEmpty() && !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier)) &&
                        (typed.back().isLetterOrNumber() || typed.back() == QLatin1Char(' '));
    if (typing || (isCompletionVisible() && event->key() == Qt::Key_Backspace)) {
        const YamlContext context = contextAtCursor();
        if (context.valid && (context.atValue || !context.prefix.isEmpty()))
            showCompletion();
        else
            m_completer->popup()->hide();
    }
}

void YamlTextEdit::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu *menu = createStandardContextMenu(event->pos());
    menu->addSeparator();
    QMenu *snippets = menu->addMenu(tr("Insert Snippet"));
    for (const KindTemplate &t : paletteKinds()) {
        if (t.apiVersion.isEmpty())
            continue; // nodes live in clusterdeck.yaml, not in manifests
        snippets->addAction(t.kind, this, [this, kind = t.kind] { insertSnippet(kind); });
    }
    menu->addAction(tr("Unfold All"), this, &YamlTextEdit::unfoldAll);
    menu->exec(event->globalPos());
    delete menu;
}

} // namespace cd::gui
