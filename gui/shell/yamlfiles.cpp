#include "gui/shell/yamlfiles.h"

#include "gui/design/designdocument.h"
#include "gui/shell/designdiagnostics.h"
#include "gui/yaml/yamleditor.h"
#include "gui/yaml/yamltextedit.h"

#include <QTabWidget>
#include <QTextBlock>
#include <QVBoxLayout>

namespace cd::gui {

YamlFiles::YamlFiles(DesignDocument *document, DesignDiagnostics *diagnostics, QWidget *parent)
    : QWidget(parent), m_document(document), m_diagnostics(diagnostics)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    layout->addWidget(m_tabs);

    connect(m_document, &DesignDocument::reset, this, [this] {
        rebuildTabs();
        m_tabs->setCurrentIndex(0);  // a new design opens on its first manifest
    });
    connect(m_document, &DesignDocument::filesChanged, this, &YamlFiles::rebuildTabs);
    connect(m_document, &DesignDocument::textChanged, this, [this](const QString &file, QObject *origin) {
        YamlEditor *editor = m_editors.value(file);
        if (editor && origin != editor)
            editor->setTextKeepingCursor(m_document->text(file));
    });
    connect(m_diagnostics, &DesignDiagnostics::changed, this, &YamlFiles::showDiagnostics);
    rebuildTabs();
}

void YamlFiles::rebuildTabs()
{
    const QString current = currentFile();
    QStringList files = m_document->manifestFiles();
    files << QString::fromLatin1(DesignDocument::kProjectFile);
    // Editors of files that stay are kept (their cursor, scroll and find state with them).
    for (auto it = m_editors.begin(); it != m_editors.end();) {
        if (!files.contains(it.key())) {
            delete it.value();
            it = m_editors.erase(it);
        } else {
            ++it;
        }
    }
    m_tabs->clear();
    for (const QString &file : files) {
        YamlEditor *editor = m_editors.value(file);
        const bool created = !editor;
        if (!editor) {
            editor = new YamlEditor(this);
            editor->setObjectName(file);
            m_editors.insert(file, editor);
            connect(editor, &YamlEditor::textEdited, this,
                    [this, file, editor](const QString &text) { m_document->setText(file, text, editor); });
            connect(editor->textEdit(), &QPlainTextEdit::cursorPositionChanged, this, [this, file] { cursorMoved(file); });
        }
        editor->setTextKeepingCursor(m_document->text(file));
        if (created) {  // a new editor starts at the top of its file
            m_showing = true;
            editor->goTo(1, 1);
            m_showing = false;
        }
        m_tabs->addTab(editor, file);
    }
    m_tabs->setCurrentIndex(std::max(0, int(files.indexOf(current))));
    showDiagnostics();
}

void YamlFiles::showDiagnostics()
{
    for (auto it = m_editors.begin(); it != m_editors.end(); ++it)
        it.value()->setDiagnostics(m_diagnostics->diagnostics(it.key()));
}

YamlEditor *YamlFiles::currentEditor() const
{
    return qobject_cast<YamlEditor *>(m_tabs->currentWidget());
}

QString YamlFiles::currentFile() const
{
    return m_tabs->currentIndex() < 0 ? QString() : m_tabs->tabText(m_tabs->currentIndex());
}

void YamlFiles::showObject(const ObjectKey &key)
{
    const DesignObject *object = m_document->find(key);
    YamlEditor *editor = object ? m_editors.value(object->file) : nullptr;
    if (!editor || key == m_cursorObject)
        return;  // already there (the person is typing in it)
    m_showing = true;
    m_tabs->setCurrentWidget(editor);
    editor->goTo(object->line, 1);
    m_cursorObject = key;
    m_showing = false;
}

void YamlFiles::goTo(const QString &file, int line, int column)
{
    YamlEditor *editor = m_editors.value(file);
    if (!editor)
        return;
    m_tabs->setCurrentWidget(editor);
    editor->goTo(line, column);
    editor->textEdit()->setFocus();
}

void YamlFiles::find()
{
    if (YamlEditor *editor = currentEditor())
        editor->showFind();
}

void YamlFiles::cursorMoved(const QString &file)
{
    YamlEditor *editor = m_editors.value(file);
    if (m_showing || !editor || !editor->textEdit()->hasFocus())
        return;
    const int line = editor->textEdit()->textCursor().blockNumber() + 1;
    // The object whose document holds the line: the last one starting at or before it.
    ObjectKey found;
    for (const DesignObject &o : m_document->objects())
        if (o.file == file && o.line <= line && (found.isNull() || o.line >= m_document->find(found)->line))
            found = o.key;
    if (found.isNull() || found == m_cursorObject)
        return;
    m_cursorObject = found;
    Q_EMIT cursorOnObject(found);
}

} // namespace cd::gui
