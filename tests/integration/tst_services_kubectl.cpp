// Service networking with the real kubectl, against `clusterdeckd --nodes 2 --node-kind process`
// (issue 5): three replicas of `python3 -m http.server` behind a NodePort Service answer from the
// host on 127.0.0.1:nodePort, spread over all three pods, and so do three busybox httpd pods of an
// imported image; a LoadBalancer Service answers on its loopback ingress address; a pod reaches the
// Service by ClusterIP and by every DNS form of its name, and another pod by pod IP; traffic leaves
// a pod as soon as the Endpoints drop it; and a Service without endpoints refuses at once, from the
// host and from a pod. A pod that mounts its ServiceAccount's token reaches the API server as the
// `kubernetes` Service with the Python client's in-cluster configuration (the certificate names
// kubernetes.default.svc), and a wrong token gets 401.
#include "clusterfixture.h"
#include "httpget.h"
#include "machinetools.h"

#include <QDir>
#include <QTcpSocket>

#include <csignal>

using cd::Json;
using namespace cd::test;

namespace {

// Each pod serves a file that names it: GET /name answers the pod's name.
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
        command: [sh, -c, 'echo $HOSTNAME > /tmp/name && cd /tmp && exec python3 -u -m http.server --bind 0.0.0.0 8000']
        ports: [{name: http, containerPort: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: LBPORT, targetPort: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: nothing}
spec:
  type: NodePort
  selector: {app: nothing-matches-this}
  ports: [{port: 80, targetPort: 8000}]
)yaml";

// busybox httpd in an imported image: each pod serves its name at /name.
const char *kBusyboxWeb = R"yaml(apiVersion: apps/v1
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
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: busybox:1.36
        command: [sh, -c, 'mkdir -p /tmp/www && hostname > /tmp/www/name && exec httpd -f -p 8080 -h /tmp/www']
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

// In a pod: the Python client's in-cluster configuration (the environment's KUBERNETES_SERVICE_*,
// the mounted token and CA) lists the namespaces; then a request with a wrong token.
const char *kInCluster = R"(
import ssl, urllib.request, urllib.error
from kubernetes import client, config
config.load_incluster_config()
names = sorted(n.metadata.name for n in client.CoreV1Api().list_namespace().items)
print('namespaces: ' + ' '.join(names))
context = ssl.create_default_context(cafile='/var/run/secrets/kubernetes.io/serviceaccount/ca.crt')
request = urllib.request.Request('https://kubernetes.default.svc/api', headers={'Authorization': 'Bearer wrong'})
try:
    urllib.request.urlopen(request, context=context, timeout=10)
    print('wrong token: accepted')
except urllib.error.HTTPError as e:
    print('wrong token: %d' % e.code)
)";

// Fetches each URL once and says how it went ("ok URL BODY" or "fail URL MS ERROR").
const char *kFetcher = R"(
import sys, time, urllib.request
for url in sys.argv[1:]:
    start = time.monotonic()
    try:
        body = urllib.request.urlopen(url, timeout=10).read().decode().strip()
        print("ok", url, body, flush=True)
    except Exception as e:
        print("fail", url, int((time.monotonic() - start) * 1000), repr(e), flush=True)
)";


} // namespace

class TestServicesKubectl : public QObject {
    Q_OBJECT

    ClusterFixture m_cluster;
    int m_lbPort = 0;

    KubectlRun kubectl(const QStringList &arguments, const QByteArray &input = {}) const
    {
        return m_cluster.kubectl(arguments, input);
    }

    QString jsonpath(const QString &object, const QString &path) const
    {
        return kubectl({"get", object, "-o", "jsonpath={" + path + "}"}).out.trimmed();
    }

    QStringList webPods(const QString &app = "web") const
    {
        return jsonpath("pods", ".items[?(@.metadata.labels.app==\"" + app + "\")].metadata.name")
            .split(' ', Qt::SkipEmptyParts);
    }

    int nodePort(const QString &service) const { return jsonpath("svc/" + service, ".spec.ports[0].nodePort").toInt(); }

