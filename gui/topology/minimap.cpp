#include "gui/topology/minimap.h"

#include "gui/topology/kindicons.h"
#include "gui/topology/namespaceframe.h"
#include "gui/topology/nodeitem.h"
#include "gui/topology/objectcard.h"

#include <QGraphicsScene>
#include <QGraphicsView>
#include <QMouseEvent>
#include <QPainter>

namespace cd::gui {

Minimap::Minimap(QGraphicsView *view, QWidget *parent) : QWidget(parent), m_view(view)
{
    setAttribute(Qt::WA_OpaquePaintEvent, false);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Overview: click or drag to move the view"));
    m_redraw.setSingleShot(true);
    m_redraw.setInterval(250);
    connect(&m_redraw, &QTimer::timeout, this, &Minimap::redraw);
}

void Minimap::sceneChanged()
{
    if (!m_redraw.isActive())
        m_redraw.start();
}

QTransform Minimap::toMap() const
{
    if (m_area.isEmpty())
        return {};
    const QRectF target = QRectF(rect()).adjusted(4, 4, -4, -4);
    const qreal scale = std::min(target.width() / m_area.width(), target.height() / m_area.height());
    const QPointF offset = target.center() - m_area.center() * scale;
    return QTransform(scale, 0, 0, scale, offset.x(), offset.y());
}

void Minimap::redraw()
{
    QGraphicsScene *scene = m_view->scene();
    m_overview = QPixmap(size() * devicePixelRatioF());
    m_overview.setDevicePixelRatio(devicePixelRatioF());
    m_overview.fill(Qt::transparent);
    if (!scene) {
        update();
        return;
    }
    m_area = scene->itemsBoundingRect().adjusted(-40, -40, 40, 40);
    const QPalette palette = this->palette();
    QPainter p(&m_overview);
    p.setTransform(toMap());
    p.setPen(Qt::NoPen);
    // One pass over the items' rectangles: cheap even with thousands of cards.
    for (const QGraphicsItem *item : scene->items(m_area, Qt::IntersectsItemBoundingRect, Qt::AscendingOrder)) {
        switch (item->type()) {
        case NamespaceFrame::Type: {
            QColor c = palette.color(QPalette::Text);
            c.setAlpha(30);
            p.fillRect(item->sceneBoundingRect(), c);
            break;
        }
        case NodeItem::Type: p.fillRect(item->sceneBoundingRect(), palette.color(QPalette::Mid)); break;
        case ObjectCard::Type: {
            const auto *card = static_cast<const ObjectCard *>(item);
            p.fillRect(QRectF(card->scenePos(), QSizeF(ObjectCard::kWidth, ObjectCard::kHeight)),
                       card->isSelected() ? palette.color(QPalette::Highlight) : kindicons::color(card->key().kind));
            break;
        }
        default: break;
        }
    }
    p.end();
    update();
}

QRectF Minimap::visibleArea() const
{
    return m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
}

void Minimap::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    QColor back = palette().color(QPalette::Window);
    back.setAlpha(225);
    p.setPen(QPen(palette().color(QPalette::Mid), 1));
    p.setBrush(back);
    p.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
    p.drawPixmap(0, 0, m_overview);
    if (m_area.isEmpty())
        return;
    const QRectF visible = toMap().mapRect(visibleArea()).intersected(QRectF(rect()).adjusted(1, 1, -1, -1));
    QColor fill = palette().color(QPalette::Highlight);
    fill.setAlpha(40);
    p.setPen(QPen(palette().color(QPalette::Highlight), 1.5));
    p.setBrush(fill);
    p.drawRect(visible);
}

void Minimap::centerViewAt(const QPointF &widgetPos)
{
    if (m_area.isEmpty())
        return;
    m_view->centerOn(toMap().inverted().map(widgetPos));
    update();
}

void Minimap::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        centerViewAt(event->position());
}

void Minimap::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton)
        centerViewAt(event->position());
}

void Minimap::mouseReleaseEvent(QMouseEvent *event)
{
    event->accept();
}

void Minimap::resizeEvent(QResizeEvent *)
{
    redraw();
}

} // namespace cd::gui
