// Port-forward and attach with the real kubectl (v1.32: SPDY/3.1 inside a WebSocket, through the
// API server to the kubelet, which dials the port from inside the pod's network namespace), against
// `clusterdeckd --nodes 2 --node-kind process`: `kubectl port-forward pod/…`, `svc/…` and
// `deployment/…` carry HTTP requests to a `python3 -m http.server` pod of the `host` image; two
// connections at once each get their own answer; a port nobody listens on gives the kubelet's error
// and a new forward works after it; the Python client's v4 WebSocket port-forward carries a request
// too; a pod that is not running is refused in kubectl's words, and a pod on a simulated node with
// the reason. `kubectl attach -i` writes to a container with `stdin: true` and reads what it
// prints; `kubectl run -i --rm` ends its input (stdinOnce), shows its output and deletes it.
// A container with `tty: true` has a terminal: `kubectl attach -it` shows its shell's prompt, gives
// it kubectl's terminal size, what is typed runs there and ^C interrupts it; `kubectl run -it
// --rm` does the same.
#include "clusterfixture.h"
#include "machinetools.h"
#include "terminal.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QUuid>

using cd::Json;
using namespace cd::test;

namespace {

// In the pods' command lines, to see that none is left behind (pods outlive a stopped engine).
const QByteArray kMarker = "streams-" + QUuid::createUuid().toByteArray(QUuid::Id128);

// Each pod serves /index.html naming itself (and /other.txt), from its own writable /tmp.
const char *kWeb = R"yaml(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: http
        image: host
        command: [sh, -c, 'echo "hello from $(hostname)" > /tmp/index.html; echo "other file" > /tmp/other.txt; cd /tmp && exec python3 -m http.server 8000 # MARKER']
        ports: [{containerPort: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8000}]
)yaml";

const char *kEcho = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: echo}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: echo
    image: host
    stdin: true
    command: [sh, -c, 'echo ready; while read l; do echo "got $l"; done # MARKER']
)yaml";

const char *kConsole = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: console}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: console
    image: host
    stdin: true
    tty: true
    command: [sh, -c, 'PS1="console$ " sh -i; exit $? # MARKER']
)yaml";

const char *kPending = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: nowhere}
spec:
  nodeSelector: {no-such-label: "true"}
  containers:
  - {name: app, image: host, command: [sleep, "3600"]}
)yaml";

int freePort()
{
    QTcpServer server;
    return server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : 0;
}

// One HTTP/1.0 exchange through a local port: the whole answer, or "" when none came.
QByteArray httpGet(int port, const QByteArray &path = "/index.html")
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(port));
    if (!socket.waitForConnected(5000))
        return {};
    socket.write("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n");
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 15000) {
        socket.waitForReadyRead(500);
        answer += socket.readAll();
    }
    return answer + socket.readAll();
}

// A running `kubectl port-forward`, stopped when it goes out of scope.
struct Forward {
    std::unique_ptr<QProcess> process;
    QString output;  // stdout and stderr so far

    Forward() = default;
    Forward(Forward &&) = default;

    bool waitFor(const QString &text, int timeoutMs = 20000)
    {
        return eventually(
            [&] {
                output += QString::fromUtf8(process->readAllStandardOutput() + process->readAllStandardError());
                return output.contains(text);
            },
            timeoutMs, 50);
    }
    QString report()
    {
        output += QString::fromUtf8(process->readAllStandardOutput() + process->readAllStandardError());
        return "\n--- kubectl port-forward ---\n" + output;
    }
    ~Forward()
    {
        if (process && process->state() != QProcess::NotRunning) {
            process->terminate();
            if (!process->waitForFinished(5000))
                process->kill(), process->waitForFinished(5000);
        }
    }
};

} // namespace

class TstStreamsKubectl : public QObject {
    Q_OBJECT

    ClusterFixture m_cluster;
    QString m_pod;

    KubectlRun kubectl(const QStringList &arguments, const QByteArray &input = {})
    {
        return m_cluster.kubectl(arguments, input);
    }

