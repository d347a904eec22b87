#pragma once
// The canvas widget over a TopologyScene: Ctrl+wheel zooms around the cursor, space-drag and
// middle-drag pan, rubber-band selection, a minimap in the corner, palette drops, and the edit
// actions (Delete, Copy, Paste, Select All, Fit, zoom) with their shortcuts.

#include "gui/design/objectkey.h"
#include "gui/design/templates.h"

#include <QGraphicsView>

class QAction;

namespace cd::gui {

class Minimap;
class TopologyScene;

class TopologyView : public QGraphicsView {
    Q_OBJECT

public:
    explicit TopologyView(TopologyScene *scene, QWidget *parent = nullptr);

    TopologyScene *topologyScene() const { return m_scene; }
    Minimap *minimap() const { return m_minimap; }
    qreal zoom() const { return transform().m11(); }
    // Delete, Copy, Paste, Select All, then the view's Fit, Zoom In, Zoom Out, Actual Size.
    QList<QAction *> editActions() const { return m_editActions; }
    QList<QAction *> viewActions() const { return m_viewActions; }

public Q_SLOTS:
    void fitAll();
    void zoomIn() { zoomBy(1.25, viewport()->rect().center()); }
    void zoomOut() { zoomBy(0.8, viewport()->rect().center()); }
    void resetZoom();
    // The shared selection, shown: selects and scrolls to the first of them.
    void showKeys(const QList<cd::gui::ObjectKey> &keys);
    // A palette kind without dragging (keyboard): dropped at the center of the view.
    void addKindAtCenter(const cd::gui::KindTemplate &kind);
    bool exportImage(const QString &path, QString *error = nullptr);
    // Zooms by `factor`, keeping the scene point under `viewportPos` in place.
    void zoomBy(qreal factor, const QPoint &viewportPos);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void drawBackground(QPainter *painter, const QRectF &rect) override;

private:
    QAction *addAction(QList<QAction *> &list, const QString &text, const QKeySequence &shortcut,
                       const std::function<void()> &slot);
    void placeMinimap();
    void updateSceneRect();
    void setSpacePanning(bool on);

    TopologyScene *m_scene;
    Minimap *m_minimap;
    QList<QAction *> m_editActions;
    QList<QAction *> m_viewActions;
    bool m_spacePanning = false;
    bool m_middlePanning = false;
    QPoint m_lastPanPos;
};

} // namespace cd::gui
