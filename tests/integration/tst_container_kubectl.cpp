// Container nodes with the real kubectl (issue 5, item 3): `clusterdeckd --nodes 1 --node-kind
// container --docker-host unix://…` against a private Podman (`podman system service`, its own
// storage, runc). A busybox image made with `podman import` (nothing is pulled); a 3-replica
// Deployment of busybox httpd behind a NodePort Service: 30 requests through 127.0.0.1:nodePort
// reach all three pods, which sit on the cluster network with pod IPs like process pods;
// kubectl logs reads what a container wrote; exec runs in it; containers reach the Service by
// name and ClusterIP and each other by pod IP; the pods outlive a restart of
// clusterdeckd and are taken back; a deleted pod is replaced; an image in a registry (on
// loopback) is pulled, with the kubelet's events; an image that can be neither found nor
// pulled gives ErrImagePull with the way to import it; memory and CPU limits reach the
// engine (a pod over its memory limit is OOMKilled); `kubectl top` measures container pods; a node whose engine does not answer is
// NotReady and says why, and Ready once it answers; `kubectl run -i --rm` feeds a container's
// stdin and ends it (stdinOnce), and `kubectl attach -it` reaches a container's terminal.
#include "clusterfixture.h"
#include "httpget.h"
#include "loopbackregistry.h"
#include "machinetools.h"
#include "podmanservice.h"
#include "terminal.h"

#include <QTcpSocket>

#include <csignal>

using cd::Json;
using namespace cd::test;

namespace {

const char *kImage = "localhost/busybox:1.36";

// Each pod serves its name at /name and logs a line when it starts.
const char *kWeb = R"yaml(apiVersion: apps/v1
kind: Deployment
metadata: {name: box}
spec:
  replicas: 3
  selector:
    matchLabels: {app: box}
  template:
    metadata:
      labels: {app: box}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: httpd
        image: busybox:1.36
        env: [{name: GREETING, value: hello-from-podman}]
        command: [sh, -c, 'mkdir -p /tmp/www && hostname > /tmp/www/name && echo "$GREETING $(hostname)" && exec httpd -f -p 8080 -h /tmp/www']
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: box}
spec:
  type: NodePort
  selector: {app: box}
  ports: [{port: 80, targetPort: http}]
)yaml";

const char *kConsole = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: console}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - {name: console, image: 'busybox:1.36', stdin: true, tty: true, command: [sh]}
)yaml";

} // namespace

class TestContainerKubectl : public QObject {
    Q_OBJECT

    PodmanService m_podman;
    LoopbackRegistry m_registry;
    ClusterFixture m_cluster;
    QTemporaryDir m_work;

    KubectlRun kubectl(const QStringList &arguments, const QByteArray &input = {}) const
    {
        return m_cluster.kubectl(arguments, input);
    }
    QString jsonpath(const QString &object, const QString &path) const
    {
        return kubectl({"get", object, "-o", "jsonpath={" + path + "}"}).out.trimmed();
    }
    QStringList boxPods() const
    {
        return jsonpath("pods", ".items[?(@.status.phase==\"Running\")].metadata.name").split(' ', Qt::SkipEmptyParts);
    }
    QStringList endpointPods() const
    {
        return jsonpath("endpoints/box", ".subsets[*].addresses[*].targetRef.name").split(' ', Qt::SkipEmptyParts);
    }

private Q_SLOTS:
    void initTestCase()
    {
        CD_REQUIRE_TOOL(QStringLiteral("nft"));  // the service proxy's rules
        CD_REQUIRE_KUBECTL();
        if (::geteuid() != 0)
            QSKIP("container nodes are tested with a root Podman: the pods join network namespaces that the "
                  "engine's user namespace owns, which a rootless Podman (in a user namespace of its own) cannot enter");
        QString why;
        const QString layer = m_work.path() + "/layer.tar";
        QVERIFY2(PodmanService::writeBusyboxTarball(layer, &why), qPrintable(why));
        QVERIFY2(m_registry.start("tools/busybox:2.0", layer, &why), qPrintable(why));
        m_podman.allowLoopbackRegistry(m_registry.port());
        if (!m_podman.start(&why))
            CD_SKIP_OR_FAIL(why);
        QVERIFY2(m_podman.importBusybox(kImage, &why), qPrintable(why));
        QVERIFY2(m_cluster.start(&why, {"--nodes", "1", "--node-kind", "container", "--docker-host", m_podman.host()}),
                 qPrintable(why));
        QVERIFY2(m_cluster.waitForReadyNodes(1), qPrintable(kubectl({"get", "nodes", "-o", "yaml"}).out));
    }

