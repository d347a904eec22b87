#pragma once
// Copied objects on the clipboard: YAML text (multi-document, as any editor or kubectl takes it)
// plus, for the canvas, where the objects were, so a paste lands next to the originals.

#include "engine/core/json.h"

#include <QHash>
#include <QPointF>

#include <vector>

class QMimeData;

namespace cd::gui {

inline constexpr const char *kLayoutMimeType = "application/x-clusterdeck-layout";

struct CopiedObjects {
    std::vector<Json> objects;
    QHash<QString, QPointF> positions; // by ObjectKey::id() of the copied objects
};

QMimeData *copiedObjectsMimeData(const CopiedObjects &copied);
// Objects from the clipboard: any YAML or JSON manifest text (documents without a kind are
// skipped); positions only when Clusterdeck put them there.
CopiedObjects copiedObjectsFrom(const QMimeData *data);

} // namespace cd::gui
