// The service proxy on a real cluster network (user and network namespaces, pods on a bridge,
// python servers in them), fed by a real API through its informers: ClusterIP traffic from a pod
// reaches only ready backends and is balanced across them; a Service without backends refuses
// at once; NodePort and LoadBalancer listeners on host loopback relay into the namespace; the
// cluster DNS answers over UDP and TCP from a pod's own sockets; a burst of Services is one or a
// few nft transactions; a deleted Service closes its listener. All of it again as user nobody.
#include "engine/proxy/dnsmessage.h"
#include "engine/proxy/serviceproxy.h"
#include "engine/runtime/network/clusternetwork.h"
#include "inprocesscluster.h"
#include "machinetools.h"

#include <QTcpSocket>
#include <QtTest>

#include <future>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace cd;
using namespace cd::proxy;
using cd::runtime::network::ClusterNetwork;
using cd::runtime::network::ClusterNetworkOptions;
using cd::runtime::network::PodNetwork;

using cd::test::systemTool;

namespace {

// Answers every connection with "HOSTNAME PEER-IP" and closes it.
const char *const kServer = R"(
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(64)
print("listening", flush=True)
while True:
    c, peer = s.accept()
    c.sendall((socket.gethostname() + " " + peer[0] + "\n").encode())
    c.close()
)";

// Connects N times to HOST:PORT; prints each answer, "refused MS" or "error WHAT".
const char *const kClient = R"(
import socket, sys, time
for i in range(int(sys.argv[3])):
    start = time.monotonic()
    try:
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
        print(s.makefile().readline().strip() or "empty", flush=True)
        s.close()
    except ConnectionRefusedError:
        print("refused %d" % ((time.monotonic() - start) * 1000), flush=True)
    except Exception as e:
        print("error %r" % e, flush=True)
)";

QStringList run(const std::vector<std::string> &prefix, const QStringList &arguments, int timeoutMs = 30000)
{
    QStringList argv;
    for (const std::string &word : prefix)
        argv << QString::fromStdString(word);
    argv << arguments;
    QProcess process;
    process.start(argv.takeFirst(), argv);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {QStringLiteral("error timed out")};
    }
    QStringList lines = QString::fromUtf8(process.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
    const QString err = QString::fromUtf8(process.readAllStandardError()).trimmed();
    if (!err.isEmpty())
        lines << "stderr " + err;
    return lines;
}

QSet<QString> hostnames(const QStringList &answers)
{
    QSet<QString> names;
    for (const QString &answer : answers)
        names << answer.section(' ', 0, 0);
    return names;
}

Json serviceObject(const std::string &name, const std::string &type, const std::string &clusterIp, int port,
                   int nodePort = 0)
{
    Json p = {{"name", "http"}, {"port", port}, {"targetPort", 8000}, {"protocol", "TCP"}};
    if (nodePort)
        p["nodePort"] = nodePort;
    return {{"apiVersion", "v1"},
            {"kind", "Service"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec", {{"type", type}, {"clusterIP", clusterIp}, {"ports", Json::array({p})}}}};
}

Json sliceObject(const std::string &name, const std::string &service,
                 const std::vector<std::pair<std::string, bool>> &endpoints)
{
    Json list = Json::array();
    for (const auto &[ip, ready] : endpoints)
        list.push_back({{"addresses", {ip}}, {"conditions", {{"ready", ready}}}});
    return {
        {"apiVersion", "discovery.k8s.io/v1"},
        {"kind", "EndpointSlice"},
        {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"kubernetes.io/service-name", service}}}}},
        {"addressType", "IPv4"},
        {"ports", Json::array({{{"name", "http"}, {"port", 8000}, {"protocol", "TCP"}}})},
        {"endpoints", list}};
}

// One connection from the host: what the server said, or why there was nothing.
QString fetchFromHost(const QString &ip, int port, qint64 *elapsedMs = nullptr)
{
    QElapsedTimer timer;
    timer.start();
    QTcpSocket socket;
    socket.connectToHost(ip, quint16(port));
    QString result;
    if (!socket.waitForConnected(5000)) {
        result = "error " + socket.errorString();
    } else {
        QByteArray got;
        while (socket.state() == QAbstractSocket::ConnectedState && !got.contains('\n') &&
               socket.waitForReadyRead(5000))
            got += socket.readAll();
        got += socket.readAll();
        result = got.isEmpty() ? "error " + socket.errorString() : QString::fromUtf8(got).trimmed();
    }
    if (elapsedMs)
        *elapsedMs = timer.elapsed();
    return result;
}

