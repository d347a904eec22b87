// Probes with the real kubectl, against `clusterdeckd --nodes 2 --node-kind process` (issue 5's
// must-show): three replicas of `python3 -m http.server` with an httpGet readiness probe on a
// file, behind a NodePort Service; 30 requests through 127.0.0.1:nodePort reach all three; one
// pod's probed file removed (kubectl exec) takes it out of the Endpoints and no request reaches
// it; the file back brings it back. And a liveness probe that fails restarts its container:
// RESTARTS 1 in `kubectl get pod`, the Unhealthy and Killing events in `kubectl describe`.
#include "clusterfixture.h"
#include "httpget.h"
#include "machinetools.h"

#include <QDir>
#include <QTcpSocket>

#include <csignal>

using cd::Json;
using namespace cd::test;

namespace {

// Each pod serves /name (its name) and /ready (the readiness probe's file) from /tmp/www.
const char *kWeb = R"yaml(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
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
        command: [sh, -c, 'mkdir -p /tmp/www && echo $HOSTNAME > /tmp/www/name && touch /tmp/www/ready && cd /tmp/www && exec python3 -u -m http.server --bind 0.0.0.0 8000']
        ports: [{name: http, containerPort: 8000}]
        readinessProbe:
          httpGet: {path: /ready, port: http}
          periodSeconds: 1
          failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
)yaml";

// A server whose liveness probe asks for /healthz, made at each start.
const char *kAlive = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: alive}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: host
    command: [sh, -c, 'mkdir -p /tmp/www && touch /tmp/www/healthz && cd /tmp/www && exec python3 -u -m http.server --bind 0.0.0.0 8000']
    livenessProbe:
      httpGet: {path: /healthz, port: 8000}
      periodSeconds: 1
      failureThreshold: 2
)yaml";


} // namespace

class TestProbesKubectl : public QObject {
    Q_OBJECT

    ClusterFixture m_cluster;

    KubectlRun kubectl(const QStringList &arguments, const QByteArray &input = {}) const
    {
        return m_cluster.kubectl(arguments, input);
    }
    QString jsonpath(const QString &object, const QString &path) const
    {
        return kubectl({"get", object, "-o", "jsonpath={" + path + "}"}).out.trimmed();
    }
    QStringList webPods() const
    {
        return jsonpath("pods", ".items[?(@.metadata.labels.app==\"web\")].metadata.name")
            .split(' ', Qt::SkipEmptyParts);
    }
    QStringList endpointPods() const
    {
        return jsonpath("endpoints/web", ".subsets[*].addresses[*].targetRef.name").split(' ', Qt::SkipEmptyParts);
    }
    QStringList notReadyPods() const
    {
        return jsonpath("endpoints/web", ".subsets[*].notReadyAddresses[*].targetRef.name")
            .split(' ', Qt::SkipEmptyParts);
    }
    // 30 requests to the NodePort, one connection each: which pods answered how often.
    QMap<QString, int> spread(QStringList *failures) const
    {
        return answersOf("127.0.0.1", jsonpath("svc/web", ".spec.ports[0].nodePort").toInt(), "/name", 30, failures);
    }
    static QSet<QString> keys(const QMap<QString, int> &map) { return QSet<QString>(map.keyBegin(), map.keyEnd()); }
    static QSet<QString> set(const QStringList &list) { return QSet<QString>(list.begin(), list.end()); }

private Q_SLOTS:
    void initTestCase()
    {
        CD_REQUIRE_TOOL(QStringLiteral("bwrap"));
        CD_REQUIRE_TOOL(QStringLiteral("nft")); // the service proxy's rules
        CD_REQUIRE_KUBECTL();
        QString why;
        QVERIFY2(m_cluster.start(&why, {"--nodes", "2", "--node-kind", "process"}), qPrintable(why));
        QVERIFY(m_cluster.waitForReadyNodes(2));
    }

    void cleanupTestCase()
    {
        kubectl({"delete", "deployment,pods,services", "--all", "--grace-period=1", "--wait=false"});
        eventually([&] { return kubectl({"get", "pods", "--no-headers"}).lines().isEmpty(); }, 30000);
        m_cluster.stop();
        m_cluster.removeNetwork();
    }