    void cleanupTestCase()
    {
        kubectl({"delete", "deployment,pods,services", "--all", "--grace-period=1", "--wait=false"});
        eventually([&] { return kubectl({"get", "pods", "--no-headers"}).lines().isEmpty(); }, 30000);
        m_cluster.stop();
        m_cluster.removeNetwork();
        m_podman.stop();
    }

    void nodeSaysItsRuntime()
    {
        const QString version = jsonpath("node/node-1", ".status.nodeInfo.containerRuntimeVersion");
        QVERIFY2(version.startsWith("podman://4."), qPrintable(version));
    }

    void deploymentBehindNodePort()
    {
        const KubectlRun apply = kubectl({"apply", "-f", "-"}, kWeb);
        QVERIFY2(apply.ok(), qPrintable(apply.report()));
        QVERIFY2(eventually([&] { return boxPods().size() == 3 && endpointPods().size() == 3; }, 90000),
                 qPrintable(kubectl({"get", "pods,endpoints", "-o", "wide"}).out +
                            kubectl({"describe", "pods"}).out));
        // Pod IPs from the node's block of the cluster network, one each.
        const QStringList ips = jsonpath("pods", ".items[*].status.podIP").split(' ', Qt::SkipEmptyParts);
        QCOMPARE(QSet<QString>(ips.begin(), ips.end()).size(), 3);
        for (const QString &ip : ips)
            QVERIFY2(ip.startsWith("10.244."), qPrintable(ip));
        const QString id = jsonpath("pod/" + boxPods().first(), ".status.containerStatuses[0].containerID");
        QVERIFY2(id.startsWith("docker://"), qPrintable(id));

        const int port = jsonpath("svc/box", ".spec.ports[0].nodePort").toInt();
        QVERIFY(port > 0);
        QVERIFY2(eventually([&] { return httpGet("127.0.0.1", port, "/name").ok; }, 20000),
                 qPrintable(httpGet("127.0.0.1", port, "/name").error));
        QStringList failures;
        const QMap<QString, int> answered = answersOf("127.0.0.1", port, "/name", 30, &failures);
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
        const QStringList pods = boxPods();
        QCOMPARE(QSet<QString>(answered.keyBegin(), answered.keyEnd()), QSet<QString>(pods.begin(), pods.end()));
        qInfo() << "30 NodePort requests to container pods:" << answered;
    }

    void logs()
    {
        const QString pod = boxPods().value(0);
        QVERIFY(!pod.isEmpty());
        const KubectlRun logs = kubectl({"logs", pod});
        QVERIFY2(logs.ok() && logs.out.contains("hello-from-podman " + pod), qPrintable(logs.report()));
        const KubectlRun stamped = kubectl({"logs", pod, "--timestamps"});
        QVERIFY2(stamped.ok() && stamped.out.contains("Z hello-from-podman"), qPrintable(stamped.report()));
    }

    void execRunsInTheContainer()
    {
        const QString pod = boxPods().value(0);
        const KubectlRun hello = kubectl({"exec", pod, "--", "sh", "-c", "echo out; hostname"});
        QVERIFY2(hello.ok() && hello.out == "out\n" + pod + "\n", qPrintable(hello.report()));
        const KubectlRun three = kubectl({"exec", pod, "--", "sh", "-c", "exit 3"});
        QVERIFY2(three.exitCode == 3, qPrintable(three.report()));
        const KubectlRun cat = kubectl({"exec", "-i", pod, "--", "cat"}, "through stdin\n");
        QVERIFY2(cat.ok() && cat.out == "through stdin\n", qPrintable(cat.report()));
    }

    // From inside a container: the Service by name (cluster DNS) and by ClusterIP, another pod by
    // its pod IP — the cluster network, as for process pods.
    void containersReachServicesAndPods()
    {
        const QStringList pods = boxPods();
        QCOMPARE(pods.size(), 3);
        const QString clusterIp = jsonpath("svc/box", ".spec.clusterIP");
        const QString otherIp = jsonpath("pod/" + pods.at(1), ".status.podIP");
        // busybox's nslookup asks the cluster DNS named in the pod's resolv.conf.
        for (const QString &name : {QStringLiteral("box"), QStringLiteral("box.default.svc.cluster.local")}) {
            const KubectlRun looked = kubectl({"exec", pods.at(0), "--", "nslookup", name});
            // (it exits 1 when any search domain answers NXDOMAIN: the answer is what counts)
            QVERIFY2(looked.out.contains("Address: " + clusterIp), qPrintable(looked.report()));
        }
        // busybox-static's wget crashes in its static glibc: HTTP by hand through nc.
        for (const QString &target : {clusterIp + " 80", otherIp + " 8080"}) {
            const KubectlRun fetched = kubectl(
                {"exec", pods.at(0), "--", "sh", "-c", "printf 'GET /name HTTP/1.0\\r\\n\\r\\n' | nc -w 5 " + target});
            const QString body = fetched.out.mid(fetched.out.indexOf("\r\n\r\n") + 4).trimmed();
            QVERIFY2(fetched.ok() && fetched.out.startsWith("HTTP/1.") && pods.contains(body), qPrintable(target + fetched.report()));
        }
    }

