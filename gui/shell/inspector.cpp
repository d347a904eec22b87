#include "gui/shell/inspector.h"

#include "gui/design/designdocument.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace cd::gui {

namespace {

// A multi-line field that commits when focus leaves it (typing newlines must not commit).
class LinesEdit : public QPlainTextEdit {
public:
    using QPlainTextEdit::QPlainTextEdit;
    std::function<void()> onCommit;

protected:
    void focusOutEvent(QFocusEvent *event) override
    {
        QPlainTextEdit::focusOutEvent(event);
        if (onCommit)
            onCommit();
    }
};

// A set of checkboxes for a list of choices, read and written as "a, b".
class ChecksEdit : public QWidget {
public:
    ChecksEdit(const QStringList &choices, QWidget *parent) : QWidget(parent)
    {
        auto *layout = new QVBoxLayout(this);
        layout->setContentsMargins(0, 0, 0, 0);
        for (const QString &choice : choices) {
            auto *box = new QCheckBox(choice, this);
            m_boxes << box;
            layout->addWidget(box);
        }
    }
    QString text() const
    {
        QStringList on;
        for (QCheckBox *box : m_boxes)
            if (box->isChecked())
                on << box->text();
        return on.join(QStringLiteral(", "));
    }
    void setText(const QString &text)
    {
        const QStringList on = text.split(QStringLiteral(", "), Qt::SkipEmptyParts);
        for (QCheckBox *box : m_boxes)
            box->setChecked(on.contains(box->text()));
    }
    QList<QCheckBox *> m_boxes;
};

} // namespace

Inspector::Inspector(DesignDocument *document, QWidget *parent) : QWidget(parent), m_document(document)
{
    auto *layout = new QVBoxLayout(this);
    m_title = new QLabel(this);
    m_title->setWordWrap(true);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    layout->addWidget(m_title);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_formHost = new QWidget(scroll);
    auto *hostLayout = new QVBoxLayout(m_formHost);
    m_form = new QFormLayout;
    hostLayout->addLayout(m_form);
    hostLayout->addStretch(1);  // rows stay together at the top, however tall the dock
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    scroll->setWidget(m_formHost);
    layout->addWidget(scroll, 1);
    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #c62828"));
    m_problem->hide();
    layout->addWidget(m_problem);

    connect(m_document, &DesignDocument::objectsChanged, this, &Inspector::refreshValues);
    connect(m_document, &DesignDocument::nodesChanged, this, &Inspector::refreshValues);
    connect(m_document, &DesignDocument::reset, this, [this] { inspect({}); });
    inspect({});
}

Json Inspector::current() const
{
    if (m_key.kind == QLatin1String("Node")) {
        const Json *entry = m_document->node(m_key.name);
        return entry ? *entry : Json();
    }
    const DesignObject *object = m_document->find(m_key);
    return object ? object->object : Json();
}

void Inspector::inspect(const ObjectKey &key)
{
    if (key == m_key && !m_fields.empty()) {
        refreshValues();  // the same object again: keep the form (and the focus in it)
        return;
    }
    m_key = key;
    rebuild();
}

QWidget *Inspector::editorFor(const QString &fieldId) const
{
    return m_editors.value(fieldId);
}

QString Inspector::problem() const
{
    return m_problem->isVisible() ? m_problem->text() : QString();
}

bool Inspector::focusFirstField()
{
    for (const char *id : {"image", "service.ports", "storage", "data", "provisioner", "name"}) {
        QWidget *editor = m_editors.value(QString::fromLatin1(id));
        if (!editor)
            continue;
        // A new form's editors show on the next turn of the event loop; focus them then.
        QTimer::singleShot(0, editor, [editor] {
            editor->setFocus(Qt::OtherFocusReason);
            if (auto *line = qobject_cast<QLineEdit *>(editor))
                line->selectAll();
        });
        return true;
    }
    return false;
}