    void readinessTakesAPodOutOfTheService()
    {
        const KubectlRun apply = kubectl({"apply", "-f", "-"}, kWeb);
        QVERIFY2(apply.ok(), qPrintable(apply.report()));
        // Ready only once the probe answered 200: then in the Endpoints, and served.
        QVERIFY2(eventually([&] { return webPods().size() == 3 && endpointPods().size() == 3; }, 60000),
                 qPrintable(kubectl({"get", "pods,endpoints", "-o", "wide"}).out));
        QCOMPARE(jsonpath("pods", ".items[*].status.containerStatuses[0].ready"), QString("true true true"));
        QTest::qWait(300); // the proxy's sync
        QStringList failures;
        QMap<QString, int> answered = spread(&failures);
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
        QCOMPARE(keys(answered), set(webPods()));
        qInfo() << "30 NodePort requests:" << answered;

        // The probed file gone: the probe sees 404, the pod turns unready and leaves the Service.
        const QString victim = webPods().value(1);
        CD_KUBECTL_OK(kubectl({"exec", victim, "--", "rm", "/tmp/www/ready"}));
        QVERIFY2(eventually([&] { return endpointPods().size() == 2 && !endpointPods().contains(victim); }, 15000),
                 qPrintable(kubectl({"get", "pods,endpoints", "-o", "wide"}).out));
        QCOMPARE(notReadyPods(), QStringList{victim});
        QCOMPARE(jsonpath("pod/" + victim, ".status.conditions[?(@.type==\"Ready\")].status"), QString("False"));
        QCOMPARE(jsonpath("pod/" + victim, ".status.phase"), QString("Running")); // unready, not dead
        const KubectlRun described = kubectl({"describe", "pod", victim});
        QVERIFY2(described.out.contains("Readiness probe failed: HTTP probe failed with statuscode: 404"),
                 qPrintable(described.out));
        QTest::qWait(300);
        failures.clear();
        answered = spread(&failures);
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
        QVERIFY2(!answered.contains(victim), qPrintable(victim));
        QCOMPARE(answered.size(), 2);

        // The file back: ready again, and served again.
        CD_KUBECTL_OK(kubectl({"exec", victim, "--", "touch", "/tmp/www/ready"}));
        QVERIFY(eventually([&] { return endpointPods().size() == 3 && endpointPods().contains(victim); }, 15000));
        QTest::qWait(300);
        failures.clear();
        answered = spread(&failures);
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
        QCOMPARE(keys(answered), set(webPods()));
        QCOMPARE(jsonpath("pod/" + victim, ".status.containerStatuses[0].restartCount"), QString("0"));
    }

    void livenessRestartsTheContainer()
    {
        CD_KUBECTL_OK(kubectl({"apply", "-f", "-"}, kAlive));
        QVERIFY(
            eventually([&] { return jsonpath("pod/alive", ".status.containerStatuses[0].started") == "true"; }, 60000));
        QTest::qWait(2500); // the probe passes meanwhile
        QCOMPARE(jsonpath("pod/alive", ".status.containerStatuses[0].restartCount"), QString("0"));
        CD_KUBECTL_OK(kubectl({"exec", "alive", "--", "rm", "/tmp/www/healthz"}));
        QVERIFY(eventually([&] { return jsonpath("pod/alive", ".status.containerStatuses[0].restartCount") == "1"; },
                           20000));
        QVERIFY(
            eventually([&] { return jsonpath("pod/alive", ".status.containerStatuses[0].ready") == "true"; }, 20000));
        const KubectlRun got = kubectl({"get", "pod", "alive", "--no-headers"});
        CD_KUBECTL_OK(got);
        const QStringList row = columns(got.lines().value(0));
        QVERIFY2(row.size() >= 4 && row[1] == "1/1" && row[2] == "Running" &&
                     (row[3] == "1" || row[3].startsWith("1 (")),
                 qPrintable(got.out));
        const KubectlRun described = kubectl({"describe", "pod", "alive"});
        CD_KUBECTL_OK(described);
        QVERIFY2(described.out.contains("Liveness probe failed: HTTP probe failed with statuscode: 404"),
                 qPrintable(described.out));
        QVERIFY2(described.out.contains("Container app failed liveness probe, will be restarted"),
                 qPrintable(described.out));
        QVERIFY2(described.out.contains("Liveness:") && described.out.contains("http-get http://:8000/healthz"),
                 qPrintable(described.out));
        QVERIFY2(described.out.contains("Restart Count:  1"), qPrintable(described.out));
        QTest::qWait(2500); // healthy after the restart (the file is made at each start)
        QCOMPARE(jsonpath("pod/alive", ".status.containerStatuses[0].restartCount"), QString("1"));
    }
};

QTEST_GUILESS_MAIN(TestProbesKubectl)
#include "tst_probes_kubectl.moc"
