#include "gui/topology/sceneexport.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QImage>
#include <QImageWriter>
#include <QPainter>
#include <QPalette>
#include <QSvgGenerator>

namespace cd::gui {

// Messages of the export, translated in the SceneExport context.
class SceneExportText {
    Q_DECLARE_TR_FUNCTIONS(SceneExport)
};

namespace {

constexpr qreal kBorder = 24;
constexpr qreal kMaxPixels = 8192;

// Items drawn directly, not from their pixmap caches: vector output stays vector, and a
// picture is never taken from a cache made for another zoom.
class CachesOff {
public:
    explicit CachesOff(QGraphicsScene *scene)
    {
        for (QGraphicsItem *item : scene->items())
            if (item->cacheMode() != QGraphicsItem::NoCache) {
                m_items.append({item, item->cacheMode()});
                item->setCacheMode(QGraphicsItem::NoCache);
            }
    }
    ~CachesOff()
    {
        for (const auto &[item, mode] : std::as_const(m_items))
            item->setCacheMode(mode);
    }

private:
    QList<std::pair<QGraphicsItem *, QGraphicsItem::CacheMode>> m_items;
};

// The selection is not part of the picture.
class SelectionHidden {
public:
    explicit SelectionHidden(QGraphicsScene *scene) : m_items(scene->selectedItems())
    {
        const QSignalBlocker block(scene);
        for (QGraphicsItem *item : std::as_const(m_items))
            item->setSelected(false);
        m_scene = scene;
    }
    ~SelectionHidden()
    {
        const QSignalBlocker block(m_scene);
        for (QGraphicsItem *item : std::as_const(m_items))
            item->setSelected(true);
    }

private:
    QList<QGraphicsItem *> m_items;
    QGraphicsScene *m_scene = nullptr;
};

} // namespace

bool exportScene(QGraphicsScene *scene, const QString &path, QString *error)
{
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    QRectF source = scene->itemsBoundingRect();
    if (source.isEmpty())
        source = QRectF(0, 0, 320, 200);
    source.adjust(-kBorder, -kBorder, kBorder, kBorder);
    const QColor background = scene->palette().color(QPalette::Base);
    const QString suffix = QFileInfo(path).suffix().toLower();

    const SelectionHidden hidden(scene);
    const CachesOff caches(scene);
    if (suffix == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(source.size().toSize());
        svg.setViewBox(QRectF(QPointF(0, 0), source.size()));
        svg.setTitle(SceneExportText::tr("Clusterdeck topology"));
        svg.setDescription(SceneExportText::tr("The cluster design as drawn on Clusterdeck's canvas"));
        QPainter painter;
        if (!painter.begin(&svg))
            return fail(SceneExportText::tr("Cannot write %1").arg(path));
        painter.fillRect(QRectF(QPointF(0, 0), source.size()), background);
        scene->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
        painter.end();
        return QFileInfo(path).size() > 0 || fail(SceneExportText::tr("Cannot write %1").arg(path));
    }

    if (!QImageWriter::supportedImageFormats().contains(suffix.toLatin1()))
        return fail(SceneExportText::tr("Cannot export as \"%1\": use .png or .svg").arg(suffix));
    const qreal scale = std::min(2.0, kMaxPixels / std::max(source.width(), source.height()));
    QImage image((source.size() * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(background);
    QPainter painter(&image);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
    scene->render(&painter, QRectF(QPointF(0, 0), image.size()), source);
    painter.end();
    QImageWriter writer(path);
    if (!writer.write(image))
        return fail(SceneExportText::tr("Cannot write %1: %2").arg(path, writer.errorString()));
    return true;
}

} // namespace cd::gui
