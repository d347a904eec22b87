// Creates many objects quickly through the API: several keep-alive HTTPS connections, each
// POSTing the next object as soon as the previous one is acknowledged (durable).
//   bench_object_loader --server URL --token-file PATH --kind pods|configmaps --count N
//                       [--namespace default] [--connections 16] [--prefix pod-] [--unbound]
// Pods name a node (node-0 ... node-99) unless --unbound: then the scheduler places them.
// Prints one JSON object: {"created":N,"failed":N,"seconds":S,"per_second":R,"first_error":"..."}.
#include "benchclient.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <memory>
#include <vector>

namespace {

// A realistic pod: labels, a node (unless unbound), one container with requests, limits, a port,
// a probe.
QByteArray podBody(const QString &ns, const QString &name, int index, bool unbound)
{
    const QString app = QStringLiteral("app-%1").arg(index % 50);
    const QString node = unbound ? QString() : QStringLiteral("\"nodeName\":\"node-%1\",").arg(index % 100);
    const QString json = QStringLiteral(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"%1","namespace":"%2",)"
                                        R"("labels":{"app":"%3","tier":"%4","pod-template-hash":"7d9f8c6b5"}},)"
                                        R"("spec":{%5"containers":[{"name":"web","image":"nginx:1.27",)"
                                        R"("ports":[{"containerPort":8080,"name":"http"}],)"
                                        R"("env":[{"name":"MODE","value":"production"}],)"
                                        R"("resources":{"requests":{"cpu":"100m","memory":"128Mi"},)"
                                        R"("limits":{"cpu":"500m","memory":"256Mi"}},)"
                                        R"("readinessProbe":{"httpGet":{"path":"/healthz","port":8080}}}]}})")
                             .arg(name, ns, app, index % 2 ? QStringLiteral("frontend") : QStringLiteral("backend"),
                                  node);
    return json.toUtf8();
}

QByteArray configMapBody(const QString &ns, const QString &name, int index)
{
    return QStringLiteral(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%1","namespace":"%2",)"
                          R"("labels":{"app":"app-%3"}},"data":{"key":"value-%4"}})")
        .arg(name, ns)
        .arg(index % 50)
        .arg(index)
        .toUtf8();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    QString error;
    const auto endpoint = bench::endpointFromArguments(args, &error);
    if (!endpoint) {
        std::fprintf(stderr, "bench_object_loader: %s\n", qPrintable(error));
        return 2;
    }
    const QString kind = bench::argumentValue(args, QStringLiteral("--kind"), QStringLiteral("pods"));
    const QString ns = bench::argumentValue(args, QStringLiteral("--namespace"), QStringLiteral("default"));
    const int count = bench::argumentValue(args, QStringLiteral("--count"), QStringLiteral("10000")).toInt();
    const int connections = bench::argumentValue(args, QStringLiteral("--connections"), QStringLiteral("16")).toInt();
    const QString prefix = bench::argumentValue(args, QStringLiteral("--prefix"), kind.left(kind.size() - 1) + "-");
    const bool unbound = args.contains(QStringLiteral("--unbound"));
    if (kind != QLatin1String("pods") && kind != QLatin1String("configmaps")) {
        std::fprintf(stderr, "bench_object_loader: --kind is pods or configmaps\n");
        return 2;
    }
    const QByteArray path = QStringLiteral("/api/v1/namespaces/%1/%2").arg(ns, kind).toUtf8();

    int next = 0;
    int created = 0;
    int failedCount = 0;
    int finishedConnections = 0;
    QString firstError;
    bench::Clock::time_point start;
    std::vector<std::unique_ptr<bench::ClientConnection>> pool;

    auto finish = [&] {
        const double seconds = bench::millisecondsBetween(start, bench::Clock::now()) / 1000.0;
        QJsonObject out{{"created", created},
                        {"failed", failedCount},
                        {"seconds", seconds},
                        {"per_second", seconds > 0 ? created / seconds : 0.0},
                        {"first_error", firstError}};
        std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
        app.exit(failedCount ? 1 : 0);
    };
    std::function<void(bench::ClientConnection *)> sendNext = [&](bench::ClientConnection *c) {
        if (next >= count) {
            if (++finishedConnections == connections)
                finish();
            return;
        }
        const int index = next++;
        const QString name = prefix + QStringLiteral("%1").arg(index, 5, 10, QLatin1Char('0'));
        const QByteArray body = kind == QLatin1String("pods") ? podBody(ns, name, index, unbound) : configMapBody(ns, name, index);
        c->request("POST", path, body, {{"Content-Type", "application/json"}}, [&, c](const bench::Response &r) {
            if (r.status == 201) {
                ++created;
            } else {
                ++failedCount;
                if (firstError.isEmpty())
                    firstError = QString::number(r.status) + ": " + QString::fromUtf8(r.body.left(300));
            }
            sendNext(c);
        });
    };

    int readyConnections = 0;
    for (int i = 0; i < connections; ++i) {
        pool.push_back(std::make_unique<bench::ClientConnection>(*endpoint));
        bench::ClientConnection *c = pool.back().get();
        QObject::connect(c, &bench::ClientConnection::failed, &app, [&](const QString &message) {
            std::fprintf(stderr, "bench_object_loader: %s\n", qPrintable(message));
            app.exit(1);
        });
        QObject::connect(c, &bench::ClientConnection::ready, &app, [&] {
            // Start the clock once every connection is up, so handshakes are not counted.
            if (++readyConnections < connections)
                return;
            start = bench::Clock::now();
            for (auto &each : pool)
                sendNext(each.get());
        });
        c->open();
    }
    return app.exec();
}
