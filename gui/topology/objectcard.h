#pragma once
// A manifest object on the canvas: its kind icon, name and a one-line summary; an "unsupported
// kind" look for kinds the engine does not serve (kept, never dropped); a warning badge whose
// tooltip says which reference is broken; an edge handle on the right to draw edges from.

#include "engine/core/json.h"
#include "gui/design/objectkey.h"
#include "gui/topology/itemtypes.h"

#include <QCoreApplication>
#include <QFont>
#include <QGraphicsItem>

namespace cd::gui {

class EdgeItem;
class NamespaceFrame;

class ObjectCard : public QGraphicsItem {
    Q_DECLARE_TR_FUNCTIONS(ObjectCard)

public:
    enum { Type = ObjectCardType };
    static constexpr qreal kWidth = 200;
    static constexpr qreal kHeight = 58;

    explicit ObjectCard(const ObjectKey &key);
    ~ObjectCard() override;

    int type() const override { return Type; }
    const ObjectKey &key() const { return m_key; }

    // The object as the design has it now; repaints only when what the card shows changed.
    void setObject(const Json &object, bool served);
    QString name() const { return m_key.name; }
    QString summary() const { return m_summary; }
    bool isServed() const { return m_served; }

    // Broken-reference messages (from relations::edges): the warning badge and its tooltip.
    void setProblems(const QStringList &problems);
    const QStringList &problems() const { return m_problems; }

    void setFrame(NamespaceFrame *frame) { m_frame = frame; }
    NamespaceFrame *frame() const { return m_frame; }
    void addEdge(EdgeItem *edge);
    void removeEdge(EdgeItem *edge);
    const QList<EdgeItem *> &edges() const { return m_edges; }

    QRectF cardRect() const { return QRectF(0, 0, kWidth, kHeight); }
    // The edge handle (item coordinates): dragging from it draws an edge.
    QRectF handleRect() const;
    QRectF badgeRect() const;

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant &value) override;
    void hoverEnterEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *event) override;

private:
    void updateToolTip();
    // The texts as drawn, elided once per text or font change rather than in every paint().
    void elide(const QFont &font);

    ObjectKey m_key;
    QString m_kindLine; // "Deployment · 3 × nginx:1.27"
    QString m_summary;
    QString m_iconPath;
    QString m_elidedName;
    QString m_elidedLine;
    QFont m_elidedFor;
    bool m_elided = false;
    bool m_served = true;
    bool m_hovered = false;
    QStringList m_problems;
    NamespaceFrame *m_frame = nullptr;
    QList<EdgeItem *> m_edges;
};

} // namespace cd::gui