int randomPort(int low, int high)
{
    return low + int(QRandomGenerator::global()->bounded(high - low));
}

// One DNS exchange over a socket of the pod's network namespace.
std::string askDns(int fd, bool tcp, const std::string &name, int type)
{
    std::string query = std::string("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12) + dns::encodeName(name) +
                        std::string{char(0), char(type), 0, 1};
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(53);
    ::inet_pton(AF_INET, "10.96.0.10", &server.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&server), sizeof server) != 0)
        return {};
    if (tcp)
        query = std::string{char(query.size() >> 8), char(query.size() & 0xff)} + query;
    if (::send(fd, query.data(), query.size(), MSG_NOSIGNAL) != ssize_t(query.size()))
        return {};
    std::string answer;
    char buffer[4096];
    for (;;) {
        pollfd wait{fd, POLLIN, 0};
        if (::poll(&wait, 1, 5000) != 1)
            return {};
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0)
            return {};
        answer.append(buffer, size_t(got));
        if (!tcp)
            return answer;
        if (answer.size() >= 2 &&
            answer.size() >= size_t(2 + ((std::uint8_t(answer[0]) << 8) | std::uint8_t(answer[1]))))
            return answer.substr(2);
    }
}

// The rcode and the first A record of a response ("" when none).
std::pair<int, std::string> firstAddress(const std::string &response)
{
    if (response.size() < 12)
        return {-1, {}};
    const int rcode = response[3] & 0x0f;
    const int answers = (std::uint8_t(response[6]) << 8) | std::uint8_t(response[7]);
    if (!answers)
        return {rcode, {}};
    size_t at = 12;
    while (at < response.size() && response[at])
        at += 1 + std::uint8_t(response[at]);
    at += 5;      // the root label, type and class
    at += 2 + 10; // the answer's name pointer, type, class, TTL, length
    if (at + 4 > response.size())
        return {rcode, {}};
    char text[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, response.data() + at, text, sizeof text);
    return {rcode, text};
}

} // namespace

class TestServiceProxy : public QObject {
    Q_OBJECT

    QString m_python;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<ClusterNetwork> m_network;
    std::unique_ptr<ServiceProxy> m_proxy;
    std::vector<std::unique_ptr<QProcess>> m_servers;
    std::map<std::string, PodNetwork> m_pods; // by hostname
    int m_nodePort = 0;

    // The proxy's view of a Service's (first) port; empty when it has none.
    ServicePortInfo portOf(const std::string &service) const
    {
        for (const ServicePortInfo &port : m_proxy->catalog().servicePorts())
            if (port.name == service)
                return port;
        return {};
    }

    // A DNS exchange on another thread: the server answers on this one, in the event loop.
    std::string ask(int fd, bool tcp, const std::string &name)
    {
        auto answer = std::async(std::launch::async, [=] { return askDns(fd, tcp, name, dns::A); });
        m_cluster->waitFor([&] { return answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready; },
                           10000);
        return answer.get();
    }

    bool waitForProxy(int timeoutMs = 10000)
    {
        return m_cluster->waitFor([&] { return m_proxy->current(); }, timeoutMs);
    }

    QStringList fromPod(const std::string &pod, const QString &host, int port, int count)
    {
        return run(m_network->enterCommand(m_pods.at(pod)),
                   {m_python, "-c", kClient, host, QString::number(port), QString::number(count)});
    }

