#pragma once
// The canvas's item types (QGraphicsItem::type(), for qgraphicsitem_cast) and stacking order:
// frames under nodes under edges under cards, so an edge never hides the card it ends on.

#include <QGraphicsItem>

namespace cd::gui {

enum TopologyItemType {
    NodeItemType = QGraphicsItem::UserType + 1,
    NamespaceFrameType,
    ObjectCardType,
    EdgeItemType,
};

namespace zorder {
constexpr qreal kFrame = -10;
constexpr qreal kNode = -5;
constexpr qreal kEdge = 0;
constexpr qreal kCard = 10;
constexpr qreal kDrag = 20; // the line drawn while connecting
} // namespace zorder

} // namespace cd::gui
