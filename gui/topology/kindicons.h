#pragma once
// The kind icons (resources/icons, one SVG per kind) as the palette, the cards and the tree use
// them: QIcons for widgets, and pixmaps rendered once per size for the canvas's paint().

#include <QColor>
#include <QIcon>
#include <QPixmap>
#include <QString>

namespace cd::gui::kindicons {

// ":/icons/deployment.svg"; nodes by node kind (":/icons/node-vm.svg"); unknown kinds get a
// neutral icon so nothing is ever drawn without one.
QString path(const QString &kind, const QString &nodeKind = {});
bool hasOwnIcon(const QString &kind, const QString &nodeKind = {});
QIcon icon(const QString &kind, const QString &nodeKind = {});
// The icon rendered at `pixels` device pixels (cached; cheap to call from paint()).
const QPixmap &pixmap(const QString &path, int pixels);
// The tile color of the kind's icon (its category), for cheap drawing at low zoom.
QColor color(const QString &kind);

} // namespace cd::gui::kindicons
