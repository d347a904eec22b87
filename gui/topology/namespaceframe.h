#pragma once
// A namespace on the canvas: a frame around the cards of its objects, sized to fit them. It is
// grabbed by its title bar (the body lets clicks through to rubber-band selection), and moving
// it moves its cards. Cards are not its children, so edges can be drawn above every frame.

#include "gui/design/objectkey.h"
#include "gui/topology/itemtypes.h"

#include <QCoreApplication>
#include <QGraphicsItem>

namespace cd::gui {

class ObjectCard;

class NamespaceFrame : public QGraphicsItem {
    Q_DECLARE_TR_FUNCTIONS(NamespaceFrame)

public:
    enum { Type = NamespaceFrameType };
    static constexpr qreal kMargin = 16;
    static constexpr qreal kTitle = 28;

    explicit NamespaceFrame(const QString &ns);

    int type() const override { return Type; }
    QString ns() const { return m_ns; }
    // The Namespace object's key (the frame stands for it, written or not).
    ObjectKey key() const { return ObjectKey{QString(), QStringLiteral("Namespace"), QString(), m_ns}; }
    // Whether the design defines the Namespace object (else the frame is implied by its objects).
    void setDefined(bool defined);
    bool isDefined() const { return m_defined; }

    void setCards(const QList<ObjectCard *> &cards);
    const QList<ObjectCard *> &cards() const { return m_cards; }
    // Re-fits around the cards (deferred while the scene places many items at once).
    void cardMoved(const ObjectCard *card);
    void fit();
    void setFitDeferred(bool deferred) { m_fitDeferred = deferred; }
    // The frame's extent around cards placed at `cardsBounds` (scene), for the layout.
    static QRectF frameAround(const QRectF &cardsBounds);
    static QSizeF emptySize();

    QRectF frameRect() const { return m_rect; } // item coordinates, top-left at (0, 0)
    QRectF boundingRect() const override;
    QPainterPath shape() const override; // the title bar and the border only
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant &value) override;

private:
    QString m_ns;
    bool m_defined = false;
    bool m_fitting = false;
    bool m_fitDeferred = false;
    bool m_movingCards = false;
    QList<ObjectCard *> m_cards;
    QRectF m_rect;
};

} // namespace cd::gui
