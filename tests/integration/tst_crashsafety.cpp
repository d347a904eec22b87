// Crash safety of the real clusterdeckd: a client creates ConfigMaps as fast as it can over
// several HTTPS connections, the daemon is killed with SIGKILL while creates are in flight, and
// after a restart on the same data folder every create that was acknowledged (201) must be there
// with the resourceVersion it was acknowledged with. Also: one daemon per data folder, a clean
// SIGTERM, a private kubeconfig that appears only once the API serves, --help and --version.
#include "engine/core/json.h"
#include "engine/core/yaml.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <map>
#include <set>
#include <sys/stat.h>

using cd::Json;

namespace {

QString daemonPath()
{
    const QString bin = qEnvironmentVariable("CLUSTERDECK_BIN_DIR");
    if (!bin.isEmpty())
        return bin + "/clusterdeckd";
    // Run by hand from the build tree: tests/ and bin/ are siblings.
    return QCoreApplication::applicationDirPath() + "/../bin/clusterdeckd";
}

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        qFatal("no free port");
    return probe.serverPort();
}

struct Kubeconfig {
    QUrl server;
    QByteArray caPem;
    QByteArray token;
    bool valid() const { return server.isValid() && !caPem.isEmpty() && !token.isEmpty(); }
};

// The kubeconfig clusterdeckd writes: server URL, CA data and bearer token.
Kubeconfig readKubeconfig(const QString &path)
{
    Kubeconfig kc;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return kc;
    auto yaml = cd::parseYaml(file.readAll().toStdString());
    if (!yaml.ok() || !yaml->is_object())
        return kc;
    const Json &config = *yaml;
    if (!config.contains("clusters") || !config["clusters"].is_array() || config["clusters"].empty())
        return kc;
    kc.server = QUrl(QString::fromStdString(cd::str(config["clusters"][0], {"cluster", "server"})));
    kc.caPem = QByteArray::fromBase64(
        QByteArray::fromStdString(cd::str(config["clusters"][0], {"cluster", "certificate-authority-data"})));
    if (config.contains("users") && config["users"].is_array() && !config["users"].empty())
        kc.token = QByteArray::fromStdString(cd::str(config["users"][0], {"user", "token"}));
    return kc;
}

QSslConfiguration tlsFor(const Kubeconfig &kc)
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromData(kc.caPem, QSsl::Pem));
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    return tls;
}

// One blocking HTTP/1.1 exchange on a fresh TLS connection: the status line's code, or 0.
int rawStatus(const Kubeconfig &kc, const QByteArray &path, int timeoutMs = 3000)
{
    QSslSocket socket;
    socket.setSslConfiguration(tlsFor(kc));
    socket.connectToHostEncrypted(kc.server.host(), quint16(kc.server.port()));
    if (!socket.waitForEncrypted(timeoutMs))
        return 0;
    socket.write("GET " + path + " HTTP/1.1\r\nHost: " + kc.server.authority().toUtf8() + "\r\nAuthorization: Bearer " +
                 kc.token + "\r\nConnection: close\r\n\r\n");
    QByteArray response;
    QElapsedTimer timer;
    timer.start();
    while (!response.contains("\r\n") && timer.elapsed() < timeoutMs) {
        if (socket.bytesAvailable() || socket.waitForReadyRead(100))
            response += socket.readAll();
        if (socket.state() != QAbstractSocket::ConnectedState && !socket.bytesAvailable())
            break;
    }
    const QList<QByteArray> status = response.left(response.indexOf("\r\n")).split(' ');
    return status.size() >= 2 && status[0].startsWith("HTTP/1.") ? status[1].toInt() : 0;
}

class Daemon {
public:
    Daemon(QString dataDir, quint16 port) : m_dataDir(std::move(dataDir)), m_port(port)
    {
        m_process.setProgram(daemonPath());
    }
    ~Daemon()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(10000);
        }
    }

    QString kubeconfigPath() const { return m_dataDir + "/kubeconfig"; }
    QProcess &process() { return m_process; }

    void start()
    {
        m_process.setArguments({"--data-dir", m_dataDir, "--listen", "127.0.0.1:" + QString::number(m_port)});
        m_process.start();
    }

    // The kubeconfig names this daemon's port and the API answers /readyz.
    bool waitUntilServing(int timeoutMs = 30000)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            if (m_process.state() == QProcess::NotRunning)
                return false;
            const Kubeconfig kc = readKubeconfig(kubeconfigPath());
            if (kc.valid() && kc.server.port() == m_port && rawStatus(kc, "/readyz", 1000) == 200) {
                m_kubeconfig = kc;
                return true;
            }
            QTest::qWait(20);
        }
        return false;
    }

    const Kubeconfig &kubeconfig() const { return m_kubeconfig; }

    void killHard()
    {
        m_process.kill(); // SIGKILL
        m_process.waitForFinished(10000);
    }

    QString stderrText() { return QString::fromUtf8(m_process.readAllStandardError()); }

