#include "gui/shell/language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace cd::gui {

QString effectiveLanguage(const QString &setting)
{
    if (!setting.isEmpty())
        return setting;
    const QStringList languages = QLocale::system().uiLanguages();
    return languages.isEmpty() ? QStringLiteral("en") : languages.front().left(2);
}

void installTranslations(const QString &language)
{
    const QString lang = effectiveLanguage(language);
    if (lang == QLatin1String("en"))
        return;
    auto *own = new QTranslator(QCoreApplication::instance());
    if (own->load(QStringLiteral(":/i18n/clusterdeck_") + lang))
        QCoreApplication::installTranslator(own);
    auto *qt = new QTranslator(QCoreApplication::instance());
    if (qt->load(QStringLiteral("qtbase_") + lang, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
}

} // namespace cd::gui
