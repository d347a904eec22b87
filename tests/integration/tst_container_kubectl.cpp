// Container nodes with the real kubectl (issue 5, item 3): `clusterdeckd --nodes 1 --node-kind
// container --docker-host unix://…` against a private Podman (`podman system service`, its own
// storage, runc). A busybox image made with `podman import` (nothing is pulled); a 3-replica
// Deployment of busybox httpd behind a NodePort Service: 30 requests through 127.0.0.1:nodePort
// reach all three pods, which sit on the cluster network with pod IPs like process pods;
// kubectl logs reads what a container wrote; exec runs in it; containers reach the Service by
// name and ClusterIP and each other by pod IP; the pods outlive a restart of
// clusterdeckd and are taken back; a deleted pod is replaced; an image the engine does
// not have gives ErrImagePull with the way to import it; a node whose engine does not answer is
// NotReady and says why, and Ready once it answers.
#include "clusterfixture.h"
#include "httpget.h"
#include "machinetools.h"
#include "podmanservice.h"

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


} // namespace

class TestContainerKubectl : public QObject {
    Q_OBJECT

    PodmanService m_podman;
    ClusterFixture m_cluster;

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
    }

    // A second clusterdeckd whose container engine is not there: its node is NotReady and says
    // why, until the engine appears (a link to the Podman socket) and the node turns Ready.
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