private:
    QString m_dataDir;
    quint16 m_port;
    QProcess m_process;
    Kubeconfig m_kubeconfig;
};

struct Created {
    long long resourceVersion = 0;
    std::string index;
};

// An HTTPS client over QNetworkAccessManager, which spreads requests over several HTTP/1.1
// connections to the same host.
class Client {
public:
    explicit Client(const Kubeconfig &kc) : m_kc(kc) {}

    QNetworkRequest request(const QString &path) const
    {
        QUrl url = m_kc.server;
        url.setPath(path);
        QNetworkRequest r(url);
        r.setSslConfiguration(tlsFor(m_kc));
        r.setRawHeader("Authorization", "Bearer " + m_kc.token);
        r.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        r.setRawHeader("Accept", "application/json");
        r.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        return r;
    }

    QNetworkReply *createConfigMap(const std::string &name, const std::string &index)
    {
        const Json body = {
            {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", {{"index", index}}}};
        return m_nam.post(request("/api/v1/namespaces/default/configmaps"), QByteArray::fromStdString(body.dump()));
    }

    // A blocking request: status code and parsed body (null when not JSON).
    std::pair<int, Json> send(const QByteArray &verb, const QString &path, const Json &body = nullptr,
                              int timeoutMs = 20000)
    {
        QNetworkReply *reply = m_nam.sendCustomRequest(
            request(path), verb, body.is_null() ? QByteArray() : QByteArray::fromStdString(body.dump()));
        if (!QTest::qWaitFor([&] { return reply->isFinished(); }, timeoutMs))
            reply->abort();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        Json json = Json::parse(reply->readAll().toStdString(), nullptr, false);
        reply->deleteLater();
        return {status, json.is_discarded() ? Json() : json};
    }

    static long long resourceVersion(const Json &object)
    {
        return std::atoll(cd::str(object, {"metadata", "resourceVersion"}).c_str());
    }

    // Every ConfigMap in default: name -> (resourceVersion, data.index), and the list's resourceVersion.
    bool listConfigMaps(std::map<std::string, Created> &out, long long &listVersion)
    {
        auto [status, list] = send("GET", "/api/v1/namespaces/default/configmaps");
        if (status != 200 || !list.contains("items"))
            return false;
        for (const Json &item : list["items"])
            out[cd::str(item, {"metadata", "name"})] = {resourceVersion(item), cd::str(item, {"data", "index"})};
        listVersion = std::atoll(cd::str(list, {"metadata", "resourceVersion"}).c_str());
        return true;
    }

private:
    Kubeconfig m_kc;
    QNetworkAccessManager m_nam;
};

// Keeps `concurrency` creates in flight until stopped, recording what the server acknowledged.
class CreateLoad {
public:
    CreateLoad(Client &client, std::string prefix, int concurrency)
        : m_client(client), m_prefix(std::move(prefix)), m_concurrency(concurrency)
    {
    }

    void start() { pump(); }
    void stop() { m_stopped = true; }
    int inFlight() const { return m_inFlight; }
    int issued() const { return m_next; }
    const std::map<std::string, Created> &acknowledged() const { return m_acked; }
    const std::vector<std::string> &problems() const { return m_problems; }

private:
    void pump()
    {
        while (!m_stopped && m_inFlight < m_concurrency) {
            const std::string index = std::to_string(m_next++);
            const std::string name = m_prefix + index;
            QNetworkReply *reply = m_client.createConfigMap(name, index);
            ++m_inFlight;
            QObject::connect(reply, &QNetworkReply::finished, reply, [this, reply, name, index] {
                --m_inFlight;
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                const QByteArray body = reply->readAll();
                if (status == 201) {
                    const Json object = Json::parse(body.toStdString(), nullptr, false);
                    const long long rv = object.is_discarded() ? 0 : Client::resourceVersion(object);
                    if (rv <= 0 || cd::str(object, {"metadata", "name"}) != name)
                        m_problems.push_back(name + ": 201 without a sane object: " + body.toStdString());
                    m_acked[name] = {rv, index};
                } else if (status != 0) {
                    // The daemon answered, but not with Created: that is a bug, not a crash.
                    m_problems.push_back(name + ": HTTP " + std::to_string(status) + ": " + body.toStdString());
                }
                reply->deleteLater();
                pump();
            });
        }
    }

    Client &m_client;
    std::string m_prefix;
    int m_concurrency;
    int m_inFlight = 0;
    int m_next = 0;
    bool m_stopped = false;
    std::map<std::string, Created> m_acked;
    std::vector<std::string> m_problems;
};

std::string joinLines(const std::vector<std::string> &lines, size_t max = 10)
{
    std::string out;
    for (size_t i = 0; i < lines.size() && i < max; ++i)
        out += lines[i] + "\n";
    return out;
}

} // namespace

class TestCrashSafety : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void helpAndVersion();
    void kubeconfigAppearsOnlyWhenServing();
    void secondDaemonIsRefused();
    void sigtermExitsCleanlyAndKeepsData();
    void sigkillLosesNoAcknowledgedCreate();
    void crashedDaemonsKubeconfigDoesNotOutliveIt();

private:
    std::unique_ptr<QTemporaryDir> newDataDir();
};

