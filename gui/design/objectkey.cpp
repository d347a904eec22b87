#include "gui/design/objectkey.h"

#include "engine/api/registry.h"

namespace cd::gui {
namespace {

QString groupOf(const std::string &apiVersion)
{
    const size_t slash = apiVersion.find('/');
    return slash == std::string::npos ? QString() : QString::fromStdString(apiVersion.substr(0, slash));
}

} // namespace

bool isServedKind(const QString &apiVersion, const QString &kind)
{
    return api::Registry::builtin().forObject(apiVersion.toStdString(), kind.toStdString()) != nullptr;
}

bool isNamespacedKind(const QString &group, const QString &kind)
{
    const api::ResourceType *type = api::Registry::builtin().findKind(group.toStdString(), kind.toStdString());
    return !type || type->namespaced;  // kinds Clusterdeck does not serve: namespaced, as most are
}

bool isNamespacedKind(const QString &kind)
{
    const std::string name = kind.toStdString();
    for (const auto &type : api::Registry::builtin().all())
        if (type->kind == name)
            return type->namespaced;
    return true;
}

ObjectKey ObjectKey::of(const Json &object)
{
    ObjectKey key;
    key.group = groupOf(str(object, {"apiVersion"}));
    key.kind = QString::fromStdString(str(object, {"kind"}));
    key.name = QString::fromStdString(str(object, {"metadata", "name"}));
    if (isNamespacedKind(key.group, key.kind)) {
        key.ns = QString::fromStdString(str(object, {"metadata", "namespace"}));
        if (key.ns.isEmpty())
            key.ns = QStringLiteral("default");
    }
    return key;
}

QString ObjectKey::id() const
{
    QString id = group.isEmpty() ? kind : kind + QLatin1Char('.') + group;
    if (!ns.isEmpty())
        id += QLatin1Char('/') + ns;
    return id + QLatin1Char('/') + name;
}

ObjectKey ObjectKey::fromId(const QString &id)
{
    const QStringList parts = id.split(QLatin1Char('/'));
    if (parts.size() < 2)
        return {};
    ObjectKey key;
    const QString kindGroup = parts.front();
    const int dot = kindGroup.indexOf(QLatin1Char('.'));
    key.kind = dot < 0 ? kindGroup : kindGroup.left(dot);
    key.group = dot < 0 ? QString() : kindGroup.mid(dot + 1);
    key.name = parts.back();
    if (parts.size() > 2)
        key.ns = parts[1];
    return key;
}

QString ObjectKey::display() const
{
    return ns.isEmpty() ? kind + QLatin1Char(' ') + name : kind + QLatin1Char(' ') + ns + QLatin1Char('/') + name;
}

} // namespace cd::gui
