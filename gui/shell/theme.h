#pragma once
// Light and dark: following the system by default (Qt 6.4 has no color-scheme hint, so the
// system's palette decides), or chosen in the settings (Fusion with a light or dark palette).

#include <QString>

namespace cd::gui {

enum class Theme { System, Light, Dark };

Theme themeFromName(const QString &name);  // "light", "dark", anything else: System
QString themeName(Theme theme);
// Applies the theme to the application (style and palette); safe to call again.
void applyTheme(Theme theme);
// Whether the palette in use is dark (for icons, editor colors, canvas).
bool isDarkPalette();

} // namespace cd::gui
