#pragma once
// Which object of a design: kind (with its API group), namespace and name. The same object in
// the YAML, on the canvas, in the tree and in the layout file.

#include "engine/core/json.h"

#include <QHash>
#include <QString>

namespace cd::gui {

struct ObjectKey {
    QString group;  // "" for the core group ("apps" for a Deployment)
    QString kind;
    QString ns;     // "" for cluster-scoped kinds
    QString name;

    // The key of a manifest object; a namespaced kind without metadata.namespace is in "default".
    static ObjectKey of(const Json &object);
    // The layout id: "Deployment.apps/default/web", "Namespace/shop", "Node/node-1".
    QString id() const;
    static ObjectKey fromId(const QString &id);
    // "Deployment default/web": how the IDE names an object to people.
    QString display() const;
    bool isNull() const { return kind.isEmpty(); }

    friend bool operator==(const ObjectKey &a, const ObjectKey &b)
    {
        return a.kind == b.kind && a.name == b.name && a.ns == b.ns && a.group == b.group;
    }
    friend bool operator!=(const ObjectKey &a, const ObjectKey &b) { return !(a == b); }
    friend bool operator<(const ObjectKey &a, const ObjectKey &b) { return a.id() < b.id(); }
};

inline size_t qHash(const ObjectKey &key, size_t seed = 0) { return ::qHash(key.id(), seed); }

// Whether the API server serves a kind, and whether it is namespaced (from the engine's registry).
bool isServedKind(const QString &apiVersion, const QString &kind);
bool isNamespacedKind(const QString &group, const QString &kind);
// The same by the kind's name alone (each served kind name belongs to one group).
bool isNamespacedKind(const QString &kind);

} // namespace cd::gui