    bool startServer(const std::string &hostname, const std::string &ip)
    {
        auto pod = m_network->createPod("uid-" + hostname, ip, hostname);
        if (!pod.ok()) {
            qWarning("createPod: %s", pod.error().message.c_str());
            return false;
        }
        m_pods[hostname] = *pod;
        QStringList argv;
        for (const std::string &word : m_network->enterCommand(*pod))
            argv << QString::fromStdString(word);
        argv << m_python << "-c" << kServer << "8000";
        auto process = std::make_unique<QProcess>();
        process->start(argv.takeFirst(), argv);
        const bool up = process->waitForReadyRead(10000) && process->readAllStandardOutput().contains("listening");
        m_servers.push_back(std::move(process));
        return up;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_python = systemTool(QStringLiteral("python3"));
        if (m_python.isEmpty())
            CD_SKIP_OR_FAIL(QStringLiteral("python3 is not installed"));
        if (RuleSync::findNft().isEmpty())
            CD_SKIP_OR_FAIL(QStringLiteral("nft (nftables) is not installed"));
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        ClusterNetworkOptions options;
        options.stateDir = m_dir->path() + QStringLiteral("/network");
        auto network = ClusterNetwork::open(options);
        QVERIFY2(network.ok(), network.ok() ? "" : network.error().message.c_str());
        m_network = std::move(*network);
        if (!m_network->isolated())
            CD_SKIP_OR_FAIL(QString::fromStdString("no isolated cluster network here: " + m_network->isolationReason()));
        m_cluster = std::make_unique<test::InProcessCluster>();
        m_proxy = std::make_unique<ServiceProxy>(&m_cluster->client(), m_network.get());
        const Status started = m_proxy->start();
        QVERIFY2(started.ok(), started.ok() ? "" : started.error().message.c_str());
        QVERIFY(startServer("pod-a", "10.244.0.2"));
        QVERIFY(startServer("pod-b", "10.244.0.3"));
        QVERIFY(startServer("pod-c", "10.244.0.4"));
        auto client = m_network->createPod("uid-client", "10.244.0.9", "client");
        QVERIFY(client.ok());
        m_pods["client"] = *client;
        m_nodePort = randomPort(30000, 32000);
    }

    void cleanupTestCase()
    {
        for (auto &server : m_servers) {
            server->kill();
            server->waitForFinished();
        }
        m_proxy.reset();
        if (m_network)
            m_network->shutdown();
    }

    void clusterIpReachesReadyBackends()
    {
        QVERIFY(!m_cluster->create(serviceObject("web", "NodePort", "10.96.0.50", 80, m_nodePort)).is_null());
        QVERIFY(!m_cluster
                     ->create(sliceObject("web-1", "web",
                                          {{"10.244.0.2", true}, {"10.244.0.3", true}, {"10.244.0.4", false}}))
                     .is_null());
        QVERIFY(m_cluster->waitFor([&] { return portOf("web").backends.size() == 2; }));
        QVERIFY(waitForProxy());
        QVERIFY2(m_proxy->ruleStats().transactions >= 1, m_proxy->ruleStats().lastError.c_str());
        qInfo("first sync: %.1f ms", m_proxy->ruleStats().lastSyncMs);
        const QStringList answers = fromPod("client", "10.96.0.50", 80, 30);
        QCOMPARE(answers.size(), 30);
        // Both ready pods answer; the one that is not ready never does; the backends see the
        // gateway (the masquerade that brings their answers back through the namespace).
        QCOMPARE(hostnames(answers), (QSet<QString>{"pod-a", "pod-b"}));
        for (const QString &answer : answers)
            QCOMPARE(answer.section(' ', 1), QStringLiteral("10.244.0.1"));
        // A pod reaches another by pod IP, as always.
        QCOMPARE(fromPod("client", "10.244.0.4", 8000, 1).value(0).section(' ', 0, 0), QStringLiteral("pod-c"));
        // Hairpin: a backend reaching its own Service lands on itself too (where br_netfilter is
        // loaded, that takes the bridge setting the proxy makes).
        const QStringList hairpin = fromPod("pod-a", "10.96.0.50", 80, 20);
        QVERIFY2(hostnames(hairpin).size() == 2, qPrintable(hairpin.join('\n')));
    }

    void nodePortFromTheHost()
    {
        QSet<QString> seen;
        for (int i = 0; i < 30; ++i) {
            const QString answer = fetchFromHost("127.0.0.1", m_nodePort);
            QVERIFY2(!answer.startsWith("error"), qPrintable(answer));
            seen << answer.section(' ', 0, 0);
        }
        QCOMPARE(seen, (QSet<QString>{"pod-a", "pod-b"}));
        QVERIFY(m_proxy->relayStats().accepted >= 30);
    }

    void readinessChangesFollow()
    {
        Json slice = m_cluster->get("discovery.k8s.io/v1", "EndpointSlice", "default", "web-1");
        slice["endpoints"] = sliceObject(
            "web-1", "web", {{"10.244.0.2", false}, {"10.244.0.3", true}, {"10.244.0.4", true}})["endpoints"];
        QVERIFY(!m_cluster->update(slice).is_null());
        QVERIFY(m_cluster->waitFor([&] {
            const auto backends = portOf("web").backends;
            return !backends.empty() && backends.front().ip == "10.244.0.3";
        }));
        QVERIFY(waitForProxy());
        // Not a single request reaches the pod that stopped being ready.
        QCOMPARE(hostnames(fromPod("client", "10.96.0.50", 80, 30)), (QSet<QString>{"pod-b", "pod-c"}));
    }