std::unique_ptr<QTemporaryDir> TestCrashSafety::newDataDir()
{
    auto dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + "/storetests-crash-XXXXXX");
    if (!dir->isValid())
        qFatal("cannot make a temporary folder");
    return dir;
}

void TestCrashSafety::initTestCase()
{
    QVERIFY2(QFileInfo(daemonPath()).isExecutable(), qPrintable("clusterdeckd not found at " + daemonPath()));
}

void TestCrashSafety::helpAndVersion()
{
    QProcess help;
    help.start(daemonPath(), {"--help"});
    QVERIFY(help.waitForFinished(10000));
    QCOMPARE(help.exitStatus(), QProcess::NormalExit);
    QCOMPARE(help.exitCode(), 0);
    const QString helpText = QString::fromUtf8(help.readAllStandardOutput());
    QVERIFY2(helpText.contains("Usage:"), qPrintable(helpText));
    for (const char *option : {"--data-dir", "--listen", "--kubeconfig", "--version", "--help"})
        QVERIFY2(helpText.contains(option), option);

    QProcess version;
    version.start(daemonPath(), {"--version"});
    QVERIFY(version.waitForFinished(10000));
    QCOMPARE(version.exitCode(), 0);
    const QString versionText = QString::fromUtf8(version.readAllStandardOutput()).trimmed();
    QVERIFY2(QRegularExpression("^clusterdeckd \\d+\\.\\d+\\.\\d+").match(versionText).hasMatch(),
             qPrintable(versionText));

    // Without a data folder it refuses with a usage error.
    QProcess bare;
    bare.start(daemonPath(), QStringList());
    QVERIFY(bare.waitForFinished(10000));
    QCOMPARE(bare.exitCode(), 2);
    QVERIFY(QString::fromUtf8(bare.readAllStandardError()).contains("--data-dir is required"));

    QProcess badListen;
    badListen.start(daemonPath(), {"--data-dir", QDir::tempPath() + "/storetests-unused", "--listen", "nonsense"});
    QVERIFY(badListen.waitForFinished(10000));
    QCOMPARE(badListen.exitCode(), 2);
    QVERIFY(QString::fromUtf8(badListen.readAllStandardError()).contains("--listen expects ADDRESS:PORT"));
}

void TestCrashSafety::kubeconfigAppearsOnlyWhenServing()
{
    auto dir = newDataDir();
    Daemon daemon(dir->path(), freePort());
    const QString path = daemon.kubeconfigPath();
    QVERIFY(!QFile::exists(path));
    daemon.start();
    QVERIFY(daemon.process().waitForStarted(10000));
    // Watch for the file closely; the moment it exists, the API must already answer.
    QElapsedTimer timer;
    timer.start();
    while (!QFile::exists(path) && timer.elapsed() < 30000) {
        QVERIFY2(daemon.process().state() != QProcess::NotRunning, qPrintable(daemon.stderrText()));
        QThread::msleep(2);
    }
    QVERIFY2(QFile::exists(path), "no kubeconfig after 30 s");
    const Kubeconfig kc = readKubeconfig(path);
    QVERIFY2(kc.valid(), "the kubeconfig was incomplete when it appeared");
    QCOMPARE(rawStatus(kc, "/readyz"), 200);

    struct stat info {};
    QCOMPARE(::stat(path.toUtf8().constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0600));
    // The other secrets in the data folder are private too.
    for (const char *secret : {"/pki/ca.key", "/pki/token"}) {
        const QString file = dir->path() + secret;
        if (!QFile::exists(file))
            continue;
        QCOMPARE(::stat(file.toUtf8().constData(), &info), 0);
        QVERIFY2((info.st_mode & 0077) == 0, secret);
    }

    // The token matters: no token, no API.
    Kubeconfig anonymous = kc;
    anonymous.token = "wrong";
    QCOMPARE(rawStatus(anonymous, "/api/v1/namespaces"), 401);
    QVERIFY(daemon.waitUntilServing());
    Client client(daemon.kubeconfig());
    auto [status, namespaces] = client.send("GET", "/api/v1/namespaces/default");
    QCOMPARE(status, 200);
    QCOMPARE(cd::str(namespaces, {"metadata", "name"}), std::string("default"));
}

