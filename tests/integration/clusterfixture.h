#pragma once
// What the kubectl and client integration tests share: one real clusterdeckd with the real kubectl
// pointed at it, checks that print everything kubectl said when they fail, and a raw HTTPS client
// for the requests kubectl cannot make (hostile bodies, missing or wrong tokens).
// Header-only: every tst_*.cpp in this folder is its own executable.

#include "engineprocess.h"

#include "engine/core/json.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrl>
#include <QtTest>

#include <csignal>
#include <memory>
#include <optional>

namespace cd::test {

// One kubectl invocation and everything it printed.
struct KubectlRun : CommandResult {
    QStringList arguments;

    // For failure messages: the command, exit code and both streams.
    QString report() const
    {
        return QStringLiteral("\n$ kubectl %1\nexit code %2\n--- stdout ---\n%3\n--- stderr ---\n%4")
            .arg(arguments.join(' '))
            .arg(exitCode)
            .arg(out, err);
    }
    bool ok() const { return exitCode == 0; }
    // stdout split into lines, without the trailing empty line.
    QStringList lines() const
    {
        QStringList l = out.split('\n');
        while (!l.isEmpty() && l.last().isEmpty())
            l.removeLast();
        return l;
    }
    Json json() const
    {
        Json parsed = Json::parse(out.toStdString(), nullptr, false);
        return parsed.is_discarded() ? Json() : parsed;
    }
};

// Columns of a table line, split on runs of two or more spaces (kubectl's tabwriter pads with
// at least three; single spaces occur inside cells such as "2 (5m ago)").
inline QStringList columns(const QString &line)
{
    return line.trimmed().split(QRegularExpression("\\s{2,}"), Qt::SkipEmptyParts);
}

// Whitespace-normalised text, so a header can be compared whatever the column widths are.
inline QString squeezed(const QString &text) { return text.simplified(); }

struct HttpReply {
    int status = 0;
    QByteArray body;
    QList<QByteArray> warnings;
    QString error;  // transport error, if any
    Json json() const
    {
        Json parsed = Json::parse(body.toStdString(), nullptr, false);
        return parsed.is_discarded() ? Json() : parsed;
    }
    QString report() const
    {
        return QStringLiteral("HTTP %1 %2\n%3").arg(status).arg(error, QString::fromUtf8(body.left(4000)));
    }
};

// Polls until `condition` holds or the timeout passes (controllers act asynchronously).
template <typename Condition>
bool eventually(Condition condition, int timeoutMs = 15000, int stepMs = 100)
{
    QElapsedTimer timer;
    timer.start();
    while (true) {
        if (condition())
            return true;
        if (timer.elapsed() > timeoutMs)
            return false;
        QTest::qWait(stepMs);
    }
}

class ClusterFixture {
public:
    // Starts clusterdeckd (with extra arguments such as --nodes 3); false (with the daemon's log
    // in why) when it does not come up.
    bool start(QString *why, const QStringList &extraArguments = {})
    {
        if (!m_engine.start(extraArguments)) {
            *why = "clusterdeckd did not start: " + m_engine.log();
            return false;
        }
        m_kubectl = std::make_unique<Kubectl>(m_engine.kubeconfig());
        return true;
    }

    // Waits until exactly `count` nodes exist and none is NotReady.
    bool waitForReadyNodes(int count)
    {
        return eventually([&] {
            const KubectlRun run = kubectl({"get", "nodes", "--no-headers"});
            return run.ok() && run.lines().size() == count && !run.out.contains("NotReady");
        });
    }

    // Stops with SIGTERM; returns the daemon's exit code (0 for a clean stop).
    int stop() { return m_engine.stop(); }

    // Ends the cluster network's namespace holders, which the engine leaves running on purpose
    // (pods outlive its restarts): a test's own cluster goes with the test. A holder is killed
    // only if it still is the process recorded (its start time, /proc/PID/stat field 22).
    void removeNetwork()
    {
        const QString networkDir = m_engine.dataDir() + "/network";
        QStringList records = {networkDir + "/cluster.json"};
        for (const QString &pod : QDir(networkDir + "/pods").entryList({"*.json"}, QDir::Files))
            records << networkDir + "/pods/" + pod;
        for (const QString &path : records) {
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                continue;
            const Json record = Json::parse(file.readAll().toStdString(), nullptr, false);
            const long long pid = cd::integer(record, {"holder", "pid"});
            const long long startTime = cd::integer(record, {"holder", "startTime"});
            QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
            if (pid <= 0 || !stat.open(QIODevice::ReadOnly))
                continue;
            const QString text = QString::fromLatin1(stat.readAll());
            const QStringList fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
            if (fields.value(19).toLongLong() == startTime)
                ::kill(pid_t(pid), SIGKILL);
        }
    }

