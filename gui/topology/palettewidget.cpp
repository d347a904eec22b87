#include "gui/topology/palettewidget.h"

#include "gui/topology/kindicons.h"

#include <QEvent>
#include <QHeaderView>
#include <QMimeData>

namespace cd::gui {
namespace {

constexpr int kIndexRole = Qt::UserRole + 1; // index into paletteKinds()

QString categoryName(const QString &category)
{
    if (category == QLatin1String("Cluster"))
        return PaletteWidget::tr("Cluster");
    if (category == QLatin1String("Workloads"))
        return PaletteWidget::tr("Workloads");
    if (category == QLatin1String("Network"))
        return PaletteWidget::tr("Network");
    if (category == QLatin1String("Storage"))
        return PaletteWidget::tr("Storage");
    if (category == QLatin1String("Config"))
        return PaletteWidget::tr("Configuration");
    return category;
}

} // namespace

QMimeData *kindMimeData(const KindTemplate &kind)
{
    auto *data = new QMimeData;
    data->setData(QString::fromLatin1(kKindMimeType), (kind.kind + QLatin1Char('\t') + kind.nodeKind).toUtf8());
    return data;
}

const KindTemplate *kindFromMimeData(const QMimeData *data)
{
    if (!data || !data->hasFormat(QString::fromLatin1(kKindMimeType)))
        return nullptr;
    const QStringList parts =
        QString::fromUtf8(data->data(QString::fromLatin1(kKindMimeType))).split(QLatin1Char('\t'));
    return findTemplate(parts.value(0), parts.value(1));
}

QString kindDisplayName(const KindTemplate &kind)
{
    if (kind.kind == QLatin1String("Node")) {
        if (kind.nodeKind == QLatin1String("simulated"))
            return PaletteWidget::tr("Simulated node");
        if (kind.nodeKind == QLatin1String("container"))
            return PaletteWidget::tr("Container node");
        if (kind.nodeKind == QLatin1String("vm"))
            return PaletteWidget::tr("VM node");
        return PaletteWidget::tr("Process node");
    }
    // Kubernetes kind names are proper names, the same in every language.
    return kind.kind;
}

PaletteWidget::PaletteWidget(QWidget *parent) : QTreeWidget(parent)
{
    setHeaderHidden(true);
    setRootIsDecorated(false);
    setIndentation(8);
    setIconSize(QSize(20, 20));
    setDragEnabled(true);
    setDragDropMode(DragOnly);
    setSelectionMode(SingleSelection);
    setUniformRowHeights(true);
    populate();
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        const QVariant index = item->data(0, kIndexRole);
        if (index.isValid())
            Q_EMIT kindActivated(paletteKinds().at(index.toInt()));
    });
}

void PaletteWidget::populate()
{
    clear();
    QHash<QString, QTreeWidgetItem *> categories;
    const QList<KindTemplate> &kinds = paletteKinds();
    for (int i = 0; i < kinds.size(); ++i) {
        const KindTemplate &kind = kinds[i];
        QTreeWidgetItem *&category = categories[kind.category];
        if (!category) {
            category = new QTreeWidgetItem(this, {categoryName(kind.category)});
            category->setFlags(Qt::ItemIsEnabled);
            QFont font = category->font(0);
            font.setBold(true);
            category->setFont(0, font);
        }
        auto *item = new QTreeWidgetItem(category, {kindDisplayName(kind)});
        item->setIcon(0, kindicons::icon(kind.kind, kind.nodeKind));
        item->setData(0, kIndexRole, i);
        item->setToolTip(0, tr("Drag onto the canvas to add a %1").arg(kindDisplayName(kind)));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
    }
    expandAll();
}

QTreeWidgetItem *PaletteWidget::itemFor(const KindTemplate &kind) const
{
    const QList<KindTemplate> &kinds = paletteKinds();
    for (int c = 0; c < topLevelItemCount(); ++c)
        for (int i = 0; i < topLevelItem(c)->childCount(); ++i) {
            QTreeWidgetItem *item = topLevelItem(c)->child(i);
            const KindTemplate &t = kinds.at(item->data(0, kIndexRole).toInt());
            if (t.kind == kind.kind && t.nodeKind == kind.nodeKind)
                return item;
        }
    return nullptr;
}

QStringList PaletteWidget::mimeTypes() const
{
    return {QString::fromLatin1(kKindMimeType)};
}

QMimeData *PaletteWidget::mimeData(const QList<QTreeWidgetItem *> &items) const
{
    for (QTreeWidgetItem *item : items)
        if (const QVariant index = item->data(0, kIndexRole); index.isValid())
            return kindMimeData(paletteKinds().at(index.toInt()));
    return nullptr;
}

void PaletteWidget::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        populate();
    QTreeWidget::changeEvent(event);
}

} // namespace cd::gui
