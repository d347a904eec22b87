#pragma once
// An edge between two cards, drawn by meaning: selector solid with an arrow to the workload,
// volume dotted, config thin, claim dashed, ownership faint; a broken reference red and dashed,
// ending in a warning mark. Re-attached whenever a card moves (ObjectCard::itemChange).

#include "gui/design/relations.h"
#include "gui/topology/itemtypes.h"

#include <QCoreApplication>
#include <QGraphicsItem>
#include <QPen>
#include <QPolygonF>

namespace cd::gui {

class ObjectCard;

class EdgeItem : public QGraphicsItem {
    Q_DECLARE_TR_FUNCTIONS(EdgeItem)

public:
    enum { Type = EdgeItemType };

    // `to` is null for a broken reference; `slot` spreads several broken edges of one card.
    EdgeItem(const relations::Edge &edge, ObjectCard *from, ObjectCard *to, int slot = 0);
    ~EdgeItem() override;

    int type() const override { return Type; }
    const relations::Edge &edge() const { return m_edge; }
    ObjectCard *fromCard() const { return m_from; }
    ObjectCard *toCard() const { return m_to; }
    void setSlot(int slot);
    // Detaches from the cards (before one of them goes away).
    void detach();

    void adjust();
    QLineF line() const { return m_line; }

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    relations::Edge m_edge;
    ObjectCard *m_from = nullptr;
    ObjectCard *m_to = nullptr;
    int m_slot = 0;
    QLineF m_line;
    QPolygonF m_head; // arrow head, or the warning mark for a broken edge
    QRectF m_bounds;
    // Pens made once per palette text color (paint() runs for thousands of edges per frame).
    void updatePens(const QColor &text);
    QPen m_pen;
    QPen m_farPen; // far away: hairline, solid
    QRgb m_pensFor = 0;
    bool m_pensMade = false;
};

} // namespace cd::gui
