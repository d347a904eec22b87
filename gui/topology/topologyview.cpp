#include "gui/topology/topologyview.h"

#include "gui/topology/minimap.h"
#include "gui/topology/palettewidget.h"
#include "gui/topology/topologyscene.h"

#include <QAction>
#include <QDragEnterEvent>
#include <QKeyEvent>
#include <QMimeData>
#include <QScrollBar>
#include <QVarLengthArray>
#include <QWheelEvent>

#include <cmath>

namespace cd::gui {
namespace {

constexpr qreal kMinZoom = 0.03;
constexpr qreal kMaxZoom = 4.0;
constexpr qreal kGrid = 40;
constexpr QSize kMinimapSize(200, 130);

} // namespace

TopologyView::TopologyView(TopologyScene *scene, QWidget *parent)
    : QGraphicsView(scene, parent), m_scene(scene), m_minimap(new Minimap(this, this))
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
    setDragMode(RubberBandDrag);
    setRubberBandSelectionMode(Qt::IntersectsItemShape);
    setTransformationAnchor(AnchorUnderMouse);
    setResizeAnchor(AnchorViewCenter);
    setViewportUpdateMode(SmartViewportUpdate);
    setOptimizationFlags(DontAdjustForAntialiasing | DontSavePainterState);
    setCacheMode(CacheBackground);
    setAcceptDrops(true);
    setFocusPolicy(Qt::StrongFocus);

    addAction(m_editActions, tr("Delete"), QKeySequence::Delete, [this] { m_scene->deleteSelection(); });
    addAction(m_editActions, tr("Copy"), QKeySequence::Copy, [this] { m_scene->copySelection(); });
    addAction(m_editActions, tr("Paste"), QKeySequence::Paste, [this] { m_scene->paste(); });
    addAction(m_editActions, tr("Select All"), QKeySequence::SelectAll, [this] { m_scene->selectAllItems(); });
    addAction(m_viewActions, tr("Fit to Window"), QKeySequence(Qt::CTRL | Qt::Key_0), [this] { fitAll(); });
    addAction(m_viewActions, tr("Zoom In"), QKeySequence::ZoomIn, [this] { zoomIn(); });
    addAction(m_viewActions, tr("Zoom Out"), QKeySequence::ZoomOut, [this] { zoomOut(); });
    addAction(m_viewActions, tr("Actual Size"), QKeySequence(Qt::CTRL | Qt::Key_1), [this] { resetZoom(); });

    connect(scene, &TopologyScene::contentChanged, m_minimap, &Minimap::sceneChanged);
    connect(scene, &QGraphicsScene::sceneRectChanged, this, &TopologyView::updateSceneRect);
    connect(scene, &QGraphicsScene::selectionChanged, m_minimap, &Minimap::sceneChanged);
    m_minimap->resize(kMinimapSize);
    updateSceneRect();
    placeMinimap();
}

QAction *TopologyView::addAction(QList<QAction *> &list, const QString &text, const QKeySequence &shortcut,
                                 const std::function<void()> &slot)
{
    auto *action = new QAction(text, this);
    action->setShortcut(shortcut);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(action, &QAction::triggered, this, slot);
    QWidget::addAction(action);
    list << action;
    return action;
}

void TopologyView::fitAll()
{
    const QRectF bounds = scene()->itemsBoundingRect().adjusted(-40, -40, 40, 40);
    if (bounds.isEmpty())
        return;
    fitInView(bounds, Qt::KeepAspectRatio);
    if (zoom() > 1.5)
        resetZoom();
    else if (zoom() < kMinZoom)
        setTransform(QTransform::fromScale(kMinZoom, kMinZoom));
    updateSceneRect();
    centerOn(bounds.center());
    m_minimap->viewChanged();
}

void TopologyView::resetZoom()
{
    const QPointF center = mapToScene(viewport()->rect().center());
    setTransform(QTransform());
    updateSceneRect();
    centerOn(center);
    m_minimap->viewChanged();
}

void TopologyView::zoomBy(qreal factor, const QPoint &viewportPos)
{
    const qreal target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
    factor = target / zoom();
    if (qFuzzyCompare(factor, 1.0))
        return;
    const QPointF before = mapToScene(viewportPos);
    const ViewportAnchor anchor = transformationAnchor();
    setTransformationAnchor(NoAnchor);
    scale(factor, factor);
    setTransformationAnchor(anchor);
    updateSceneRect();
    // Keep the point under the cursor where it was.
    const QPoint drift = mapFromScene(before) - viewportPos;
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() + drift.x());
    verticalScrollBar()->setValue(verticalScrollBar()->value() + drift.y());
    m_minimap->viewChanged();
}

