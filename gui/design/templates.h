#pragma once
// What the palette offers and what a new object of each kind looks like: one place for the
// canvas's drops, the YAML editor's snippets and File, New.

#include "engine/core/json.h"

#include <QList>
#include <QString>

namespace cd::gui {

struct KindTemplate {
    QString kind;        // "Deployment", or "Node" for node plan entries
    QString apiVersion;  // "apps/v1" ("" for nodes)
    QString baseName;    // the first name a new one gets: "web", "data", "node"
    QString category;    // "Cluster", "Workloads", "Network", "Storage", "Config"
    QString nodeKind;    // for nodes: simulated, process, container, vm
};

// Palette order: nodes (each kind), Namespace, workloads, network, storage, config.
const QList<KindTemplate> &paletteKinds();
const KindTemplate *findTemplate(const QString &kind, const QString &nodeKind = {});

// A new, valid object of the kind, named `name` in namespace `ns` ("" for cluster-scoped kinds):
// one replica of nginx for workloads, port 80 for Services, 1Gi ReadWriteOnce for claims, ...
Json newObject(const QString &kind, const QString &name, const QString &ns = QStringLiteral("default"));
// A new node plan entry (clusterdeck.yaml `nodes:`): 4 CPUs, 8Gi, 110 pods.
Json newNodeEntry(const QString &name, const QString &nodeKind = QStringLiteral("simulated"));

} // namespace cd::gui
