#include "gui/topology/nodeitem.h"

#include "gui/topology/kindicons.h"

#include <QGraphicsScene>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace cd::gui {
namespace {

QString scalar(const Json &entry, const char *field)
{
    const Json *value = cd::find(entry, {field});
    if (!value)
        return {};
    if (value->is_string())
        return QString::fromStdString(value->get<std::string>());
    if (value->is_number_integer())
        return QString::number(value->get<long long>());
    if (value->is_number())
        return QString::number(value->get<double>());
    return {};
}

} // namespace

NodeItem::NodeItem(const QString &name) : m_name(name)
{
    setFlags(ItemIsSelectable | ItemIsMovable);
    setCacheMode(DeviceCoordinateCache);
    setZValue(zorder::kNode);
}

void NodeItem::setEntry(const Json &entry)
{
    m_nodeKind = QString::fromStdString(str(entry, {"kind"}, "process"));
    m_count = int(integer(entry, {"count"}, 1));
    if (m_nodeKind == QLatin1String("simulated"))
        m_kindText = tr("simulated node");
    else if (m_nodeKind == QLatin1String("container"))
        m_kindText = tr("container node");
    else if (m_nodeKind == QLatin1String("vm"))
        m_kindText = tr("virtual machine node");
    else
        m_kindText = tr("process node");
    if (m_count > 1)
        m_kindText = tr("%1 × %2").arg(m_count).arg(m_kindText);
    QStringList capacity;
    if (const QString cpu = scalar(entry, "cpu"); !cpu.isEmpty())
        capacity << tr("%1 CPU").arg(cpu);
    if (const QString memory = scalar(entry, "memory"); !memory.isEmpty())
        capacity << memory;
    if (const QString pods = scalar(entry, "pods"); !pods.isEmpty())
        capacity << tr("%1 pods").arg(pods);
    m_capacity = capacity.join(QStringLiteral(" · "));
    m_iconPath = kindicons::path(QStringLiteral("Node"), m_nodeKind);
    setToolTip(tr("Node %1\n%2\n%3").arg(m_name, m_kindText, m_capacity));
    update();
}

QRectF NodeItem::boundingRect() const
{
    return QRectF(-1, -1, kWidth + 2, kHeight + 2);
}

void NodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const QPalette palette = scene() ? scene()->palette() : QPalette();
    const bool selected = option->state & QStyle::State_Selected;
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const QRectF box(0.5, 0.5, kWidth - 1, kHeight - 1);
    QPen pen(selected ? palette.color(QPalette::Highlight) : palette.color(QPalette::Dark), selected ? 2.5 : 1.5);
    if (m_nodeKind == QLatin1String("simulated"))
        pen.setStyle(Qt::DashLine);
    painter->setRenderHint(QPainter::Antialiasing, lod > 0.35);
    painter->setPen(pen);
    painter->setBrush(palette.color(QPalette::AlternateBase));
    painter->drawRoundedRect(box, 8, 8);
    if (m_count > 1) { // a stack: more nodes of this entry behind
        painter->drawLine(QPointF(6, kHeight + 0.5), QPointF(kWidth - 6, kHeight + 0.5));
    }
    if (lod < 0.25)
        return;
    const QRectF icon(12, 12, 32, 32);
    const int pixels = qBound(16, int(std::ceil(32 * lod * painter->device()->devicePixelRatioF() / 8.0) * 8), 128);
    painter->drawPixmap(icon, kindicons::pixmap(m_iconPath, pixels), QRectF(0, 0, pixels, pixels));
    QFont font = scene() ? scene()->font() : QFont();
    QFont bold = font;
    bold.setBold(true);
    const qreal textX = icon.right() + 10, textW = kWidth - textX - 10;
    painter->setFont(bold);
    painter->setPen(palette.color(QPalette::Text));
    painter->drawText(QRectF(textX, 10, textW, 20), Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetricsF(bold).elidedText(m_name, Qt::ElideMiddle, textW));
    painter->setFont(font);
    painter->setPen(palette.color(QPalette::PlaceholderText));
    painter->drawText(QRectF(textX, 30, textW, 18), Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetricsF(font).elidedText(m_kindText, Qt::ElideRight, textW));
    painter->drawText(QRectF(12, kHeight - 30, kWidth - 24, 20), Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetricsF(font).elidedText(m_capacity, Qt::ElideRight, kWidth - 24));
}

} // namespace cd::gui
