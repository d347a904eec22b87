// How fast a write reaches many watchers. Opens W watch streams (HTTPS, chunked) on the
// ConfigMaps of one namespace, then a writer on its own thread and connection makes N updates,
// one at a time, a few milliseconds apart. Each write's send and acknowledgement times and each
// watcher's receipt of the matching event (matched by resourceVersion) are stamped with one
// steady clock; receipts are stamped when the socket's bytes are read, before parsing.
//   bench_watch_fanout --server URL --token-file PATH [--watchers 100] [--writes 200]
//                      [--warmup 10] [--interval-ms 5] [--namespace bench-watch]
// Prints one JSON object with percentiles of receipt-ack and receipt-sent over every
// (watcher, write) pair, of the write's own latency (sent to acknowledged), of the last
// watcher's receipt after the acknowledgement, and of the first-to-last watcher spread.
#include "benchclient.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace {

// The first resourceVersion in an event line is the object's: metadata comes before any field
// that could hold the word, and ConfigMap data here never does.
long long resourceVersionIn(const char *data, size_t size)
{
    static const std::string needle = R"("resourceVersion":")";
    const std::string_view text(data, size);
    const size_t at = text.find(needle);
    if (at == std::string_view::npos)
        return -1;
    return std::atoll(std::string(text.substr(at + needle.size(), 20)).c_str());
}

long long resourceVersionIn(const QByteArray &body) { return resourceVersionIn(body.constData(), size_t(body.size())); }

struct WriteRecord {
    long long revision = -1;
    bench::Clock::time_point sent;
    bench::Clock::time_point acknowledged;
};

// Makes the updates on its own thread, so that stamping acknowledgements never waits behind
// the watchers' reads.
class Writer : public QObject {
public:
    // `finished` runs on the main thread once every write is acknowledged (or one failed).
    Writer(bench::Endpoint endpoint, QByteArray path, int writes, int intervalMs, std::function<void()> finished)
        : m_endpoint(std::move(endpoint)), m_path(std::move(path)), m_writes(writes), m_intervalMs(intervalMs),
          m_finished(std::move(finished))
    {
    }
    std::vector<WriteRecord> records;
    QString error;

    void start()
    {
        m_connection = std::make_unique<bench::ClientConnection>(m_endpoint);
        connect(m_connection.get(), &bench::ClientConnection::failed, this, [this](const QString &message) {
            error = message;
            finished();
        });
        connect(m_connection.get(), &bench::ClientConnection::ready, this, [this] { writeNext(); });
        m_connection->open();
    }

private:
    void finished() { QMetaObject::invokeMethod(qApp, m_finished, Qt::QueuedConnection); }

    void writeNext()
    {
        if (int(records.size()) == m_writes) {
            finished();
            return;
        }
        const QByteArray patch = R"({"data":{"counter":")" + QByteArray::number(qsizetype(records.size())) + R"("}})";
        m_connection->request("PATCH", m_path, patch, {{"Content-Type", "application/merge-patch+json"}},
                              [this](const bench::Response &r) {
                                  if (r.status != 200) {
                                      error = QStringLiteral("update answered %1: %2")
                                                  .arg(r.status)
                                                  .arg(QString::fromUtf8(r.body.left(300)));
                                      finished();
                                      return;
                                  }
                                  records.push_back({resourceVersionIn(r.body), r.sent, r.completed});
                                  QTimer::singleShot(m_intervalMs, this, [this] { writeNext(); });
                              });
    }

    bench::Endpoint m_endpoint;
    QByteArray m_path;
    int m_writes;
    int m_intervalMs;
    std::function<void()> m_finished;
    std::unique_ptr<bench::ClientConnection> m_connection;
};

struct Watcher {
    std::unique_ptr<bench::ClientConnection> connection;
    std::string pending;  // an event line not yet complete
    std::unordered_map<long long, bench::Clock::time_point> receipts;
};

