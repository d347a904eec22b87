#include "gui/topology/cardsummary.h"

#include "gui/design/relations.h"

#include <QCoreApplication>
#include <QStringList>

namespace cd::gui {

// The summaries' words, translated in the CardSummary context.
class CardSummaryText {
    Q_DECLARE_TR_FUNCTIONS(CardSummary)
};

namespace {

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

// "nginx:1.27", or "nginx:1.27 +1" for a pod with more containers.
QString images(const Json &workload)
{
    const Json *spec = relations::podSpecOf(workload);
    const Json *containers = spec ? cd::find(*spec, {"containers"}) : nullptr;
    if (!containers || !containers->is_array() || containers->empty())
        return CardSummaryText::tr("no containers");
    QString image = qs(str((*containers)[0], {"image"}));
    if (image.isEmpty())
        image = CardSummaryText::tr("no image");
    if (containers->size() > 1)
        image += QStringLiteral(" +%1").arg(containers->size() - 1);
    return image;
}

QString accessModes(const Json &object)
{
    QStringList out;
    if (const Json *modes = cd::find(object, {"spec", "accessModes"}); modes && modes->is_array())
        for (const Json &m : *modes) {
            const std::string mode = m.is_string() ? m.get<std::string>() : std::string();
            out << (mode == "ReadWriteOnce"      ? QStringLiteral("RWO")
                    : mode == "ReadOnlyMany"     ? QStringLiteral("ROX")
                    : mode == "ReadWriteMany"    ? QStringLiteral("RWX")
                    : mode == "ReadWriteOncePod" ? QStringLiteral("RWOP")
                                                 : qs(mode));
        }
    return out.join(QLatin1Char(','));
}

QString joined(const QStringList &parts)
{
    QStringList kept;
    for (const QString &p : parts)
        if (!p.isEmpty())
            kept << p;
    return kept.join(QStringLiteral(" · "));
}

QString scalar(const Json *value)
{
    if (!value)
        return {};
    if (value->is_string())
        return qs(value->get<std::string>());
    if (value->is_number_integer())
        return QString::number(value->get<long long>());
    return {};
}

QString keys(const Json &object)
{
    int n = 0;
    for (const char *field : {"data", "stringData", "binaryData"})
        if (const Json *map = cd::find(object, {field}); map && map->is_object())
            n += int(map->size());
    return n == 1 ? CardSummaryText::tr("1 key") : CardSummaryText::tr("%1 keys").arg(n);
}

} // namespace

QString cardSummary(const Json &object)
{
    const QString kind = qs(str(object, {"kind"}));
    if (kind == QLatin1String("Deployment") || kind == QLatin1String("ReplicaSet") ||
        kind == QLatin1String("StatefulSet") || kind == QLatin1String("ReplicationController")) {
        const long long replicas = integer(object, {"spec", "replicas"}, 1);
        return QStringLiteral("%1 × %2").arg(replicas).arg(images(object));
    }
    if (kind == QLatin1String("CronJob"))
        return joined({qs(str(object, {"spec", "schedule"})), images(object)});
    if (relations::isWorkloadKind(kind))
        return images(object);
    if (kind == QLatin1String("Service")) {
        QStringList ports;
        if (const Json *list = cd::find(object, {"spec", "ports"}); list && list->is_array())
            for (const Json &p : *list) {
                QString port = scalar(cd::find(p, {"port"}));
                if (const QString node = scalar(cd::find(p, {"nodePort"})); !node.isEmpty())
                    port += QLatin1Char(':') + node;
                if (const std::string protocol = str(p, {"protocol"}, "TCP"); protocol != "TCP")
                    port += QLatin1Char('/') + qs(protocol);
                ports << port;
            }
        return joined({qs(str(object, {"spec", "type"}, "ClusterIP")), ports.join(QStringLiteral(", "))});
    }
    if (kind == QLatin1String("PersistentVolumeClaim"))
        return joined({scalar(cd::find(object, {"spec", "resources", "requests", "storage"})), accessModes(object),
                       qs(str(object, {"spec", "storageClassName"}))});
    if (kind == QLatin1String("PersistentVolume"))
        return joined({scalar(cd::find(object, {"spec", "capacity", "storage"})), accessModes(object),
                       qs(str(object, {"spec", "storageClassName"}))});
    if (kind == QLatin1String("StorageClass"))
        return qs(str(object, {"provisioner"}));
    if (kind == QLatin1String("ConfigMap"))
        return keys(object);
    if (kind == QLatin1String("Secret"))
        return joined({qs(str(object, {"type"}, "Opaque")), keys(object)});
    return qs(str(object, {"apiVersion"}));
}

} // namespace cd::gui
