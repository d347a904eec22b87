// Times GET requests on one keep-alive HTTPS connection, from the request's first byte sent to
// the response's last byte read: the server's time plus loopback transfer, no connection set-up.
//   bench_list_latency --server URL --token-file PATH [--repeat 10] [--warmup 1]
//                      --case NAME PATH ACCEPT [--case ...]
// Prints one JSON object: {"cases":[{"name","path","accept","status","bytes","times_ms":[..],
//                                    "median_ms","max_ms","min_ms"}]}.
#include "benchclient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace {

struct Case {
    QString name;
    QByteArray path;
    QByteArray accept;
    int status = 0;
    qsizetype bytes = 0;
    std::vector<double> times;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    QString error;
    const auto endpoint = bench::endpointFromArguments(args, &error);
    if (!endpoint) {
        std::fprintf(stderr, "bench_list_latency: %s\n", qPrintable(error));
        return 2;
    }
    const int repeat = bench::argumentValue(args, QStringLiteral("--repeat"), QStringLiteral("10")).toInt();
    const int warmup = bench::argumentValue(args, QStringLiteral("--warmup"), QStringLiteral("1")).toInt();
    std::vector<Case> cases;
    for (qsizetype i = 0; i + 3 < args.size(); ++i)
        if (args.at(i) == QLatin1String("--case"))
            cases.push_back({args.at(i + 1), args.at(i + 2).toUtf8(), args.at(i + 3).toUtf8()});
    if (cases.empty()) {
        std::fprintf(stderr, "bench_list_latency: give at least one --case NAME PATH ACCEPT\n");
        return 2;
    }

    bench::ClientConnection connection(*endpoint);
    size_t caseIndex = 0;
    int round = 0;
    auto report = [&] {
        QJsonArray out;
        for (const Case &c : cases) {
            QJsonArray times;
            for (double t : c.times)
                times.append(t);
            out.append(QJsonObject{{"name", c.name},
                                   {"path", QString::fromUtf8(c.path)},
                                   {"accept", QString::fromUtf8(c.accept)},
                                   {"status", c.status},
                                   {"bytes", c.bytes},
                                   {"times_ms", times},
                                   {"median_ms", bench::median(c.times)},
                                   {"max_ms", c.times.empty() ? 0 : *std::max_element(c.times.begin(), c.times.end())},
                                   {"min_ms", c.times.empty() ? 0 : *std::min_element(c.times.begin(), c.times.end())}});
        }
        std::printf("%s\n", QJsonDocument(QJsonObject{{"cases", out}}).toJson(QJsonDocument::Compact).constData());
        app.exit(0);
    };
    std::function<void()> next = [&] {
        if (caseIndex == cases.size()) {
            report();
            return;
        }
        Case &c = cases[caseIndex];
        connection.request("GET", c.path, {}, {{"Accept", c.accept}}, [&](const bench::Response &r) {
            c.status = r.status;
            c.bytes = r.body.size();
            if (round >= warmup)
                c.times.push_back(bench::millisecondsBetween(r.sent, r.completed));
            if (++round == warmup + repeat) {
                round = 0;
                ++caseIndex;
            }
            next();
        });
    };
    QObject::connect(&connection, &bench::ClientConnection::failed, &app, [&](const QString &message) {
        std::fprintf(stderr, "bench_list_latency: %s\n", qPrintable(message));
        app.exit(1);
    });
    QObject::connect(&connection, &bench::ClientConnection::ready, &app, [&] { next(); });
    connection.open();
    return app.exec();
}
