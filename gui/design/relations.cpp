#include "gui/design/relations.h"

#include "engine/core/labels.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>

#include <unordered_map>

namespace cd::gui::relations {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("cd::gui::relations", text);
}

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

QString kindOf(const Json &o)
{
    return qs(str(o, {"kind"}));
}

ObjectKey keyIn(const QString &kind, const QString &ns, const QString &name)
{
    return ObjectKey{QString(), kind, ns, name};
}

const QString kService = QStringLiteral("Service");
const QString kClaim = QStringLiteral("PersistentVolumeClaim");
const QString kVolume = QStringLiteral("PersistentVolume");
const QString kConfigMap = QStringLiteral("ConfigMap");
const QString kSecret = QStringLiteral("Secret");

// The pod template's place in a workload, created along the way (for writing).
Json &podTemplateRef(Json &o)
{
    const QString kind = kindOf(o);
    if (kind == QLatin1String("CronJob"))
        return ensureObject(o, {"spec", "jobTemplate", "spec", "template"});
    return ensureObject(o, {"spec", "template"});
}

Json &podSpecRef(Json &o)
{
    if (kindOf(o) == QLatin1String("Pod"))
        return ensureObject(o, {"spec"});
    return ensureObject(podTemplateRef(o), {"spec"});
}

Json &podLabelsRef(Json &o)
{
    if (kindOf(o) == QLatin1String("Pod"))
        return ensureObject(o, {"metadata", "labels"});
    return ensureObject(podTemplateRef(o), {"metadata", "labels"});
}

bool isOptional(const Json &ref)
{
    return boolean(ref, {"optional"});
}

// A name at `path` inside `holder`, when `holder` is an object that has it.
QString nameAt(const Json &holder, std::initializer_list<std::string_view> path)
{
    return holder.is_object() ? qs(str(holder, path)) : QString();
}

QString selectorText(const std::map<std::string, std::string> &selector)
{
    QStringList parts;
    for (const auto &[k, v] : selector)
        parts << qs(k) + QLatin1Char('=') + qs(v);
    return parts.join(QLatin1Char(','));
}

bool labelsMatch(const std::map<std::string, std::string> &selector, const Json &labels)
{
    if (!labels.is_object())
        return false;
    for (const auto &[k, v] : selector) {
        const auto it = labels.find(k);
        if (it == labels.end() || !it->is_string() || it->get_ref<const std::string &>() != v)
            return false;
    }
    return true;
}

// The ConfigMaps and Secrets a pod spec reads: (kind, name, optional).
struct ConfigRef {
    QString kind;
    QString name;
    bool optional = false;
};

std::vector<ConfigRef> configRefs(const Json &spec)
{
    std::vector<ConfigRef> refs;
    auto add = [&](const QString &kind, const Json *ref, std::string_view field) {
        if (!ref || !ref->is_object())
            return;
        const QString name = qs(str(*ref, {field}));
        if (!name.isEmpty())
            refs.push_back({kind, name, isOptional(*ref)});
    };
    for (const char *list : {"initContainers", "containers"}) {
        const Json *containers = cd::find(spec, {list});
        if (!containers || !containers->is_array())
            continue;
        for (const Json &c : *containers) {
            if (const Json *envFrom = cd::find(c, {"envFrom"}); envFrom && envFrom->is_array())
                for (const Json &e : *envFrom) {
                    add(kConfigMap, cd::find(e, {"configMapRef"}), "name");
                    add(kSecret, cd::find(e, {"secretRef"}), "name");
                }
            if (const Json *env = cd::find(c, {"env"}); env && env->is_array())
                for (const Json &e : *env) {
                    add(kConfigMap, cd::find(e, {"valueFrom", "configMapKeyRef"}), "name");
                    add(kSecret, cd::find(e, {"valueFrom", "secretKeyRef"}), "name");
                }
        }
    }
    if (const Json *volumes = cd::find(spec, {"volumes"}); volumes && volumes->is_array())
        for (const Json &v : *volumes) {
            add(kConfigMap, cd::find(v, {"configMap"}), "name");
            add(kSecret, cd::find(v, {"secret"}), "secretName");
            if (const Json *sources = cd::find(v, {"projected", "sources"}); sources && sources->is_array())
                for (const Json &s : *sources) {
                    add(kConfigMap, cd::find(s, {"configMap"}), "name");
                    add(kSecret, cd::find(s, {"secret"}), "name");
                }
        }
    return refs;
}

