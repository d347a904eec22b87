#include "gui/topology/namespaceframe.h"

#include "gui/topology/kindicons.h"
#include "gui/topology/objectcard.h"

#include <QGraphicsScene>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace cd::gui {

NamespaceFrame::NamespaceFrame(const QString &ns) : m_ns(ns), m_rect(QPointF(0, 0), emptySize())
{
    setFlags(ItemIsSelectable | ItemIsMovable | ItemSendsGeometryChanges);
    setZValue(zorder::kFrame);
    setToolTip(tr("Namespace %1").arg(ns));
}

void NamespaceFrame::setDefined(bool defined)
{
    if (defined == m_defined)
        return;
    m_defined = defined;
    setToolTip(m_defined ? tr("Namespace %1").arg(m_ns)
                         : tr("Namespace %1 (used by objects, not defined in the design)").arg(m_ns));
    update();
}

void NamespaceFrame::setCards(const QList<ObjectCard *> &cards)
{
    m_cards = cards;
    fit();
}

QSizeF NamespaceFrame::emptySize()
{
    return QSizeF(ObjectCard::kWidth + 2 * kMargin, kTitle + ObjectCard::kHeight + 2 * kMargin);
}

QRectF NamespaceFrame::frameAround(const QRectF &cardsBounds)
{
    return cardsBounds.adjusted(-kMargin, -kMargin - kTitle, kMargin, kMargin);
}

void NamespaceFrame::cardMoved(const ObjectCard *card)
{
    // A card dragged together with its selected frame: the frame follows by itself.
    if (m_fitDeferred || m_movingCards || (isSelected() && card->isSelected()))
        return;
    fit();
}

void NamespaceFrame::fit()
{
    if (m_cards.isEmpty()) {
        if (m_rect.size() != emptySize()) {
            prepareGeometryChange();
            m_rect = QRectF(QPointF(0, 0), emptySize());
        }
        return;
    }
    QRectF bounds;
    for (const ObjectCard *card : std::as_const(m_cards))
        bounds |= QRectF(card->pos(), QSizeF(ObjectCard::kWidth, ObjectCard::kHeight));
    const QRectF frame = frameAround(bounds);
    if (frame.size() != m_rect.size()) {
        prepareGeometryChange();
        m_rect = QRectF(QPointF(0, 0), frame.size());
    }
    m_fitting = true;
    setPos(frame.topLeft());
    m_fitting = false;
}

QRectF NamespaceFrame::boundingRect() const
{
    return m_rect.adjusted(-1, -1, 1, 1);
}

QPainterPath NamespaceFrame::shape() const
{
    QPainterPath path;
    path.addRect(QRectF(m_rect.left(), m_rect.top(), m_rect.width(), kTitle));
    QPainterPath inner;
    inner.addRect(m_rect.adjusted(4, kTitle, -4, -4));
    QPainterPath outer;
    outer.addRect(m_rect.adjusted(0, kTitle, 0, 0));
    return path.united(outer.subtracted(inner));
}

void NamespaceFrame::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const QPalette palette = scene() ? scene()->palette() : QPalette();
    const bool selected = option->state & QStyle::State_Selected;
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    QColor fill = palette.color(QPalette::Text);
    fill.setAlpha(10);
    QPen pen(selected ? palette.color(QPalette::Highlight) : palette.color(QPalette::Mid), selected ? 2.0 : 1.0);
    pen.setCosmetic(true);
    if (!m_defined)
        pen.setStyle(Qt::DashLine);
    painter->setRenderHint(QPainter::Antialiasing, lod > 0.35);
    painter->setPen(pen);
    painter->setBrush(fill);
    painter->drawRoundedRect(m_rect.adjusted(0.5, 0.5, -0.5, -0.5), 10, 10);
    if (lod < 0.2)
        return;
    const QRectF icon(m_rect.left() + 10, m_rect.top() + 6, 16, 16);
    const int pixels = qBound(16, int(std::ceil(16 * lod * painter->device()->devicePixelRatioF() / 8.0) * 8), 64);
    painter->drawPixmap(icon, kindicons::pixmap(kindicons::path(QStringLiteral("Namespace")), pixels),
                        QRectF(0, 0, pixels, pixels));
    QFont font = scene() ? scene()->font() : QFont();
    font.setBold(true);
    painter->setFont(font);
    painter->setPen(palette.color(QPalette::Text));
    painter->drawText(QRectF(icon.right() + 6, m_rect.top() + 2, m_rect.width() - 40, kTitle - 4),
                      Qt::AlignLeft | Qt::AlignVCenter, m_ns);
}

QVariant NamespaceFrame::itemChange(GraphicsItemChange change, const QVariant &value)
{
    if (change == ItemPositionChange && !m_fitting && !m_cards.isEmpty()) {
        // Dragged: the cards come along (those selected too are moved by the view already).
        const QPointF delta = value.toPointF() - pos();
        m_movingCards = true;
        for (ObjectCard *card : std::as_const(m_cards))
            if (!card->isSelected())
                card->moveBy(delta.x(), delta.y());
        m_movingCards = false;
    }
    return QGraphicsItem::itemChange(change, value);
}

} // namespace cd::gui