    // clusterdeckd stops and starts again: the containers ran on in Podman, the agent takes
    // them back by id (no new containers), the Service still reaches all three, logs go on.
    void podsSurviveEngineRestart()
    {
        const QStringList pods = boxPods();
        QCOMPARE(pods.size(), 3);
        std::map<QString, QString> ids;
        for (const QString &pod : pods)
            ids[pod] = jsonpath("pod/" + pod, ".status.containerStatuses[0].containerID");
        QCOMPARE(m_cluster.stop(), 0);
        QString running;
        QVERIFY(m_podman.run({"ps", "--format", "{{.ID}}", "--no-trunc"}, nullptr, &running));
        for (const auto &[pod, id] : ids)
            QVERIFY2(running.contains(id.mid(QStringLiteral("docker://").size())), qPrintable(pod + " died with the engine"));
        QString why;
        QVERIFY2(m_cluster.start(&why, {"--nodes", "1", "--node-kind", "container", "--docker-host", m_podman.host()}),
                 qPrintable(why));
        QVERIFY(m_cluster.waitForReadyNodes(1));
        QTest::qWait(1500);  // the agent has taken its pods back
        for (const auto &[pod, id] : ids) {
            QCOMPARE(jsonpath("pod/" + pod, ".status.containerStatuses[0].containerID"), id);
            QCOMPARE(jsonpath("pod/" + pod, ".status.containerStatuses[0].restartCount"), QString("0"));
        }
        QString all;
        QVERIFY(m_podman.run({"ps", "-a", "--format", "{{.Names}}"}, nullptr, &all));
        QCOMPARE(all.split('\n', Qt::SkipEmptyParts).size(), 3);
        const int port = jsonpath("svc/box", ".spec.ports[0].nodePort").toInt();
        QSet<QString> answered;
        QString error;
        QVERIFY2(eventually([&] {
            const HttpAnswer answer = httpGet("127.0.0.1", port, "/name");
            if (answer.ok)
                answered << answer.body;
            error = answer.error;
            return answered.size() == 3;
        }, 30000, 50), qPrintable(error));
        // One log, its lines not repeated by the resumed stream.
        const KubectlRun logs = kubectl({"logs", pods.first()});
        QVERIFY2(logs.out.count("hello-from-podman") == 1, qPrintable(logs.report()));
    }

    void deletedPodIsReplaced()
    {
        const QStringList before = boxPods();
        QCOMPARE(before.size(), 3);
        const QString victim = before.first();
        const KubectlRun deleted = kubectl({"delete", "pod", victim});
        QVERIFY2(deleted.ok(), qPrintable(deleted.report()));
        QVERIFY2(eventually(
                     [&] {
                         const QStringList now = boxPods();
                         return now.size() == 3 && !now.contains(victim) && endpointPods().size() == 3;
                     },
                     60000),
                 qPrintable(kubectl({"get", "pods", "-o", "wide"}).out));
        // Its container is gone from the engine too.
        QString out;
        QVERIFY(eventually([&] {
            m_podman.run({"ps", "-a", "--format", "{{.Names}}"}, nullptr, &out);
            return !out.contains("cd_" + victim + "_");
        }, 20000));
    }

