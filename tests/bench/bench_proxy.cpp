// The service proxy's throughput (issue 5): the same HTTP download from a server in a pod, once
// through the NodePort relay on host loopback (accept, a socket in the cluster's namespace,
// splice() both ways) and once over a direct connection to the pod IP from inside the cluster's
// namespace (no proxy at all), plus the ClusterIP path (nftables DNAT) for reference. Same
// client code, same server, same run, rounds interleaved. The goal: proxied throughput within 2x
// of the direct connection. Also connections per second for a tiny file.
//
//   bench_proxy [--bin-dir DIR] [--size-mb 256] [--rounds 3] [--server busybox|python]
//
// Starts its own clusterdeckd (--nodes 1 --node-kind process) in a temporary data folder and
// uses the real kubectl. Prints one JSON line; exits 0 when the goal is met.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <functional>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

const char *kKubectl = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";

struct Fetched {
    long long bytes = -1;
    double seconds = 0;
};

// One GET over one connection, the body counted and dropped; bytes -1 on failure.
Fetched fetch(const char *host, int port, const char *path)
{
    Fetched result;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(std::uint16_t(port));
    if (::inet_pton(AF_INET, host, &address.sin_addr) != 1)
        return result;
    QElapsedTimer timer;
    timer.start();
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return result;
    }
    const std::string request = std::string("GET ") + path + " HTTP/1.0\r\nHost: bench\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != ssize_t(request.size())) {
        ::close(fd);
        return result;
    }
    static std::vector<char> buffer(1 << 20);
    long long total = 0;
    for (;;) {
        const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (got <= 0)
            break;
        total += got;
    }
    ::close(fd);
    result.bytes = total;
    result.seconds = double(timer.nsecsElapsed()) / 1e9;
    return result;
}

// `--fetch HOST PORT PATH COUNT`: run inside the cluster's namespace by the parent.
int fetchMain(const QStringList &args)
{
    const QByteArray host = args.value(0).toLatin1();
    const int port = args.value(1).toInt();
    const QByteArray path = args.value(2).toLatin1();
    const int count = std::max(1, args.value(3).toInt());
    long long bytes = 0;
    double seconds = 0;
    for (int i = 0; i < count; ++i) {
        const Fetched f = fetch(host.constData(), port, path.constData());
        if (f.bytes < 0) {
            std::printf("error\n");
            return 1;
        }
        bytes += f.bytes;
        seconds += f.seconds;
    }
    std::printf("%lld %.9f\n", bytes, seconds);
    return 0;
}

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run run(const QString &program, const QStringList &arguments, const QByteArray &input = {}, int timeoutMs = 120000)
{
    QProcess process;
    process.start(program, arguments);
    process.write(input);
    process.closeWriteChannel();
    Run result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = "timed out";
        return result;
    }
    result.exitCode = process.exitCode();
    result.out = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    result.err = QString::fromUtf8(process.readAllStandardError()).trimmed();
    return result;
}

// Kills the namespace holders recorded in the network state folder, each only if it still is the
// process recorded (its start time, /proc/PID/stat field 22).
void killHolders(const QString &networkDir)
{
    QStringList records = {networkDir + "/cluster.json"};
    for (const QString &pod : QDir(networkDir + "/pods").entryList({"*.json"}, QDir::Files))
        records << networkDir + "/pods/" + pod;
    for (const QString &path : records) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QJsonObject holder = QJsonDocument::fromJson(file.readAll()).object()["holder"].toObject();
        const qint64 pid = holder["pid"].toInteger();
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (pid <= 0 || !stat.open(QIODevice::ReadOnly))
            continue;
        const QString text = QString::fromLatin1(stat.readAll());
        if (text.mid(text.lastIndexOf(')') + 2).split(' ').value(19).toLongLong() == holder["startTime"].toInteger())
            ::kill(pid_t(pid), SIGKILL);
    }
}