QJsonObject summary(const std::vector<double> &values)
{
    return QJsonObject{{"p50_ms", bench::percentile(values, 50)},
                       {"p90_ms", bench::percentile(values, 90)},
                       {"p99_ms", bench::percentile(values, 99)},
                       {"max_ms", bench::percentile(values, 100)},
                       {"samples", qint64(values.size())}};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    QString error;
    const auto endpoint = bench::endpointFromArguments(args, &error);
    if (!endpoint) {
        std::fprintf(stderr, "bench_watch_fanout: %s\n", qPrintable(error));
        return 2;
    }
    const int watcherCount = bench::argumentValue(args, QStringLiteral("--watchers"), QStringLiteral("100")).toInt();
    const int writes = bench::argumentValue(args, QStringLiteral("--writes"), QStringLiteral("200")).toInt();
    const int warmup = bench::argumentValue(args, QStringLiteral("--warmup"), QStringLiteral("10")).toInt();
    const int intervalMs = bench::argumentValue(args, QStringLiteral("--interval-ms"), QStringLiteral("5")).toInt();
    const QString ns = bench::argumentValue(args, QStringLiteral("--namespace"), QStringLiteral("bench-watch"));
    const QByteArray collection = "/api/v1/namespaces/" + ns.toUtf8() + "/configmaps";
    // A name of its own, so that runs against one server do not collide.
    const QByteArray name = "fanout-" + QByteArray::number(QCoreApplication::applicationPid());
    auto fail = [&](const QString &message) {
        std::fprintf(stderr, "bench_watch_fanout: %s\n", qPrintable(message));
        app.exit(1);
    };

    std::vector<Watcher> watchers(static_cast<size_t>(watcherCount));
    long long startRevision = 0;
    int watchersReady = 0;
    QThread writerThread;
    Writer *writer = nullptr;

    auto report = [&] {
        std::vector<double> afterAck, afterSent, writeLatency, lastReceiptAfterAck, spread;
        long long missing = 0;
        for (size_t i = size_t(warmup); i < writer->records.size(); ++i) {
            const WriteRecord &w = writer->records[i];
            writeLatency.push_back(bench::millisecondsBetween(w.sent, w.acknowledged));
            double first = 1e9, last = -1e9;
            for (const Watcher &watcher : watchers) {
                auto it = watcher.receipts.find(w.revision);
                if (it == watcher.receipts.end()) {
                    ++missing;
                    continue;
                }
                const double ack = bench::millisecondsBetween(w.acknowledged, it->second);
                afterAck.push_back(ack);
                afterSent.push_back(bench::millisecondsBetween(w.sent, it->second));
                first = std::min(first, ack);
                last = std::max(last, ack);
            }
            if (last >= first) {
                lastReceiptAfterAck.push_back(last);
                spread.push_back(last - first);
            }
        }
        const QJsonObject out{{"watchers", watcherCount},
                              {"writes", writes},
                              {"interval_ms", intervalMs},
                              {"missing_events", missing},
                              {"receipt_after_ack", summary(afterAck)},
                              {"receipt_after_sent", summary(afterSent)},
                              {"write_latency", summary(writeLatency)},
                              {"last_watcher_after_ack", summary(lastReceiptAfterAck)},
                              {"first_to_last_watcher", summary(spread)}};
        std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
        writerThread.quit();
        writerThread.wait();
        app.exit(missing ? 1 : 0);
    };
    auto allReceived = [&] {
        for (const WriteRecord &w : writer->records)
            for (const Watcher &watcher : watchers)
                if (!watcher.receipts.count(w.revision))
                    return false;
        return true;
    };
    auto onWritesDone = [&] {
        if (!writer->error.isEmpty()) {
            fail(writer->error);
            return;
        }
        // Events reach watchers before the write is acknowledged (the server tells watchers
        // first); allow stragglers a moment all the same.
        auto *poll = new QTimer(&app);
        const auto deadline = bench::Clock::now() + std::chrono::seconds(10);
        QObject::connect(poll, &QTimer::timeout, &app, [&, poll, deadline] {
            if (allReceived() || bench::Clock::now() > deadline) {
                poll->stop();
                report();
            }
        });
        poll->start(10);
    };
    writer = new Writer(*endpoint, collection + "/" + name, warmup + writes, intervalMs, onWritesDone);
    writer->moveToThread(&writerThread);
    QObject::connect(&writerThread, &QThread::finished, writer, &QObject::deleteLater);

    auto openWatchers = [&] {
        const QByteArray path = collection + "?watch=true&resourceVersion=" + QByteArray::number(startRevision);
        for (Watcher &watcher : watchers) {
            watcher.connection = std::make_unique<bench::ClientConnection>(*endpoint);
            bench::ClientConnection *c = watcher.connection.get();
            QObject::connect(c, &bench::ClientConnection::failed, &app, fail);
            QObject::connect(c, &bench::ClientConnection::ready, &app, [&, c, path] {
                c->stream(
                    path,
                    [&](int status) {
                        if (status != 200) {
                            fail(QStringLiteral("watch answered %1").arg(status));
                            return;
                        }
                        // The server registers the watch before it sends the headers.
                        if (++watchersReady == watcherCount) {
                            writerThread.start();
                            QMetaObject::invokeMethod(writer, &Writer::start, Qt::QueuedConnection);
                        }
                    },
                    [&watcher](const char *data, size_t size, bench::Clock::time_point readAt) {
                        watcher.pending.append(data, size);
                        size_t start = 0;
                        for (size_t newline; (newline = watcher.pending.find('\n', start)) != std::string::npos;
                             start = newline + 1) {
                            const long long revision =
                                resourceVersionIn(watcher.pending.data() + start, newline - start);
                            if (revision >= 0)
                                watcher.receipts.emplace(revision, readAt);
                        }
                        watcher.pending.erase(0, start);
                    });
            });
            c->open();
        }
    };

    // Set-up on one connection: the namespace (it may exist) and the ConfigMap to update.
    bench::ClientConnection setup(*endpoint);
    QObject::connect(&setup, &bench::ClientConnection::failed, &app, fail);
    QObject::connect(&setup, &bench::ClientConnection::ready, &app, [&] {
        const QByteArray nsBody = R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + ns.toUtf8() + R"("}})";
        setup.request("POST", "/api/v1/namespaces", nsBody, {{"Content-Type", "application/json"}},
                      [&](const bench::Response &r) {
            if (r.status != 201 && r.status != 409) {
                fail(QStringLiteral("creating the namespace answered %1").arg(r.status));
                return;
            }
            const QByteArray cm = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
                                  R"("},"data":{"counter":"start"}})";
            setup.request("POST", collection, cm, {{"Content-Type", "application/json"}}, [&](const bench::Response &r) {
                if (r.status != 201) {
                    fail(QStringLiteral("creating the ConfigMap answered %1: %2")
                             .arg(r.status)
                             .arg(QString::fromUtf8(r.body.left(300))));
                    return;
                }
                startRevision = resourceVersionIn(r.body);
                openWatchers();
            });
        });
    });
    setup.open();
    return app.exec();
}
