#pragma once
// An overview of the whole canvas in a corner of the view: frames, nodes and cards as small
// blocks, the visible part as a rectangle; click or drag in it to move there. Painted from the
// items' rectangles (not by rendering the scene), redrawn at most a few times a second.

#include <QPixmap>
#include <QTimer>
#include <QWidget>

class QGraphicsView;

namespace cd::gui {

class Minimap : public QWidget {
    Q_OBJECT

public:
    explicit Minimap(QGraphicsView *view, QWidget *parent = nullptr);

    // The scene rectangle the overview shows (items' bounds), and the view's visible part in it.
    QRectF sceneArea() const { return m_area; }
    QRectF visibleArea() const;

public Q_SLOTS:
    void sceneChanged();
    void viewChanged() { update(); }

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void redraw();
    QTransform toMap() const;
    void centerViewAt(const QPointF &widgetPos);

    QGraphicsView *m_view;
    QTimer m_redraw;
    QPixmap m_overview;
    QRectF m_area;
};

} // namespace cd::gui
