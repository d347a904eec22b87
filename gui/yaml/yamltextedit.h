#pragma once
// The text area of the YAML editor: a QPlainTextEdit with KSyntaxHighlighting (its YAML
// definition, the theme that fits the palette), line numbers, the current line, folding by
// indentation, diagnostics as wavy underlines, completion and hover help from the OpenAPI schemas.
//
// The design document owns the text and its undo: this widget's own undo is off; the user's edits
// are reported with textEdited, and text from elsewhere comes in with setTextKeepingCursor.

#include "gui/design/diagnostics.h"
#include "gui/yaml/schemahelp.h"

#include <QColor>
#include <QPlainTextEdit>

class QCompleter;
class QStandardItemModel;

namespace KSyntaxHighlighting {
class SyntaxHighlighter;
}

namespace cd::gui {

class EditorGutter;

class YamlTextEdit : public QPlainTextEdit {
    Q_OBJECT

public:
    explicit YamlTextEdit(QWidget *parent = nullptr);
    ~YamlTextEdit() override;

    // A new text (a file opened): cursor at the start, folds cleared. Not a user edit.
    void setText(const QString &text);
    // Text changed elsewhere (canvas, inspector, undo): only the changed middle is replaced, so
    // the cursor, the selection and the scroll position stay. Not a user edit.
    void setTextKeepingCursor(const QString &text);
    QString text() const { return m_text; }

    void setDiagnostics(const QList<Diagnostic> &diagnostics);
    const QList<Diagnostic> &diagnostics() const { return m_diagnostics; }
    // Moves the cursor to a 1-based line and column (QString characters), unfolding as needed.
    void goTo(int line, int column = 1);

    // Completion at the cursor: what the schemas allow there (empty when nothing).
    QList<SchemaSuggestion> completionsAtCursor() const;
    YamlContext contextAtCursor() const;
    void showCompletion();
    bool isCompletionVisible() const;
    // What hovering a position shows: its diagnostics, else the schema's help for the key there.
    QString toolTipAt(int position) const;

    // Appends a new object of the kind as a new document (the palette's template), cursor on it.
    void insertSnippet(const QString &kind, const QString &name = {});

    void toggleFold(const QTextBlock &header);
    void unfoldAll();

    // For the gutter.
    struct GutterColors {
        QColor background, number, currentNumber, foldMarker;
    };
    GutterColors gutterColors() const { return m_gutterColors; }
    QRectF blockRect(const QTextBlock &block) const;
    using QPlainTextEdit::firstVisibleBlock;

    static QColor severityColor(Diagnostic::Severity severity);

Q_SIGNALS:
    // The user changed the text (typing, paste, completion, snippet, replace). Not emitted for
    // setText or setTextKeepingCursor.
    void textEdited(const QString &text);

protected:
    bool event(QEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void applyTheme();
    void updateGutterWidth();
    void updateGutter(const QRect &rect, int dy);
    void updateExtraSelections();
    void onContentsChanged();
    void ensureCursorUnfolded();
    void insertCompletion(const QModelIndex &index);
    void autoIndentNewLine();
    // Where a diagnostic sits in the document: [start, end) positions.
    std::pair<int, int> diagnosticRange(const Diagnostic &d) const;

    KSyntaxHighlighting::SyntaxHighlighter *m_highlighter = nullptr;
    EditorGutter *m_gutter = nullptr;
    QCompleter *m_completer = nullptr;
    QStandardItemModel *m_completionModel = nullptr;
    YamlContext m_completionContext;
    QList<Diagnostic> m_diagnostics;
    QString m_text;     // the text as last reported or set
    int m_applying = 0; // > 0 while a change is not the user's
    GutterColors m_gutterColors;
    QColor m_currentLine;
};

} // namespace cd::gui