QStringList claimRefs(const Json &spec)
{
    QStringList claims;
    if (const Json *volumes = cd::find(spec, {"volumes"}); volumes && volumes->is_array())
        for (const Json &v : *volumes)
            if (const QString claim = nameAt(v, {"persistentVolumeClaim", "claimName"}); !claim.isEmpty())
                claims << claim;
    return claims;
}

// Collects edges without duplicates, in the order they are found.
class EdgeList {
public:
    void add(Edge edge)
    {
        const QString id = edge.from.id() + QLatin1Char('|') + edge.to.id() + QLatin1Char('|') +
                           QString::number(int(edge.kind)) + QLatin1Char('|') + edge.message;
        if (m_seen.contains(id))
            return;
        m_seen.insert(id);
        m_edges.push_back(std::move(edge));
    }
    QList<Edge> take() { return std::move(m_edges); }

private:
    QList<Edge> m_edges;
    QSet<QString> m_seen;
};

// Kinds a controller selects its children by: owner kind -> child kind.
QString selectedChildKind(const QString &kind)
{
    if (kind == QLatin1String("Deployment"))
        return QStringLiteral("ReplicaSet");
    if (kind == QLatin1String("ReplicaSet") || kind == QLatin1String("StatefulSet") ||
        kind == QLatin1String("DaemonSet"))
        return QStringLiteral("Pod");
    return {};
}

} // namespace

bool isWorkloadKind(const QString &kind)
{
    static const QSet<QString> kinds = {QStringLiteral("Deployment"),  QStringLiteral("ReplicaSet"),
                                        QStringLiteral("StatefulSet"), QStringLiteral("DaemonSet"),
                                        QStringLiteral("Job"),         QStringLiteral("CronJob"),
                                        QStringLiteral("Pod"),         QStringLiteral("ReplicationController")};
    return kinds.contains(kind);
}

const Json *podSpecOf(const Json &workload)
{
    const QString kind = kindOf(workload);
    if (kind == QLatin1String("Pod"))
        return cd::find(workload, {"spec"});
    if (kind == QLatin1String("CronJob"))
        return cd::find(workload, {"spec", "jobTemplate", "spec", "template", "spec"});
    return cd::find(workload, {"spec", "template", "spec"});
}

namespace {

const Json *podLabelsIn(const Json &workload)
{
    const QString kind = kindOf(workload);
    const Json *labels = kind == QLatin1String("Pod") ? cd::find(workload, {"metadata", "labels"})
                         : kind == QLatin1String("CronJob")
                             ? cd::find(workload, {"spec", "jobTemplate", "spec", "template", "metadata", "labels"})
                             : cd::find(workload, {"spec", "template", "metadata", "labels"});
    return labels && labels->is_object() ? labels : nullptr;
}

} // namespace

Json podLabelsOf(const Json &workload)
{
    const Json *labels = podLabelsIn(workload);
    return labels ? *labels : Json::object();
}

QString edgeKindName(EdgeKind kind)
{
    switch (kind) {
    case EdgeKind::Selector: return QStringLiteral("selector");
    case EdgeKind::Volume: return QStringLiteral("volume");
    case EdgeKind::Config: return QStringLiteral("config");
    case EdgeKind::Claim: return QStringLiteral("claim");
    case EdgeKind::Ownership: return QStringLiteral("ownership");
    }
    return {};
}

