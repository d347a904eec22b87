#include "gui/topology/autolayout.h"

#include "gui/topology/namespaceframe.h"
#include "gui/topology/nodeitem.h"
#include "gui/topology/objectcard.h"

#include <cmath>

namespace cd::gui {
namespace {

constexpr qreal kCardGapX = 28;
constexpr qreal kCardGapY = 22;
constexpr qreal kNodeGap = 32;
constexpr qreal kGroupGap = 48;
constexpr qreal kBelowNodes = 72;
constexpr qreal kWrapWidth = 3200;

const QSizeF kCard(ObjectCard::kWidth, ObjectCard::kHeight);

int columnsFor(int cards)
{
    return cards <= 4 ? 1 : int(std::ceil(std::sqrt(cards / 2.0)));
}

QSizeF gridSize(int cards)
{
    const int cols = columnsFor(cards);
    const int rows = (cards + cols - 1) / cols;
    return QSizeF(cols * kCard.width() + (cols - 1) * kCardGapX,
                  rows * kCard.height() + std::max(0, rows - 1) * kCardGapY);
}

QPointF gridCell(const QPointF &origin, int index, int cards)
{
    const int cols = columnsFor(cards);
    return origin +
           QPointF((index % cols) * (kCard.width() + kCardGapX), (index / cols) * (kCard.height() + kCardGapY));
}

} // namespace

QHash<QString, QPointF> autoLayout(const LayoutRequest &request)
{
    QHash<QString, QPointF> out;
    auto stored = [&](const QString &id) -> std::optional<QPointF> {
        const auto it = request.placed.constFind(id);
        return it == request.placed.constEnd() ? std::nullopt : std::optional<QPointF>(*it);
    };

    // Nodes: a row at the top; new ones continue to the right of those placed.
    qreal nodeX = 0, nodesBottom = 0;
    bool anyNode = false;
    for (const QString &id : request.nodes)
        if (auto p = stored(id)) {
            nodeX = std::max(nodeX, p->x() + NodeItem::kWidth + kNodeGap);
            nodesBottom = std::max(nodesBottom, p->y() + NodeItem::kHeight);
            anyNode = true;
        }
    for (const QString &id : request.nodes) {
        if (auto p = stored(id)) {
            out.insert(id, *p);
            continue;
        }
        out.insert(id, QPointF(nodeX, 0));
        nodeX += NodeItem::kWidth + kNodeGap;
        nodesBottom = std::max(nodesBottom, NodeItem::kHeight);
        anyNode = true;
    }
    const qreal top = anyNode ? nodesBottom + kBelowNodes : 0;

    // Blocks of groups that have nothing placed go right of everything placed.
    qreal placedRight = -1;
    for (const LayoutGroup &g : request.groups) {
        for (const QString &id : g.cards)
            if (auto p = stored(id))
                placedRight = std::max(placedRight, p->x() + kCard.width() + NamespaceFrame::kMargin);
        if (!g.frameId.isEmpty() && g.cards.isEmpty())
            if (auto p = stored(g.frameId))
                placedRight = std::max(placedRight, p->x() + NamespaceFrame::emptySize().width());
    }
    qreal cursorX = placedRight < 0 ? 0 : placedRight + kGroupGap;
    qreal cursorY = top, rowHeight = 0;

    for (const LayoutGroup &g : request.groups) {
        const bool framed = !g.frameId.isEmpty();
        const QPointF inset =
            framed ? QPointF(NamespaceFrame::kMargin, NamespaceFrame::kMargin + NamespaceFrame::kTitle) : QPointF(0, 0);
        QStringList unplaced;
        QRectF placedCards;
        for (const QString &id : g.cards) {
            if (auto p = stored(id)) {
                out.insert(id, *p);
                placedCards |= QRectF(*p, kCard);
            } else {
                unplaced << id;
            }
        }
        const QSizeF grid = gridSize(int(unplaced.size()));
        QPointF gridOrigin;
        if (!placedCards.isNull()) {
            gridOrigin = QPointF(placedCards.left(), placedCards.bottom() + kCardGapY);
        } else if (auto framePos = framed ? stored(g.frameId) : std::nullopt) {
            gridOrigin = *framePos + inset;
            if (framed)
                out.insert(g.frameId, *framePos);
        } else {
            const QSizeF block = unplaced.isEmpty() && framed
                                     ? NamespaceFrame::emptySize()
                                     : QSizeF(grid.width() + 2 * inset.x(), grid.height() + inset.y() + inset.x());
            if (cursorX > 0 && cursorX + block.width() > kWrapWidth) {
                cursorX = placedRight < 0 ? 0 : placedRight + kGroupGap;
                cursorY += rowHeight + kGroupGap;
                rowHeight = 0;
            }
            if (framed)
                out.insert(g.frameId, QPointF(cursorX, cursorY));
            gridOrigin = QPointF(cursorX, cursorY) + inset;
            cursorX += block.width() + kGroupGap;
            rowHeight = std::max(rowHeight, block.height());
        }
        for (int i = 0; i < unplaced.size(); ++i)
            out.insert(unplaced[i], gridCell(gridOrigin, i, int(unplaced.size())));
        if (framed && !out.contains(g.frameId)) // a frame fitted to its cards: where they start
            out.insert(
                g.frameId,
                NamespaceFrame::frameAround(placedCards.isNull() ? QRectF(gridOrigin, kCard) : placedCards).topLeft());
    }
    return out;
}

} // namespace cd::gui
