// Diagnostics after a keystroke in a large manifest file (issue 4's goal: a 10,000-line file
// re-diagnosed in under 50 ms). The file is the guestbook's six documents repeated with unique
// names until it has the requested lines. A "keystroke" changes one character in a document in
// the middle; what the editor then needs is measured: the file parsed again (incrementally, as
// DesignDocument does: unchanged documents are taken over) and diagnose().
//
//   bench_diagnostics [--lines 10000] [--rounds 50] [--examples DIR]
//
// Figures: the cold first diagnose (every document checked), then the median and worst
// keystroke, split into parse and diagnose.
#include "engine/core/yamlsource.h"
#include "gui/design/diagnostics.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cstdio>

using namespace cd;

namespace {

QString argument(const QStringList &args, const QString &name, const QString &fallback)
{
    const int at = int(args.indexOf(name));
    return at >= 0 && at + 1 < args.size() ? args[at + 1] : fallback;
}

double ms(qint64 nanoseconds)
{
    return double(nanoseconds) / 1e6;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int lines = argument(args, QStringLiteral("--lines"), QStringLiteral("10000")).toInt();
    const int rounds = argument(args, QStringLiteral("--rounds"), QStringLiteral("50")).toInt();
    const QString examples =
        argument(args, QStringLiteral("--examples"),
                 QFileInfo(QStringLiteral(__FILE__)).dir().filePath(QStringLiteral("../data/k8s-examples")));
    QFile file(examples + QStringLiteral("/examples/web/guestbook/all-in-one/guestbook-all-in-one.yaml"));
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read %s\n", qPrintable(file.fileName()));
        return 1;
    }
    const QString guestbook = QString::fromUtf8(file.readAll());

    QString text;
    int copies = 0;
    while (text.count(QLatin1Char('\n')) < lines) {
        QString copy = guestbook;
        for (const char *name : {"redis-master", "redis-replica", "frontend"})
            copy.replace(QLatin1String(name), QStringLiteral("%1-%2").arg(QLatin1String(name)).arg(copies));
        text += copy + QStringLiteral("\n---\n");
        ++copies;
    }
    std::string utf8 = text.toStdString();
    QElapsedTimer timer;
    timer.start();
    std::vector<SourceDocument> documents = parseYamlSource(utf8);
    const qint64 coldParse = timer.nsecsElapsed();
    timer.restart();
    const QList<gui::Diagnostic> cold = gui::diagnose(documents, utf8);
    const qint64 coldDiagnose = timer.nsecsElapsed();
    std::printf("file: %d lines, %zu documents, %lld diagnostics\n", int(text.count(QLatin1Char('\n'))),
                documents.size(), qlonglong(cold.size()));
    std::printf("cold: parse %.1f ms, diagnose %.1f ms\n", ms(coldParse), ms(coldDiagnose));

    // Keystrokes: the replicas of a Deployment in the middle, typed and typed back.
    const size_t middle = utf8.find("replicas: ", utf8.size() / 2) + 10;
    std::vector<qint64> parse, check, total;
    for (int round = 0; round < rounds; ++round) {
        std::string next = utf8;
        next[middle] = char('1' + round % 9);
        timer.restart();
        documents = parseYamlSource(next, utf8, std::move(documents));
        const qint64 parsed = timer.nsecsElapsed();
        const QList<gui::Diagnostic> diagnostics = gui::diagnose(documents, next);
        const qint64 done = timer.nsecsElapsed();
        if (diagnostics.size() != cold.size())
            std::fprintf(stderr, "unexpected: %lld diagnostics\n", qlonglong(diagnostics.size()));
        parse.push_back(parsed);
        check.push_back(done - parsed);
        total.push_back(done);
        utf8 = std::move(next);
    }
    auto median = [](std::vector<qint64> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::printf("keystroke (median of %d): parse %.2f ms, diagnose %.2f ms, total %.2f ms (worst %.2f ms)\n", rounds,
                ms(median(parse)), ms(median(check)), ms(median(total)),
                ms(*std::max_element(total.begin(), total.end())));
    // The last line is JSON for tests/bench/run.
    std::printf("{\"lines\": %d, \"documents\": %zu, \"cold_ms\": %.1f, \"keystroke_ms_median\": %.2f, "
                "\"keystroke_ms_worst\": %.2f}\n",
                int(text.count(QLatin1Char('\n'))), documents.size(), ms(coldParse) + ms(coldDiagnose), ms(median(total)),
                ms(*std::max_element(total.begin(), total.end())));
    return 0;
}