    // The pods the Service's Endpoints list.
    QStringList endpointPods(const QString &service) const
    {
        return jsonpath("endpoints/" + service, ".subsets[*].addresses[*].targetRef.name")
            .split(' ', Qt::SkipEmptyParts);
    }

    // Each pod's python server listens (it logs its start).
    bool webServing(const QStringList &pods) const
    {
        for (const QString &pod : pods)
            if (!kubectl({"logs", pod}).out.contains("Serving HTTP"))
                return false;
        return !pods.isEmpty();
    }

    // `count` requests to the Service's NodePort, one connection each: the pods that answered,
    // and any failure.
    QMap<QString, int> spread(int count, QStringList *failures, const QString &service = "web")
    {
        return answersOf("127.0.0.1", nodePort(service), "/name", count, failures);
    }

    // Runs kFetcher in a pod with these URLs and returns its log lines once it finished.
    QStringList fetchInPod(const QString &name, const QStringList &urls)
    {
        Json args = Json::array({"-c", kFetcher});
        for (const QString &url : urls)
            args.push_back(url.toStdString());
        const Json pod = {
            {"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name.toStdString()}}},
            {"spec",
             {{"restartPolicy", "Never"},
              {"containers",
               Json::array(
                   {{{"name", "fetch"}, {"image", "host"}, {"command", Json::array({"python3"})}, {"args", args}}})}}}};
        const KubectlRun created = kubectl({"apply", "-f", "-"}, QByteArray::fromStdString(pod.dump()));
        if (!created.ok())
            return {"apply failed: " + created.report()};
        eventually(
            [&] {
                return jsonpath("pod/" + name, ".status.phase") == "Succeeded" ||
                       jsonpath("pod/" + name, ".status.phase") == "Failed";
            },
            60000);
        QStringList lines = kubectl({"logs", name}).lines();
        kubectl({"delete", "pod", name, "--wait=false"});
        return lines;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CD_REQUIRE_TOOL(QStringLiteral("bwrap"));
        CD_REQUIRE_TOOL(QStringLiteral("nft"));  // the service proxy's rules
        CD_REQUIRE_KUBECTL();
        QString why;
        QVERIFY2(m_cluster.start(&why, {"--nodes", "2", "--node-kind", "process"}), qPrintable(why));
        QVERIFY(m_cluster.waitForReadyNodes(2));
        m_lbPort = 20000 + int(QRandomGenerator::global()->bounded(9000));
        const KubectlRun apply =
            kubectl({"apply", "-f", "-"}, QByteArray(kWeb).replace("LBPORT", QByteArray::number(m_lbPort)));
        QVERIFY2(apply.ok(), qPrintable(apply.report()));
        QVERIFY2(eventually(
                     [&] { return webPods().size() == 3 && endpointPods("web").size() == 3 && webServing(webPods()); },
                     60000),
                 qPrintable(kubectl({"get", "pods,endpoints", "-o", "wide"}).out));
    }

    void cleanupTestCase()
    {
        kubectl({"delete", "deployment,pods,services", "--all", "--grace-period=1", "--wait=false"});
        eventually([&] { return kubectl({"get", "pods", "--no-headers"}).lines().isEmpty(); }, 30000);
        m_cluster.stop();
        m_cluster.removeNetwork();
    }

    void podReachesTheApiServer()
    {
        const QString secret = jsonpath("serviceaccount/default", ".secrets[0].name");
        QVERIFY2(!secret.isEmpty(), qPrintable(kubectl({"get", "serviceaccount", "default", "-o", "yaml"}).out));
        const Json pod = {
            {"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", "in-cluster"}}},
            {"spec",
             {{"restartPolicy", "Never"},
              {"volumes", Json::array({{{"name", "token"}, {"secret", {{"secretName", secret.toStdString()}}}}})},
              {"containers",
               Json::array({{{"name", "client"},
                             {"image", "host"},
                             {"command", Json::array({"python3", "-c", kInCluster})},
                             {"volumeMounts", Json::array({{{"name", "token"},
                                                            {"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"},
                                                            {"readOnly", true}}})}}})}}}};
        QVERIFY(kubectl({"apply", "-f", "-"}, QByteArray::fromStdString(pod.dump())).ok());
        QVERIFY2(eventually([&] { return jsonpath("pod/in-cluster", ".status.phase") == "Succeeded"; }, 60000),
                 qPrintable(kubectl({"logs", "in-cluster", "--tail=4"}).out + kubectl({"get", "pod", "in-cluster"}).out));
        const KubectlRun logs = kubectl({"logs", "in-cluster"});
        QVERIFY2(logs.out.contains("namespaces: default kube-node-lease kube-public kube-system") &&
                     logs.out.contains("wrong token: 401"),
                 qPrintable(logs.report()));
        QVERIFY(kubectl({"delete", "pod", "in-cluster", "--wait=false"}).ok());
    }

    void clusterDnsService()
    {
        const KubectlRun dns = kubectl({"get", "service", "kube-dns", "-n", "kube-system", "-o", "json"});
        CD_KUBECTL_OK(dns);
        QCOMPARE(cd::str(dns.json(), {"spec", "clusterIP"}), std::string("10.96.0.10"));
    }

    void nodePortReachesEveryPod()
    {
        // The proxy follows the Endpoints within moments: wait for the first answer, then count.
        QVERIFY(eventually([&] { return httpGet("127.0.0.1", nodePort("web"), "/name").ok; }, 10000));
        QStringList failures;
        const QMap<QString, int> answered = spread(30, &failures);
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
        const QStringList pods = webPods();
        QCOMPARE(QSet<QString>(answered.keyBegin(), answered.keyEnd()), QSet<QString>(pods.begin(), pods.end()));
        qInfo() << "30 NodePort requests:" << answered;
    }

    // The same with busybox httpd from an image imported into the store (busybox-static).
    void busyboxHttpdBehindNodePort()
    {
        QString why;
        QVERIFY2(m_cluster.importBusyboxImage("busybox:1.36", &why), qPrintable(why));
        const KubectlRun apply = kubectl({"apply", "-f", "-"}, kBusyboxWeb);
        QVERIFY2(apply.ok(), qPrintable(apply.report()));
        QVERIFY2(eventually([&] { return webPods("box").size() == 3 && endpointPods("box").size() == 3; }, 60000),
                 qPrintable(kubectl({"get", "pods,endpoints", "-o", "wide"}).out));
        QVERIFY(eventually([&] { return httpGet("127.0.0.1", nodePort("box"), "/name").ok; }, 15000));
        QStringList failures;
        const QMap<QString, int> answered = spread(30, &failures, "box");
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
        const QStringList pods = webPods("box");
        QCOMPARE(QSet<QString>(answered.keyBegin(), answered.keyEnd()), QSet<QString>(pods.begin(), pods.end()));
        qInfo() << "30 NodePort requests to busybox httpd:" << answered;
        QVERIFY(kubectl({"delete", "deployment,service", "box", "--wait=false"}).ok());
    }

    void loadBalancerAnswersOnItsAddress()
    {
        QString ip;
        QVERIFY(
            eventually([&] { return !(ip = jsonpath("svc/web-lb", ".status.loadBalancer.ingress[0].ip")).isEmpty(); }));
        QVERIFY2(ip.startsWith("127.0.10."), qPrintable(ip));
        QVERIFY(eventually([&] { return httpGet(ip, m_lbPort, "/name").ok; }, 10000));
        const HttpAnswer answer = httpGet(ip, m_lbPort, "/name");
        QVERIFY2(webPods().contains(answer.body), qPrintable(answer.body + answer.error));
    }

    void podReachesServiceByIpAndName()
    {
        const QString clusterIp = jsonpath("svc/web", ".spec.clusterIP");
        const QString nothingIp = jsonpath("svc/nothing", ".spec.clusterIP");
        const QString otherPod = webPods().value(0);
        const QString podIp = jsonpath("pod/" + otherPod, ".status.podIP");
        const QStringList urls = {"http://" + clusterIp + "/name",
                                  "http://web/name",
                                  "http://web.default/name",
                                  "http://web.default.svc/name",
                                  "http://web.default.svc.cluster.local/name",
                                  "http://" + podIp + ":8000/name",
                                  "http://" + nothingIp + "/name",
                                  "http://no-such-service/name"};
        const QStringList lines = fetchInPod("fetcher", urls);
        const QString report = lines.join('\n');
        QCOMPARE(lines.size(), urls.size());
        for (int i = 0; i < 5; ++i) {
            QVERIFY2(lines[i].startsWith("ok " + urls[i] + " "), qPrintable(report));
            QVERIFY2(webPods().contains(lines[i].section(' ', 2)), qPrintable(report));
        }
        QCOMPARE(lines[5], "ok " + urls[5] + " " + otherPod);
        // No endpoints: refused at once. No such name: NXDOMAIN at once, never asked elsewhere.
        QVERIFY2(lines[6].startsWith("fail " + urls[6]) && lines[6].contains("Connection refused"), qPrintable(report));
        QVERIFY2(lines[6].section(' ', 2, 2).toInt() < 1000, qPrintable(report));
        QVERIFY2(lines[7].startsWith("fail " + urls[7]) && lines[7].contains("Name or service not known"),
                 qPrintable(report));
        QVERIFY2(lines[7].section(' ', 2, 2).toInt() < 2000, qPrintable(report));
    }

    void serviceWithoutEndpointsRefusesFromTheHost()
    {
        const HttpAnswer answer = httpGet("127.0.0.1", nodePort("nothing"), "/name");
        QVERIFY(!answer.ok);
        QVERIFY2(answer.ms < 1000, qPrintable(QString::number(answer.ms)));
        QVERIFY2(answer.body.isEmpty(), qPrintable(answer.body));
    }

    void onlyReadyEndpointsGetTraffic()
    {
        // A pod deleted with a long grace period keeps serving meanwhile (python, pid 1 of its
        // sandbox, ignores SIGTERM): once the Endpoints drop it, no request may reach it — and
        // none may fail.
        const QString victim = webPods().value(1);
        const QString victimIp = jsonpath("pod/" + victim, ".status.podIP");
        QVERIFY(!victimIp.isEmpty());
        CD_KUBECTL_OK(kubectl({"delete", "pod", victim, "--grace-period=30", "--wait=false"}));
        // Its replacement joins once its server listens (no readiness probes yet: its log says so).
        QVERIFY(eventually(
            [&] {
                const QStringList ready = endpointPods("web");
                return ready.size() == 3 && !ready.contains(victim) && webServing(ready);
            },
            30000));
        QTest::qWait(300); // the proxy's sync delay and one nft transaction, with room to spare
        QVERIFY2(!jsonpath("pod/" + victim, ".metadata.deletionTimestamp").isEmpty(), "the victim is gone already");
        QStringList failures;
        const QMap<QString, int> answered = spread(30, &failures);
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
        QVERIFY2(!answered.contains(victim), qPrintable(victim));
        QCOMPARE(answered.size(), 3);
        kubectl({"delete", "pod", victim, "--grace-period=0", "--force", "--wait=false"});

        // Scaled down to two: the pod the ReplicaSet removes gets nothing more either.
        CD_KUBECTL_OK(kubectl({"scale", "deployment/web", "--replicas=2"}));
        QVERIFY(eventually([&] { return endpointPods("web").size() == 2; }, 20000));
        QTest::qWait(300);
        const QStringList remaining = endpointPods("web");
        failures.clear();
        const QMap<QString, int> after = spread(30, &failures);
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
        QCOMPARE(QSet<QString>(after.keyBegin(), after.keyEnd()), QSet<QString>(remaining.begin(), remaining.end()));
    }
};

QTEST_GUILESS_MAIN(TestServicesKubectl)
#include "tst_services_kubectl.moc"
