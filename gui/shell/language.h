#pragma once
// The interface language: the system's by default, or chosen in the settings (English, Korean).

#include <QString>

namespace cd::gui {

// "ko", "en" or "" (the system's). Installs Clusterdeck's and Qt's own translations.
void installTranslations(const QString &language);
// The language a setting stands for: the system's UI language when the setting is empty.
QString effectiveLanguage(const QString &setting);

} // namespace cd::gui