    void serviceWithoutEndpointsRefuses()
    {
        const int nodePort = m_nodePort + 1;
        QVERIFY(!m_cluster->create(serviceObject("empty", "NodePort", "10.96.0.51", 80, nodePort)).is_null());
        QVERIFY(m_cluster->waitFor([&] { return portOf("empty").port == 80; }));
        QVERIFY(waitForProxy());
        const QStringList answers = fromPod("client", "10.96.0.51", 80, 3);
        for (const QString &answer : answers) {
            QVERIFY2(answer.startsWith("refused "), qPrintable(answer));
            QVERIFY2(answer.section(' ', 1).toInt() < 1000, qPrintable(answer));
        }
        // From the host: accepted, then reset at once — no data, no wait.
        qint64 ms = 0;
        const QString answer = fetchFromHost("127.0.0.1", nodePort, &ms);
        QVERIFY2(answer.startsWith("error"), qPrintable(answer));
        QVERIFY2(ms < 1000, qPrintable(QString::number(ms)));
        QVERIFY(m_proxy->relayStats().refused >= 1);
    }

    void loadBalancerOnLoopback()
    {
        const std::string ip = "127.0.10." + std::to_string(randomPort(100, 250));
        const int port = randomPort(20000, 29000);
        Json lb = m_cluster->create(serviceObject("front", "LoadBalancer", "10.96.0.52", port, m_nodePort + 2));
        QVERIFY2(!lb.is_null(), m_cluster->lastError().c_str());
        QVERIFY(!m_cluster->create(sliceObject("front-1", "front", {{"10.244.0.2", true}})).is_null());
        lb["status"] = {{"loadBalancer", {{"ingress", Json::array({{{"ip", ip}}})}}}};
        QVERIFY2(!m_cluster->updateStatus(lb).is_null(), m_cluster->lastError().c_str());
        QVERIFY(m_cluster->waitFor([&] { return !portOf("front").loadBalancerIps.empty(); }));
        QVERIFY(waitForProxy());
        QCOMPARE(fetchFromHost(QString::fromStdString(ip), port).section(' ', 0, 0), QStringLiteral("pod-a"));
        // Its node port answers too, as on any cluster.
        QCOMPARE(fetchFromHost("127.0.0.1", m_nodePort + 2).section(' ', 0, 0), QStringLiteral("pod-a"));
    }

    void clusterDns()
    {
        QVERIFY(
            m_cluster->waitFor([&] { return !m_cluster->get("v1", "Service", "kube-system", "kube-dns").is_null(); }));
        QCOMPARE(str(m_cluster->get("v1", "Service", "kube-system", "kube-dns"), {"spec", "clusterIP"}),
                 std::string("10.96.0.10"));
        // Sockets of the client pod's own namespace, as for kubectl port-forward.
        for (const bool tcp : {false, true}) {
            const auto type = tcp ? ClusterNetwork::SocketType::Tcp : ClusterNetwork::SocketType::Udp;
            auto fd = m_network->podSocket("uid-client", type);
            QVERIFY2(fd.ok(), fd.ok() ? "" : fd.error().message.c_str());
            const auto found = firstAddress(ask(*fd, tcp, "web.default.svc.cluster.local"));
            ::close(*fd);
            QCOMPARE(found.first, 0);
            QCOMPARE(found.second, std::string("10.96.0.50"));
            fd = m_network->podSocket("uid-client", type);
            QVERIFY(fd.ok());
            const auto missing = firstAddress(ask(*fd, tcp, "nothing.default.svc.cluster.local"));
            ::close(*fd);
            QCOMPARE(missing.first, int(dns::Rcode::NXDomain));
        }
        // The pod's socket really is in the pod: the backend sees the pod's address.
        auto fd = m_network->podSocket("uid-client", ClusterNetwork::SocketType::Tcp);
        QVERIFY(fd.ok());
        sockaddr_in podC{};
        podC.sin_family = AF_INET;
        podC.sin_port = htons(8000);
        ::inet_pton(AF_INET, "10.244.0.4", &podC.sin_addr);
        QCOMPARE(::connect(*fd, reinterpret_cast<sockaddr *>(&podC), sizeof podC), 0);
        char line[128] = {};
        pollfd wait{*fd, POLLIN, 0};
        QCOMPARE(::poll(&wait, 1, 5000), 1);
        QVERIFY(::recv(*fd, line, sizeof line - 1, 0) > 0);
        ::close(*fd);
        QCOMPARE(QString::fromLatin1(line).trimmed(), QStringLiteral("pod-c 10.244.0.9"));
    }