void say(const QString &line)
{
    std::fprintf(stderr, "[bench_proxy] %s\n", qPrintable(line));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList all = app.arguments();
    if (all.size() >= 2 && all[1] == "--fetch")
        return fetchMain(all.mid(2));

    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption binDir("bin-dir", "Where clusterdeckd and clusterdeck-netns are.", "DIR",
                              qEnvironmentVariable("CLUSTERDECK_BIN_DIR", app.applicationDirPath() + "/../bin"));
    QCommandLineOption sizeMb("size-mb", "Size of the downloaded file.", "MB", "256");
    QCommandLineOption rounds("rounds", "Downloads per path, interleaved.", "N", "3");
    QCommandLineOption server("server", "The HTTP server in the pod: busybox (httpd) or python (http.server).", "NAME",
                              "busybox");
    parser.addOptions({binDir, sizeMb, rounds, server});
    parser.process(app);
    const QString bin = QDir(parser.value(binDir)).absolutePath();
    const long long size = parser.value(sizeMb).toLongLong() * 1024 * 1024;
    const int roundCount = std::max(1, parser.value(rounds).toInt());

    QTemporaryDir data(QDir::tempPath() + "/bench-proxy-XXXXXX");
    const QString dataDir = data.path() + "/engine";
    QProcess engine;
    engine.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    engine.start(bin + "/clusterdeckd",
                 {"--data-dir", dataDir, "--listen", "127.0.0.1:0", "--nodes", "1", "--node-kind", "process"});
    const QString kubeconfig = dataDir + "/kubeconfig";
    QElapsedTimer waited;
    waited.start();
    while (!QFileInfo::exists(kubeconfig) && waited.elapsed() < 30000)
        QThread::msleep(50);
    if (!QFileInfo::exists(kubeconfig)) {
        say("clusterdeckd did not start");
        return 2;
    }
    const auto kubectl = [&](const QStringList &arguments, const QByteArray &input = {}) {
        return run(kKubectl, QStringList{"--kubeconfig", kubeconfig} + arguments, input);
    };
    // However it ends: the pod goes, then the engine, then the namespace holders it leaves
    // running on purpose (pods outlive engine restarts; a benchmark's do not).
    struct Cleanup {
        std::function<void()> run;
        ~Cleanup() { run(); }
    } cleanup{[&] {
        kubectl({"scale", "deployment", "files", "--replicas=0"});
        QElapsedTimer gone;
        gone.start();
        while (gone.elapsed() < 20000 && !kubectl({"get", "pods", "--no-headers"}).out.isEmpty())
            QThread::msleep(200);
        engine.terminate();
        engine.waitForFinished(20000);
        killHolders(dataDir + "/network");
    }};

    const QString serve = parser.value(server) == "python" ? QString("exec python3 -m http.server --bind 0.0.0.0 8000")
                                                           : QString("exec busybox httpd -f -p 8000 -h /tmp");
    const QString manifest = QString(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: files}
spec:
  replicas: 1
  selector: {matchLabels: {app: files}}
  template:
    metadata: {labels: {app: files}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: http
        image: host
        command: [sh, -c, 'head -c %1 /dev/zero > /tmp/big && echo $HOSTNAME > /tmp/name && cd /tmp && %2']
---
apiVersion: v1
kind: Service
metadata: {name: files}
spec:
  type: NodePort
  selector: {app: files}
  ports: [{port: 80, targetPort: 8000}]
)")
                                 .arg(size)
                                 .arg(serve);
    const Run applied = kubectl({"apply", "-f", "-"}, manifest.toUtf8());
    if (applied.exitCode != 0) {
        say("kubectl apply failed: " + applied.err);
        return 2;
    }
    const auto jsonpath = [&](const QString &object, const QString &path) {
        return kubectl({"get", object, "-o", "jsonpath={" + path + "}"}).out;
    };
    int nodePort = 0;
    QString podIp;
    QString clusterIp;
    waited.restart();
    while (waited.elapsed() < 60000) {
        nodePort = jsonpath("svc/files", ".spec.ports[0].nodePort").toInt();
        clusterIp = jsonpath("svc/files", ".spec.clusterIP");
        podIp = jsonpath("endpoints/files", ".subsets[0].addresses[0].ip");
        if (nodePort && !podIp.isEmpty() && fetch("127.0.0.1", nodePort, "/name").bytes > 0)
            break;
        QThread::msleep(200);
    }
    if (podIp.isEmpty() || fetch("127.0.0.1", nodePort, "/name").bytes <= 0) {
        say("the pod's server did not answer through the NodePort");
        return 2;
    }
    QFile clusterRecord(dataDir + "/network/cluster.json");
    clusterRecord.open(QIODevice::ReadOnly);
    const QJsonObject holder = QJsonDocument::fromJson(clusterRecord.readAll()).object()["holder"].toObject();
    const QStringList enter = {"enter",
                               QString::number(holder["pid"].toInteger()),
                               QString::number(holder["startTime"].toInteger()),
                               "user,net",
                               "--",
                               app.applicationFilePath(),
                               "--fetch"};
    const auto inNamespace = [&](const QString &host, int port, const QString &path, int count) {
        const Run fetched = run(bin + "/clusterdeck-netns",
                                enter + QStringList{host, QString::number(port), path, QString::number(count)});
        const QStringList words = fetched.out.split(' ');
        return words.size() == 2 ? Fetched{words[0].toLongLong(), words[1].toDouble()} : Fetched{};
    };
    say(QString("pod %1, ClusterIP %2, NodePort %3, %4 MB, %5 rounds")
            .arg(podIp, clusterIp)
            .arg(nodePort)
            .arg(size >> 20)
            .arg(roundCount));

    // Throughput: the rounds interleave the three paths, so a noisy moment hits all of them.
    std::vector<double> proxied, direct, dnat;
    for (int round = 0; round < roundCount + 1; ++round) {
        const Fetched p = fetch("127.0.0.1", nodePort, "/big");
        const Fetched d = inNamespace(podIp, 8000, "/big", 1);
        const Fetched c = inNamespace(clusterIp, 80, "/big", 1);
        if (p.bytes < size || d.bytes < size || c.bytes < size) {
            say(QString("a download fell short: %1 %2 %3").arg(p.bytes).arg(d.bytes).arg(c.bytes));
            return 2;
        }
        if (round == 0)
            continue; // warm-up: page cache, socket buffers, the relay's pipes
        proxied.push_back(double(p.bytes) / p.seconds / 1e6);
        direct.push_back(double(d.bytes) / d.seconds / 1e6);
        dnat.push_back(double(c.bytes) / c.seconds / 1e6);
        say(QString("round %1: proxied %2 MB/s, direct %3 MB/s, ClusterIP %4 MB/s")
                .arg(round)
                .arg(proxied.back(), 0, 'f', 0)
                .arg(direct.back(), 0, 'f', 0)
                .arg(dnat.back(), 0, 'f', 0));
    }
    const auto median = [](std::vector<double> values) {
        std::sort(values.begin(), values.end());
        return values[values.size() / 2];
    };

    // Connections per second: a tiny file, one connection per request.
    const int requests = 300;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < requests; ++i) {
        if (fetch("127.0.0.1", nodePort, "/name").bytes <= 0) {
            say("a small request through the NodePort failed");
            return 2;
        }
    }
    const double proxiedRate = requests / (double(timer.nsecsElapsed()) / 1e9);
    const Fetched small = inNamespace(podIp, 8000, "/name", requests);
    const double directRate = small.bytes > 0 ? requests / small.seconds : 0;

    const double ratio = median(direct) / median(proxied);
    QJsonObject figures{{"server", parser.value(server)},
                        {"sizeMB", double(size >> 20)},
                        {"proxiedMBps", median(proxied)},
                        {"directMBps", median(direct)},
                        {"clusterIpMBps", median(dnat)},
                        {"directOverProxied", ratio},
                        {"proxiedRequestsPerSecond", proxiedRate},
                        {"directRequestsPerSecond", directRate},
                        {"goalMet", ratio <= 2.0}};
    std::printf("%s\n", QJsonDocument(figures).toJson(QJsonDocument::Compact).constData());
    return ratio <= 2.0 ? 0 : 1;
}
