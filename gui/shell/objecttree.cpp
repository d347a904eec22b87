#include "gui/shell/objecttree.h"

#include "gui/design/designdocument.h"

#include <QHeaderView>
#include <QSet>

namespace cd::gui {

namespace {
constexpr int kKeyRole = Qt::UserRole + 1;
}

ObjectTree::ObjectTree(DesignDocument *document, QWidget *parent) : QTreeWidget(parent), m_document(document)
{
    setHeaderHidden(true);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setUniformRowHeights(true);
    connect(m_document, &DesignDocument::objectsChanged, this, &ObjectTree::rebuild);
    connect(m_document, &DesignDocument::nodesChanged, this, &ObjectTree::rebuild);
    connect(m_document, &DesignDocument::reset, this, &ObjectTree::rebuild);
    connect(this, &QTreeWidget::itemSelectionChanged, this, [this] {
        if (!m_selecting)
            Q_EMIT selectionChangedTo(selectedKeys());
    });
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        const QString id = item->data(0, kKeyRole).toString();
        if (!id.isEmpty())
            Q_EMIT activated(ObjectKey::fromId(id));
    });
    rebuild();
}

QList<ObjectKey> ObjectTree::selectedKeys() const
{
    QList<ObjectKey> keys;
    for (QTreeWidgetItem *item : selectedItems())
        if (const QString id = item->data(0, kKeyRole).toString(); !id.isEmpty())
            keys << ObjectKey::fromId(id);
    return keys;
}

void ObjectTree::selectKeys(const QList<ObjectKey> &keys)
{
    m_selecting = true;
    clearSelection();
    for (const ObjectKey &key : keys)
        if (QTreeWidgetItem *item = m_items.value(key)) {
            item->setSelected(true);
            scrollToItem(item);
        }
    m_selecting = false;
}

void ObjectTree::rebuild()
{
    // Keep what the person opened and selected across the rebuild.
    QSet<QString> collapsed;
    for (QTreeWidgetItemIterator it(this); *it; ++it)
        if (!(*it)->isExpanded() && (*it)->childCount() > 0)
            collapsed.insert((*it)->data(0, Qt::UserRole).toString());
    const QList<ObjectKey> selected = selectedKeys();

    m_selecting = true;
    clear();
    m_items.clear();
    auto group = [&](QTreeWidgetItem *parent, const QString &path, const QString &title) {
        auto *item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(this);
        item->setText(0, title);
        item->setData(0, Qt::UserRole, path);
        item->setFlags(Qt::ItemIsEnabled);
        return item;
    };

    QTreeWidgetItem *nodes = group(nullptr, QStringLiteral("nodes"), tr("Nodes (%1)").arg(m_document->nodes().size()));
    for (const Json &entry : m_document->nodes()) {
        const QString name = QString::fromStdString(str(entry, {"name"}));
        auto *item = new QTreeWidgetItem(nodes);
        item->setText(0, tr("%1 (%2)").arg(name, QString::fromStdString(str(entry, {"kind"}, "process"))));
        const ObjectKey key{{}, QStringLiteral("Node"), {}, name};
        item->setData(0, kKeyRole, key.id());
        m_items.insert(key, item);
    }

    QMap<QString, QTreeWidgetItem *> namespaces;
    QMap<QString, QTreeWidgetItem *> kinds;
    QTreeWidgetItem *cluster = nullptr;
    // Namespaces first so that a Namespace object and its frame in the tree are one entry.
    for (const DesignObject &o : m_document->objects())
        if (o.key.kind == QLatin1String("Namespace") && !namespaces.contains(o.key.name))
            namespaces.insert(o.key.name, group(nullptr, QLatin1String("ns/") + o.key.name, tr("Namespace %1").arg(o.key.name)));
    for (const DesignObject &o : m_document->objects()) {
        if (m_items.contains(o.key) || o.key.kind == QLatin1String("Namespace")) {
            if (o.key.kind == QLatin1String("Namespace") && !m_items.contains(o.key)) {
                QTreeWidgetItem *ns = namespaces.value(o.key.name);
                ns->setData(0, kKeyRole, o.key.id());
                ns->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
                m_items.insert(o.key, ns);
            }
            continue;  // a second definition of an object is a problem in the YAML, not a second entry
        }
        QTreeWidgetItem *parent;
        QString path;
        if (o.key.ns.isEmpty()) {
            if (!cluster)
                cluster = group(nullptr, QStringLiteral("cluster"), tr("Cluster-wide"));
            parent = cluster;
            path = QStringLiteral("cluster");
        } else {
            if (!namespaces.contains(o.key.ns))
                namespaces.insert(o.key.ns, group(nullptr, QLatin1String("ns/") + o.key.ns, tr("Namespace %1").arg(o.key.ns)));
            parent = namespaces.value(o.key.ns);
            path = QLatin1String("ns/") + o.key.ns;
        }
        const QString kindPath = path + QLatin1Char('/') + o.key.kind;
        if (!kinds.contains(kindPath))
            kinds.insert(kindPath, group(parent, kindPath, o.key.kind));
        auto *item = new QTreeWidgetItem(kinds.value(kindPath));
        item->setText(0, o.served ? o.key.name : tr("%1 (not served by Clusterdeck)").arg(o.key.name));
        if (!o.served)
            item->setForeground(0, palette().brush(QPalette::Disabled, QPalette::Text));
        item->setToolTip(0, tr("%1, %2 line %3").arg(o.key.display(), o.file).arg(o.line));
        item->setData(0, kKeyRole, o.key.id());
        m_items.insert(o.key, item);
    }
    for (QTreeWidgetItemIterator it(this); *it; ++it)
        (*it)->setExpanded(!collapsed.contains((*it)->data(0, Qt::UserRole).toString()));
    m_selecting = false;
    selectKeys(selected);
}

} // namespace cd::gui
