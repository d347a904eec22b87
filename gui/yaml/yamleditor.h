#pragma once
// The YAML editor of one manifest file: a bar to jump between its documents ("Deployment web")
// and to insert a snippet of any kind, the text (YamlTextEdit) and the find and replace bar.
// Ctrl+F finds, Ctrl+H replaces, Ctrl+Alt+Up/Down go to the previous/next document,
// Ctrl+Space completes.
//
// The shell connects it to the design document: textEdited -> DesignDocument::setText; the
// document's textChanged (from others) -> setTextKeepingCursor; diagnose() -> setDiagnostics.

#include "engine/core/yamlsource.h"
#include "gui/design/diagnostics.h"

#include <QTimer>
#include <QWidget>

#include <string>
#include <vector>

class QComboBox;
class QToolButton;

namespace cd::gui {

class FindBar;
class YamlTextEdit;

class YamlEditor : public QWidget {
    Q_OBJECT

public:
    explicit YamlEditor(QWidget *parent = nullptr);

    YamlTextEdit *textEdit() const { return m_edit; }
    FindBar *findBar() const { return m_findBar; }

    void setText(const QString &text);
    void setTextKeepingCursor(const QString &text);
    QString text() const;
    void setDiagnostics(const QList<Diagnostic> &diagnostics);
    void goTo(int line, int column = 1);
    void insertSnippet(const QString &kind, const QString &name = {});
    void showFind();
    void showReplace();

    // The file's documents as the navigation bar lists them.
    struct DocumentEntry {
        QString label; // "Deployment web"
        int line = 1;  // first line with content
    };
    QList<DocumentEntry> documents();
    // The index in documents() of the one holding the cursor.
    int currentDocument();
    void nextDocument();
    void previousDocument();

Q_SIGNALS:
    // The user changed the text here (see YamlTextEdit::textEdited).
    void textEdited(const QString &text);

private:
    void refreshDocuments();
    void syncCurrentDocument();
    void goToDocument(int index);

    QComboBox *m_documentBox;
    QToolButton *m_snippets;
    YamlTextEdit *m_edit;
    FindBar *m_findBar;
    QTimer m_refresh; // documents are re-read shortly after typing stops
    std::string m_parsedText;
    std::vector<SourceDocument> m_parsed;
    QList<DocumentEntry> m_entries;
};

} // namespace cd::gui