    void burstIsCoalesced()
    {
        QVERIFY(waitForProxy());
        const int before = m_proxy->ruleStats().transactions;
        const int count = 60;
        for (int i = 0; i < count; ++i) {
            QVERIFY(!m_cluster
                         ->create(serviceObject("burst-" + std::to_string(i), "ClusterIP",
                                                "10.96.1." + std::to_string(i + 1), 80))
                         .is_null());
        }
        QVERIFY(m_cluster->waitFor([&] { return portOf("burst-" + std::to_string(count - 1)).port == 80; }));
        QVERIFY(waitForProxy());
        const int transactions = m_proxy->ruleStats().transactions - before;
        qInfo("%d Services created one by one: %d nft transactions, the last %.1f ms (%zu bytes)", count, transactions,
              m_proxy->ruleStats().lastSyncMs, m_proxy->ruleStats().lastBytes);
        QVERIFY(transactions >= 1);
        QVERIFY2(transactions <= count / 3, qPrintable(QString::number(transactions)));
        // All of them are in the namespace's rules.
        std::vector<std::string> list = m_network->clusterEnterCommand();
        list.push_back(RuleSync::findNft().toStdString());
        const QStringList listed = run(list, {"list", "map", "ip", "clusterdeck", "no-endpoint-services"});
        QCOMPARE(listed.join('\n').count(QStringLiteral("10.96.1.")), count);
    }

    void deletedServiceClosesItsListener()
    {
        QVERIFY(m_cluster->remove("v1", "Service", "default", "web"));
        QVERIFY(m_cluster->waitFor([&] { return portOf("web").port == 0; }));
        QVERIFY(m_cluster->waitFor([&] { return fetchFromHost("127.0.0.1", m_nodePort).contains("refused"); }, 5000));
        // And its ClusterIP refuses inside (it is local, and nothing serves it any more).
        QVERIFY(waitForProxy());
        const QStringList answers = fromPod("client", "10.96.0.50", 80, 3);
        QVERIFY2(answers.size() == 3 && answers.filter(QRegularExpression("^refused \\d+$")).size() == 3,
                 qPrintable(answers.join('|')));
    }

    // Everything above, as user nobody: the product works without root.
    void unprivilegedUser()
    {
        if (qEnvironmentVariableIsSet("CD_PROXY_CHILD"))
            QSKIP("this is the unprivileged run");
        if (::geteuid() != 0)
            QSKIP("not root: the whole test already ran unprivileged");
        const QString setpriv = systemTool(QStringLiteral("setpriv"));
        if (setpriv.isEmpty())
            CD_SKIP_OR_FAIL(QStringLiteral("setpriv (util-linux) is not installed"));
        const QStringList asNobody = {"--reuid=65534", "--regid=65534", "--clear-groups", "--"};
        QProcess probe;
        probe.start(setpriv, asNobody + QStringList{"test", "-x", QCoreApplication::applicationFilePath()});
        probe.waitForFinished();
        if (probe.exitCode() != 0)
            CD_SKIP_OR_FAIL(QStringLiteral("user nobody cannot run this test executable (a private build folder)"));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("CD_PROXY_CHILD"), QStringLiteral("1"));
        environment.insert(QStringLiteral("TMPDIR"), QStringLiteral("/tmp"));
        environment.insert(QStringLiteral("HOME"), QStringLiteral("/tmp"));
        environment.remove(QStringLiteral("XDG_RUNTIME_DIR"));
        QProcess child;
        child.setProcessEnvironment(environment);
        child.setProcessChannelMode(QProcess::MergedChannels);
        child.start(setpriv, asNobody + QStringList{QCoreApplication::applicationFilePath()});
        QVERIFY(child.waitForFinished(240000));
        const QString output = QString::fromUtf8(child.readAll());
        QVERIFY2(child.exitCode() == 0, qPrintable(output.right(6000)));
        QVERIFY2(output.contains("Totals: ") && !output.contains("SKIP   : TestServiceProxy::clusterIp"),
                 qPrintable(output.right(6000)));
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsEmpty("CLUSTERDECK_BIN_DIR"))
        qputenv("CLUSTERDECK_BIN_DIR", QFile::encodeName(QCoreApplication::applicationDirPath() + "/../bin"));
    TestServiceProxy test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_serviceproxy.moc"