    Forward forward(const QString &target, int localPort, int remotePort)
    {
        Forward f;
        f.process = m_cluster.startKubectl({"port-forward", "--address", "127.0.0.1", target,
                                            QString("%1:%2").arg(localPort).arg(remotePort)});
        return f;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CD_REQUIRE_KUBECTL();
        CD_REQUIRE_TOOL(QStringLiteral("bwrap"));
        CD_REQUIRE_TOOL(QStringLiteral("python3"));
        QString why;
        QVERIFY2(m_cluster.start(&why, {"--nodes", "2", "--node-kind", "process"}), qPrintable(why));
        QVERIFY(m_cluster.waitForReadyNodes(2));
        const KubectlRun apply = kubectl({"apply", "-f", "-"}, QByteArray(kWeb).replace("MARKER", kMarker));
        QVERIFY2(apply.ok(), qPrintable(apply.report()));
        const KubectlRun rollout = kubectl({"rollout", "status", "deployment/web", "--timeout=60s"});
        QVERIFY2(rollout.ok(), qPrintable(rollout.report()));
        m_pod = kubectl({"get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}"}).out.trimmed();
        QVERIFY(!m_pod.isEmpty());
        // The server is up once it answers through exec.
        QVERIFY(eventually(
            [&] {
                return kubectl({"exec", m_pod, "--", "python3", "-c",
                                "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8000/index.html').read())"})
                    .out.contains("hello from");
            },
            30000, 300));
    }

    void cleanupTestCase()
    {
        kubectl({"delete", "deployment,service,pods", "--all", "--grace-period=1"});
        QVERIFY(eventually([] { return processesWith(kMarker).isEmpty(); }, 20000));
        m_cluster.stop();
    }

    void discoveryListsStreams()
    {
        const KubectlRun resources = kubectl({"get", "--raw", "/api/v1"});
        QVERIFY2(resources.out.contains("\"pods/portforward\""), qPrintable(resources.report()));
        QVERIFY2(resources.out.contains("\"pods/attach\""), qPrintable(resources.report()));
    }

    void podCarriesHttp()
    {
        const int port = freePort();
        Forward f = forward("pod/" + m_pod, port, 8000);
        QVERIFY2(f.waitFor(QString("Forwarding from 127.0.0.1:%1 -> 8000").arg(port)), qPrintable(f.report()));
        const QByteArray answer = httpGet(port);
        QVERIFY2(answer.startsWith("HTTP/1.0 200") && answer.contains("hello from " + m_pod.toUtf8()),
                 qPrintable(answer + f.report()));
        // The same forward serves the next connection.
        QVERIFY2(httpGet(port, "/other.txt").contains("other file"), qPrintable(f.report()));
        QVERIFY2(f.waitFor(QString("Handling connection for %1").arg(port)), qPrintable(f.report()));
    }

    void twoConnectionsAtOnce()
    {
        const int port = freePort();
        Forward f = forward("pod/" + m_pod, port, 8000);
        QVERIFY2(f.waitFor(QString("Forwarding from 127.0.0.1:%1").arg(port)), qPrintable(f.report()));
        // Both open before either asks: two stream pairs live side by side on one SPDY session.
        QTcpSocket first, second;
        first.connectToHost(QHostAddress::LocalHost, quint16(port));
        second.connectToHost(QHostAddress::LocalHost, quint16(port));
        QVERIFY(first.waitForConnected(5000) && second.waitForConnected(5000));
        QTest::qWait(300);
        second.write("GET /other.txt HTTP/1.0\r\n\r\n");
        first.write("GET /index.html HTTP/1.0\r\n\r\n");
        QByteArray a, b;
        QVERIFY2(eventually(
                     [&] {
                         a += first.readAll();
                         b += second.readAll();
                         return first.state() == QAbstractSocket::UnconnectedState &&
                                second.state() == QAbstractSocket::UnconnectedState;
                     },
                     15000, 50),
                 qPrintable(a + "\n----\n" + b + f.report()));
        a += first.readAll();
        b += second.readAll();
        QVERIFY2(a.contains("hello from " + m_pod.toUtf8()), qPrintable(a + f.report()));
        QVERIFY2(b.contains("other file") && !b.contains("hello from"), qPrintable(b + f.report()));
    }

    void serviceAndDeploymentForms()
    {
        // kubectl resolves both to a pod itself; the Service's port 80 maps to targetPort 8000.
        const int servicePort = freePort();
        Forward service = forward("svc/web", servicePort, 80);
        QVERIFY2(service.waitFor(QString("Forwarding from 127.0.0.1:%1 -> 8000").arg(servicePort)),
                 qPrintable(service.report()));
        QVERIFY2(httpGet(servicePort).contains("hello from " + m_pod.toUtf8()), qPrintable(service.report()));
        const int deploymentPort = freePort();
        Forward deployment = forward("deployment/web", deploymentPort, 8000);
        QVERIFY2(deployment.waitFor(QString("Forwarding from 127.0.0.1:%1").arg(deploymentPort)),
                 qPrintable(deployment.report()));
        QVERIFY2(httpGet(deploymentPort).contains("hello from " + m_pod.toUtf8()), qPrintable(deployment.report()));
    }