    // Imports a busybox root filesystem (the busybox-static binary and its applet links) into the
    // engine's image store as `reference`; false with the reason when it cannot.
    bool importBusyboxImage(const QString &reference, QString *why)
    {
        const QString busybox = QStandardPaths::findExecutable(QStringLiteral("busybox"));
        QTemporaryDir rootfs;
        if (busybox.isEmpty() || !rootfs.isValid() || !QDir().mkpath(rootfs.path() + "/bin") ||
            !QFile::copy(busybox, rootfs.path() + "/bin/busybox")) {
            *why = "no busybox to import (busybox-static)";
            return false;
        }
        for (const char *applet : {"sh", "ls", "cat", "echo", "hostname", "httpd", "wget", "sleep", "mkdir", "rm"})
            QFile::link("busybox", rootfs.path() + "/bin/" + applet);
        QProcess import;
        import.start(qEnvironmentVariable("CLUSTERDECK_BIN_DIR") + "/clusterdeckd",
                     {"--data-dir", m_engine.dataDir(), "image", "import", reference, rootfs.path()});
        if (!import.waitForFinished(60000) || import.exitCode() != 0) {
            *why = "image import failed: " + QString::fromUtf8(import.readAllStandardError());
            return false;
        }
        return true;
    }

    EngineProcess &engine() { return m_engine; }
    QString kubeconfig() const { return m_engine.kubeconfig(); }

    KubectlRun kubectl(const QStringList &arguments, const QByteArray &input = {},
                       const QStringList &environment = {}, int timeoutMs = 60000) const
    {
        KubectlRun run;
        run.arguments = arguments;
        if (!m_kubectl) {  // the cluster never started (a cleanup after a failed start)
            run.exitCode = -1;
            run.err = QStringLiteral("no cluster to run kubectl against");
            return run;
        }
        static_cast<CommandResult &>(run) = m_kubectl->run(arguments, input, environment, timeoutMs);
        return run;
    }

    std::unique_ptr<QProcess> startKubectl(const QStringList &arguments) const { return m_kubectl->start(arguments); }
    // kubectl and its base arguments, for running it some other way (on a pseudo-terminal).
    QStringList kubectlCommand() const { return QStringList{Kubectl::binary()} + m_kubectl->baseArguments(); }

    // One HTTPS request with the cluster's CA; the bearer token is the kubeconfig's unless
    // `token` is given (an empty string sends no Authorization header).
    HttpReply request(const QByteArray &verb, const QString &pathAndQuery, const QByteArray &body = {},
                      const QByteArray &contentType = "application/json",
                      std::optional<QByteArray> token = std::nullopt, int timeoutMs = 30000)
    {
        QUrl url(m_engine.serverUrl() + pathAndQuery);
        QNetworkRequest request(url);
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates(QSslCertificate::fromData(m_engine.caCertificate(), QSsl::Pem));
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        request.setSslConfiguration(tls);
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        const QByteArray bearer = token.value_or(m_engine.token());
        if (!bearer.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + bearer);
        if (!contentType.isEmpty())
            request.setRawHeader("Content-Type", contentType);
        request.setRawHeader("Accept", "application/json");
        QNetworkReply *reply = m_network.sendCustomRequest(request, verb, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        HttpReply out;
        if (!reply->isFinished()) {
            reply->abort();
            out.error = "timed out";
        }
        out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        out.body = reply->readAll();
        if (reply->error() != QNetworkReply::NoError && out.status == 0)
            out.error = reply->errorString();
        for (const auto &header : reply->rawHeaderPairs())
            if (header.first.compare("Warning", Qt::CaseInsensitive) == 0)
                out.warnings.push_back(header.second);
        reply->deleteLater();
        return out;
    }

    Json getJson(const QString &path)
    {
        const HttpReply reply = request("GET", path);
        return reply.status == 200 ? reply.json() : Json();
    }

    QString scratchPath(const QString &name) const { return m_scratch.filePath(name); }

private:
    EngineProcess m_engine;
    std::unique_ptr<Kubectl> m_kubectl;
    QNetworkAccessManager m_network;
    QTemporaryDir m_scratch;
};

} // namespace cd::test

// The kubectl run succeeded; on failure the message shows the command and all it printed.
#define CD_KUBECTL_OK(run)                                                                                   \
    do {                                                                                                     \
        const auto &cdRun_ = (run);                                                                          \
        QVERIFY2(cdRun_.ok(), qPrintable(cdRun_.report()));                                                  \
    } while (false)

// The run failed with exactly this line on stderr (whole-line match).
#define CD_KUBECTL_FAILS_WITH(run, line)                                                                     \
    do {                                                                                                     \
        const auto &cdRun_ = (run);                                                                          \
        QVERIFY2(!cdRun_.ok(), qPrintable("expected a failure:" + cdRun_.report()));                         \
        QVERIFY2(cdRun_.err.split('\n').contains(QString(line)),                                             \
                 qPrintable("expected the line \"" + QString(line) + "\"" + cdRun_.report()));               \
    } while (false)

// Starts the cluster in initTestCase, or skips (fails with CI=true) when kubectl is missing.
#define CD_START_CLUSTER(fixture, ...)                                                                       \
    do {                                                                                                     \
        CD_REQUIRE_KUBECTL();                                                                                \
        QString cdWhy_;                                                                                      \
        QVERIFY2((fixture).start(&cdWhy_, ##__VA_ARGS__), qPrintable(cdWhy_));                               \
    } while (false)

// The same with N simulated nodes, waiting until all of them are Ready.
#define CD_START_CLUSTER_WITH_NODES(fixture, count)                                                          \
    do {                                                                                                     \
        CD_START_CLUSTER(fixture,                                                                            \
                         QStringList{"--nodes", QString::number(count), "--node-kind", "simulated"});        \
        QVERIFY((fixture).waitForReadyNodes(count));                                                         \
    } while (false)
