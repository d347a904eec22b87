#include "gui/design/templates.h"

#include "gui/design/objectkey.h"

namespace cd::gui {

namespace {

Json metadata(const QString &name, const QString &ns, bool withAppLabel = false)
{
    Json meta = {{"name", name.toStdString()}};
    if (!ns.isEmpty())
        meta["namespace"] = ns.toStdString();
    if (withAppLabel)
        meta["labels"] = {{"app", name.toStdString()}};
    return meta;
}

Json podSpec(const QString &name)
{
    return {{"containers",
             Json::array({{{"name", name.toStdString()},
                           {"image", "nginx:1.27"},
                           {"ports", Json::array({{{"containerPort", 80}}})},
                           {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}}}}}})}};
}

Json podTemplate(const QString &name)
{
    return {{"metadata", {{"labels", {{"app", name.toStdString()}}}}}, {"spec", podSpec(name)}};
}

} // namespace

const QList<KindTemplate> &paletteKinds()
{
    static const QList<KindTemplate> kinds = {
        {QStringLiteral("Node"), {}, QStringLiteral("node"), QStringLiteral("Cluster"), QStringLiteral("simulated")},
        {QStringLiteral("Node"), {}, QStringLiteral("node"), QStringLiteral("Cluster"), QStringLiteral("process")},
        {QStringLiteral("Node"), {}, QStringLiteral("node"), QStringLiteral("Cluster"), QStringLiteral("container")},
        {QStringLiteral("Node"), {}, QStringLiteral("node"), QStringLiteral("Cluster"), QStringLiteral("vm")},
        {QStringLiteral("Namespace"), QStringLiteral("v1"), QStringLiteral("team"), QStringLiteral("Cluster"), {}},
        {QStringLiteral("Deployment"), QStringLiteral("apps/v1"), QStringLiteral("web"), QStringLiteral("Workloads"), {}},
        {QStringLiteral("ReplicaSet"), QStringLiteral("apps/v1"), QStringLiteral("replicas"), QStringLiteral("Workloads"), {}},
        {QStringLiteral("Pod"), QStringLiteral("v1"), QStringLiteral("pod"), QStringLiteral("Workloads"), {}},
        {QStringLiteral("Job"), QStringLiteral("batch/v1"), QStringLiteral("job"), QStringLiteral("Workloads"), {}},
        {QStringLiteral("Service"), QStringLiteral("v1"), QStringLiteral("service"), QStringLiteral("Network"), {}},
        {QStringLiteral("PersistentVolumeClaim"), QStringLiteral("v1"), QStringLiteral("data"), QStringLiteral("Storage"), {}},
        {QStringLiteral("PersistentVolume"), QStringLiteral("v1"), QStringLiteral("volume"), QStringLiteral("Storage"), {}},
        {QStringLiteral("StorageClass"), QStringLiteral("storage.k8s.io/v1"), QStringLiteral("storage"), QStringLiteral("Storage"), {}},
        {QStringLiteral("ConfigMap"), QStringLiteral("v1"), QStringLiteral("config"), QStringLiteral("Config"), {}},
        {QStringLiteral("Secret"), QStringLiteral("v1"), QStringLiteral("secret"), QStringLiteral("Config"), {}},
    };
    return kinds;
}

const KindTemplate *findTemplate(const QString &kind, const QString &nodeKind)
{
    for (const KindTemplate &t : paletteKinds())
        if (t.kind == kind && (nodeKind.isEmpty() || t.nodeKind == nodeKind))
            return &t;
    return nullptr;
}

Json newObject(const QString &kind, const QString &name, const QString &ns)
{
    const KindTemplate *t = findTemplate(kind);
    if (!t || kind == QLatin1String("Node"))
        return Json();
    Json object = {{"apiVersion", t->apiVersion.toStdString()},
                   {"kind", kind.toStdString()},
                   {"metadata", metadata(name, isNamespacedKind(kind) ? ns : QString())}};
    const std::string n = name.toStdString();
    if (kind == QLatin1String("Deployment") || kind == QLatin1String("ReplicaSet")) {
        object["spec"] = {{"replicas", 1}, {"selector", {{"matchLabels", {{"app", n}}}}}, {"template", podTemplate(name)}};
    } else if (kind == QLatin1String("Pod")) {
        object["metadata"] = metadata(name, ns, true);
        object["spec"] = podSpec(name);
    } else if (kind == QLatin1String("Job")) {
        Json spec = podSpec(name);
        spec["restartPolicy"] = "Never";
        spec["containers"][0] = {{"name", n}, {"image", "busybox:1.36"}, {"command", Json::array({"sh", "-c", "echo done"})}};
        object["spec"] = {{"backoffLimit", 4}, {"template", {{"spec", std::move(spec)}}}};
    } else if (kind == QLatin1String("Service")) {
        object["spec"] = {{"type", "ClusterIP"},
                          {"ports", Json::array({{{"name", "http"}, {"port", 80}, {"targetPort", 80}, {"protocol", "TCP"}}})}};
    } else if (kind == QLatin1String("PersistentVolumeClaim")) {
        object["spec"] = {{"accessModes", Json::array({"ReadWriteOnce"})},
                          {"resources", {{"requests", {{"storage", "1Gi"}}}}}};
    } else if (kind == QLatin1String("PersistentVolume")) {
        object["spec"] = {{"capacity", {{"storage", "1Gi"}}},
                          {"accessModes", Json::array({"ReadWriteOnce"})},
                          {"persistentVolumeReclaimPolicy", "Retain"},
                          {"hostPath", {{"path", "/data/" + n}}}};
    } else if (kind == QLatin1String("StorageClass")) {
        object["provisioner"] = "clusterdeck.io/local-path";
        object["reclaimPolicy"] = "Delete";
        object["volumeBindingMode"] = "WaitForFirstConsumer";
    } else if (kind == QLatin1String("ConfigMap")) {
        object["data"] = {{"key", "value"}};
    } else if (kind == QLatin1String("Secret")) {
        object["type"] = "Opaque";
        object["stringData"] = {{"password", "change-me"}};
    }
    return object;
}

Json newNodeEntry(const QString &name, const QString &nodeKind)
{
    return {{"name", name.toStdString()}, {"kind", nodeKind.toStdString()}, {"cpu", "4"}, {"memory", "8Gi"}, {"pods", 110}};
}

} // namespace cd::gui