    void missingImageSaysHowToImport()
    {
        const KubectlRun run = kubectl({"run", "nowhere", "--image=localhost/not-imported:1.0", "--restart=Never"});
        QVERIFY2(run.ok(), qPrintable(run.report()));
        QVERIFY(eventually([&] {
            const QString reason = jsonpath("pod/nowhere", ".status.containerStatuses[0].state.waiting.reason");
            return reason == "ErrImagePull" || reason == "ImagePullBackOff";
        }, 30000));
        const KubectlRun events = kubectl({"get", "events", "--field-selector", "involvedObject.name=nowhere"});
        QVERIFY2(events.out.contains("podman import"), qPrintable(events.report()));
        kubectl({"delete", "pod", "nowhere", "--wait=false"});

        // Never: no pull is tried, and the message says why.
        const char *never = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: never}
spec:
  containers:
  - {name: main, image: 'localhost/not-imported:1.0', imagePullPolicy: Never, command: [sleep, '3600']}
)yaml";
        QVERIFY(kubectl({"apply", "-f", "-"}, never).ok());
        QVERIFY(eventually([&] {
            return jsonpath("pod/never", ".status.containerStatuses[0].state.waiting.message").contains("pull policy of Never");
        }, 30000));
        kubectl({"delete", "pod", "never", "--wait=false"});
    }

    void imagesArePulled()
    {
        const QString image = m_registry.host() + "/tools/busybox:2.0";
        const KubectlRun run = kubectl({"run", "pulled", "--image=" + image, "--restart=Never", "--", "sleep", "3600"});
        QVERIFY2(run.ok(), qPrintable(run.report()));
        QVERIFY2(eventually([&] { return jsonpath("pod/pulled", ".status.phase") == "Running"; }, 60000),
                 qPrintable(kubectl({"describe", "pod", "pulled"}).out));
        const KubectlRun events = kubectl({"get", "events", "--field-selector", "involvedObject.name=pulled"});
        QVERIFY2(events.out.contains("Pulling image \"" + image + "\"") &&
                     events.out.contains("Successfully pulled image \"" + image + "\""),
                 qPrintable(events.report()));
        QVERIFY2(!events.out.contains("already present"), qPrintable(events.report()));
        QVERIFY2(m_registry.requests().contains("GET /v2/tools/busybox/manifests/2.0"), qPrintable(m_registry.requests()));
        QVERIFY(kubectl({"delete", "pod", "pulled", "--grace-period=1"}).ok());

        // Always: pulled again though present, once for the start (not again and again).
        const KubectlRun always = kubectl({"run", "always", "--image=" + image, "--image-pull-policy=Always",
                                           "--restart=Never", "--", "sleep", "3600"});
        QVERIFY2(always.ok(), qPrintable(always.report()));
        QVERIFY2(eventually([&] { return jsonpath("pod/always", ".status.phase") == "Running"; }, 60000),
                 qPrintable(kubectl({"describe", "pod", "always"}).out));
        QTest::qWait(1500);
        QCOMPARE(m_registry.requests().count("GET /v2/tools/busybox/manifests/2.0"), 2);
        const KubectlRun againEvents = kubectl({"get", "events", "--field-selector", "involvedObject.name=always"});
        QCOMPARE(againEvents.out.count("Successfully pulled image"), 1);
        QVERIFY(kubectl({"delete", "pod", "always", "--grace-period=1"}).ok());
    }

    // CPU and memory of container pods, from the processes the engine started (State.Pid); the
    // CPU limit holds a busy loop near its quota.
    void topShowsContainerPods()
    {
        const char *yaml = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: burner}
spec:
  containers:
  - name: burn
    image: 'busybox:1.36'
    command: [sh, -c, 'while true; do :; done']
    resources:
      limits: {cpu: 300m, memory: 64Mi}
)yaml";
        QVERIFY(kubectl({"apply", "-f", "-"}, yaml).ok());
        QVERIFY(eventually([&] { return jsonpath("pod/burner", ".status.phase") == "Running"; }, 60000));
        QString out;
        QVERIFY(m_podman.run({"inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}}",
                              "cd_burner_default_burn_0_" + jsonpath("pod/burner", ".metadata.uid").left(8)},
                             nullptr, &out));
        QCOMPARE(out.trimmed(), QString("67108864 67108864 300000000"));
        KubectlRun top;
        int millicores = 0;
        QVERIFY2(eventually([&] {
            top = kubectl({"top", "pod", "burner", "--no-headers"});
            const QStringList cells = top.out.simplified().split(' ');
            millicores = cells.value(1).endsWith('m') ? cells.value(1).chopped(1).toInt() : 0;
            return top.ok() && cells.size() == 3 && millicores > 150;
        }, 60000, 500), qPrintable(top.report()));
        QVERIFY2(millicores < 450, qPrintable(top.report()));
        const KubectlRun nodes = kubectl({"top", "nodes", "--no-headers"});
        QVERIFY2(nodes.ok() && nodes.out.startsWith("node-1"), qPrintable(nodes.report()));
        QVERIFY(kubectl({"delete", "pod", "burner", "--grace-period=1"}).ok());
    }

    void limitsReachTheEngine()
    {
        // The shell doubles a string until the memory limit stops it (Podman 4.3 on cgroup v1
        // does not see that OOM kill itself: the runtime's OomWatch does).
        const char *yaml = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: hungry}
