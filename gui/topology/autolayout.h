#pragma once
// Where items without a stored position go: nodes in a row at the top, then one block per
// namespace (cluster-scoped objects first, then "default", then by name), each a grid of cards,
// blocks side by side and wrapping into rows. Deterministic: the same design gives the same
// picture. Items with a position keep it; new cards of a placed namespace go below its cards.

#include <QHash>
#include <QPointF>
#include <QRectF>
#include <QStringList>

#include <optional>

namespace cd::gui {

struct LayoutGroup {
    QString frameId;   // "Namespace/<ns>", or "" for cluster-scoped objects (no frame)
    QStringList cards; // card ids in display order
};

struct LayoutRequest {
    QStringList nodes;              // node ids ("Node/<name>") in plan order
    QList<LayoutGroup> groups;      // in display order
    QHash<QString, QPointF> placed; // stored positions (top-left) by id
};

// The top-left position of every id in the request (stored or computed).
QHash<QString, QPointF> autoLayout(const LayoutRequest &request);

} // namespace cd::gui
