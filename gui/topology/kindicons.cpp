#include "gui/topology/kindicons.h"

#include <QFile>
#include <QHash>
#include <QPainter>
#include <QSvgRenderer>

namespace cd::gui::kindicons {

QString path(const QString &kind, const QString &nodeKind)
{
    const QString name = kind == QLatin1String("Node")
                             ? QStringLiteral("node-") + (nodeKind.isEmpty() ? QStringLiteral("process") : nodeKind)
                             : kind.toLower();
    static QHash<QString, QString> cache; // GUI thread only
    const auto it = cache.constFind(name);
    if (it != cache.constEnd())
        return *it;
    const QString candidate = QStringLiteral(":/icons/") + name + QStringLiteral(".svg");
    const QString chosen = QFile::exists(candidate) ? candidate : QStringLiteral(":/icons/unknown.svg");
    cache.insert(name, chosen);
    return chosen;
}

bool hasOwnIcon(const QString &kind, const QString &nodeKind)
{
    return !path(kind, nodeKind).endsWith(QLatin1String("/unknown.svg"));
}

QIcon icon(const QString &kind, const QString &nodeKind)
{
    return QIcon(path(kind, nodeKind));
}

const QPixmap &pixmap(const QString &path, int pixels)
{
    static QHash<QString, QPixmap> cache;
    const QString key = path + QLatin1Char('@') + QString::number(pixels);
    auto it = cache.find(key);
    if (it != cache.end())
        return *it;
    QPixmap pm(pixels, pixels);
    pm.fill(Qt::transparent);
    QSvgRenderer renderer(path);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    renderer.render(&p, QRectF(0, 0, pixels, pixels));
    p.end();
    return *cache.insert(key, pm);
}

QColor color(const QString &kind)
{
    static const QHash<QString, QColor> colors = {
        {QStringLiteral("Deployment"), QColor(0x32, 0x6C, 0xE5)},
        {QStringLiteral("ReplicaSet"), QColor(0x32, 0x6C, 0xE5)},
        {QStringLiteral("StatefulSet"), QColor(0x32, 0x6C, 0xE5)},
        {QStringLiteral("DaemonSet"), QColor(0x32, 0x6C, 0xE5)},
        {QStringLiteral("Pod"), QColor(0x32, 0x6C, 0xE5)},
        {QStringLiteral("Job"), QColor(0x32, 0x6C, 0xE5)},
        {QStringLiteral("CronJob"), QColor(0x32, 0x6C, 0xE5)},
        {QStringLiteral("Service"), QColor(0x0E, 0x8A, 0x86)},
        {QStringLiteral("Ingress"), QColor(0x0E, 0x8A, 0x86)},
        {QStringLiteral("PersistentVolumeClaim"), QColor(0xC2, 0x62, 0x0E)},
        {QStringLiteral("PersistentVolume"), QColor(0xC2, 0x62, 0x0E)},
        {QStringLiteral("StorageClass"), QColor(0xC2, 0x62, 0x0E)},
        {QStringLiteral("ConfigMap"), QColor(0x7C, 0x4D, 0xCC)},
        {QStringLiteral("Secret"), QColor(0x7C, 0x4D, 0xCC)},
    };
    return colors.value(kind, QColor(0x5B, 0x6B, 0x80));
}

} // namespace cd::gui::kindicons