QList<Edge> edges(const std::vector<DesignObject> &objects)
{
    // The first definition of a key counts (a second one is a diagnostic, not a second object).
    std::vector<const DesignObject *> unique;
    QSet<ObjectKey> defined;
    unique.reserve(objects.size());
    for (const DesignObject &o : objects)
        if (!o.key.isNull() && !defined.contains(o.key)) {
            defined.insert(o.key);
            unique.push_back(&o);
        }
    // Workloads by namespace and pod label ("ns\nkey=value"): a Service looks only at those
    // carrying its selector's first label, so selectors cost O(matches), not O(workloads).
    struct Workload {
        const DesignObject *object;
        const Json *labels;
    };
    std::unordered_map<std::string, std::vector<Workload>> byLabel;
    QHash<QString, std::vector<const DesignObject *>> byKindAndNs; // "kind/ns" -> objects
    for (const DesignObject *o : unique) {
        if (isWorkloadKind(o->key.kind))
            if (const Json *labels = podLabelsIn(o->object))
                for (auto it = labels->begin(); it != labels->end(); ++it)
                    if (it->is_string())
                        byLabel[o->key.ns.toStdString() + '\n' + it.key() + '=' + it->get<std::string>()].push_back(
                            {o, labels});
        byKindAndNs[o->key.kind + QLatin1Char('/') + o->key.ns].push_back(o);
    }
    auto exists = [&](const ObjectKey &key) { return defined.contains(key); };

    EdgeList out;
    for (const DesignObject *o : unique) {
        const QString &kind = o->key.kind;
        const QString &ns = o->key.ns;

        if (kind == kService) {
            const auto selector = stringMap(o->object, {"spec", "selector"});
            if (!selector.empty()) { // a Service without a selector has hand-made endpoints
                bool any = false;
                const auto first = selector.begin();
                const auto candidates = byLabel.find(ns.toStdString() + '\n' + first->first + '=' + first->second);
                if (candidates != byLabel.end())
                    for (const Workload &w : candidates->second)
                        if (labelsMatch(selector, *w.labels)) {
                            out.add({o->key, w.object->key, EdgeKind::Selector});
                            any = true;
                        }
                if (!any)
                    out.add({o->key, ObjectKey(), EdgeKind::Selector, true,
                             tr("selector %1 matches no pods in the design").arg(selectorText(selector))});
            }
        }

        if (isWorkloadKind(kind)) {
            if (const Json *spec = podSpecOf(o->object)) {
                for (const QString &claim : claimRefs(*spec)) {
                    const ObjectKey target = keyIn(kClaim, ns, claim);
                    const bool ok = exists(target);
                    out.add({o->key, target, EdgeKind::Volume, !ok,
                             ok ? QString() : tr("claim %1 is not defined in the design").arg(claim)});
                }
                for (const ConfigRef &ref : configRefs(*spec)) {
                    const ObjectKey target = keyIn(ref.kind, ns, ref.name);
                    const bool ok = exists(target);
                    if (!ok && ref.optional)
                        continue;
                    out.add({o->key, target, EdgeKind::Config, !ok,
                             ok ? QString() : tr("%1 %2 is not defined in the design").arg(ref.kind, ref.name)});
                }
            }
        }

        if (kind == kClaim) {
            if (const QString volume = qs(str(o->object, {"spec", "volumeName"})); !volume.isEmpty()) {
                const ObjectKey target = keyIn(kVolume, QString(), volume);
                const bool ok = exists(target);
                out.add({o->key, target, EdgeKind::Claim, !ok,
                         ok ? QString() : tr("volume %1 is not defined in the design").arg(volume)});
            }
        }
        if (kind == kVolume) { // a volume pre-bound to a claim (claimRef) shows the same edge
            const QString claim = qs(str(o->object, {"spec", "claimRef", "name"}));
            QString claimNs = qs(str(o->object, {"spec", "claimRef", "namespace"}));
            if (claimNs.isEmpty())
                claimNs = QStringLiteral("default");
            if (!claim.isEmpty() && exists(keyIn(kClaim, claimNs, claim)))
                out.add({keyIn(kClaim, claimNs, claim), o->key, EdgeKind::Claim});
        }

        if (const Json *owners = cd::find(o->object, {"metadata", "ownerReferences"}); owners && owners->is_array()) {
            for (const Json &ref : *owners) {
                const std::string apiVersion = str(ref, {"apiVersion"});
                const size_t slash = apiVersion.find('/');
                ObjectKey owner;
                owner.group = slash == std::string::npos ? QString() : qs(apiVersion.substr(0, slash));
                owner.kind = qs(str(ref, {"kind"}));
                owner.name = qs(str(ref, {"name"}));
                owner.ns = isNamespacedKind(owner.group, owner.kind) ? ns : QString();
                if (!owner.kind.isEmpty() && exists(owner))
                    out.add({owner, o->key, EdgeKind::Ownership});
            }
        }
        if (const QString childKind = selectedChildKind(kind); !childKind.isEmpty()) {
            const Json *selectorJson = cd::find(o->object, {"spec", "selector"});
            auto selector =
                selectorJson ? LabelSelector::fromJson(*selectorJson) : Result<LabelSelector>(LabelSelector::nothing());
            if (selector && !selector->isEverything() && !selector->isNothing())
                for (const DesignObject *child : byKindAndNs.value(childKind + QLatin1Char('/') + ns))
                    if (const Json *labels = cd::find(child->object, {"metadata", "labels"});
                        labels && selector->matches(*labels))
                        out.add({o->key, child->key, EdgeKind::Ownership});
        }
    }
    return out.take();
}

