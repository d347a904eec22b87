#pragma once
// Find and replace under the editor: Ctrl+F finds, Ctrl+H also replaces; Enter and Shift+Enter
// go to the next and previous match (wrapping around), Escape closes.

#include <QTextDocument>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QToolButton;

namespace cd::gui {

class FindBar : public QWidget {
    Q_OBJECT

public:
    explicit FindBar(QPlainTextEdit *editor, QWidget *parent = nullptr);

    // Shows the bar (with the replace row or without), the selection as the text to find.
    void showFind();
    void showReplace();

    void setFindText(const QString &text);
    void setReplaceText(const QString &text);
    void setCaseSensitive(bool sensitive);
    bool findNext();
    bool findPrevious();
    // Replaces the selected match (if it is one) and goes to the next.
    bool replaceCurrent();
    // Every match, as one edit; returns how many.
    int replaceAll();
    int matchCount() const;

Q_SIGNALS:
    void closed();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    bool find(bool backward);
    QTextDocument::FindFlags flags() const;
    bool selectionIsMatch() const;
    void updateStatus(bool found);

    QPlainTextEdit *m_editor;
    QLineEdit *m_find;
    QLineEdit *m_replace;
    QCheckBox *m_caseSensitive;
    QLabel *m_status;
    QWidget *m_replaceRow;
};

} // namespace cd::gui
