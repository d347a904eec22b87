#pragma once
// The object tree: nodes, then namespaces with their objects grouped by kind, cluster-scoped
// objects apart. Kinds the engine does not serve are listed and marked, never hidden.

#include "gui/design/objectkey.h"

#include <QTreeWidget>

namespace cd::gui {

class DesignDocument;

class ObjectTree : public QTreeWidget {
    Q_OBJECT

public:
    explicit ObjectTree(DesignDocument *document, QWidget *parent = nullptr);

    QList<ObjectKey> selectedKeys() const;
    QTreeWidgetItem *itemFor(const ObjectKey &key) const { return m_items.value(key); }

public Q_SLOTS:
    void selectKeys(const QList<ObjectKey> &keys);

Q_SIGNALS:
    void selectionChangedTo(const QList<ObjectKey> &keys);
    void activated(const ObjectKey &key);  // double-click or Enter: show it in the YAML

private:
    void rebuild();

    DesignDocument *m_document;
    QHash<ObjectKey, QTreeWidgetItem *> m_items;
    bool m_selecting = false;
};

} // namespace cd::gui
