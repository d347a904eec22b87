#pragma once
// A node of the node plan (clusterdeck.yaml) as a large box: its kind shows its nature
// (simulated dashed, process plain, container a box glyph, vm a monitor glyph), with name,
// kind and capacity. Pods fill it when the cluster runs.

#include "engine/core/json.h"
#include "gui/design/objectkey.h"
#include "gui/topology/itemtypes.h"

#include <QCoreApplication>
#include <QGraphicsItem>

namespace cd::gui {

class NodeItem : public QGraphicsItem {
    Q_DECLARE_TR_FUNCTIONS(NodeItem)

public:
    enum { Type = NodeItemType };
    static constexpr qreal kWidth = 240;
    static constexpr qreal kHeight = 120;

    explicit NodeItem(const QString &name);

    int type() const override { return Type; }
    QString name() const { return m_name; }
    ObjectKey key() const { return keyOf(m_name); }
    static ObjectKey keyOf(const QString &name)
    {
        return ObjectKey{QString(), QStringLiteral("Node"), QString(), name};
    }

    void setEntry(const Json &entry);
    QString nodeKind() const { return m_nodeKind; }
    QString capacityText() const { return m_capacity; }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QString m_name;
    QString m_nodeKind = QStringLiteral("process");
    QString m_kindText;
    QString m_capacity;
    QString m_iconPath;
    int m_count = 1;
};

} // namespace cd::gui
