// Opening a 5,000-object design (issue 4: under 1 s): the text parsed into documents, objects
// and the node plan, as DesignDocument::load does when a folder is opened. Prints one JSON line.
//   bench_design [--objects N] [--files F] [--rounds R]
#include "gui/design/designdocument.h"
#include "gui/design/templates.h"

#include "designfixture.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>

#include <algorithm>
#include <vector>

using namespace cd;
using namespace cd::gui;

namespace {

int option(const QStringList &args, const QString &name, int fallback)
{
    const int i = int(args.indexOf(name));
    return i >= 0 && i + 1 < args.size() ? args[i + 1].toInt() : fallback;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int objects = option(args, QStringLiteral("--objects"), 5000);
    const int files = std::max(1, option(args, QStringLiteral("--files"), 1));
    const int rounds = std::max(1, option(args, QStringLiteral("--rounds"), 3));
    const QMap<QString, QString> texts = largeDesign(objects, files);
    qsizetype lines = 0;
    for (const QString &t : texts)
        lines += t.count(QLatin1Char('\n'));

    std::vector<double> ms, keystrokeMs;
    size_t loaded = 0;
    for (int r = 0; r < rounds; ++r) {
        DesignDocument document;
        QElapsedTimer timer;
        timer.start();
        document.load(texts);
        ms.push_back(timer.nsecsElapsed() / 1e6);
        loaded = document.objects().size();
        // A keystroke in the middle of the first file: one document changes.
        const QString file = document.manifestFiles().front();
        QString text = document.text(file);
        const qsizetype middle = text.indexOf(QLatin1String("replicas: 1"), text.size() / 2);
        text.replace(middle, 11, QStringLiteral("replicas: 12"));
        timer.restart();
        document.setText(file, text);
        keystrokeMs.push_back(timer.nsecsElapsed() / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    std::sort(keystrokeMs.begin(), keystrokeMs.end());
    QTextStream(stdout) << QStringLiteral("{\"objects\": %1, \"files\": %2, \"lines\": %3, \"open_ms_median\": %4, \"open_ms_best\": %5, \"keystroke_ms_median\": %6}\n")
                               .arg(loaded)
                               .arg(files)
                               .arg(lines)
                               .arg(ms[ms.size() / 2], 0, 'f', 1)
                               .arg(ms.front(), 0, 'f', 1)
                               .arg(keystrokeMs[keystrokeMs.size() / 2], 0, 'f', 1);
    return loaded == size_t(objects) ? 0 : 1;
}