void TestCrashSafety::secondDaemonIsRefused()
{
    auto dir = newDataDir();
    Daemon first(dir->path(), freePort());
    first.start();
    QVERIFY2(first.waitUntilServing(), qPrintable(first.stderrText()));
    const QByteArray kubeconfigBefore = [&] {
        QFile f(first.kubeconfigPath());
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();

    Daemon second(dir->path(), freePort());
    second.start();
    QVERIFY(second.process().waitForFinished(20000));
    QCOMPARE(second.process().exitStatus(), QProcess::NormalExit);
    QVERIFY(second.process().exitCode() != 0);
    const QString message = second.stderrText();
    QVERIFY2(message.contains("is in use by another clusterdeckd"), qPrintable(message));
    QVERIFY2(message.contains("(pid " + QString::number(first.process().processId()) + ")"), qPrintable(message));
    QVERIFY2(message.contains(dir->path()), qPrintable(message));

    // The first one is untouched and still serves.
    QFile f(first.kubeconfigPath());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), kubeconfigBefore);
    QCOMPARE(rawStatus(first.kubeconfig(), "/readyz"), 200);
}

void TestCrashSafety::sigtermExitsCleanlyAndKeepsData()
{
    auto dir = newDataDir();
    const quint16 port = freePort();
    std::map<std::string, Created> created;
    {
        Daemon daemon(dir->path(), port);
        daemon.start();
        QVERIFY2(daemon.waitUntilServing(), qPrintable(daemon.stderrText()));
        Client client(daemon.kubeconfig());
        for (int i = 0; i < 20; ++i) {
            const std::string name = "term-" + std::to_string(i);
            auto [status, object] = client.send("POST", "/api/v1/namespaces/default/configmaps",
                                                {{"apiVersion", "v1"},
                                                 {"kind", "ConfigMap"},
                                                 {"metadata", {{"name", name}}},
                                                 {"data", {{"index", std::to_string(i)}}}});
            QCOMPARE(status, 201);
            created[name] = {Client::resourceVersion(object), std::to_string(i)};
        }
        daemon.process().terminate(); // SIGTERM
        QVERIFY(daemon.process().waitForFinished(20000));
        QCOMPARE(daemon.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(daemon.process().exitCode(), 0);
        QVERIFY(daemon.stderrText().contains("stopped"));
    }
    Daemon again(dir->path(), port);
    again.start();
    QVERIFY2(again.waitUntilServing(), qPrintable(again.stderrText()));
    Client client(again.kubeconfig());
    std::map<std::string, Created> listed;
    long long listVersion = 0;
    QVERIFY(client.listConfigMaps(listed, listVersion));
    for (const auto &[name, c] : created) {
        QVERIFY2(listed.count(name), name.c_str());
        QCOMPARE(listed[name].resourceVersion, c.resourceVersion);
        QCOMPARE(listed[name].index, c.index);
    }
    again.process().terminate();
    QVERIFY(again.process().waitForFinished(20000));
    QCOMPARE(again.process().exitCode(), 0);
}

void TestCrashSafety::sigkillLosesNoAcknowledgedCreate()
{
    auto dir = newDataDir();
    const quint16 port = freePort();
    const int rounds = 6;
    const int concurrency = 24;
    std::map<std::string, Created> acknowledged; // over all rounds
    long long highestSeen = 0;                   // the highest resourceVersion any response showed

    for (int round = 0; round <= rounds; ++round) {
        Daemon daemon(dir->path(), port);
        daemon.start();
        QVERIFY2(daemon.waitUntilServing(), qPrintable(daemon.stderrText()));
        Client client(daemon.kubeconfig());

        // Everything acknowledged before any earlier crash is there, unchanged.
        std::map<std::string, Created> listed;
        long long listVersion = 0;
        QVERIFY(client.listConfigMaps(listed, listVersion));
        std::vector<std::string> lost;
        std::vector<std::string> changed;
        for (const auto &[name, c] : acknowledged) {
            auto it = listed.find(name);
            if (it == listed.end())
                lost.push_back(name + " (resourceVersion " + std::to_string(c.resourceVersion) + ")");
            else if (it->second.resourceVersion != c.resourceVersion || it->second.index != c.index)
                changed.push_back(name + ": acknowledged rv " + std::to_string(c.resourceVersion) + ", now " +
                                  std::to_string(it->second.resourceVersion));
        }
        QVERIFY2(lost.empty(), qPrintable(QString("round %1: %2 acknowledged creates lost, e.g.\n%3")
                                              .arg(round)
                                              .arg(lost.size())
                                              .arg(QString::fromStdString(joinLines(lost)))));
        QVERIFY2(changed.empty(), joinLines(changed).c_str());
        // resourceVersions are unique, and the list's is at least every object's.
        std::set<long long> versions;
        for (const auto &[name, c] : listed) {
            QVERIFY2(c.resourceVersion > 0, name.c_str());
            QVERIFY2(versions.insert(c.resourceVersion).second,
                     qPrintable("duplicate resourceVersion at " + QString::fromStdString(name)));
            QVERIFY(c.resourceVersion <= listVersion);
            highestSeen = std::max(highestSeen, c.resourceVersion);
        }
        QVERIFY2(listVersion >= highestSeen,
                 qPrintable(QString("list resourceVersion %1 is below %2, seen before the crash")
                                .arg(listVersion)
                                .arg(highestSeen)));
        // A new write after the restart never reuses a revision.
        const std::string probe = "probe-" + std::to_string(round);
        auto [status, object] = client.send("POST", "/api/v1/namespaces/default/configmaps",
                                            {{"apiVersion", "v1"},
                                             {"kind", "ConfigMap"},
                                             {"metadata", {{"name", probe}}},
                                             {"data", {{"index", "probe"}}}});
        QCOMPARE(status, 201);
        const long long probeVersion = Client::resourceVersion(object);
        QVERIFY2(probeVersion > highestSeen,
                 qPrintable(QString("new object got resourceVersion %1 after %2").arg(probeVersion).arg(highestSeen)));
        acknowledged[probe] = {probeVersion, "probe"};
        highestSeen = probeVersion;
        if (round == rounds)
            break;

        // Create as fast as possible, then kill at a random moment with creates in flight.
        CreateLoad load(client, "cm-r" + std::to_string(round) + "-", concurrency);
        load.start();
        const int minimum = 20 + int(QRandomGenerator::global()->bounded(400));
        QVERIFY2(QTest::qWaitFor([&] { return int(load.acknowledged().size()) >= minimum; }, 60000),
                 joinLines(load.problems()).c_str());
        QTest::qWait(int(QRandomGenerator::global()->bounded(400)));
        QVERIFY(load.inFlight() > 0);
        load.stop();
        daemon.killHard();
        QCOMPARE(daemon.process().exitStatus(), QProcess::CrashExit);
        // Answers already in the socket still count: wait until every request has finished.
        QVERIFY(QTest::qWaitFor([&] { return load.inFlight() == 0; }, 60000));
        QVERIFY2(load.problems().empty(), joinLines(load.problems()).c_str());
        qInfo("round %d: %d creates issued, %d acknowledged before SIGKILL", round, load.issued(),
              int(load.acknowledged().size()));
        for (const auto &[name, c] : load.acknowledged()) {
            acknowledged[name] = c;
            highestSeen = std::max(highestSeen, c.resourceVersion);
        }
    }
}

void TestCrashSafety::crashedDaemonsKubeconfigDoesNotOutliveIt()
{
    // The kubeconfig's existence means "the API serves". After a crash the old file is still there;
    // a restart that cannot serve (here: its port is taken) must not leave it pointing at nothing.
    auto dir = newDataDir();
    {
        Daemon daemon(dir->path(), freePort());
        daemon.start();
        QVERIFY2(daemon.waitUntilServing(), qPrintable(daemon.stderrText()));
        daemon.killHard();
    }
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    Daemon restarted(dir->path(), squatter.serverPort());
    restarted.start();
    QVERIFY(restarted.process().waitForFinished(20000));
    QVERIFY(restarted.process().exitCode() != 0);
    const QString message = restarted.stderrText();
    QVERIFY2(message.contains("cannot listen on 127.0.0.1:" + QString::number(squatter.serverPort())),
             qPrintable(message));
    QVERIFY2(!QFile::exists(restarted.kubeconfigPath()), "a crashed daemon's kubeconfig still points at a dead server");
}

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crashsafety.moc"