    void refusedPortReportsTheKubeletsError()
    {
        const int port = freePort();
        Forward f = forward("pod/" + m_pod, port, 9999);
        QVERIFY2(f.waitFor(QString("Forwarding from 127.0.0.1:%1 -> 9999").arg(port)), qPrintable(f.report()));
        const QByteArray answer = httpGet(port);
        QVERIFY2(answer.isEmpty(), qPrintable(answer));
        const QString uid = kubectl({"get", "pod", m_pod, "-o", "jsonpath={.metadata.uid}"}).out.trimmed();
        QVERIFY2(f.waitFor(QString("an error occurred forwarding %1 -> 9999: error forwarding port 9999 to pod %2, uid : "
                                   "failed to connect to localhost:9999")
                               .arg(port)
                               .arg(uid)),
                 qPrintable(f.report()));
        QVERIFY2(f.waitFor("connect: connection refused"), qPrintable(f.report()));
        QVERIFY2(f.waitFor("error: lost connection to pod"), qPrintable(f.report()));
        // kubectl 1.32 closes its whole connection after an error on the error stream
        // (client-go portforward.go); the server keeps serving: a new forward works at once.
        const int next = freePort();
        Forward again = forward("pod/" + m_pod, next, 8000);
        QVERIFY2(again.waitFor(QString("Forwarding from 127.0.0.1:%1").arg(next)), qPrintable(again.report()));
        QVERIFY2(httpGet(next).contains("hello from " + m_pod.toUtf8()), qPrintable(again.report()));
    }

    void pythonClientWebSocketPortForward()
    {
        const QString script = R"py(
import sys
from kubernetes import client, config
from kubernetes.stream import portforward
config.load_kube_config(config_file=sys.argv[1])
api = client.CoreV1Api()
pf = portforward(api.connect_get_namespaced_pod_portforward, sys.argv[2], "default", ports="8000")
sock = pf.socket(8000)
sock.setblocking(True)
sock.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
data = b""
while True:
    chunk = sock.recv(4096)
    if not chunk:
        break
    data += chunk
sock.close()
print(data.decode())
print("error:", pf.error(8000))
pf.close()
)py";
        QProcess python;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *proxy : {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
            env.remove(proxy);
        python.setProcessEnvironment(env);
        python.setProcessChannelMode(QProcess::MergedChannels);
        python.start("/usr/bin/python3", {"-c", script, m_cluster.kubeconfig(), m_pod});
        QVERIFY(python.waitForStarted(5000));
        if (!python.waitForFinished(60000))
            python.kill(), python.waitForFinished(5000);
        const QString output = QString::fromUtf8(python.readAll());
        if (output.contains("No module named 'kubernetes'")) {
            CD_SKIP_OR_FAIL("python3-kubernetes is not importable from /usr/bin/python3");
        }
        QVERIFY2(python.exitCode() == 0 && output.contains("hello from " + m_pod) && output.contains("error: None"),
                 qPrintable(output));
    }

    void podNotRunningIsRefused()
    {
        QVERIFY(kubectl({"apply", "-f", "-"}, kPending).ok());
        const KubectlRun refused = kubectl({"port-forward", "pod/nowhere", QString("%1:80").arg(freePort())});
        QVERIFY2(!refused.ok() && refused.err.contains("unable to forward port because pod is not running. Current status=Pending"),
                 qPrintable(refused.report()));
        // The API server says the same to a client that does not check first.
        const HttpReply raw = m_cluster.request("GET", "/api/v1/namespaces/default/pods/nowhere/portforward?ports=80");
        QCOMPARE(raw.status, 400);
        QVERIFY2(raw.body.contains("unable to forward port because pod is not running. Current status=Pending"),
                 qPrintable(raw.report()));
        QVERIFY(kubectl({"delete", "pod", "nowhere", "--wait=false"}).ok());
    }

    void simulatedNodeSaysWhy()
    {
        ClusterFixture simulated;
        QString why;
        QVERIFY2(simulated.start(&why, {"--nodes", "1", "--node-kind", "simulated"}), qPrintable(why));
        QVERIFY(simulated.waitForReadyNodes(1));
        QVERIFY(simulated.kubectl({"run", "sim", "--image=nginx"}).ok());
        QVERIFY(eventually([&] { return simulated.kubectl({"get", "pod", "sim"}).out.contains("Running"); }));
        const int port = freePort();
        Forward f;
        f.process = simulated.startKubectl({"port-forward", "--address", "127.0.0.1", "pod/sim", QString("%1:80").arg(port)});
        QVERIFY2(f.waitFor(QString("Forwarding from 127.0.0.1:%1").arg(port)), qPrintable(f.report()));
        QVERIFY(httpGet(port).isEmpty());
        QVERIFY2(f.waitFor("node node-1 is a simulated node: its pods run no processes to forward to"), qPrintable(f.report()));
        simulated.stop();
    }

