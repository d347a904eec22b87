#include "gui/topology/objectcard.h"

#include "gui/topology/cardsummary.h"
#include "gui/topology/edgeitem.h"
#include "gui/topology/kindicons.h"
#include "gui/topology/namespaceframe.h"

#include <QGraphicsScene>
#include <QGuiApplication>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace cd::gui {
namespace {

constexpr qreal kIcon = 28;
constexpr qreal kPad = 10;
constexpr qreal kTextX = kPad + 2 + kIcon + 8;
constexpr qreal kTextW = ObjectCard::kWidth - kTextX - 10;
const QColor kWarning(0xD3, 0x2F, 0x2F);

// The card's fonts for a scene font, made once per font (paint() runs thousands of times).
struct CardFonts {
    QFont base, bold, small;
};

const CardFonts &cardFonts(const QFont &base)
{
    static CardFonts fonts;
    static bool made = false;
    if (!made || fonts.base != base) {
        fonts.base = base;
        fonts.bold = base;
        fonts.bold.setBold(true);
        fonts.small = base;
        fonts.small.setPointSizeF(base.pointSizeF() * 0.85);
        made = true;
    }
    return fonts;
}

} // namespace

ObjectCard::ObjectCard(const ObjectKey &key) : m_key(key), m_iconPath(kindicons::path(key.kind))
{
    setFlags(ItemIsSelectable | ItemIsMovable | ItemSendsGeometryChanges);
    setAcceptHoverEvents(true);
    setZValue(zorder::kCard);
    updateToolTip();
}

ObjectCard::~ObjectCard() = default;

void ObjectCard::setObject(const Json &object, bool served)
{
    const QString summary = cardSummary(object);
    if (summary == m_summary && served == m_served && !m_kindLine.isEmpty())
        return;
    m_summary = summary;
    m_served = served;
    m_kindLine = m_served ? m_key.kind : tr("%1 · unsupported kind").arg(m_key.kind);
    m_elided = false;
    updateToolTip();
    update();
}

void ObjectCard::setProblems(const QStringList &problems)
{
    if (problems == m_problems)
        return;
    prepareGeometryChange();
    m_problems = problems;
    updateToolTip();
    update();
}

void ObjectCard::updateToolTip()
{
    QString tip = m_key.display();
    if (!m_summary.isEmpty())
        tip += QLatin1Char('\n') + m_summary;
    if (!m_served)
        tip += QLatin1Char('\n') +
               tr("Clusterdeck's engine does not serve %1: it is kept in the YAML and applies only to real clusters.")
                   .arg(m_key.kind);
    for (const QString &p : m_problems)
        tip += QStringLiteral("\n⚠ ") + p;
    setToolTip(tip);
}

void ObjectCard::elide(const QFont &font)
{
    const CardFonts &fonts = cardFonts(font);
    m_elidedName = QFontMetricsF(fonts.bold).elidedText(m_key.name, Qt::ElideMiddle, kTextW);
    const QString line = m_summary.isEmpty() ? m_kindLine : m_kindLine + QStringLiteral(" · ") + m_summary;
    m_elidedLine = QFontMetricsF(fonts.small).elidedText(line, Qt::ElideRight, kTextW);
    m_elidedFor = font;
    m_elided = true;
}

void ObjectCard::addEdge(EdgeItem *edge)
{
    m_edges.append(edge);
}

void ObjectCard::removeEdge(EdgeItem *edge)
{
    m_edges.removeOne(edge);
}

QRectF ObjectCard::handleRect() const
{
    return QRectF(kWidth - 6, kHeight / 2 - 6, 12, 12);
}

QRectF ObjectCard::badgeRect() const
{
    return QRectF(kWidth - 13, -7, 18, 18);
}

QRectF ObjectCard::boundingRect() const
{
    return QRectF(-2, -8, kWidth + 10, kHeight + 10);
}

QPainterPath ObjectCard::shape() const
{
    QPainterPath path;
    path.addRoundedRect(cardRect(), 6, 6);
    path.addEllipse(handleRect());
    return path;
}

