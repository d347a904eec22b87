#include "gui/yaml/findbar.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStyle>
#include <QTextBlock>
#include <QToolButton>

namespace cd::gui {

FindBar::FindBar(QPlainTextEdit *editor, QWidget *parent)
    : QWidget(parent), m_editor(editor), m_find(new QLineEdit(this)), m_replace(new QLineEdit(this)),
      m_caseSensitive(new QCheckBox(tr("Match case"), this)), m_status(new QLabel(this)),
      m_replaceRow(new QWidget(this))
{
    m_find->setPlaceholderText(tr("Find"));
    m_find->setClearButtonEnabled(true);
    m_replace->setPlaceholderText(tr("Replace with"));
    m_replace->setClearButtonEnabled(true);

    auto *previous = new QToolButton(this);
    previous->setArrowType(Qt::UpArrow);
    previous->setToolTip(tr("Previous match (Shift+Enter)"));
    auto *next = new QToolButton(this);
    next->setArrowType(Qt::DownArrow);
    next->setToolTip(tr("Next match (Enter)"));
    auto *close = new QToolButton(this);
    close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    close->setAutoRaise(true);
    close->setToolTip(tr("Close (Escape)"));
    auto *replace = new QPushButton(tr("Replace"), m_replaceRow);
    auto *replaceAll = new QPushButton(tr("Replace All"), m_replaceRow);

    auto *findRow = new QHBoxLayout;
    findRow->addWidget(m_find, 1);
    findRow->addWidget(previous);
    findRow->addWidget(next);
    findRow->addWidget(m_caseSensitive);
    findRow->addWidget(m_status);
    findRow->addWidget(close);
    auto *replaceLayout = new QHBoxLayout(m_replaceRow);
    replaceLayout->setContentsMargins(0, 0, 0, 0);
    replaceLayout->addWidget(m_replace, 1);
    replaceLayout->addWidget(replace);
    replaceLayout->addWidget(replaceAll);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(2);
    layout->addLayout(findRow);
    layout->addWidget(m_replaceRow);

    m_find->installEventFilter(this);
    connect(m_find, &QLineEdit::returnPressed, this, &FindBar::findNext);
    connect(m_find, &QLineEdit::textEdited, this, [this] {
        // Find as you type, from where the current match starts.
        QTextCursor cursor = m_editor->textCursor();
        cursor.setPosition(cursor.selectionStart());
        m_editor->setTextCursor(cursor);
        findNext();
    });
    connect(m_replace, &QLineEdit::returnPressed, this, &FindBar::replaceCurrent);
    connect(previous, &QToolButton::clicked, this, &FindBar::findPrevious);
    connect(next, &QToolButton::clicked, this, &FindBar::findNext);
    connect(replace, &QPushButton::clicked, this, &FindBar::replaceCurrent);
    connect(replaceAll, &QPushButton::clicked, this, &FindBar::replaceAll);
    connect(m_caseSensitive, &QCheckBox::toggled, this, [this] { updateStatus(selectionIsMatch()); });
    connect(close, &QToolButton::clicked, this, [this] {
        hide();
        m_editor->setFocus();
        Q_EMIT closed();
    });
    hide();
}

void FindBar::showFind()
{
    const QString selected = m_editor->textCursor().selectedText();
    if (!selected.isEmpty() && !selected.contains(QChar::ParagraphSeparator))
        m_find->setText(selected);
    m_replaceRow->hide();
    show();
    m_find->setFocus();
    m_find->selectAll();
}

void FindBar::showReplace()
{
    showFind();
    m_replaceRow->show();
}

void FindBar::setFindText(const QString &text)
{
    m_find->setText(text);
}
void FindBar::setReplaceText(const QString &text)
{
    m_replace->setText(text);
}
void FindBar::setCaseSensitive(bool sensitive)
{
    m_caseSensitive->setChecked(sensitive);
}

QTextDocument::FindFlags FindBar::flags() const
{
    return m_caseSensitive->isChecked() ? QTextDocument::FindCaseSensitively : QTextDocument::FindFlags();
}

bool FindBar::findNext()
{
    return find(false);
}
bool FindBar::findPrevious()
{
    return find(true);
}

bool FindBar::find(bool backward)
{
    const QString text = m_find->text();
    if (text.isEmpty()) {
        updateStatus(true);
        return false;
    }
    QTextDocument *document = m_editor->document();
    const QTextDocument::FindFlags options =
        flags() | (backward ? QTextDocument::FindBackward : QTextDocument::FindFlags());
    QTextCursor found = document->find(text, m_editor->textCursor(), options);
    if (found.isNull()) { // wrap around
        QTextCursor from(document);
        if (backward)
            from.movePosition(QTextCursor::End);
        found = document->find(text, from, options);
    }
    if (!found.isNull())
        m_editor->setTextCursor(found);
    updateStatus(!found.isNull());
    return !found.isNull();
}

bool FindBar::selectionIsMatch() const
{
    const QString selected = m_editor->textCursor().selectedText();
    return !selected.isEmpty() &&
           selected.compare(m_find->text(), m_caseSensitive->isChecked() ? Qt::CaseSensitive : Qt::CaseInsensitive) ==
               0;
}

bool FindBar::replaceCurrent()
{
    if (!selectionIsMatch() && !findNext())
        return false;
    QTextCursor cursor = m_editor->textCursor();
    cursor.insertText(m_replace->text());
    m_editor->setTextCursor(cursor);
    findNext();
    return true;
}

int FindBar::replaceAll()
{
    const QString text = m_find->text();
    if (text.isEmpty())
        return 0;
    QTextDocument *document = m_editor->document();
    QTextCursor edit(document);
    edit.beginEditBlock(); // one change, one textEdited
    int count = 0;
    for (QTextCursor found = document->find(text, 0, flags()); !found.isNull();
         found = document->find(text, found, flags())) {
        found.insertText(m_replace->text());
        ++count;
    }
    edit.endEditBlock();
    m_status->setText(tr("%n replaced", nullptr, count));
    return count;
}

int FindBar::matchCount() const
{
    const QString text = m_find->text();
    if (text.isEmpty())
        return 0;
    int count = 0;
    QTextDocument *document = m_editor->document();
    for (QTextCursor found = document->find(text, 0, flags()); !found.isNull();
         found = document->find(text, found, flags()))
        ++count;
    return count;
}

void FindBar::updateStatus(bool found)
{
    const bool empty = m_find->text().isEmpty();
    m_status->setText(empty ? QString() : found ? tr("%n matches", nullptr, matchCount()) : tr("Not found"));
    QPalette palette = m_find->palette();
    palette.setColor(QPalette::Base,
                     found || empty ? this->palette().color(QPalette::Base) : QColor(0xe0, 0x36, 0x2c, 60));
    m_find->setPalette(palette);
}

void FindBar::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        hide();
        m_editor->setFocus();
        Q_EMIT closed();
        return;
    }
    QWidget::keyPressEvent(event);
}

bool FindBar::eventFilter(QObject *watched, QEvent *event)
{
    // Shift+Enter in the find field: the previous match (the field would take it as Enter).
    if (watched == m_find && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && (key->modifiers() & Qt::ShiftModifier)) {
            findPrevious();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace cd::gui