void Inspector::rebuild()
{
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    m_editors.clear();
    m_problem->hide();
    const Json object = current();
    if (m_key.isNull() || object.is_null()) {
        m_fields.clear();
        m_title->setText(tr("Select an object on the canvas, in the tree or in the YAML to edit its fields."));
        return;
    }
    m_title->setText(m_key.kind == QLatin1String("Node") ? tr("Node %1").arg(m_key.name) : m_key.display());
    m_fields = m_key.kind == QLatin1String("Node") ? nodeFields() : objectFields(m_key.kind);
    for (const ObjectField &field : m_fields) {
        QWidget *editor = nullptr;
        const QString id = field.id;
        auto commitText = [this, id](const QString &text) {
            for (const ObjectField &f : m_fields)
                if (f.id == id)
                    return commit(f, text);
        };
        switch (field.editor) {
        case ObjectField::Editor::Line:
        case ObjectField::Editor::Number: {
            auto *line = new QLineEdit(m_formHost);
            line->setPlaceholderText(field.placeholder);
            connect(line, &QLineEdit::editingFinished, this, [line, commitText] { commitText(line->text()); });
            editor = line;
            break;
        }
        case ObjectField::Editor::Choice: {
            auto *combo = new QComboBox(m_formHost);
            combo->setEditable(false);
            combo->addItems(field.choices);
            connect(combo, &QComboBox::activated, this, [combo, commitText] { commitText(combo->currentText()); });
            editor = combo;
            break;
        }
        case ObjectField::Editor::Lines: {
            auto *lines = new LinesEdit(m_formHost);
            lines->setPlaceholderText(field.placeholder);
            lines->setTabChangesFocus(true);
            lines->setFixedHeight(lines->fontMetrics().lineSpacing() * 4 + 12);
            lines->onCommit = [lines, commitText] { commitText(lines->toPlainText()); };
            editor = lines;
            break;
        }
        case ObjectField::Editor::Checks: {
            auto *checks = new ChecksEdit(field.choices, m_formHost);
            for (QCheckBox *box : checks->m_boxes)
                connect(box, &QCheckBox::clicked, this, [checks, commitText] { commitText(checks->text()); });
            editor = checks;
            break;
        }
        }
        editor->setObjectName(field.id);
        m_editors.insert(field.id, editor);
        m_form->addRow(field.label, editor);
    }
    refreshValues();
}

void Inspector::refreshValues()
{
    const Json object = current();
    if (object.is_null()) {
        if (!m_key.isNull())
            inspect({});  // the object went away (deleted, renamed in the YAML)
        return;
    }
    m_refreshing = true;
    for (const ObjectField &field : m_fields) {
        QWidget *editor = m_editors.value(field.id);
        const QString value = field.read(object);
        if (auto *line = qobject_cast<QLineEdit *>(editor)) {
            if (!line->hasFocus() && line->text() != value) {
                line->setText(value);
                line->setCursorPosition(0);  // show the start of a long value (a command line)
            }
        } else if (auto *combo = qobject_cast<QComboBox *>(editor)) {
            if (combo->findText(value) < 0)
                combo->addItem(value);
            combo->setCurrentText(value);
        } else if (auto *lines = dynamic_cast<LinesEdit *>(editor)) {
            if (!lines->hasFocus() && lines->toPlainText() != value)
                lines->setPlainText(value);
        } else if (auto *checks = dynamic_cast<ChecksEdit *>(editor)) {
            checks->setText(value);
        }
    }
    m_refreshing = false;
}

void Inspector::commit(const ObjectField &field, const QString &text)
{
    if (m_refreshing)
        return;
    Json object = current();
    if (object.is_null())
        return;
    if (field.read(object) == text) {
        m_problem->hide();
        return;
    }
    Json changed = object;
    if (auto problem = field.write(changed, text)) {
        m_problem->setText(tr("%1: %2").arg(field.label, *problem));
        m_problem->show();
        return;
    }
    m_problem->hide();
    if (m_key.kind == QLatin1String("Node")) {
        const QString oldName = m_key.name;
        const QString newName = QString::fromStdString(str(changed, {"name"}));
        if (newName != oldName && m_document->node(newName)) {
            m_problem->setText(tr("A node named %1 exists already.").arg(newName));
            m_problem->show();
            return;
        }
        m_key.name = newName;
        m_document->updateNode(oldName, changed);
        return;
    }
    const ObjectKey renamed = ObjectKey::of(changed);
    if (renamed != m_key && m_document->find(renamed)) {
        m_problem->setText(tr("%1 exists already.").arg(renamed.display()));
        m_problem->show();
        return;
    }
    const ObjectKey old = m_key;
    m_key = renamed;
    m_document->updateObject(old, changed);
}

} // namespace cd::gui