void ObjectCard::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const QPalette palette = scene() ? scene()->palette() : QPalette();
    const bool selected = option->state & QStyle::State_Selected;
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const QColor accent = m_served ? kindicons::color(m_key.kind) : palette.color(QPalette::Mid);

    if (lod < 0.35) { // far away: a colored block is all the eye can use
        painter->fillRect(cardRect(), selected ? palette.color(QPalette::Highlight) : accent);
        if (!m_problems.isEmpty())
            painter->fillRect(QRectF(kWidth - 40, 0, 40, kHeight), kWarning);
        return;
    }

    // Below about 60% the text would be a few pixels high: the card, its strip and its icon say
    // enough, and skipping the text keeps a frame of thousands of cards fast.
    const bool legible = lod >= 0.6;
    painter->setRenderHint(QPainter::Antialiasing, legible);
    QColor base = palette.color(QPalette::Base);
    QPen border(selected ? palette.color(QPalette::Highlight) : palette.color(QPalette::Mid), selected ? 2.0 : 1.0);
    if (!m_served) {
        base = palette.color(QPalette::Window);
        border.setStyle(Qt::DashLine);
    }
    painter->setPen(border);
    painter->setBrush(base);
    painter->drawRoundedRect(cardRect().adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
    if (!m_served) {
        QColor hatch = palette.color(QPalette::Text);
        hatch.setAlpha(28);
        painter->setPen(Qt::NoPen);
        painter->setBrush(QBrush(hatch, Qt::BDiagPattern));
        painter->drawRoundedRect(cardRect().adjusted(1, 1, -1, -1), 6, 6);
    }
    // A strip in the kind's color on the left edge, so kinds read at a glance.
    painter->setPen(Qt::NoPen);
    painter->setBrush(accent);
    painter->drawRoundedRect(QRectF(1, 1, 4, kHeight - 2), 2, 2);

    const QRectF iconRect(kPad + 2, (kHeight - kIcon) / 2, kIcon, kIcon);
    const int pixels = qBound(16, int(std::ceil(kIcon * lod * painter->device()->devicePixelRatioF() / 8.0) * 8), 128);
    if (!m_served)
        painter->setOpacity(0.55);
    painter->drawPixmap(iconRect, kindicons::pixmap(m_iconPath, pixels), QRectF(0, 0, pixels, pixels));
    painter->setOpacity(1.0);
    if (!legible) {
        if (!m_problems.isEmpty())
            painter->fillRect(badgeRect(), kWarning);
        return;
    }

    const QFont &font = scene() ? scene()->font() : QGuiApplication::font();
    if (!m_elided || m_elidedFor != font)
        elide(font);
    const CardFonts &fonts = cardFonts(font);
    painter->setFont(fonts.bold);
    painter->setPen(palette.color(QPalette::Text));
    painter->drawText(QRectF(kTextX, 8, kTextW, 20), Qt::AlignLeft | Qt::AlignVCenter, m_elidedName);
    painter->setFont(fonts.small);
    painter->setPen(palette.color(QPalette::PlaceholderText));
    painter->drawText(QRectF(kTextX, 29, kTextW, 20), Qt::AlignLeft | Qt::AlignVCenter, m_elidedLine);

    if (m_hovered || selected) {
        painter->setPen(QPen(palette.color(QPalette::Highlight), 1.5));
        painter->setBrush(palette.color(QPalette::Base));
        painter->drawEllipse(handleRect().adjusted(1, 1, -1, -1));
    }
    if (!m_problems.isEmpty()) {
        // Never color alone: the badge carries a "!" too.
        painter->setPen(QPen(palette.color(QPalette::Base), 1.5));
        painter->setBrush(kWarning);
        painter->drawEllipse(badgeRect());
        painter->setPen(Qt::white);
        painter->setFont(fonts.bold);
        painter->drawText(badgeRect(), Qt::AlignCenter, QStringLiteral("!"));
    }
}

QVariant ObjectCard::itemChange(GraphicsItemChange change, const QVariant &value)
{
    if (change == ItemPositionHasChanged) {
        for (EdgeItem *edge : std::as_const(m_edges))
            edge->adjust();
        if (m_frame)
            m_frame->cardMoved(this);
    }
    return QGraphicsItem::itemChange(change, value);
}

void ObjectCard::hoverEnterEvent(QGraphicsSceneHoverEvent *event)
{
    m_hovered = true;
    update();
    QGraphicsItem::hoverEnterEvent(event);
}

void ObjectCard::hoverLeaveEvent(QGraphicsSceneHoverEvent *event)
{
    m_hovered = false;
    update();
    QGraphicsItem::hoverLeaveEvent(event);
}

} // namespace cd::gui
