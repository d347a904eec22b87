#pragma once
// The canvas as a picture for docs and reviews: PNG (or any raster format Qt writes) and SVG
// (QSvgGenerator), chosen by the file's suffix.

#include <QString>

class QGraphicsScene;

namespace cd::gui {

bool exportScene(QGraphicsScene *scene, const QString &path, QString *error = nullptr);

} // namespace cd::gui