    // kubectl attach: what is typed reaches the container's stdin (kept open by its shim), and
    // what it prints comes back live; the stdin stays open after the client leaves (no stdinOnce).
    void attachReadsAndWrites()
    {
        QVERIFY(kubectl({"apply", "-f", "-"}, QByteArray(kEcho).replace("MARKER", kMarker)).ok());
        QVERIFY(eventually([&] { return kubectl({"get", "pod", "echo"}).out.contains("Running"); }, 20000));
        QVERIFY(eventually([&] { return kubectl({"logs", "echo"}).out.contains("ready"); }));
        for (const char *word : {"hello", "again"}) {
            Forward attach;  // a running kubectl, stopped at the end
            attach.process = m_cluster.startKubectl({"attach", "-i", "echo"});
            QVERIFY(attach.process->waitForStarted());
            QVERIFY2(attach.waitFor("If you don't see a command prompt"), qPrintable(attach.report()));
            attach.process->write(QByteArray(word) + "\n");
            QVERIFY2(attach.waitFor(QString("got ") + word), qPrintable(attach.report()));
        }
        QVERIFY(kubectl({"logs", "echo"}).out.contains("got hello\ngot again"));
        QVERIFY(kubectl({"delete", "pod", "echo", "--grace-period=1"}).ok());
    }

    // kubectl run -i --rm: stdinOnce ends the container's input with the client's, the container
    // exits, kubectl prints its output and deletes the pod.
    void runInteractiveAndRemove()
    {
        const KubectlRun run = m_cluster.kubectl(
            {"run", "-i", "--rm", "--restart=Never", "--image=host", "once", "--command", "--", "sh", "-c",
             "while read l; do echo \"got $l\"; done; echo input ended # " + QString(kMarker)},
            "piped line\n");
        QVERIFY2(run.ok() && run.out.contains("got piped line\ninput ended") && run.out.contains("pod \"once\" deleted"),
                 qPrintable(run.report()));
        QVERIFY(!kubectl({"get", "pod", "once"}).ok());
    }

    void attachToATerminal()
    {
        QVERIFY(kubectl({"apply", "-f", "-"}, QByteArray(kConsole).replace("MARKER", kMarker)).ok());
        QVERIFY(eventually([&] { return kubectl({"get", "pod", "console"}).out.contains("Running"); }, 20000));
        const TerminalRun attach =
            runOnTerminal(m_cluster.kubectlCommand() + QStringList{"attach", "-it", "console"},
                          {"\n", "[ -t 0 ] && [ -t 1 ] && stty size; echo marker-$((40+2))\n", "sleep 60\n", "\x03",
                           "echo interrupted-$((1+1))\n", "exit 7\n"});
        const QString &screen = attach.screen;
        QVERIFY2(attach.finished, qPrintable(screen));
        QVERIFY2(screen.contains("console$ ") && screen.contains("40 120") && screen.contains("marker-42"),
                 qPrintable(screen));
        QVERIFY2(!screen.contains("Unable to use a TTY"), qPrintable(screen));
        // Its controlling terminal: ^C interrupts the command in the foreground.
        QVERIFY2(screen.contains("interrupted-2"), qPrintable(screen));
        // The shell's end is the container's.
        const QStringList exitCode = {"get", "pod", "console", "-o",
                                      "jsonpath={.status.containerStatuses[0].state.terminated.exitCode}"};
        QVERIFY2(eventually([&] { return kubectl(exitCode).out == "7"; }),
                 qPrintable(kubectl({"get", "pod", "console", "-o", "jsonpath={.status.containerStatuses}"}).out + "\n" +
                           kubectl({"logs", "console"}).out));
        QVERIFY(kubectl({"delete", "pod", "console"}).ok());
    }

    void runWithATerminalAndRemove()
    {
        const TerminalRun run = runOnTerminal(
            m_cluster.kubectlCommand() + QStringList{"run", "-it", "--rm", "--restart=Never", "--image=host", "typed",
                                                     "--command", "--", "sh", "-c", "sh -i # " + QString(kMarker)},
            {"\n", "stty size; echo marker-$((40+3))\n", "exit\n"});
        QVERIFY2(run.finished && run.screen.contains("40 120") && run.screen.contains("marker-43") &&
                     run.screen.contains("pod \"typed\" deleted"),
                 qPrintable(run.screen));
    }

    void asNobody()
    {
        CD_RERUN_AS_NOBODY(240000, QStringLiteral("podCarriesHttp"), QStringLiteral("twoConnectionsAtOnce"),
                           QStringLiteral("attachReadsAndWrites"), QStringLiteral("runInteractiveAndRemove"),
                           QStringLiteral("attachToATerminal"));
    }
};

QTEST_GUILESS_MAIN(TstStreamsKubectl)
#include "tst_streams_kubectl.moc"
