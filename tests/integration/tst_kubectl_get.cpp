// `kubectl get` against a real clusterdeckd prints what it prints against a real cluster: the
// server-side Table columns (default and -o wide), -o yaml/json/jsonpath/name, namespaces (-n, -A),
// label and field selectors, --show-labels, --sort-by, `get all`, `get -w` and the NotFound error.
#include "clusterfixture.h"

#include "engine/core/yaml.h"

#include <algorithm>

using cd::Json;
using namespace cd::test;

namespace {

// Objects made by hand; nothing schedules the pods, so they stay Pending as on a cluster
// without nodes.
const char *kObjects = R"(apiVersion: v1
kind: Namespace
metadata:
  name: get-a
---
apiVersion: v1
kind: Namespace
metadata:
  name: get-b
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: get-a
spec:
  replicas: 0
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: get-a
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: charlie
  namespace: get-a
  labels:
    app: db
spec:
  containers:
  - name: main
    image: busybox:1.36
---
apiVersion: v1
kind: Pod
metadata:
  name: alpha
  namespace: get-a
  labels:
    app: web
    tier: front
spec:
  containers:
  - name: main
    image: busybox:1.36
---
apiVersion: v1
kind: Pod
metadata:
  name: bravo
  namespace: get-a
  labels:
    app: web
    tier: back
spec:
  containers:
  - name: main
    image: busybox:1.36
  - name: side
    image: busybox:1.36
---
apiVersion: v1
kind: Pod
metadata:
  name: delta
  namespace: get-b
  labels:
    app: web
spec:
  containers:
  - name: main
    image: busybox:1.36
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-a
  namespace: get-a
  labels:
    group: sort
data:
  rank: "2"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-b
  namespace: get-a
  labels:
    group: sort
data:
  rank: "3"
  extra: "x"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-c
  namespace: get-a
  labels:
    group: sort
data:
  rank: "1"
)";

const QRegularExpression kAge("^(\\d+s|\\d+m\\d+s|\\d+m)$");

// The rows of a table print, as cells; the header is the first row.
QList<QStringList> table(const KubectlRun &run)
{
    QList<QStringList> rows;
    for (const QString &line : run.lines())
        rows.push_back(columns(line));
    return rows;
}

QStringList namesOf(const QList<QStringList> &rows, int column = 0)
{
    QStringList names;
    for (int i = 1; i < rows.size(); ++i)
        names.push_back(rows[i].value(column));
    return names;
}

} // namespace

class TstKubectlGet : public QObject {
    Q_OBJECT

private:
    ClusterFixture m_cluster;

    KubectlRun get(const QStringList &arguments) { return m_cluster.kubectl(QStringList{"get"} + arguments); }

private Q_SLOTS:
    void initTestCase()
    {
        CD_START_CLUSTER(m_cluster);
        const KubectlRun run = m_cluster.kubectl({"apply", "-f", "-"}, kObjects);
        CD_KUBECTL_OK(run);
    }

    void cleanupTestCase() { QCOMPARE(m_cluster.stop(), 0); }

    void podColumns()
    {
        const KubectlRun run = get({"pods", "-n", "get-a"});
        CD_KUBECTL_OK(run);
        const QList<QStringList> rows = table(run);
        QCOMPARE(squeezed(run.lines().value(0)), QString("NAME READY STATUS RESTARTS AGE"));
        QCOMPARE(namesOf(rows), (QStringList{"alpha", "bravo", "charlie"}));
        QCOMPARE(rows[1].mid(0, 4), (QStringList{"alpha", "0/1", "Pending", "0"}));
        QCOMPARE(rows[2].mid(0, 4), (QStringList{"bravo", "0/2", "Pending", "0"}));
        QVERIFY2(kAge.match(rows[1].value(4)).hasMatch(), qPrintable(run.report()));
        QCOMPARE(rows[1].size(), 5);
    }

    void podColumnsWide()
    {
        const KubectlRun run = get({"pods", "alpha", "-n", "get-a", "-o", "wide"});
        CD_KUBECTL_OK(run);
        QCOMPARE(squeezed(run.lines().value(0)),
                 QString("NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES"));
        const QStringList row = columns(run.lines().value(1));
        QCOMPARE(row.mid(0, 4), (QStringList{"alpha", "0/1", "Pending", "0"}));
        QCOMPARE(row.mid(5), (QStringList{"<none>", "<none>", "<none>", "<none>"}));
    }

