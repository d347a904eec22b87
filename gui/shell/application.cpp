#include "gui/shell/application.h"

#include "gui/design/designdocument.h"
#include "gui/design/objectkey.h"

#include "gui/shell/language.h"
#include "gui/shell/mainwindow.h"
#include "gui/shell/samples.h"
#include "gui/shell/theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QSettings>
#include <QTextStream>
#include <QTimer>

namespace cd::gui {

namespace {

int fail(const QString &message)
{
    QTextStream(stderr) << "clusterdeck: " << message << Qt::endl;
    return 1;
}

} // namespace

int runApplication(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Clusterdeck"));
    QApplication::setApplicationName(QStringLiteral("Clusterdeck"));
    QApplication::setApplicationVersion(QStringLiteral(CLUSTERDECK_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/clusterdeck.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Clusterdeck: design a Kubernetes cluster on a canvas or in YAML, both always in sync."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption open(QStringLiteral("open"), QStringLiteral("Open a folder of manifests."), QStringLiteral("PATH"));
    const QCommandLineOption sample(QStringLiteral("sample"), QStringLiteral("Open a sample design (webapp, guestbook, three-nodes)."),
                                    QStringLiteral("NAME"));
    const QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("light or dark (default: as in the settings)."),
                                   QStringLiteral("THEME"));
    const QCommandLineOption lang(QStringLiteral("lang"), QStringLiteral("Interface language: en or ko."), QStringLiteral("LANG"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Render the main window into a PNG file and exit."), QStringLiteral("FILE"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size for --screenshot (default 1440x900)."),
                                  QStringLiteral("WxH"), QStringLiteral("1440x900"));
    const QCommandLineOption select(QStringLiteral("select"),
                                    QStringLiteral("Select an object before the screenshot, as Kind/namespace/name (Deployment.apps/default/web)."),
                                    QStringLiteral("ID"));
    parser.addOptions({open, sample, theme, lang, screenshot, size, select});
    parser.process(app);

    const bool scripted = parser.isSet(screenshot);
    if (scripted)
        qputenv("CLUSTERDECK_NO_RECOVERY", "1");  // a scripted run never asks questions
    QSettings settings;
    installTranslations(parser.isSet(lang) ? parser.value(lang) : settings.value(QStringLiteral("language")).toString());
    if (parser.isSet(theme) && parser.value(theme) != QLatin1String("light") && parser.value(theme) != QLatin1String("dark"))
        return fail(QStringLiteral("--theme takes light or dark, not \"%1\"").arg(parser.value(theme)));
    applyTheme(themeFromName(parser.isSet(theme) ? parser.value(theme) : settings.value(QStringLiteral("theme")).toString()));

    MainWindow window;
    if (parser.isSet(open)) {
        QString error;
        if (!window.openProject(parser.value(open), &error)) {
            if (scripted)
                return fail(error);
            QMessageBox::warning(&window, QObject::tr("Open"), error);
        }
    } else if (parser.isSet(sample)) {
        if (!window.openSample(parser.value(sample))) {
            QStringList names;
            for (const Sample &s : samples())
                names << s.name;
            return fail(QStringLiteral("there is no sample \"%1\" (samples: %2)").arg(parser.value(sample), names.join(QStringLiteral(", "))));
        }
    } else {
        window.openSample(QStringLiteral("three-nodes"));  // first start: a cluster ready to design on
    }

    if (scripted) {
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        if (wh.size() != 2 || wh[0].toInt() < 320 || wh[1].toInt() < 240)
            return fail(QStringLiteral("--size takes WIDTHxHEIGHT, like 1440x900"));
        window.resize(wh[0].toInt(), wh[1].toInt());
        window.show();
        if (parser.isSet(select)) {
            const ObjectKey key = ObjectKey::fromId(parser.value(select));
            if (!window.document()->find(key) && !window.document()->node(key.name))
                return fail(QStringLiteral("--select: the design has no %1").arg(parser.value(select)));
            window.selectKeys({key});
        }
        int result = 0;
        // Let the layouts and the canvas settle before rendering.
        QTimer::singleShot(300, &app, [&] {
            QString error;
            if (!window.saveScreenshot(parser.value(screenshot), &error))
                result = fail(error);
            window.document()->undoStack()->setClean();  // nothing to save on the way out
            app.exit(result);
        });
        app.exec();
        return result;
    }
    window.show();
    return app.exec();
}

} // namespace cd::gui
