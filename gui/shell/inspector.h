#pragma once
// The property inspector: a form of the common fields of the selected object or node (from
// gui/design/objectfields), every accepted edit one undo step on the design document; a field
// whose text is not valid says why under the form and changes nothing.

#include "gui/design/objectfields.h"
#include "gui/design/objectkey.h"

#include <QWidget>

class QFormLayout;
class QLabel;

namespace cd::gui {

class DesignDocument;

class Inspector : public QWidget {
    Q_OBJECT

public:
    explicit Inspector(DesignDocument *document, QWidget *parent = nullptr);

    // Shows the object (or the node, for a key of kind Node); nothing for a null key.
    void inspect(const ObjectKey &key);
    ObjectKey inspected() const { return m_key; }
    // The editor widget of a field (tests, and focusing the image of a new Deployment).
    QWidget *editorFor(const QString &fieldId) const;
    QString problem() const;
    // Puts the keyboard in the field a new object of this kind most needs (a workload's image,
    // a claim's size, ...), its text selected; false when the form has none.
    bool focusFirstField();

private:
    void rebuild();
    void refreshValues();
    void commit(const ObjectField &field, const QString &text);
    Json current() const;

    DesignDocument *m_document;
    ObjectKey m_key;
    std::vector<ObjectField> m_fields;
    QHash<QString, QWidget *> m_editors;
    QLabel *m_title;
    QLabel *m_problem;
    QFormLayout *m_form;
    QWidget *m_formHost;
    bool m_refreshing = false;
};

} // namespace cd::gui