    void deploymentColumnsWide()
    {
        const KubectlRun run = get({"deployments", "-n", "get-a", "-o", "wide"});
        CD_KUBECTL_OK(run);
        QCOMPARE(squeezed(run.lines().value(0)),
                 QString("NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR"));
        const QStringList row = columns(run.lines().value(1));
        QCOMPARE(row.value(0), QString("web"));
        QCOMPARE(row.value(1), QString("0/0"));
        QCOMPARE(row.mid(5), (QStringList{"nginx", "nginx:1.14.2", "app=web"}));
    }

    void serviceColumnsWide()
    {
        const KubectlRun run = get({"svc", "web", "-n", "get-a", "-o", "wide"});
        CD_KUBECTL_OK(run);
        QCOMPARE(squeezed(run.lines().value(0)), QString("NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR"));
        const QStringList row = columns(run.lines().value(1));
        QCOMPARE(row.size(), 7);
        QCOMPARE(row.mid(0, 2), (QStringList{"web", "ClusterIP"}));
        QVERIFY2(QRegularExpression("^10\\.\\d+\\.\\d+\\.\\d+$").match(row.value(2)).hasMatch(), qPrintable(run.report()));
        QCOMPARE(row.mid(3, 2), (QStringList{"<none>", "80/TCP"}));
        QVERIFY2(kAge.match(row.value(5)).hasMatch(), qPrintable(run.report()));
        QCOMPARE(row.value(6), QString("app=web"));
    }

    void configMapAndNamespaceColumns()
    {
        KubectlRun run = get({"configmaps", "-n", "get-a", "-l", "group=sort"});
        CD_KUBECTL_OK(run);
        QCOMPARE(squeezed(run.lines().value(0)), QString("NAME DATA AGE"));
        QCOMPARE(columns(run.lines().value(2)).mid(0, 2), (QStringList{"cm-b", "2"}));

        run = get({"namespaces", "get-a", "get-b"});
        CD_KUBECTL_OK(run);
        QCOMPARE(squeezed(run.lines().value(0)), QString("NAME STATUS AGE"));
        QCOMPARE(columns(run.lines().value(1)).mid(0, 2), (QStringList{"get-a", "Active"}));
    }

    void outputYaml()
    {
        KubectlRun run = get({"pod", "alpha", "-n", "get-a", "-o", "yaml"});
        CD_KUBECTL_OK(run);
        QVERIFY2(run.out.startsWith("apiVersion: v1\nkind: Pod\nmetadata:\n"), qPrintable(run.report()));
        auto pod = cd::parseYaml(run.out.toStdString());
        QVERIFY2(pod.ok(), qPrintable(run.report()));
        QCOMPARE(cd::str(*pod, {"metadata", "name"}), std::string("alpha"));
        QCOMPARE(cd::str(*pod, {"metadata", "labels", "tier"}), std::string("front"));
        QCOMPARE(cd::str((*pod)["spec"]["containers"][0], {"image"}), std::string("busybox:1.36"));
        QVERIFY(!cd::str(*pod, {"metadata", "uid"}).empty());
        QVERIFY(!cd::str(*pod, {"metadata", "resourceVersion"}).empty());

        run = get({"pods", "-n", "get-a", "-o", "yaml"});
        CD_KUBECTL_OK(run);
        auto list = cd::parseYaml(run.out.toStdString());
        QVERIFY2(list.ok(), qPrintable(run.report()));
        QCOMPARE(cd::str(*list, {"kind"}), std::string("List"));
        QCOMPARE((*list)["items"].size(), size_t(3));
        QCOMPARE(cd::str((*list)["items"][0], {"kind"}), std::string("Pod"));
    }

    void outputJson()
    {
        KubectlRun run = get({"deployment", "web", "-n", "get-a", "-o", "json"});
        CD_KUBECTL_OK(run);
        const Json deployment = run.json();
        QCOMPARE(cd::str(deployment, {"kind"}), std::string("Deployment"));
        QCOMPARE(cd::str(deployment, {"apiVersion"}), std::string("apps/v1"));
        QCOMPARE(cd::integer(deployment, {"spec", "replicas"}), 0LL);
        // Defaults a real API server fills in.
        QCOMPARE(cd::str(deployment, {"spec", "strategy", "type"}), std::string("RollingUpdate"));
        QCOMPARE(cd::integer(deployment, {"spec", "revisionHistoryLimit"}), 10LL);
        QCOMPARE(cd::integer(deployment, {"metadata", "generation"}), 1LL);

        run = get({"services", "-n", "get-a", "-o", "json"});
        CD_KUBECTL_OK(run);
        const Json list = run.json();
        QCOMPARE(cd::str(list, {"kind"}), std::string("List"));
        QCOMPARE(list["items"].size(), size_t(1));
        QCOMPARE(cd::str(list["items"][0], {"spec", "type"}), std::string("ClusterIP"));
    }

