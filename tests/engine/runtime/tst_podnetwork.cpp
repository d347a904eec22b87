// The pod network with real namespaces: two pods listen on the same port and reach each other by
// pod IP, a Service address on the cluster's lo answers a pod, hostnames, routing tables and
// links are exactly what they should be, removePod frees everything, and a new ClusterNetwork —
// in this process or after the one that made the pods exited — finds the cluster and its pods
// again and drops what died meanwhile. The same scenarios run again as user nobody, and once
// more where user namespaces are refused, to see the fallback without isolation.
#include "engine/runtime/network/clusternetwork.h"
#include "engine/runtime/network/ipv4.h"
#include "machinetools.h"

#include <QtTest>

#include <algorithm>
#include <csignal>
#include <unistd.h>

using namespace cd;
using namespace cd::runtime::network;

using cd::test::systemTool;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run run(const QStringList &prefix, const QStringList &command, int timeoutMs = 15000)
{
    QStringList argv = prefix + command;
    QProcess process;
    process.start(argv.takeFirst(), argv);
    Run result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = QStringLiteral("timed out: ") + process.errorString();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    result.err = QString::fromUtf8(process.readAllStandardError()).trimmed();
    return result;
}

// Answers every connection with "HOSTNAME PEER-IP" and closes it.
const char *const kListener = R"(
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
print("listening", flush=True)
while True:
    c, peer = s.accept()
    c.sendall((socket.gethostname() + " " + peer[0] + "\n").encode())
    c.close()
)";

const char *const kClient = R"(
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
print(s.recv(256).decode().strip())
)";

Run run(const std::vector<std::string> &prefix, const QStringList &command)
{
    QStringList words;
    for (const std::string &word : prefix)
        words << QString::fromStdString(word);
    return run(words, command);
}

QStringList lines(const QString &text)
{
    QStringList result;
    for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        result << line.trimmed();
    return result;
}

// Link names from `ip -o link`: "2: cd0: <...>" or "3: cdv0af40002@if2: <...>".
QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

QStringList linkNames(const QString &ipOutput)
{
    QStringList names;
    for (const QString &line : lines(ipOutput))
        names << line.section(QStringLiteral(": "), 1, 1).section(QLatin1Char('@'), 0, 0);
    names.sort();
    return names;
}

} // namespace

class TestPodNetwork : public QObject {
    Q_OBJECT

    QString m_python;
    QString m_ip;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ClusterNetwork> m_network;
    std::vector<std::unique_ptr<QProcess>> m_listeners;
    std::vector<HolderProcess> m_holders; // every holder a test saw: none may outlive it

    ClusterNetworkOptions options() const
    {
        ClusterNetworkOptions options;
        options.stateDir = m_dir->path() + QStringLiteral("/network");
        return options;
    }

    // Opens (or re-opens) the network of this test's state folder.
    bool openNetwork()
    {
        auto network = ClusterNetwork::open(options());
        if (!network.ok()) {
            qWarning("open: %s", network.error().message.c_str());
            return false;
        }
        m_network = std::move(network).value();
        m_holders.push_back(m_network->clusterHolder());
        return true;
    }

    std::optional<PodNetwork> createPod(const std::string &uid, const std::string &ip, const std::string &hostname)
    {
        auto pod = m_network->createPod(uid, ip, hostname);
        if (!pod.ok()) {
            qWarning("createPod %s: %s", uid.c_str(), pod.error().message.c_str());
            return std::nullopt;
        }
        m_holders.push_back(pod->holder);
        return *pod;
    }

