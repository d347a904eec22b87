#include "gui/yaml/yamleditor.h"

#include "gui/design/templates.h"
#include "gui/yaml/findbar.h"
#include "gui/yaml/yamlline.h"
#include "gui/yaml/yamltextedit.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QMenu>
#include <QSignalBlocker>
#include <QTextBlock>
#include <QToolButton>
#include <QVBoxLayout>

namespace cd::gui {

YamlEditor::YamlEditor(QWidget *parent)
    : QWidget(parent), m_documentBox(new QComboBox(this)), m_snippets(new QToolButton(this)),
      m_edit(new YamlTextEdit(this)), m_findBar(new FindBar(m_edit, this))
{
    m_documentBox->setToolTip(tr("Documents in this file (Ctrl+Alt+Up/Down)"));
    m_documentBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_snippets->setText(tr("Insert"));
    m_snippets->setToolTip(tr("Append a new object of a kind as a new document"));
    m_snippets->setPopupMode(QToolButton::InstantPopup);
    auto *snippetMenu = new QMenu(m_snippets);
    for (const KindTemplate &t : paletteKinds()) {
        if (!t.apiVersion.isEmpty()) // nodes belong to clusterdeck.yaml
            snippetMenu->addAction(t.kind, this, [this, kind = t.kind] { insertSnippet(kind); });
    }
    m_snippets->setMenu(snippetMenu);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(m_documentBox, 1);
    bar->addWidget(m_snippets);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_findBar);

    auto shortcut = [this](const QKeySequence &keys, auto slot) {
        auto *action = new QAction(this);
        action->setShortcut(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
    };
    shortcut(QKeySequence::Find, &YamlEditor::showFind);
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_H), &YamlEditor::showReplace);
    shortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_Down), &YamlEditor::nextDocument);
    shortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_Up), &YamlEditor::previousDocument);
    shortcut(QKeySequence::FindNext, [this] { m_findBar->findNext(); });
    shortcut(QKeySequence::FindPrevious, [this] { m_findBar->findPrevious(); });

    m_refresh.setSingleShot(true);
    m_refresh.setInterval(250);
    connect(&m_refresh, &QTimer::timeout, this, &YamlEditor::refreshDocuments);
    connect(m_edit, &YamlTextEdit::textEdited, this, &YamlEditor::textEdited);
    connect(m_edit->document(), &QTextDocument::contentsChanged, &m_refresh, qOverload<>(&QTimer::start));
    connect(m_edit, &QPlainTextEdit::cursorPositionChanged, this, &YamlEditor::syncCurrentDocument);
    connect(m_documentBox, QOverload<int>::of(&QComboBox::activated), this, &YamlEditor::goToDocument);
    refreshDocuments();
}

void YamlEditor::setText(const QString &text)
{
    m_edit->setText(text);
    refreshDocuments();
}

void YamlEditor::setTextKeepingCursor(const QString &text)
{
    m_edit->setTextKeepingCursor(text);
}
QString YamlEditor::text() const
{
    return m_edit->text();
}
void YamlEditor::setDiagnostics(const QList<Diagnostic> &diagnostics)
{
    m_edit->setDiagnostics(diagnostics);
}
void YamlEditor::goTo(int line, int column)
{
    m_edit->goTo(line, column);
}
void YamlEditor::insertSnippet(const QString &kind, const QString &name)
{
    m_edit->insertSnippet(kind, name);
}
void YamlEditor::showFind()
{
    m_findBar->showFind();
}
void YamlEditor::showReplace()
{
    m_findBar->showReplace();
}

// ---- Documents -------------------------------------------------------------------------------

void YamlEditor::refreshDocuments()
{
    m_refresh.stop();
    std::string text = m_edit->text().toStdString();
    // Only documents whose text changed are parsed again.
    m_parsed = parseYamlSource(text, m_parsedText, std::move(m_parsed));
    m_parsedText = std::move(text);
    m_entries.clear();
    const QTextDocument *document = m_edit->document();
    int number = 0;
    for (const SourceDocument &d : m_parsed) {
        if (d.empty)
            continue;
        ++number;
        DocumentEntry entry;
        const QString kind = QString::fromStdString(str(d.value, {"kind"}));
        const QString name = QString::fromStdString(str(d.value, {"metadata", "name"}));
        if (d.error)
            entry.label = tr("Document %1 (does not parse)").arg(number);
        else if (kind.isEmpty())
            entry.label = tr("Document %1").arg(number);
        else
            entry.label = name.isEmpty() ? kind : kind + QLatin1Char(' ') + name;
        // Its first line with content (comments and blanks before it belong to it too).
        QTextBlock block = document->findBlockByNumber(d.firstLine - 1);
        while (block.isValid() && YamlLine::parse(block.text()).blank)
            block = block.next();
        entry.line = block.isValid() ? block.blockNumber() + 1 : d.firstLine;
        m_entries << entry;
    }
    const QSignalBlocker blocker(m_documentBox);
    m_documentBox->clear();
    for (const DocumentEntry &entry : std::as_const(m_entries))
        m_documentBox->addItem(entry.label);
    m_documentBox->setEnabled(!m_entries.isEmpty());
    syncCurrentDocument();
}

QList<YamlEditor::DocumentEntry> YamlEditor::documents()
{
    if (m_refresh.isActive())
        refreshDocuments();
    return m_entries;
}

int YamlEditor::currentDocument()
{
    const QList<DocumentEntry> entries = documents();
    const int line = m_edit->textCursor().blockNumber() + 1;
    int current = entries.isEmpty() ? -1 : 0;
    for (int i = 0; i < entries.size(); ++i)
        if (entries[i].line <= line)
            current = i;
    return current;
}

void YamlEditor::syncCurrentDocument()
{
    if (m_refresh.isActive())
        return; // about to be re-read
    const QSignalBlocker blocker(m_documentBox);
    m_documentBox->setCurrentIndex(currentDocument());
}

void YamlEditor::goToDocument(int index)
{
    const QList<DocumentEntry> entries = documents();
    if (index < 0 || index >= entries.size())
        return;
    m_edit->goTo(entries[index].line, 1);
    m_edit->setFocus();
}

void YamlEditor::nextDocument()
{
    const int current = currentDocument();
    if (current + 1 < documents().size())
        goToDocument(current + 1);
}

void YamlEditor::previousDocument()
{
    const int current = currentDocument();
    if (current < 0)
        return;
    // From inside a document, its own start first; from its start, the one before.
    const bool atStart = m_edit->textCursor().blockNumber() + 1 == m_entries[current].line;
    goToDocument(atStart ? std::max(0, current - 1) : current);
}

} // namespace cd::gui
