#include "gui/yaml/editorgutter.h"

#include "gui/yaml/folding.h"
#include "gui/yaml/yamltextedit.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTextBlock>

namespace cd::gui {

EditorGutter::EditorGutter(YamlTextEdit *editor) : QWidget(editor), m_editor(editor)
{
}

int EditorGutter::foldMarkerWidth() const
{
    return fontMetrics().height();
}

int EditorGutter::preferredWidth() const
{
    int digits = 1;
    for (int count = std::max(1, m_editor->blockCount()); count >= 10; count /= 10)
        ++digits;
    digits = std::max(digits, 3); // steady width for small files
    return 8 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * digits + foldMarkerWidth();
}

void EditorGutter::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    const YamlTextEdit::GutterColors colors = m_editor->gutterColors();
    painter.fillRect(event->rect(), colors.background);
    const int current = m_editor->textCursor().blockNumber();
    const int numberRight = width() - foldMarkerWidth() - 4;
    const int marker = foldMarkerWidth();
    for (QTextBlock block = m_editor->firstVisibleBlock(); block.isValid(); block = block.next()) {
        if (!block.isVisible())
            continue;
        const QRectF box = m_editor->blockRect(block);
        if (box.top() > event->rect().bottom())
            break;
        if (box.bottom() < event->rect().top())
            continue;
        const int lineHeight = fontMetrics().height();
        painter.setPen(block.blockNumber() == current ? colors.currentNumber : colors.number);
        painter.drawText(QRectF(0, box.top(), numberRight, lineHeight), Qt::AlignRight | Qt::AlignVCenter,
                         QString::number(block.blockNumber() + 1));
        if (!isFoldable(block))
            continue;
        // ▸ folded, ▾ open.
        const QRectF area(width() - marker, box.top(), marker, lineHeight);
        const qreal s = marker * 0.3;
        const QPointF c = area.center();
        QPainterPath path;
        if (isFolded(block)) {
            path.moveTo(c.x() - s * 0.6, c.y() - s);
            path.lineTo(c.x() + s * 0.8, c.y());
            path.lineTo(c.x() - s * 0.6, c.y() + s);
        } else {
            path.moveTo(c.x() - s, c.y() - s * 0.6);
            path.lineTo(c.x() + s, c.y() - s * 0.6);
            path.lineTo(c.x(), c.y() + s * 0.8);
        }
        path.closeSubpath();
        painter.setRenderHint(QPainter::Antialiasing);
        painter.fillPath(path, colors.foldMarker);
        painter.setRenderHint(QPainter::Antialiasing, false);
    }
}

void EditorGutter::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || event->position().x() < width() - foldMarkerWidth()) {
        QWidget::mousePressEvent(event);
        return;
    }
    for (QTextBlock block = m_editor->firstVisibleBlock(); block.isValid(); block = block.next()) {
        if (!block.isVisible())
            continue;
        const QRectF box = m_editor->blockRect(block);
        if (box.top() > event->position().y())
            break;
        if (event->position().y() < box.bottom()) {
            m_editor->toggleFold(block);
            return;
        }
    }
}

} // namespace cd::gui