    bool startListener(const std::vector<std::string> &prefix, const QString &address, int port)
    {
        QStringList argv;
        for (const std::string &word : prefix)
            argv << QString::fromStdString(word);
        argv << m_python << QStringLiteral("-c") << QString::fromLatin1(kListener) << address << QString::number(port);
        auto process = std::make_unique<QProcess>();
        process->start(argv.takeFirst(), argv);
        QProcess *listener = process.get();
        m_listeners.push_back(std::move(process));
        QDeadlineTimer deadline(10000);
        while (!listener->canReadLine() && !deadline.hasExpired()) {
            if (!listener->waitForReadyRead(int(deadline.remainingTime()))) {
                qWarning("listener on %s:%d did not start: %s", qPrintable(address), port,
                         listener->readAllStandardError().constData());
                return false;
            }
        }
        return listener->readLine().trimmed() == "listening";
    }

    QString connectFrom(const std::vector<std::string> &prefix, const QString &address, int port)
    {
        const Run client =
            run(prefix, {m_python, QStringLiteral("-c"), QString::fromLatin1(kClient), address, QString::number(port)});
        return client.exitCode == 0 ? client.out : QStringLiteral("failed: ") + client.err;
    }

    QString ipIn(const std::vector<std::string> &prefix, const QStringList &args)
    {
        const Run ip = run(prefix, QStringList{m_ip} + args);
        return ip.exitCode == 0 ? ip.out : QStringLiteral("failed: ") + ip.err;
    }

