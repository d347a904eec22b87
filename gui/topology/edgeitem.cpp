#include "gui/topology/edgeitem.h"

#include "gui/topology/objectcard.h"

#include <QGraphicsScene>
#include <QPainter>
#include <QPainterPathStroker>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

#include <cmath>
#include <optional>

namespace cd::gui {
namespace {

using relations::EdgeKind;

const QColor kBroken(0xD3, 0x2F, 0x2F);
const QColor kStorage(0xC2, 0x62, 0x0E);
const QColor kConfig(0x7C, 0x4D, 0xCC);
constexpr qreal kBrokenLength = 14;
constexpr qreal kArrow = 9;

// Where the segment from the rect's center towards `toward` leaves the rect.
QPointF exitPoint(const QRectF &rect, const QPointF &toward)
{
    const QPointF c = rect.center();
    const QPointF d = toward - c;
    if (qFuzzyIsNull(d.x()) && qFuzzyIsNull(d.y()))
        return c;
    const qreal sx = qFuzzyIsNull(d.x()) ? 1e9 : (rect.width() / 2) / std::abs(d.x());
    const qreal sy = qFuzzyIsNull(d.y()) ? 1e9 : (rect.height() / 2) / std::abs(d.y());
    return c + d * std::min({sx, sy, 1.0});
}

// The part of the line inside the rect (Liang-Barsky): long edges crossing the view are
// stroked only where they show.
std::optional<QLineF> clipped(const QLineF &line, const QRectF &rect)
{
    qreal t0 = 0, t1 = 1;
    const qreal dx = line.dx(), dy = line.dy();
    const qreal p[] = {-dx, dx, -dy, dy};
    const qreal q[] = {line.x1() - rect.left(), rect.right() - line.x1(), line.y1() - rect.top(),
                       rect.bottom() - line.y1()};
    for (int i = 0; i < 4; ++i) {
        if (qFuzzyIsNull(p[i])) {
            if (q[i] < 0)
                return std::nullopt;
            continue;
        }
        const qreal t = q[i] / p[i];
        if (p[i] < 0)
            t0 = std::max(t0, t);
        else
            t1 = std::min(t1, t);
        if (t0 > t1)
            return std::nullopt;
    }
    return QLineF(line.pointAt(t0), line.pointAt(t1));
}

QString describe(const relations::Edge &edge)
{
    if (edge.broken)
        return edge.message;
    switch (edge.kind) {
    case EdgeKind::Selector: return EdgeItem::tr("%1 selects %2").arg(edge.from.display(), edge.to.display());
    case EdgeKind::Volume: return EdgeItem::tr("%1 mounts %2").arg(edge.from.display(), edge.to.display());
    case EdgeKind::Config: return EdgeItem::tr("%1 reads %2").arg(edge.from.display(), edge.to.display());
    case EdgeKind::Claim: return EdgeItem::tr("%1 binds %2").arg(edge.from.display(), edge.to.display());
    case EdgeKind::Ownership: return EdgeItem::tr("%1 owns %2").arg(edge.from.display(), edge.to.display());
    }
    return {};
}

} // namespace

EdgeItem::EdgeItem(const relations::Edge &edge, ObjectCard *from, ObjectCard *to, int slot)
    : m_edge(edge), m_from(from), m_to(to), m_slot(slot)
{
    setZValue(zorder::kEdge);
    setAcceptedMouseButtons(Qt::NoButton);
    setFlag(ItemUsesExtendedStyleOption); // exposedRect, to stroke only the visible part
    setToolTip(describe(edge));
    if (m_from)
        m_from->addEdge(this);
    if (m_to)
        m_to->addEdge(this);
    adjust();
}

EdgeItem::~EdgeItem()
{
    detach();
}

void EdgeItem::detach()
{
    if (m_from)
        m_from->removeEdge(this);
    if (m_to)
        m_to->removeEdge(this);
    m_from = m_to = nullptr;
}

void EdgeItem::setSlot(int slot)
{
    if (slot == m_slot)
        return;
    m_slot = slot;
    adjust();
}

void EdgeItem::adjust()
{
    if (!m_from)
        return;
    prepareGeometryChange();
    const QRectF fromRect(m_from->scenePos(), QSizeF(ObjectCard::kWidth, ObjectCard::kHeight));
    if (m_to) {
        const QRectF toRect(m_to->scenePos(), QSizeF(ObjectCard::kWidth, ObjectCard::kHeight));
        m_line = QLineF(exitPoint(fromRect, toRect.center()), exitPoint(toRect, fromRect.center()));
    } else {
        // Broken: a short stub out of the card's right edge ending in the warning mark, in the
        // gap between cards: below the edge handle, then above it (clear of the badge), and so on.
        const qreal y = m_slot % 2 == 0 ? 46 - (m_slot / 2) * 5 : 16 + (m_slot / 2) * 5;
        const QPointF start(fromRect.right(), fromRect.top() + y);
        m_line = QLineF(start, start + QPointF(kBrokenLength, 0));
    }
    m_head.clear();
    const QPointF end = m_line.p2();
    if (m_edge.broken) {
        const qreal s = 9; // a warning triangle centered on the end
        m_head << end + QPointF(0, -s) << end + QPointF(s, s * 0.75) << end + QPointF(-s, s * 0.75);
    } else if (m_edge.kind == EdgeKind::Selector && m_line.length() > kArrow) {
        const qreal angle = std::atan2(-m_line.dy(), m_line.dx());
        const QPointF back1 = end - QPointF(std::cos(angle - M_PI / 7) * kArrow, -std::sin(angle - M_PI / 7) * kArrow);
        const QPointF back2 = end - QPointF(std::cos(angle + M_PI / 7) * kArrow, -std::sin(angle + M_PI / 7) * kArrow);
        m_head << end << back1 << back2;
    }
    m_bounds = QRectF(m_line.p1(), m_line.p2()).normalized().united(m_head.boundingRect()).adjusted(-4, -4, 4, 4);
}

QRectF EdgeItem::boundingRect() const
{
    return m_bounds;
}

QPainterPath EdgeItem::shape() const
{
    QPainterPath path(m_line.p1());
    path.lineTo(m_line.p2());
    QPainterPathStroker stroker;
    stroker.setWidth(8);
    QPainterPath shape = stroker.createStroke(path);
    shape.addPolygon(m_head);
    return shape;
}

void EdgeItem::updatePens(const QColor &text)
{
    QColor color = text;
    QPen pen(color, 1.6);
    pen.setCapStyle(Qt::RoundCap);
    if (m_edge.broken) {
        pen.setColor(kBroken);
        pen.setStyle(Qt::DashLine);
    } else {
        switch (m_edge.kind) {
        case EdgeKind::Selector:
            color.setAlpha(200);
            pen.setColor(color);
            break;
        case EdgeKind::Volume:
            pen.setColor(kStorage);
            pen.setStyle(Qt::DotLine);
            pen.setWidthF(2.0);
            break;
        case EdgeKind::Claim:
            pen.setColor(kStorage);
            pen.setStyle(Qt::DashLine);
            break;
        case EdgeKind::Config:
            pen.setColor(kConfig);
            pen.setWidthF(1.0);
            break;
        case EdgeKind::Ownership:
            color.setAlpha(60);
            pen.setColor(color);
            pen.setWidthF(1.0);
            break;
        }
    }
    m_pen = pen;
    m_farPen = QPen(pen.color(), 0, m_edge.broken ? Qt::DashLine : Qt::SolidLine);
    m_pensFor = text.rgba();
    m_pensMade = true;
}

void EdgeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const bool far = lod < 0.35; // far away: hairlines, no heads (thousands of edges stay cheap)
    const QColor text = scene() ? scene()->palette().color(QPalette::Text) : QColor(Qt::black);
    if (!m_pensMade || text.rgba() != m_pensFor)
        updatePens(text);
    const auto visible = clipped(m_line, option->exposedRect.adjusted(-2, -2, 2, 2));
    painter->setRenderHint(QPainter::Antialiasing, !far);
    if (visible) {
        if (far || m_pen.style() == Qt::SolidLine) {
            painter->setPen(far ? m_farPen : m_pen);
        } else {
            // Dashes start where the line starts, wherever the visible part begins.
            QPen pen = m_pen;
            pen.setDashOffset(QLineF(m_line.p1(), visible->p1()).length() / pen.widthF());
            painter->setPen(pen);
        }
        painter->drawLine(*visible);
    }
    if (m_head.isEmpty() || (far && !m_edge.broken))
        return;
    painter->setPen(Qt::NoPen);
    painter->setBrush(m_pen.color());
    painter->drawPolygon(m_head);
    if (m_edge.broken && !far) {
        QFont font = scene() ? scene()->font() : QFont();
        font.setBold(true);
        font.setPixelSize(10);
        painter->setFont(font);
        painter->setPen(Qt::white);
        painter->drawText(m_head.boundingRect().adjusted(0, 3, 0, 0), Qt::AlignCenter, QStringLiteral("!"));
    }
}

} // namespace cd::gui