void TopologyView::updateSceneRect()
{
    // Room around the items of one viewport in every direction, so zooming around the cursor
    // and panning are never stopped by the scroll range.
    const QRectF items = m_scene->sceneRect();
    const QSizeF room = QSizeF(viewport()->size()) / zoom();
    setSceneRect(items.adjusted(-room.width(), -room.height(), room.width(), room.height()));
}

void TopologyView::showKeys(const QList<ObjectKey> &keys)
{
    m_scene->selectKeys(keys);
    for (const ObjectKey &key : keys)
        if (QGraphicsItem *item = m_scene->itemFor(key)) {
            ensureVisible(item, 40, 40);
            break;
        }
}

void TopologyView::addKindAtCenter(const KindTemplate &kind)
{
    m_scene->dropKind(kind, mapToScene(viewport()->rect().center()));
}

bool TopologyView::exportImage(const QString &path, QString *error)
{
    return m_scene->exportImage(path, error);
}

void TopologyView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const int delta = event->angleDelta().y() != 0 ? event->angleDelta().y() : event->angleDelta().x();
        zoomBy(std::pow(1.0015, delta), event->position().toPoint());
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

void TopologyView::setSpacePanning(bool on)
{
    m_spacePanning = on;
    setDragMode(on ? ScrollHandDrag : RubberBandDrag);
    setInteractive(!on);
}

void TopologyView::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat() && !m_spacePanning) {
        setSpacePanning(true);
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void TopologyView::keyReleaseEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat() && m_spacePanning) {
        setSpacePanning(false);
        event->accept();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void TopologyView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::MiddleButton) {
        m_middlePanning = true;
        m_lastPanPos = event->position().toPoint();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void TopologyView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_middlePanning) {
        const QPoint delta = event->position().toPoint() - m_lastPanPos;
        m_lastPanPos = event->position().toPoint();
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void TopologyView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_middlePanning && event->button() == Qt::MiddleButton) {
        m_middlePanning = false;
        viewport()->unsetCursor();
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void TopologyView::dragEnterEvent(QDragEnterEvent *event)
{
    if (kindFromMimeData(event->mimeData()))
        event->acceptProposedAction();
    else
        QGraphicsView::dragEnterEvent(event);
}

void TopologyView::dragMoveEvent(QDragMoveEvent *event)
{
    // Accepted here: the scene's items do not take palette drops themselves.
    if (kindFromMimeData(event->mimeData()))
        event->acceptProposedAction();
    else
        QGraphicsView::dragMoveEvent(event);
}

void TopologyView::dropEvent(QDropEvent *event)
{
    if (const KindTemplate *kind = kindFromMimeData(event->mimeData())) {
        m_scene->dropKind(*kind, mapToScene(event->position().toPoint()));
        event->acceptProposedAction();
        setFocus();
        return;
    }
    QGraphicsView::dropEvent(event);
}

void TopologyView::placeMinimap()
{
    const QRect area = viewport()->geometry();
    m_minimap->move(area.right() - m_minimap->width() - 12, area.bottom() - m_minimap->height() - 12);
    m_minimap->raise();
}

void TopologyView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    updateSceneRect();
    placeMinimap();
}

void TopologyView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    placeMinimap(); // children of the view scroll with its contents otherwise
    m_minimap->viewChanged();
}

void TopologyView::drawBackground(QPainter *painter, const QRectF &rect)
{
    painter->fillRect(rect, palette().color(QPalette::Base));
    if (zoom() < 0.4)
        return; // a grid too dense to see is only cost
    QColor line = palette().color(QPalette::Text);
    line.setAlpha(14);
    painter->setPen(QPen(line, 0));
    QVarLengthArray<QLineF, 256> lines;
    const qreal left = std::floor(rect.left() / kGrid) * kGrid;
    const qreal top = std::floor(rect.top() / kGrid) * kGrid;
    for (qreal x = left; x < rect.right(); x += kGrid)
        lines.append(QLineF(x, rect.top(), x, rect.bottom()));
    for (qreal y = top; y < rect.bottom(); y += kGrid)
        lines.append(QLineF(rect.left(), y, rect.right(), y));
    painter->drawLines(lines.data(), int(lines.size()));
}

} // namespace cd::gui