    // This process's clusterdeck-netns children (the comm name is cut at 15 characters).
    static QList<int> helperChildren()
    {
        QList<int> found;
        for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            QFile stat(QStringLiteral("/proc/") + entry + QStringLiteral("/stat"));
            if (!stat.open(QIODevice::ReadOnly))
                continue;
            const QString text = QString::fromLatin1(stat.readAll());
            const QString afterName = text.mid(text.lastIndexOf(QLatin1Char(')')) + 2);
            if (text.contains(QStringLiteral("(clusterdeck-net)")) &&
                afterName.section(QLatin1Char(' '), 0, 0) != "Z" &&
                afterName.section(QLatin1Char(' '), 1, 1).toInt() == ::getpid())
                found << entry.toInt();
        }
        return found;
    }

    QStringList clusterLinks() { return linkNames(ipIn(m_network->clusterEnterCommand(), {"-o", "link", "show"})); }

    // Runs this test executable again through `launcher` for the named test functions and checks
    // they all passed there.
    void runChild(const QStringList &launcher, const QStringList &functions, const QProcessEnvironment &environment)
    {
        QProcess child;
        child.setProcessEnvironment(environment);
        child.setProcessChannelMode(QProcess::MergedChannels);
        QStringList argv = launcher;
        argv << QCoreApplication::applicationFilePath() << QStringLiteral("-o") << QStringLiteral("-,txt") << functions;
        child.start(argv.takeFirst(), argv);
        QVERIFY2(child.waitForFinished(240000), "the child test run did not finish");
        const QString output = QString::fromUtf8(child.readAll());
        if (child.exitCode() != 0 || child.exitStatus() != QProcess::NormalExit)
            qWarning().noquote() << output;
        QCOMPARE(child.exitCode(), 0);
        for (const QString &function : functions) {
            const QString skipped = QStringLiteral("SKIP   : TestPodNetwork::") + function + QStringLiteral("()");
            if (output.contains(skipped)) {
                const QString why = output.mid(output.indexOf(skipped)).section(QLatin1Char('\n'), 0, 0);
                CD_SKIP_OR_FAIL(QStringLiteral("the child run skipped: ") + why);
            }
            QVERIFY2(output.contains(QStringLiteral("PASS   : TestPodNetwork::") + function + QStringLiteral("()")),
                     qPrintable(output));
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Run by hand (not by ctest): the helper is in build/bin beside build/tests.
        if (qEnvironmentVariableIsEmpty("CLUSTERDECK_BIN_DIR"))
            qputenv("CLUSTERDECK_BIN_DIR", QFile::encodeName(QCoreApplication::applicationDirPath() + "/../bin"));
        m_python = systemTool(QStringLiteral("python3"));
        m_ip = systemTool(QStringLiteral("ip"));
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_holders.clear();
    }

    void cleanup()
    {
        for (auto &listener : m_listeners) {
            listener->kill();
            listener->waitForFinished();
        }
        m_listeners.clear();
        if (!m_network && m_dir && QFile::exists(options().stateDir + QStringLiteral("/cluster.json"))) {
            if (auto network = ClusterNetwork::open(options()); network.ok())
                m_network = std::move(network).value();
        }
        if (m_network)
            m_network->shutdown();
        m_network.reset();
        for (const HolderProcess &holder : m_holders)
            QVERIFY2(!isRunning(holder), qPrintable(QStringLiteral("holder %1 was left running").arg(holder.pid)));
        m_dir.reset();
    }

    void addressRanges()
    {
        QCOMPARE(parseIpv4("10.244.0.1"), std::optional<std::uint32_t>(0x0af40001));
        QVERIFY(!parseIpv4("10.244.0"));
        QVERIFY(!parseIpv4("10.244.0.256"));
        QVERIFY(!parseIpv4("10.244.00.1"));
        QVERIFY(!parseIpv4("10.244.0.1 "));
        QCOMPARE(formatIpv4(0x0a600000), std::string("10.96.0.0"));
        const auto services = parseCidr("10.96.0.0/12");
        QVERIFY(services);
        QVERIFY(services->contains(*parseIpv4("10.111.255.255")));
        QVERIFY(!services->contains(*parseIpv4("10.112.0.0")));
        QVERIFY(!parseCidr("10.96.0.1/12")); // host bits set
        QVERIFY(services->overlaps(*parseCidr("10.100.0.0/16")));
        QVERIFY(!services->overlaps(*parseCidr("10.244.0.0/16")));
    }

    void badInputIsRefused()
    {
        ClusterNetworkOptions overlapping = options();
        overlapping.serviceCidr = "10.0.0.0/8";
        auto refused = ClusterNetwork::open(overlapping);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::BadRequest);
        ClusterNetworkOptions outside = options();
        outside.gateway = "10.245.0.1";
        QVERIFY(!ClusterNetwork::open(outside).ok());

        QVERIFY(openNetwork());
        // One engine per state folder.
        auto second = ClusterNetwork::open(options());
        QVERIFY(!second.ok());
        QCOMPARE(second.error().kind, ErrorKind::Conflict);
        if (!m_network->isolated())
            return; // the checks below are about pod IPs
        QCOMPARE(m_network->createPod("p", "10.245.0.2", "p").error().kind, ErrorKind::BadRequest);
        QCOMPARE(m_network->createPod("p", "10.244.0.1", "p").error().kind, ErrorKind::BadRequest); // the gateway
        QCOMPARE(m_network->createPod("p", "10.244.255.255", "p").error().kind, ErrorKind::BadRequest);
        QCOMPARE(m_network->createPod("p", "10.244.0.2", "bad host").error().kind, ErrorKind::BadRequest);
        QCOMPARE(m_network->addServiceAddress("10.244.0.9").error().kind, ErrorKind::BadRequest);
        const auto pod = createPod("p", "10.244.0.2", "p");
        QVERIFY(pod);
        // A retry gives the same pod; another IP for it, or its IP for another pod, conflicts.
        QVERIFY(m_network->createPod("p", "10.244.0.2", "p").value() == *pod);
        QCOMPARE(m_network->createPod("p", "10.244.0.3", "p").error().kind, ErrorKind::Conflict);
        QCOMPARE(m_network->createPod("q", "10.244.0.2", "q").error().kind, ErrorKind::Conflict);
        QVERIFY(m_network->removePod("p").ok());
        QVERIFY(m_network->removePod("p").ok()); // again: nothing to do
        QVERIFY(!m_network->findPod("p"));
    }

    void twoPodsTalk()
    {
        if (m_python.isEmpty() || m_ip.isEmpty())
            CD_SKIP_OR_FAIL(QStringLiteral("python3 and ip (iproute2) are needed"));
        QVERIFY(openNetwork());
        if (!m_network->isolated())
            CD_SKIP_OR_FAIL(QString::fromStdString("no isolation here: " + m_network->isolationReason()));
        QVERIFY(m_network->isolationReason().empty());
        const auto a = createPod("uid-a", "10.244.0.2", "pod-a");
        const auto b = createPod("uid-b", "10.244.0.3", "pod-b");
        QVERIFY(a && b);
        QCOMPARE(a->ip, std::string("10.244.0.2"));
        QVERIFY(a->holder.pid > 0 && isRunning(a->holder));
        const auto inA = m_network->enterCommand(*a);
        const auto inB = m_network->enterCommand(*b);

        // The same port in both pods: each has its own network namespace.
        QVERIFY(startListener(inA, QStringLiteral("0.0.0.0"), 8000));
        QVERIFY(startListener(inB, QStringLiteral("0.0.0.0"), 8000));
        // By pod IP, without address translation: each sees the other's pod IP.
        QCOMPARE(connectFrom(inA, QStringLiteral("10.244.0.3"), 8000), QStringLiteral("pod-b 10.244.0.2"));
        QCOMPARE(connectFrom(inB, QStringLiteral("10.244.0.2"), 8000), QStringLiteral("pod-a 10.244.0.3"));

        // A Service address on the cluster's lo, served from the cluster namespace.
        QVERIFY(m_network->addServiceAddress("10.96.0.10").ok());
        QVERIFY(m_network->addServiceAddress("10.96.0.10").ok()); // twice is fine
        QVERIFY(startListener(m_network->clusterEnterCommand(), QStringLiteral("10.96.0.10"), 80));
        QCOMPARE(connectFrom(inA, QStringLiteral("10.96.0.10"), 80), QSysInfo::machineHostName() + " 10.244.0.2");
        QCOMPARE(connectFrom(inB, QStringLiteral("10.96.0.10"), 80), QSysInfo::machineHostName() + " 10.244.0.3");

        // Hostnames.
        QCOMPARE(run(inA, {QStringLiteral("hostname")}).out, QStringLiteral("pod-a"));
        QCOMPARE(run(inB, {QStringLiteral("cat"), QStringLiteral("/proc/sys/kernel/hostname")}).out,
                 QStringLiteral("pod-b"));

        // A pod sees lo and eth0, and routes only to the pod network and through the gateway.
        QCOMPARE(linkNames(ipIn(inA, {"-o", "link", "show"})), sorted({"eth0", "lo"}));
        QCOMPARE(lines(ipIn(inA, {"-4", "route", "show", "table", "main"})),
                 QStringList({"default via 10.244.0.1 dev eth0",
                              "10.244.0.0/16 dev eth0 proto kernel scope link src 10.244.0.2"}));
        QVERIFY(ipIn(inA, {"-4", "-o", "addr", "show", "dev", "eth0"}).contains(" 10.244.0.2/16 "));

        // The cluster namespace: lo, the bridge and one veth per pod; no default route, so
        // nothing leaves it (the lookup sends no packet).
        QCOMPARE(clusterLinks(), sorted({QString::fromStdString(a->hostInterface),
                                         QString::fromStdString(b->hostInterface), "cd0", "lo"}));
        QCOMPARE(lines(ipIn(m_network->clusterEnterCommand(), {"-4", "route", "show", "table", "main"})),
                 QStringList({"10.244.0.0/16 dev cd0 proto kernel scope link src 10.244.0.1"}));
        const Run out = run(m_network->clusterEnterCommand(), {m_ip, "route", "get", "192.0.2.1"});
        QVERIFY2(out.exitCode != 0 && out.err.contains(QStringLiteral("unreachable")), qPrintable(out.out + out.err));
        QVERIFY(ipIn(m_network->clusterEnterCommand(), {"-o", "link", "show", "master", "cd0"})
                    .contains(QString::fromStdString(a->hostInterface)));

        // Containers join the pod the way the process runtime starts them: through bwrap with a
        // pid namespace of their own.
        const QString bwrap = systemTool(QStringLiteral("bwrap"));
        if (bwrap.isEmpty())
            CD_SKIP_OR_FAIL(QStringLiteral("bwrap (bubblewrap) is not installed"));
        const Run sandboxed = run(inA, {bwrap, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs",
                                        "/tmp", "--unshare-pid", "--as-pid-1", "--", "sh", "-c",
                                        "hostname; echo $$; " + m_ip + " -4 -o addr show dev eth0"});
        QVERIFY2(sandboxed.exitCode == 0, qPrintable(sandboxed.err));
        const QStringList said = lines(sandboxed.out);
        QCOMPARE(said.value(0), QStringLiteral("pod-a"));
        QCOMPARE(said.value(1), QStringLiteral("1"));
        QVERIFY(said.value(2).contains(QStringLiteral(" 10.244.0.2/16 ")));

        // A removed Service address is gone.
        QVERIFY(m_network->removeServiceAddress("10.96.0.10").ok());
        QVERIFY(m_network->removeServiceAddress("10.96.0.10").ok());
        QVERIFY(
            !ipIn(m_network->clusterEnterCommand(), {"-4", "-o", "addr", "show", "dev", "lo"}).contains("10.96.0.10"));
    }

    void removePodFreesEverything()
    {
        QVERIFY(openNetwork());
        if (!m_network->isolated())
            CD_SKIP_OR_FAIL(QString::fromStdString("no isolation here: " + m_network->isolationReason()));
        if (m_ip.isEmpty())
            CD_SKIP_OR_FAIL(QStringLiteral("ip (iproute2) is needed"));
        const auto a = createPod("uid-a", "10.244.0.2", "pod-a");
        const auto b = createPod("uid-b", "10.244.0.3", "pod-b");
        QVERIFY(a && b);
        QCOMPARE(m_network->pods().size(), size_t(2));
        QVERIFY(m_network->removePod("uid-b").ok());
        QVERIFY(!isRunning(b->holder));
        QVERIFY(!m_network->findPod("uid-b"));
        QCOMPARE(m_network->pods().size(), size_t(1));
        // Its veth is off the bridge at once, and deleted soon after (in the background: the
        // kernel takes tens of milliseconds over it).
        QVERIFY(!clusterLinks().contains(QString::fromStdString(b->hostInterface)));
        QTRY_COMPARE(clusterLinks(), sorted({QString::fromStdString(a->hostInterface), "cd0", "lo"}));
        // An enter command kept from before never lands in a reused pid: the holder is checked.
        const Run stale = run(m_network->enterCommand(*b), {"true"});
        QCOMPARE(stale.exitCode, 125);
        // Its IP is free again.
        const auto again = createPod("uid-b2", "10.244.0.3", "pod-b2");
        QVERIFY(again);
        QCOMPARE(again->hostInterface, b->hostInterface);
    }

    void reopenFindsClusterAndPods()
    {
        QVERIFY(openNetwork());
        if (!m_network->isolated())
            CD_SKIP_OR_FAIL(QString::fromStdString("no isolation here: " + m_network->isolationReason()));
        if (m_python.isEmpty())
            CD_SKIP_OR_FAIL(QStringLiteral("python3 is needed"));
        const HolderProcess cluster = m_network->clusterHolder();
        const auto a = createPod("uid-a", "10.244.0.2", "pod-a");
        const auto b = createPod("uid-b", "10.244.0.3", "pod-b");
        QVERIFY(a && b);
        QVERIFY(m_network->addServiceAddress("10.96.0.10").ok());
        QVERIFY(startListener(m_network->enterCommand(*a), QStringLiteral("0.0.0.0"), 8000));

        // An engine restart: the object goes, the namespaces stay.
        m_network.reset();
        QVERIFY(isRunning(cluster) && isRunning(a->holder) && isRunning(b->holder));
        QVERIFY(openNetwork());
        QVERIFY(m_network->clusterHolder() == cluster);
        QVERIFY(m_network->findPod("uid-a") == a);
        QVERIFY(m_network->findPod("uid-b") == b);
        QCOMPARE(m_network->pods().size(), size_t(2));
        // The same network: a new pod reaches an old one, and the Service address is still there.
        const auto c = createPod("uid-c", "10.244.0.4", "pod-c");
        QVERIFY(c);
        const auto inC = m_network->enterCommand(*c);
        QCOMPARE(connectFrom(inC, QStringLiteral("10.244.0.2"), 8000), QStringLiteral("pod-a 10.244.0.4"));
        QVERIFY(startListener(m_network->clusterEnterCommand(), QStringLiteral("10.96.0.10"), 80));
        QCOMPARE(connectFrom(inC, QStringLiteral("10.96.0.10"), 80), QSysInfo::machineHostName() + " 10.244.0.4");

        // A pod whose holder died while no engine ran is dropped on the next open, veth and all.
        m_network.reset();
        QVERIFY(::kill(b->holder.pid, SIGKILL) == 0);
        QTRY_VERIFY(!isRunning(b->holder));
        QVERIFY(openNetwork());
        QVERIFY(!m_network->findPod("uid-b"));
        QVERIFY(m_network->findPod("uid-a"));
        QVERIFY(!clusterLinks().contains(QString::fromStdString(b->hostInterface)));
        QVERIFY(!QDir(options().stateDir + "/pods").entryList(QDir::Files).join(' ').contains("uid-b"));

        // A cluster whose holder died is replaced by a new one, and the pods of the old are
        // stopped and forgotten.
        m_network.reset();
        QVERIFY(::kill(cluster.pid, SIGKILL) == 0);
        QTRY_VERIFY(!isRunning(cluster));
        QVERIFY(openNetwork());
        QVERIFY(m_network->clusterHolder() != cluster);
        QVERIFY(m_network->pods().empty());
        QVERIFY(!isRunning(a->holder));
        QVERIFY(!isRunning(c->holder));
        QCOMPARE(clusterLinks(), sorted({"cd0", "lo"}));
    }

    // The helper is a child of the engine; if it dies, the next request starts another in the
    // same namespaces.
    void helperIsRestarted()
    {
        QVERIFY(openNetwork());
        if (!m_network->isolated())
            CD_SKIP_OR_FAIL(QString::fromStdString("no isolation here: " + m_network->isolationReason()));
        const auto a = createPod("uid-a", "10.244.0.2", "pod-a");
        QVERIFY(a);
        const QList<int> helpers = helperChildren();
        QCOMPARE(helpers.size(), 1);
        QVERIFY(::kill(helpers.first(), SIGKILL) == 0);
        QTRY_VERIFY(helperChildren().isEmpty());
        const auto b = createPod("uid-b", "10.244.0.3", "pod-b");
        QVERIFY(b);
        QVERIFY(helperChildren() != helpers);
        QVERIFY(m_network->clusterHolder() == m_holders.front());
        QVERIFY(clusterLinks().contains(QString::fromStdString(a->hostInterface)));
        QVERIFY(clusterLinks().contains(QString::fromStdString(b->hostInterface)));
    }

    // The engine that made a pod exits; the next one finds the pod working.
    void restartAcrossProcesses()
    {
        QProcess first;
        first.start(QCoreApplication::applicationFilePath(),
                    {QStringLiteral("--create-pod-and-exit"), options().stateDir, QStringLiteral("10.244.0.9")});
        QVERIFY(first.waitForFinished(30000));
        const QString said = QString::fromUtf8(first.readAllStandardOutput()).trimmed();
        QVERIFY2(first.exitCode() == 0, qPrintable(said + first.readAllStandardError()));
        QVERIFY(openNetwork());
        if (!m_network->isolated())
            CD_SKIP_OR_FAIL(QString::fromStdString("no isolation here: " + m_network->isolationReason()));
        const auto survivor = m_network->findPod("survivor");
        QVERIFY(survivor);
        m_holders.push_back(survivor->holder);
        QCOMPARE(said, QString::number(survivor->holder.pid));
        QVERIFY(isRunning(survivor->holder));
        QCOMPARE(run(m_network->enterCommand(*survivor), {QStringLiteral("hostname")}).out, QStringLiteral("survivor"));
        if (m_python.isEmpty())
            return;
        QVERIFY(startListener(m_network->enterCommand(*survivor), QStringLiteral("0.0.0.0"), 8000));
        const auto next = createPod("next", "10.244.0.10", "next");
        QVERIFY(next);
        QCOMPARE(connectFrom(m_network->enterCommand(*next), QStringLiteral("10.244.0.9"), 8000),
                 QStringLiteral("survivor 10.244.0.10"));
    }

    // Pod start has a goal of p50 < 30 ms for the whole runtime: the network's share must be small.
    void createPodIsQuick()
    {
        QVERIFY(openNetwork());
        if (!m_network->isolated())
            CD_SKIP_OR_FAIL(QString::fromStdString("no isolation here: " + m_network->isolationReason()));
        std::vector<double> createMs;
        std::vector<double> removeMs;
        const int count = 40;
        for (int i = 0; i < count; ++i) {
            QElapsedTimer timer;
            timer.start();
            const auto pod = createPod("speed-" + std::to_string(i), "10.244.1." + std::to_string(i + 1),
                                       "speed-" + std::to_string(i));
            createMs.push_back(double(timer.nsecsElapsed()) / 1e6);
            QVERIFY(pod);
        }
        for (int i = 0; i < count; ++i) {
            QElapsedTimer timer;
            timer.start();
            QVERIFY(m_network->removePod("speed-" + std::to_string(i)).ok());
            removeMs.push_back(double(timer.nsecsElapsed()) / 1e6);
        }
        std::sort(createMs.begin(), createMs.end());
        std::sort(removeMs.begin(), removeMs.end());
        qInfo("createPod: p50 %.2f ms, p90 %.2f ms, max %.2f ms; removePod: p50 %.2f ms, p90 %.2f ms",
              createMs[count / 2], createMs[count * 9 / 10], createMs.back(), removeMs[count / 2],
              removeMs[count * 9 / 10]);
        // Generous, for a loaded machine: catches a regression to spawning tools per pod.
        QVERIFY2(createMs[count / 2] < 25.0, "createPod's median is far above a few milliseconds");
    }

    // Everything above, as user nobody: the same code path must work without root.
    void unprivilegedUser()
    {
        if (qEnvironmentVariableIsSet("CD_PODNETWORK_CHILD"))
            QSKIP("this is the unprivileged run");
        if (::geteuid() != 0)
            QSKIP("not root: the whole test already ran unprivileged");
        const QString setpriv = systemTool(QStringLiteral("setpriv"));
        if (setpriv.isEmpty())
            CD_SKIP_OR_FAIL(QStringLiteral("setpriv (util-linux) is not installed"));
        const QStringList asNobody = {setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
        const Run probe = run(asNobody, {"test", "-x", QCoreApplication::applicationFilePath()});
        if (probe.exitCode != 0)
            CD_SKIP_OR_FAIL(QStringLiteral("user nobody cannot run this test executable (a private build folder)"));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("CD_PODNETWORK_CHILD"), QStringLiteral("1"));
        environment.insert(QStringLiteral("CLUSTERDECK_BIN_DIR"), qEnvironmentVariable("CLUSTERDECK_BIN_DIR"));
        environment.insert(QStringLiteral("TMPDIR"),
                           QStringLiteral("/tmp")); // QTemporaryDir: a folder nobody can write
        environment.insert(QStringLiteral("HOME"), QStringLiteral("/tmp"));
        environment.remove(QStringLiteral("XDG_RUNTIME_DIR"));
        runChild(asNobody,
                 {"badInputIsRefused", "twoPodsTalk", "removePodFreesEverything", "reopenFindsClusterAndPods",
                  "helperIsRestarted", "restartAcrossProcesses", "createPodIsQuick", "withoutUserNamespaces"},
                 environment);
    }

    // Where user namespaces are refused, the network falls back to no isolation, says why, and
    // still gives the runtime what it needs. Seen for real: this test runs itself again inside a
    // user namespace that may not create any more (user.max_user_namespaces=0 there).
    void withoutUserNamespaces()
    {
        if (!qEnvironmentVariableIsSet("CD_PODNETWORK_NO_USERNS")) {
            const QString unshare = systemTool(QStringLiteral("unshare"));
            if (unshare.isEmpty())
                CD_SKIP_OR_FAIL(QStringLiteral("unshare (util-linux) is not installed"));
            const Run probe = run({unshare.toStdString(), "-U", "-r", "--"}, {"true"});
            if (probe.exitCode != 0)
                CD_SKIP_OR_FAIL(QStringLiteral("cannot make the user namespace to run the fallback in: ") + probe.err);
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            environment.insert(QStringLiteral("CD_PODNETWORK_NO_USERNS"), QStringLiteral("1"));
            runChild({unshare, "-U", "-r", "--", "/bin/sh", "-c",
                      "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$0\" \"$@\""},
                     {"withoutUserNamespaces"}, environment);
            return;
        }
        QVERIFY(openNetwork());
        QVERIFY(!m_network->isolated());
        const std::string reason = m_network->isolationReason();
        QVERIFY2(reason.find("user namespaces are not available") != std::string::npos, reason.c_str());
        QVERIFY2(reason.find("user.max_user_namespaces is 0") != std::string::npos, reason.c_str());
        const auto pod = createPod("uid-a", "10.244.0.2", "pod-a");
        QVERIFY(pod);
        QCOMPARE(pod->ip, std::string("127.0.0.1"));
        QCOMPARE(pod->holder.pid, 0);
        // No prefix: the program runs as it is, on the host's network.
        QVERIFY(m_network->enterCommand(*pod).empty());
        QVERIFY(m_network->clusterEnterCommand().empty());
        QCOMPARE(run(m_network->enterCommand(*pod), {"hostname"}).out, QSysInfo::machineHostName());
        QVERIFY(m_network->addServiceAddress("10.96.0.10").ok());
        QVERIFY(!m_network->addServiceAddress("10.244.0.10").ok());
        m_network.reset();
        QVERIFY(openNetwork());
        QVERIFY(m_network->findPod("uid-a") == pod);
        QVERIFY(m_network->removePod("uid-a").ok());
        QVERIFY(m_network->pods().empty());
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsEmpty("CLUSTERDECK_BIN_DIR"))
        qputenv("CLUSTERDECK_BIN_DIR", QFile::encodeName(QCoreApplication::applicationDirPath() + "/../bin"));
    // For restartAcrossProcesses: an engine that makes a pod and exits without cleaning up.
    if (argc == 4 && qstrcmp(argv[1], "--create-pod-and-exit") == 0) {
        ClusterNetworkOptions options;
        options.stateDir = QString::fromLocal8Bit(argv[2]);
        auto network = ClusterNetwork::open(options);
        if (!network.ok()) {
            std::fprintf(stderr, "open: %s\n", network.error().message.c_str());
            return 1;
        }
        auto pod = (*network)->createPod("survivor", argv[3], "survivor");
        if (!pod.ok()) {
            std::fprintf(stderr, "createPod: %s\n", pod.error().message.c_str());
            return 1;
        }
        std::printf("%d\n", pod->holder.pid);
        return 0;
    }
    TestPodNetwork test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_podnetwork.moc"