QStringList problems(const QList<Edge> &edges, const ObjectKey &key)
{
    QStringList out;
    for (const Edge &e : edges)
        if (e.broken && e.from == key)
            out << e.message;
    return out;
}

std::optional<EdgeKind> connectionKind(const Json &from, const Json &to)
{
    const ObjectKey a = ObjectKey::of(from);
    const ObjectKey b = ObjectKey::of(to);
    if (a == b)
        return std::nullopt;
    const bool sameNamespace = a.ns == b.ns;
    if (a.kind == kService && isWorkloadKind(b.kind) && sameNamespace)
        return EdgeKind::Selector;
    if (isWorkloadKind(a.kind) && b.kind == kClaim && sameNamespace)
        return EdgeKind::Volume;
    if (isWorkloadKind(a.kind) && (b.kind == kConfigMap || b.kind == kSecret) && sameNamespace)
        return EdgeKind::Config;
    if (a.kind == kClaim && b.kind == kVolume)
        return EdgeKind::Claim;
    return std::nullopt;
}

namespace {

std::vector<Json> connectSelector(const Json &service, const Json &workload)
{
    Json labels = podLabelsOf(workload);
    Json changedWorkload;
    if (labels.empty()) {
        // No labels to select by: give the pods `app: <name>`, and the workload's own selector too.
        changedWorkload = workload;
        const std::string name = str(workload, {"metadata", "name"});
        labels = {{"app", name}};
        podLabelsRef(changedWorkload)["app"] = name;
        const QString kind = kindOf(workload);
        if (kind == QLatin1String("Deployment") || kind == QLatin1String("ReplicaSet") ||
            kind == QLatin1String("StatefulSet") || kind == QLatin1String("DaemonSet"))
            ensureObject(changedWorkload, {"spec", "selector", "matchLabels"})["app"] = name;
    }
    std::vector<Json> changed;
    const Json *current = cd::find(service, {"spec", "selector"});
    if (!current || *current != labels) {
        Json s = service;
        ensureObject(s, {"spec"})["selector"] = labels;
        changed.push_back(std::move(s));
    }
    if (!changedWorkload.is_null())
        changed.push_back(std::move(changedWorkload));
    return changed;
}

// "base", "base-2", ... not among `taken`.
QString uniqueAmong(const QString &base, const QSet<QString> &taken)
{
    if (!taken.contains(base))
        return base;
    for (int n = 2;; ++n)
        if (const QString name = base + QLatin1Char('-') + QString::number(n); !taken.contains(name))
            return name;
}

QSet<QString> stringsAt(const Json *list, std::string_view field)
{
    QSet<QString> out;
    if (list && list->is_array())
        for (const Json &item : *list)
            out.insert(qs(str(item, {field})));
    return out;
}

std::vector<Json> connectClaim(const Json &workload, const Json &claim)
{
    const Json *spec = podSpecOf(workload);
    const Json *containers = spec ? cd::find(*spec, {"containers"}) : nullptr;
    if (!containers || !containers->is_array() || containers->empty())
        return {};
    const QString claimName = qs(str(claim, {"metadata", "name"}));
    if (claimRefs(*spec).contains(claimName))
        return {};
    Json w = workload;
    Json &podSpec = podSpecRef(w);
    Json &volumes = podSpec["volumes"];
    if (!volumes.is_array())
        volumes = Json::array();
    const QString volumeName = uniqueAmong(claimName, stringsAt(&volumes, "name"));
    volumes.push_back(
        {{"name", volumeName.toStdString()}, {"persistentVolumeClaim", {{"claimName", claimName.toStdString()}}}});
    Json &container = podSpec["containers"][0];
    Json &mounts = container["volumeMounts"];
    if (!mounts.is_array())
        mounts = Json::array();
    const QString path = uniqueAmong(QStringLiteral("/data"), stringsAt(&mounts, "mountPath"));
    mounts.push_back({{"name", volumeName.toStdString()}, {"mountPath", path.toStdString()}});
    return {std::move(w)};
}

std::vector<Json> connectConfig(const Json &workload, const Json &config)
{
    const Json *spec = podSpecOf(workload);
    const Json *containers = spec ? cd::find(*spec, {"containers"}) : nullptr;
    if (!containers || !containers->is_array() || containers->empty())
        return {};
    const bool secret = kindOf(config) == kSecret;
    const char *refField = secret ? "secretRef" : "configMapRef";
    const std::string name = str(config, {"metadata", "name"});
    if (const Json *envFrom = cd::find((*containers)[0], {"envFrom"}); envFrom && envFrom->is_array())
        for (const Json &e : *envFrom)
            if (has(e, {refField}) && str(e, {refField, "name"}) == name)
                return {};
    Json w = workload;
    Json &envFrom = podSpecRef(w)["containers"][0]["envFrom"];
    if (!envFrom.is_array())
        envFrom = Json::array();
    envFrom.push_back({{refField, {{"name", name}}}});
    return {std::move(w)};
}

std::vector<Json> connectVolume(const Json &claim, const Json &volume)
{
    const std::string name = str(volume, {"metadata", "name"});
    const std::string storageClass = str(volume, {"spec", "storageClassName"});
    const Json *currentClass = cd::find(claim, {"spec", "storageClassName"});
    if (str(claim, {"spec", "volumeName"}) == name && currentClass && currentClass->is_string() &&
        currentClass->get<std::string>() == storageClass)
        return {};
    Json c = claim;
    Json &spec = ensureObject(c, {"spec"});
    spec["volumeName"] = name;
    spec["storageClassName"] = storageClass; // "" binds only to volumes without a class, as this one
    return {std::move(c)};
}

} // namespace

std::vector<Json> connect(EdgeKind kind, const Json &from, const Json &to)
{
    if (connectionKind(from, to) != kind)
        return {};
    switch (kind) {
    case EdgeKind::Selector: return connectSelector(from, to);
    case EdgeKind::Volume: return connectClaim(from, to);
    case EdgeKind::Config: return connectConfig(from, to);
    case EdgeKind::Claim: return connectVolume(from, to);
    case EdgeKind::Ownership: return {};
    }
    return {};
}

} // namespace cd::gui::relations
