#pragma once
// What the objects of a design mean to each other: a Service selects pods, a workload mounts a
// claim or reads a ConfigMap, a claim binds a volume, an owner owns. Pure functions over the
// design's objects (no widgets), so the canvas draws them, the inspector names them, and the
// tests check them; connect() is the inverse: the fields that make an edge true.

#include "engine/core/json.h"
#include "gui/design/designdocument.h"
#include "gui/design/objectkey.h"

#include <QList>
#include <QString>

#include <optional>
#include <vector>

namespace cd::gui::relations {

enum class EdgeKind {
    Selector,  // Service -> workload whose pod-template labels match its selector
    Volume,    // workload -> PersistentVolumeClaim it mounts
    Config,    // workload -> ConfigMap / Secret it reads (envFrom, env valueFrom, volumes)
    Claim,     // PersistentVolumeClaim -> PersistentVolume (spec.volumeName)
    Ownership, // owner -> owned (ownerReferences; a Deployment's or ReplicaSet's selector)
};

struct Edge {
    ObjectKey from;
    ObjectKey to; // for a broken reference: the missing object, or null (a selector matching nothing)
    EdgeKind kind = EdgeKind::Selector;
    bool broken = false;
    QString message; // why it is broken, for people ("claim data is not defined in the design")

    friend bool operator==(const Edge &a, const Edge &b)
    {
        return a.from == b.from && a.to == b.to && a.kind == b.kind && a.broken == b.broken && a.message == b.message;
    }
};

// Every edge between the objects, and broken references flagged (edges with broken = true).
// Deterministic: ordered by source object (as given), then by kind and target.
QList<Edge> edges(const std::vector<DesignObject> &objects);

// The broken-reference messages of one object (from edges()).
QStringList problems(const QList<Edge> &edges, const ObjectKey &key);

// What an edge drawn from `from` to `to` means, in that direction; nullopt for pairs with no
// meaning (the canvas tries the reverse direction too).
std::optional<EdgeKind> connectionKind(const Json &from, const Json &to);

// The objects changed so that the edge holds: Service -> workload writes the selector (and the
// workload's labels when it has none); workload -> claim adds a volume and a mount; workload ->
// ConfigMap/Secret adds envFrom; claim -> volume sets volumeName and storageClassName. Empty
// when the kind has no meaning for the pair or when the edge already holds.
std::vector<Json> connect(EdgeKind kind, const Json &from, const Json &to);

// ---- Workload helpers (the places of a pod template in each workload kind) ----
bool isWorkloadKind(const QString &kind);
// spec.template.spec (spec.jobTemplate.spec.template.spec for a CronJob, spec for a Pod).
const Json *podSpecOf(const Json &workload);
// The labels its pods get (metadata.labels for a Pod); an empty object when none.
Json podLabelsOf(const Json &workload);

QString edgeKindName(EdgeKind kind); // "selector", "volume", ... (stable, for ids and tests)

} // namespace cd::gui::relations