    void outputJsonPathAndName()
    {
        KubectlRun run = get({"pods", "-n", "get-a", "-o", "jsonpath={.items[*].metadata.name}"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out, QString("alpha bravo charlie"));

        run = get({"pod", "bravo", "-n", "get-a", "-o", "jsonpath={range .spec.containers[*]}{.name}={.image};{end}"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out, QString("main=busybox:1.36;side=busybox:1.36;"));

        run = get({"pods,services", "-n", "get-a", "-o", "name"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), (QStringList{"pod/alpha", "pod/bravo", "pod/charlie", "service/web"}));
    }

    // Lists in pages (limit and continue), as kubectl does with --chunk-size.
    void chunks()
    {
        KubectlRun run = get({"pods", "-n", "get-a", "--chunk-size=1", "-o", "name"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), (QStringList{"pod/alpha", "pod/bravo", "pod/charlie"}));
        run = get({"pods", "-n", "get-a", "--chunk-size=2"});
        CD_KUBECTL_OK(run);
        QCOMPARE(namesOf(table(run)), (QStringList{"alpha", "bravo", "charlie"}));
        const QStringList lines = run.lines();
        QCOMPARE(std::count_if(lines.begin(), lines.end(), [](const QString &l) { return l.startsWith("NAME "); }), 1);

        run = get({"--raw", "/api/v1/namespaces/get-a/pods?limit=2"});
        CD_KUBECTL_OK(run);
        const Json page = run.json();
        QCOMPARE(page["items"].size(), size_t(2));
        QCOMPARE(cd::integer(page, {"metadata", "remainingItemCount"}), 1LL);
        const std::string token = cd::str(page, {"metadata", "continue"});
        QVERIFY(!token.empty());
        run = get({"--raw", "/api/v1/namespaces/get-a/pods?limit=2&continue=" + QString::fromStdString(token)});
        CD_KUBECTL_OK(run);
        const Json last = run.json();
        QCOMPARE(last["items"].size(), size_t(1));
        QCOMPARE(cd::str(last["items"][0], {"metadata", "name"}), std::string("charlie"));
        QVERIFY(!last["metadata"].contains("continue"));
    }

    void namespaces()
    {
        KubectlRun run = get({"pods", "-n", "get-b"});
        CD_KUBECTL_OK(run);
        QCOMPARE(namesOf(table(run)), QStringList{"delta"});

        // The kubeconfig's namespace is "default", which has no pods.
        run = get({"pods"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out, QString());
        QCOMPARE(run.err.trimmed(), QString("No resources found in default namespace."));

        run = get({"pods", "-A", "-l", "app=web"});
        CD_KUBECTL_OK(run);
        QCOMPARE(squeezed(run.lines().value(0)), QString("NAMESPACE NAME READY STATUS RESTARTS AGE"));
        const QList<QStringList> rows = table(run);
        QCOMPARE(rows.size(), 4);
        QCOMPARE(rows[1].mid(0, 2), (QStringList{"get-a", "alpha"}));
        QCOMPARE(rows[2].mid(0, 2), (QStringList{"get-a", "bravo"}));
        QCOMPARE(rows[3].mid(0, 2), (QStringList{"get-b", "delta"}));

        run = get({"namespace", "get-a", "-o", "jsonpath={.status.phase}"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out, QString("Active"));
    }

    void labelSelectors_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QStringList>("names");
        QTest::newRow("equality") << "app=web" << QStringList{"alpha", "bravo"};
        QTest::newRow("inequality") << "app!=web" << QStringList{"charlie"};
        QTest::newRow("set") << "tier in (front,middle)" << QStringList{"alpha"};
        QTest::newRow("notin") << "tier notin (front)" << QStringList{"bravo", "charlie"};
        QTest::newRow("exists") << "tier" << QStringList{"alpha", "bravo"};
        QTest::newRow("does not exist") << "!tier" << QStringList{"charlie"};
        QTest::newRow("and") << "app=web,tier=back" << QStringList{"bravo"};
    }

    void labelSelectors()
    {
        QFETCH(QString, selector);
        QFETCH(QStringList, names);
        const KubectlRun run = get({"pods", "-n", "get-a", "-l", selector, "-o", "name"});
        CD_KUBECTL_OK(run);
        QStringList expected;
        for (const QString &n : names)
            expected.push_back("pod/" + n);
        QCOMPARE(run.lines(), expected);
    }

    void noMatch()
    {
        const KubectlRun run = get({"pods", "-n", "get-a", "-l", "app=nothing"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.err.trimmed(), QString("No resources found in get-a namespace."));
    }

    void fieldSelectors()
    {
        KubectlRun run = get({"pods", "-n", "get-a", "--field-selector", "metadata.name=bravo", "-o", "name"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), QStringList{"pod/bravo"});

        run = get({"pods", "-n", "get-a", "--field-selector", "status.phase=Pending,metadata.name!=bravo", "-o", "name"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), (QStringList{"pod/alpha", "pod/charlie"}));

        run = get({"pods", "-A", "--field-selector", "metadata.namespace=get-b", "-o", "name"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), QStringList{"pod/delta"});

        run = get({"pods", "-n", "get-a", "--field-selector", "spec.color=blue"});
        CD_KUBECTL_FAILS_WITH(run, "Error from server (BadRequest): Unable to find \"/v1, Resource=pods\" that match "
                                   "label selector \"\", field selector \"spec.color=blue\": field label not "
                                   "supported: spec.color");
    }

    void showLabels()
    {
        const KubectlRun run = get({"pods", "-n", "get-a", "--show-labels"});
        CD_KUBECTL_OK(run);
        QCOMPARE(squeezed(run.lines().value(0)), QString("NAME READY STATUS RESTARTS AGE LABELS"));
        const QList<QStringList> rows = table(run);
        QCOMPARE(rows[1].value(0), QString("alpha"));
        QCOMPARE(rows[1].last(), QString("app=web,tier=front"));
        QCOMPARE(rows[3].last(), QString("app=db"));

        const KubectlRun columnsRun = get({"pods", "-n", "get-a", "-L", "tier"});
        CD_KUBECTL_OK(columnsRun);
        QCOMPARE(squeezed(columnsRun.lines().value(0)), QString("NAME READY STATUS RESTARTS AGE TIER"));
        QCOMPARE(columns(columnsRun.lines().value(2)).last(), QString("back"));
    }

    void sortBy()
    {
        KubectlRun run = get({"configmaps", "-n", "get-a", "-l", "group=sort", "--sort-by=.data.rank", "-o", "name"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), (QStringList{"configmap/cm-c", "configmap/cm-a", "configmap/cm-b"}));

        // Table output sorts too, and keeps its header on top.
        run = get({"configmaps", "-n", "get-a", "-l", "group=sort", "--sort-by", "{.data.rank}"});
        CD_KUBECTL_OK(run);
        QCOMPARE(squeezed(run.lines().value(0)), QString("NAME DATA AGE"));
        QCOMPARE(namesOf(table(run)), (QStringList{"cm-c", "cm-a", "cm-b"}));

        // The objects were created within one second, so creationTimestamp ties; the
        // resourceVersion orders them by creation.
        run = get({"pods", "-n", "get-a", "--sort-by=.metadata.resourceVersion", "-o", "name"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), (QStringList{"pod/charlie", "pod/alpha", "pod/bravo"}));
    }

    void getAll()
    {
        const KubectlRun run = get({"all", "-n", "get-a"});
        CD_KUBECTL_OK(run);
        QStringList names;
        QStringList headers;
        for (const QString &line : run.lines()) {
            if (line.startsWith("NAME "))
                headers.push_back(squeezed(line));
            else if (!line.isEmpty())
                names.push_back(columns(line).value(0));
        }
        QVERIFY2(names.contains("pod/alpha") && names.contains("pod/charlie"), qPrintable(run.report()));
        QVERIFY2(names.contains("service/web"), qPrintable(run.report()));
        QVERIFY2(names.contains("deployment.apps/web"), qPrintable(run.report()));
        QVERIFY2(!names.contains("configmap/cm-a"), qPrintable(run.report()));
        QVERIFY2(headers.contains("NAME READY STATUS RESTARTS AGE"), qPrintable(run.report()));
        QVERIFY2(headers.contains("NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE"), qPrintable(run.report()));
        QVERIFY2(headers.contains("NAME READY UP-TO-DATE AVAILABLE AGE"), qPrintable(run.report()));
    }

    void notFound()
    {
        KubectlRun run = get({"pod", "nope", "-n", "get-a"});
        CD_KUBECTL_FAILS_WITH(run, "Error from server (NotFound): pods \"nope\" not found");
        QCOMPARE(run.exitCode, 1);
        run = get({"deployment", "nope", "-n", "get-a"});
        CD_KUBECTL_FAILS_WITH(run, "Error from server (NotFound): deployments.apps \"nope\" not found");
        run = get({"pods", "-n", "no-such-namespace"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.err.trimmed(), QString("No resources found in no-such-namespace namespace."));
        run = get({"widgets"});
        CD_KUBECTL_FAILS_WITH(run, "error: the server doesn't have a resource type \"widgets\"");
    }

    // One named object watched, with the events named: its current state, a change, its deletion.
    void watchOneObjectWithEvents()
    {
        CD_KUBECTL_OK(m_cluster.kubectl({"create", "configmap", "watched", "-n", "get-b", "--from-literal=v=1"}));
        auto watch = m_cluster.startKubectl({"get", "configmap", "watched", "-n", "get-b", "-w", "--output-watch-events",
                                             "-o", "jsonpath={.type} {.object.data.v}{\"\\n\"}"});
        QString seen;
        auto read = [&] {
            watch->waitForReadyRead(100);
            seen += QString::fromUtf8(watch->readAllStandardOutput());
        };
        QVERIFY2(eventually([&] { read(); return seen.contains("ADDED 1\n"); }), qPrintable(seen));
        CD_KUBECTL_OK(m_cluster.kubectl({"patch", "configmap", "watched", "-n", "get-b", "-p", R"({"data":{"v":"2"}})"}));
        QVERIFY2(eventually([&] { read(); return seen.contains("MODIFIED 2\n"); }), qPrintable(seen));
        // Another object's changes are not this watch's business.
        CD_KUBECTL_OK(m_cluster.kubectl({"create", "configmap", "bystander", "-n", "get-b", "--from-literal=v=9"}));
        CD_KUBECTL_OK(m_cluster.kubectl({"delete", "configmap", "watched", "-n", "get-b"}));
        QVERIFY2(eventually([&] { read(); return seen.contains("DELETED 2\n"); }), qPrintable(seen));
        QCOMPARE(seen, QString("ADDED 1\nMODIFIED 2\nDELETED 2\n"));
        watch->terminate();
        watch->waitForFinished(5000);
    }

    // `kubectl get -w` prints the current rows, then a row for every later change.
    void watchSeesLaterChanges()
    {
        auto watch = m_cluster.startKubectl({"get", "pods", "-n", "get-b", "-w", "-L", "color"});
        QVERIFY(watch->state() == QProcess::Running);
        QString seen;
        auto read = [&] {
            watch->waitForReadyRead(100);
            seen += QString::fromUtf8(watch->readAllStandardOutput());
        };
        QVERIFY2(eventually([&] { read(); return seen.contains("delta"); }), qPrintable(seen));
        QVERIFY2(squeezed(seen.section('\n', 0, 0)) == "NAME READY STATUS RESTARTS AGE COLOR", qPrintable(seen));

        KubectlRun run = m_cluster.kubectl({"label", "pod", "delta", "-n", "get-b", "color=blue"});
        CD_KUBECTL_OK(run);
        QVERIFY2(eventually([&] { read(); return seen.contains("blue"); }), qPrintable(seen));
        QStringList lines = seen.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(columns(lines.last()).value(0), QString("delta"));
        QCOMPARE(columns(lines.last()).last(), QString("blue"));

        run = m_cluster.kubectl({"run", "echo", "-n", "get-b", "--image=busybox:1.36", "--labels=color=green"});
        CD_KUBECTL_OK(run);
        QVERIFY2(eventually([&] { read(); return seen.contains("green"); }), qPrintable(seen));
        lines = seen.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(columns(lines.last()).value(0), QString("echo"));

        watch->terminate();
        watch->waitForFinished(5000);
        const QString errors = QString::fromUtf8(watch->readAllStandardError());
        QVERIFY2(errors.isEmpty(), qPrintable(errors));
    }
};

QTEST_GUILESS_MAIN(TstKubectlGet)
#include "tst_kubectl_get.moc"