spec:
  restartPolicy: Never
  containers:
  - name: eat
    image: busybox:1.36
    command: [sh, -c, 'sleep 1; x=aaaaaaaa; while true; do x="$x$x"; done']
    resources:
      limits: {memory: 32Mi}
)yaml";
        QVERIFY(kubectl({"apply", "-f", "-"}, yaml).ok());
        QVERIFY2(eventually([&] { return jsonpath("pod/hungry", ".status.phase") == "Failed"; }, 60000),
                 qPrintable(kubectl({"describe", "pod", "hungry"}).out));
        QVERIFY2(jsonpath("pod/hungry", ".status.containerStatuses[0].state.terminated.reason") == "OOMKilled",
                 qPrintable(kubectl({"get", "pod", "hungry", "-o", "jsonpath={.status.containerStatuses}"}).out +
                            kubectl({"logs", "hungry"}).out));
        QVERIFY(kubectl({"delete", "pod", "hungry"}).ok());
    }

    // A second clusterdeckd whose container engine is not there: its node is NotReady and says
    // why, until the engine appears (a link to the Podman socket) and the node turns Ready.
    // Attach through the engine's attach API: piped input ends with the client's (stdinOnce), a
    // terminal shows the shell's prompt, takes kubectl's size and ends with the shell.
    void attachToStdinAndTerminal()
    {
        const KubectlRun run = kubectl({"run", "-i", "--rm", "--restart=Never", "--image=busybox:1.36", "once",
                                        "--command", "--", "sh", "-c",
                                        "while read l; do echo \"got $l\"; done; echo input ended"},
                                       "piped line\n");
        QVERIFY2(run.ok() && run.out.contains("got piped line\ninput ended") && run.out.contains("pod \"once\" deleted"),
                 qPrintable(run.report()));

        QVERIFY(kubectl({"apply", "-f", "-"}, kConsole).ok());
        QVERIFY(eventually([&] { return jsonpath("pod/console", ".status.phase") == "Running"; }, 60000));
        const TerminalRun attach =
            runOnTerminal(m_cluster.kubectlCommand() + QStringList{"attach", "-it", "console"},
                          {"\n", "stty size; echo marker-$((40+2))\n", "exit 7\n"});
        QVERIFY2(attach.finished && attach.screen.contains("40 120") && attach.screen.contains("marker-42") &&
                     !attach.screen.contains("Unable to use a TTY"),
                 qPrintable(attach.screen));
        QVERIFY2(eventually([&] {
                     return jsonpath("pod/console", ".status.containerStatuses[0].state.terminated.exitCode") == "7";
                 }),
                 qPrintable(kubectl({"get", "pod", "console", "-o", "yaml"}).out));
        // Its log is the terminal's output, as stdout.
        const KubectlRun logs = kubectl({"logs", "console"});
        QVERIFY2(logs.out.contains("marker-42"), qPrintable(logs.report()));
        QVERIFY(kubectl({"delete", "pod", "console"}).ok());
    }

    void unreachableEngineMakesNodeNotReady()
    {
        QTemporaryDir dir(QStringLiteral("/tmp/cd-late-XXXXXX"));
        const QString link = dir.path() + "/docker.sock";
        ClusterFixture other;
        QString why;
        QVERIFY2(other.start(&why, {"--nodes", "1", "--node-kind", "container", "--docker-host", "unix://" + link}),
                 qPrintable(why));
        const auto ready = [&] {
            return other.kubectl({"get", "node", "node-1", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")]}"}).json();
        };
        QVERIFY2(eventually([&] { return cd::str(ready(), {"status"}) == "False"; }, 20000), ready().dump().c_str());
        const std::string message = cd::str(ready(), {"message"});
        QVERIFY2(message.find("container runtime is down") != std::string::npos &&
                     message.find(link.toStdString()) != std::string::npos,
                 message.c_str());
        QVERIFY(QFile::link(m_podman.socketPath(), link));
        QVERIFY2(eventually([&] { return cd::str(ready(), {"status"}) == "True"; }, 20000), ready().dump().c_str());
        other.stop();
        other.removeNetwork();
    }
};

QTEST_GUILESS_MAIN(TestContainerKubectl)
#include "tst_container_kubectl.moc"
