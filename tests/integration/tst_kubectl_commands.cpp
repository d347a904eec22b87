// The rest of kubectl's everyday commands against a real clusterdeckd, each compared with what a
// real cluster prints: api-resources, cluster-info, explain, describe (pod, deployment, service,
// node, pvc), edit through a scripted editor, label, annotate, patch (strategic, merge, json),
// scale, create (namespace, deployment, configmap, secret), run, and delete with each cascade
// policy over an owner with dependents (the garbage collector does the propagation).
#include "clusterfixture.h"

#include <QFile>

using cd::Json;
using namespace cd::test;

namespace {

const char *kObjects = R"(apiVersion: v1
kind: Namespace
metadata:
  name: cmd
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: cmd
  labels:
    app: web
spec:
  replicas: 2
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
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: cmd
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
  name: solo
  namespace: cmd
  labels:
    app: solo
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: claim
  namespace: cmd
spec:
  storageClassName: manual
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
)";

const char *kNode = R"(apiVersion: v1
kind: Node
metadata:
  name: node-1
  labels:
    kubernetes.io/hostname: node-1
spec:
  podCIDR: 10.244.1.0/24
)";

// "Key:   value" lines of a describe output at the top level (no indentation).
QString describeField(const QString &text, const QString &key)
{
    const QRegularExpression line("^" + QRegularExpression::escape(key) + ":[ \\t]*(.*)$",
                                  QRegularExpression::MultilineOption);
    const auto match = line.match(text);
    return match.hasMatch() ? match.captured(1).trimmed() : QStringLiteral("<missing>");
}

} // namespace

class TstKubectlCommands : public QObject {
    Q_OBJECT

private:
    ClusterFixture m_cluster;

    KubectlRun kubectl(const QStringList &arguments, const QByteArray &input = {}, const QStringList &env = {})
    {
        return m_cluster.kubectl(arguments, input, env);
    }
    QString jsonpath(const QString &object, const QString &path, const QString &ns = "cmd")
    {
        const KubectlRun run = kubectl({"get", object, "-n", ns, "-o", "jsonpath={" + path + "}"});
        return run.ok() ? run.out : "<error: " + run.err.trimmed() + ">";
    }
    QString uidOf(const QString &object, const QString &ns) { return jsonpath(object, ".metadata.uid", ns); }

    // An owner (ReplicaSet) with three dependents: Pods that name it in ownerReferences.
    void makeOwnerWithDependents(const QString &ns, const QString &owner)
    {
        const QByteArray rs = QStringLiteral(R"(apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: %1
  namespace: %2
spec:
  replicas: 3
  selector:
    matchLabels:
      owner: %1
  template:
    metadata:
      labels:
        owner: %1
    spec:
      containers:
      - name: main
        image: busybox:1.36
)").arg(owner, ns).toUtf8();
        CD_KUBECTL_OK(kubectl({"apply", "-f", "-"}, rs));
        const QString uid = uidOf("replicaset/" + owner, ns);
        QVERIFY2(!uid.isEmpty() && !uid.startsWith('<'), qPrintable(uid));
        QByteArray pods;
        for (int i = 0; i < 3; ++i)
            pods += QStringLiteral(R"(---
apiVersion: v1
kind: Pod
metadata:
  name: %1-%3
  namespace: %2
  labels:
    owner: %1
  ownerReferences:
  - apiVersion: apps/v1
    kind: ReplicaSet
    name: %1
    uid: %4
    controller: true
    blockOwnerDeletion: true
spec:
  containers:
  - name: main
    image: busybox:1.36
)").arg(owner, ns).arg(i).arg(uid).toUtf8();
        CD_KUBECTL_OK(kubectl({"apply", "-f", "-"}, pods));
    }

    QStringList dependents(const QString &ns, const QString &owner)
    {
        const KubectlRun run = kubectl({"get", "pods", "-n", ns, "-l", "owner=" + owner, "-o", "name"});
        return run.ok() ? run.lines() : QStringList{"<error: " + run.err + ">"};
    }

private Q_SLOTS:
    void initTestCase()
    {
        CD_START_CLUSTER(m_cluster);
        CD_KUBECTL_OK(kubectl({"apply", "-f", "-"}, kObjects));
    }

    void cleanupTestCase() { QCOMPARE(m_cluster.stop(), 0); }

    void apiResources()
    {
        KubectlRun run = kubectl({"api-resources"});
        CD_KUBECTL_OK(run);
        QCOMPARE(squeezed(run.lines().value(0)), QString("NAME SHORTNAMES APIVERSION NAMESPACED KIND"));
        QStringList rows;
        for (const QString &line : run.lines())
            rows.push_back(squeezed(line));
        for (const QString &expected :
             {"pods po v1 true Pod", "services svc v1 true Service", "namespaces ns v1 false Namespace",
              "nodes no v1 false Node", "configmaps cm v1 true ConfigMap", "secrets v1 true Secret",
              "persistentvolumeclaims pvc v1 true PersistentVolumeClaim",
              "persistentvolumes pv v1 false PersistentVolume", "serviceaccounts sa v1 true ServiceAccount",
              "deployments deploy apps/v1 true Deployment", "replicasets rs apps/v1 true ReplicaSet",
              "jobs batch/v1 true Job", "storageclasses sc storage.k8s.io/v1 false StorageClass"})
            QVERIFY2(rows.contains(expected), qPrintable("missing \"" + QString(expected) + "\"" + run.report()));

        run = kubectl({"api-resources", "--namespaced=false", "-o", "name"});
        CD_KUBECTL_OK(run);
        QVERIFY2(run.lines().contains("namespaces") && run.lines().contains("nodes") &&
                     run.lines().contains("storageclasses.storage.k8s.io") && !run.lines().contains("pods"),
                 qPrintable(run.report()));

        run = kubectl({"api-versions"});
        CD_KUBECTL_OK(run);
        QVERIFY2(run.lines().contains("v1") && run.lines().contains("apps/v1") && run.lines().contains("batch/v1"),
                 qPrintable(run.report()));
    }

    void clusterInfo()
    {
        const KubectlRun run = kubectl({"cluster-info"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines().value(0), "Kubernetes control plane is running at " + m_cluster.engine().serverUrl());
        QVERIFY2(run.out.contains("To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'."),
                 qPrintable(run.report()));
    }

    void version()
    {
        const KubectlRun run = kubectl({"version", "-o", "json"});
        CD_KUBECTL_OK(run);
        QCOMPARE(cd::str(run.json(), {"serverVersion", "gitVersion"}), std::string("v1.32.0"));
        QVERIFY2(!run.err.contains("WARNING"), qPrintable(run.report()));
    }

    void explain()
    {
        KubectlRun run = kubectl({"explain", "pod.spec.containers"});
        CD_KUBECTL_OK(run);
        const QStringList lines = run.lines();
        QCOMPARE(squeezed(lines.value(0)), QString("KIND: Pod"));
        QCOMPARE(squeezed(lines.value(1)), QString("VERSION: v1"));
        QVERIFY2(run.out.contains("FIELD: containers <[]Container>"), qPrintable(run.report()));
        QVERIFY2(run.out.contains("DESCRIPTION:"), qPrintable(run.report()));
        QVERIFY2(run.out.contains("FIELDS:"), qPrintable(run.report()));
        QVERIFY2(QRegularExpression("^  image\\t<string>$", QRegularExpression::MultilineOption).match(run.out).hasMatch(),
                 qPrintable(run.report()));
        QVERIFY2(QRegularExpression("^  name\\t<string> -required-$", QRegularExpression::MultilineOption)
                     .match(run.out)
                     .hasMatch(),
                 qPrintable(run.report()));

        run = kubectl({"explain", "deployment.spec.replicas"});
        CD_KUBECTL_OK(run);
        QCOMPARE(squeezed(run.lines().value(0)), QString("GROUP: apps"));
        QVERIFY2(run.out.contains("FIELD: replicas <integer>"), qPrintable(run.report()));

        run = kubectl({"explain", "pod.spec.nosuchfield"});
        CD_KUBECTL_FAILS_WITH(run, "error: field \"nosuchfield\" does not exist");
    }

    void describePod()
    {
        const KubectlRun run = kubectl({"describe", "pod", "solo", "-n", "cmd"});
        CD_KUBECTL_OK(run);
        QCOMPARE(describeField(run.out, "Name"), QString("solo"));
        QCOMPARE(describeField(run.out, "Namespace"), QString("cmd"));
        QCOMPARE(describeField(run.out, "Labels"), QString("app=solo"));
        QCOMPARE(describeField(run.out, "Annotations"), QString("<none>"));
        QCOMPARE(describeField(run.out, "Status"), QString("Pending"));
        QCOMPARE(describeField(run.out, "Node"), QString("<none>"));
        QCOMPARE(describeField(run.out, "Service Account"), QString("default"));
        QCOMPARE(describeField(run.out, "QoS Class"), QString("BestEffort"));
        QVERIFY2(run.out.contains("\nContainers:\n  main:\n"), qPrintable(run.report()));
        QVERIFY2(QRegularExpression("^    Image:\\s+busybox:1.36$", QRegularExpression::MultilineOption).match(run.out).hasMatch(),
                 qPrintable(run.report()));
        QVERIFY2(QRegularExpression("^      sleep$", QRegularExpression::MultilineOption).match(run.out).hasMatch(),
                 qPrintable(run.report()));
        // No node exists yet: the scheduler says so (soon), as it does in a real cluster.
        const QRegularExpression failedScheduling(
            "^Events:\\n  Type +Reason +Age +From +Message\\n.*\\n"
            "  Warning +FailedScheduling +\\S+( \\(x\\d+ over \\S+\\))? +default-scheduler +no nodes available to schedule pods$",
            QRegularExpression::MultilineOption);
        KubectlRun later = run;
        QVERIFY2(eventually([&] {
                     later = kubectl({"describe", "pod", "solo", "-n", "cmd"});
                     return failedScheduling.match(later.out).hasMatch();
                 }),
                 qPrintable(later.report()));
        QVERIFY2(run.err.isEmpty(), qPrintable(run.report()));
    }

    void describeDeployment()
    {
        const KubectlRun run = kubectl({"describe", "deployment", "web", "-n", "cmd"});
        CD_KUBECTL_OK(run);
        QCOMPARE(describeField(run.out, "Name"), QString("web"));
        QCOMPARE(describeField(run.out, "Namespace"), QString("cmd"));
        QCOMPARE(describeField(run.out, "Selector"), QString("app=web"));
        QVERIFY2(describeField(run.out, "Replicas").startsWith("2 desired | "), qPrintable(run.report()));
        QCOMPARE(describeField(run.out, "StrategyType"), QString("RollingUpdate"));
        QCOMPARE(describeField(run.out, "MinReadySeconds"), QString("0"));
        QCOMPARE(describeField(run.out, "RollingUpdateStrategy"), QString("25% max unavailable, 25% max surge"));
        QVERIFY2(QRegularExpression("^Pod Template:\n  Labels:\\s+app=web$", QRegularExpression::MultilineOption)
                     .match(run.out)
                     .hasMatch(),
                 qPrintable(run.report()));
        QVERIFY2(run.err.isEmpty(), qPrintable(run.report()));
    }

    void describeService()
    {
        const KubectlRun run = kubectl({"describe", "service", "web", "-n", "cmd"});
        CD_KUBECTL_OK(run);
        const QString ip = jsonpath("service/web", ".spec.clusterIP");
        QCOMPARE(describeField(run.out, "Name"), QString("web"));
        QCOMPARE(describeField(run.out, "Selector"), QString("app=web"));
        QCOMPARE(describeField(run.out, "Type"), QString("ClusterIP"));
        QCOMPARE(describeField(run.out, "IP Family Policy"), QString("SingleStack"));
        QCOMPARE(describeField(run.out, "IP Families"), QString("IPv4"));
        QVERIFY2(QRegularExpression("^10\\.\\d+\\.\\d+\\.\\d+$").match(ip).hasMatch(), qPrintable(run.report()));
        if (!ip.isEmpty()) {
            QCOMPARE(describeField(run.out, "IP"), ip);
            QCOMPARE(describeField(run.out, "IPs"), ip);
        }
        QCOMPARE(squeezed(describeField(run.out, "Port")), QString("<unset> 80/TCP"));
        QCOMPARE(describeField(run.out, "TargetPort"), QString("8080/TCP"));
        QCOMPARE(describeField(run.out, "Session Affinity"), QString("None"));
        QCOMPARE(describeField(run.out, "Internal Traffic Policy"), QString("Cluster"));
        QVERIFY2(run.err.isEmpty(), qPrintable(run.report()));
    }

    void describeNode()
    {
        KubectlRun run = kubectl({"create", "-f", "-"}, kNode);
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("node/node-1 created"));
        run = kubectl({"describe", "node", "node-1"});
        CD_KUBECTL_OK(run);
        QCOMPARE(describeField(run.out, "Name"), QString("node-1"));
        QCOMPARE(describeField(run.out, "Roles"), QString("<none>"));
        QCOMPARE(describeField(run.out, "Labels"), QString("kubernetes.io/hostname=node-1"));
        QCOMPARE(describeField(run.out, "Taints"), QString("<none>"));
        QCOMPARE(describeField(run.out, "Unschedulable"), QString("false"));
        QCOMPARE(describeField(run.out, "PodCIDR"), QString("10.244.1.0/24"));
        QVERIFY2(run.out.contains("\nNon-terminated Pods:"), qPrintable(run.report()));
        QVERIFY2(run.err.isEmpty(), qPrintable(run.report()));
    }

    void describePersistentVolumeClaim()
    {
        const KubectlRun run = kubectl({"describe", "pvc", "claim", "-n", "cmd"});
        CD_KUBECTL_OK(run);
        QCOMPARE(describeField(run.out, "Name"), QString("claim"));
        QCOMPARE(describeField(run.out, "Namespace"), QString("cmd"));
        QCOMPARE(describeField(run.out, "StorageClass"), QString("manual"));
        QCOMPARE(describeField(run.out, "Status"), QString("Pending"));
        QCOMPARE(describeField(run.out, "VolumeMode"), QString("Filesystem"));
        QCOMPARE(describeField(run.out, "Used By"), QString("<none>"));
        QVERIFY2(run.err.isEmpty(), qPrintable(run.report()));
    }

    void describeNotFound()
    {
        const KubectlRun run = kubectl({"describe", "pod", "nope", "-n", "cmd"});
        CD_KUBECTL_FAILS_WITH(run, "Error from server (NotFound): pods \"nope\" not found");
    }

    void edit()
    {
        const QString editor = m_cluster.scratchPath("editor.sh");
        QFile script(editor);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write("#!/bin/sh\nsed -i -e 's/replicas: 2$/replicas: 4/' -e 's/image: nginx:1.14.2/image: nginx:1.16.1/' \"$1\"\n");
        script.close();
        script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

        KubectlRun run = kubectl({"edit", "deployment", "web", "-n", "cmd"}, {}, {"KUBE_EDITOR=" + editor});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/web edited"));
        QCOMPARE(jsonpath("deployment/web", ".spec.replicas"), QString("4"));
        QCOMPARE(jsonpath("deployment/web", ".spec.template.spec.containers[0].image"), QString("nginx:1.16.1"));
        QCOMPARE(jsonpath("deployment/web", ".metadata.generation"), QString("2"));

        // Saving the file unchanged changes nothing.
        run = kubectl({"edit", "deployment", "web", "-n", "cmd"}, {}, {"KUBE_EDITOR=true"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.err.trimmed(), QString("Edit cancelled, no changes made."));
        QCOMPARE(jsonpath("deployment/web", ".metadata.generation"), QString("2"));
    }

    void labelAndAnnotate()
    {
        KubectlRun run = kubectl({"label", "pod", "solo", "-n", "cmd", "color=red"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("pod/solo labeled"));
        QCOMPARE(jsonpath("pod/solo", ".metadata.labels.color"), QString("red"));

        run = kubectl({"label", "pod", "solo", "-n", "cmd", "color=blue"});
        CD_KUBECTL_FAILS_WITH(run, "error: 'color' already has a value (red), and --overwrite is false");
        QCOMPARE(jsonpath("pod/solo", ".metadata.labels.color"), QString("red"));

        run = kubectl({"label", "pod", "solo", "-n", "cmd", "color=blue", "--overwrite"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("pod/solo labeled"));
        QCOMPARE(jsonpath("pod/solo", ".metadata.labels.color"), QString("blue"));

        run = kubectl({"label", "pod", "solo", "-n", "cmd", "color-"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("pod/solo unlabeled"));
        QCOMPARE(jsonpath("pod/solo", ".metadata.labels.color"), QString());

        run = kubectl({"label", "pod", "solo", "-n", "cmd", "bad key=x"});
        QVERIFY2(!run.ok(), qPrintable(run.report()));

        // Label values are checked by kubectl itself; the server checks what a patch sends.
        run = kubectl({"patch", "pod", "solo", "-n", "cmd", "--type", "merge", "-p",
                       R"({"metadata":{"labels":{"color":"not valid!"}}})"});
        CD_KUBECTL_FAILS_WITH(run, "The Pod \"solo\" is invalid: metadata.labels: Invalid value: \"not valid!\": a valid "
                                   "label must be an empty string or consist of alphanumeric characters, '-', '_' or "
                                   "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
                                   "'my_value',  or '12345', regex used for validation is "
                                   "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");

        run = kubectl({"annotate", "pod", "solo", "-n", "cmd", "note=hello world"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("pod/solo annotated"));
        QCOMPARE(jsonpath("pod/solo", ".metadata.annotations.note"), QString("hello world"));
        run = kubectl({"annotate", "pod", "solo", "-n", "cmd", "note-"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("pod/solo annotated"));
        QCOMPARE(jsonpath("pod/solo", ".metadata.annotations.note"), QString());

        run = kubectl({"label", "pods", "--all", "-n", "cmd", "swept=yes"});
        CD_KUBECTL_OK(run);
        QVERIFY2(run.lines().contains("pod/solo labeled"), qPrintable(run.report()));
    }

    void patch()
    {
        // Strategic merge: containers merge by name, so a new name adds a container (patch items
        // first, then the ones only the server had: Kubernetes' order, as in its documentation's
        // "patch-demo" example).
        KubectlRun run = kubectl({"patch", "deployment", "web", "-n", "cmd", "-p",
                                  R"({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}})"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/web patched"));
        QCOMPARE(jsonpath("deployment/web", ".spec.template.spec.containers[*].name"), QString("sidecar nginx"));

        // And "$patch: delete" removes one by its key.
        run = kubectl({"patch", "deployment", "web", "-n", "cmd", "--type", "strategic", "-p",
                       R"({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}})"});
        CD_KUBECTL_OK(run);
        QCOMPARE(jsonpath("deployment/web", ".spec.template.spec.containers[*].name"), QString("nginx"));

        // Merge patch (RFC 7386): lists are replaced whole.
        run = kubectl({"patch", "deployment", "web", "-n", "cmd", "--type", "merge", "-p",
                       R"({"metadata":{"labels":{"patched":"merge"}},"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.17"}]}}}})"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/web patched"));
        QCOMPARE(jsonpath("deployment/web", ".metadata.labels.patched"), QString("merge"));
        QCOMPARE(jsonpath("deployment/web", ".spec.template.spec.containers[*].image"), QString("nginx:1.17"));
        // The container's other fields went with the replaced list; defaults came back.
        QCOMPARE(jsonpath("deployment/web", ".spec.template.spec.containers[0].ports"), QString());
        QCOMPARE(jsonpath("deployment/web", ".spec.template.spec.containers[0].imagePullPolicy"), QString("IfNotPresent"));

        // JSON patch (RFC 6902).
        run = kubectl({"patch", "deployment", "web", "-n", "cmd", "--type", "json", "-p",
                       R"([{"op":"replace","path":"/spec/replicas","value":3},{"op":"add","path":"/metadata/labels/patched","value":"json"}])"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/web patched"));
        QCOMPARE(jsonpath("deployment/web", ".spec.replicas"), QString("3"));
        QCOMPARE(jsonpath("deployment/web", ".metadata.labels.patched"), QString("json"));

        // A patch that changes nothing.
        const QString rv = jsonpath("deployment/web", ".metadata.resourceVersion");
        run = kubectl({"patch", "deployment", "web", "-n", "cmd", "--type", "merge", "-p", R"({"spec":{"replicas":3}})"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/web patched (no change)"));
        QCOMPARE(jsonpath("deployment/web", ".metadata.resourceVersion"), rv);

        // A JSON patch whose test fails, and a patch that makes the object invalid: nothing changes.
        run = kubectl({"patch", "deployment", "web", "-n", "cmd", "--type", "json", "-p",
                       R"([{"op":"test","path":"/spec/replicas","value":9},{"op":"replace","path":"/spec/replicas","value":9}])"});
        QVERIFY2(!run.ok(), qPrintable(run.report()));
        QCOMPARE(jsonpath("deployment/web", ".metadata.resourceVersion"), rv);
        run = kubectl({"patch", "deployment", "web", "-n", "cmd", "--type", "merge", "-p", R"({"spec":{"replicas":-1}})"});
        CD_KUBECTL_FAILS_WITH(run, "The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be "
                                   "greater than or equal to 0");
        QCOMPARE(jsonpath("deployment/web", ".metadata.resourceVersion"), rv);

        run = kubectl({"patch", "deployment", "nope", "-n", "cmd", "-p", R"({"spec":{"replicas":1}})"});
        CD_KUBECTL_FAILS_WITH(run, "Error from server (NotFound): deployments.apps \"nope\" not found");
    }

    void scale()
    {
        KubectlRun run = kubectl({"scale", "deployment", "web", "-n", "cmd", "--replicas=5"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/web scaled"));
        QCOMPARE(jsonpath("deployment/web", ".spec.replicas"), QString("5"));

        run = kubectl({"scale", "deployment", "web", "-n", "cmd", "--current-replicas=2", "--replicas=1"});
        CD_KUBECTL_FAILS_WITH(run, "error: Expected replicas to be 2, was 5");
        QCOMPARE(jsonpath("deployment/web", ".spec.replicas"), QString("5"));

        run = kubectl({"scale", "deployment", "web", "-n", "cmd", "--current-replicas=5", "--replicas=0"});
        CD_KUBECTL_OK(run);
        QCOMPARE(jsonpath("deployment/web", ".spec.replicas"), QString("0"));

        // The scale subresource itself, as kubectl's scale client reads it.
        run = kubectl({"get", "--raw", "/apis/apps/v1/namespaces/cmd/deployments/web/scale"});
        CD_KUBECTL_OK(run);
        const Json scale = run.json();
        QCOMPARE(cd::str(scale, {"kind"}), std::string("Scale"));
        QCOMPARE(cd::str(scale, {"apiVersion"}), std::string("autoscaling/v1"));
        QCOMPARE(scale["spec"].dump(), std::string("{}"));  // replicas is omitempty, as Go writes it
        QCOMPARE(cd::str(scale, {"status", "selector"}), std::string("app=web"));

        run = kubectl({"scale", "pod", "solo", "-n", "cmd", "--replicas=2"});
        QVERIFY2(!run.ok(), qPrintable(run.report()));
    }

    void create()
    {
        KubectlRun run = kubectl({"create", "namespace", "made"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("namespace/made created"));
        QCOMPARE(jsonpath("namespace/made", ".status.phase", ""), QString("Active"));
        run = kubectl({"create", "namespace", "made"});
        CD_KUBECTL_FAILS_WITH(run, "Error from server (AlreadyExists): namespaces \"made\" already exists");

        run = kubectl({"create", "deployment", "made", "-n", "made", "--image=nginx:1.25", "--replicas=2", "--port=80"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/made created"));
        QCOMPARE(jsonpath("deployment/made", ".spec.selector.matchLabels.app", "made"), QString("made"));
        QCOMPARE(jsonpath("deployment/made", ".spec.replicas", "made"), QString("2"));
        QCOMPARE(jsonpath("deployment/made", ".spec.template.spec.containers[0].image", "made"), QString("nginx:1.25"));
        QCOMPARE(jsonpath("deployment/made", ".spec.template.spec.containers[0].ports[0].containerPort", "made"),
                 QString("80"));

        run = kubectl({"create", "configmap", "made", "-n", "made", "--from-literal=greeting=hello", "--from-literal=n=1"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("configmap/made created"));
        QCOMPARE(jsonpath("configmap/made", ".data.greeting", "made"), QString("hello"));

        run = kubectl({"create", "secret", "generic", "made", "-n", "made", "--from-literal=password=s3cr3t"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("secret/made created"));
        QCOMPARE(jsonpath("secret/made", ".data.password", "made"), QString("czNjcjN0"));
        QCOMPARE(jsonpath("secret/made", ".type", "made"), QString("Opaque"));

        run = kubectl({"create", "configmap", "Bad_Name", "-n", "made", "--from-literal=a=b"});
        CD_KUBECTL_FAILS_WITH(run, "error: failed to create configmap: ConfigMap \"Bad_Name\" is invalid: metadata.name: "
                                   "Invalid value: \"Bad_Name\": "
                                   "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                                   "'-' or '.', and must start and end with an alphanumeric character (e.g. "
                                   "'example.com', regex used for validation is "
                                   "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");

        run = kubectl({"create", "configmap", "x", "-n", "nowhere", "--from-literal=a=b"});
        CD_KUBECTL_FAILS_WITH(run, "error: failed to create configmap: namespaces \"nowhere\" not found");
    }

    void run()
    {
        KubectlRun run = kubectl({"run", "runner", "-n", "cmd", "--image=busybox:1.36", "--", "sleep", "60"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("pod/runner created"));
        QCOMPARE(jsonpath("pod/runner", ".metadata.labels.run"), QString("runner"));
        QCOMPARE(jsonpath("pod/runner", ".spec.containers[0].name"), QString("runner"));
        QCOMPARE(jsonpath("pod/runner", ".spec.containers[0].args"), QString(R"(["sleep","60"])"));
        QCOMPARE(jsonpath("pod/runner", ".spec.restartPolicy"), QString("Always"));

        run = kubectl({"run", "runner", "-n", "cmd", "--image=busybox:1.36"});
        CD_KUBECTL_FAILS_WITH(run, "Error from server (AlreadyExists): pods \"runner\" already exists");

        run = kubectl({"run", "dry", "-n", "cmd", "--image=busybox:1.36", "--dry-run=server"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("pod/dry created (server dry run)"));
        run = kubectl({"get", "pod", "dry", "-n", "cmd"});
        CD_KUBECTL_FAILS_WITH(run, "Error from server (NotFound): pods \"dry\" not found");
    }

    void deleteBackground()
    {
        CD_KUBECTL_OK(kubectl({"create", "namespace", "gc-bg"}));
        makeOwnerWithDependents("gc-bg", "owner");
        QCOMPARE(dependents("gc-bg", "owner").size(), 3);
        const KubectlRun run = kubectl({"delete", "replicaset", "owner", "-n", "gc-bg", "--cascade=background"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("replicaset.apps \"owner\" deleted"));
        QVERIFY2(eventually([&] { return dependents("gc-bg", "owner").isEmpty(); }),
                 qPrintable(dependents("gc-bg", "owner").join(' ')));
    }

    void deleteForeground()
    {
        CD_KUBECTL_OK(kubectl({"create", "namespace", "gc-fg"}));
        makeOwnerWithDependents("gc-fg", "owner");
        // kubectl waits until the owner is gone, which foreground deletion allows only once
        // every blocking dependent is gone.
        const KubectlRun run = kubectl({"delete", "replicaset", "owner", "-n", "gc-fg", "--cascade=foreground"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("replicaset.apps \"owner\" deleted"));
        QCOMPARE(dependents("gc-fg", "owner"), QStringList());
        const KubectlRun get = kubectl({"get", "replicaset", "owner", "-n", "gc-fg"});
        CD_KUBECTL_FAILS_WITH(get, "Error from server (NotFound): replicasets.apps \"owner\" not found");
    }

    void deleteOrphan()
    {
        CD_KUBECTL_OK(kubectl({"create", "namespace", "gc-or"}));
        makeOwnerWithDependents("gc-or", "owner");
        const KubectlRun run = kubectl({"delete", "replicaset", "owner", "-n", "gc-or", "--cascade=orphan"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("replicaset.apps \"owner\" deleted"));
        const KubectlRun get = kubectl({"get", "replicaset", "owner", "-n", "gc-or"});
        CD_KUBECTL_FAILS_WITH(get, "Error from server (NotFound): replicasets.apps \"owner\" not found");
        // The dependents stay, without their reference to the deleted owner.
        QTest::qWait(500);
        QCOMPARE(dependents("gc-or", "owner").size(), 3);
        const KubectlRun refs = kubectl({"get", "pods", "-n", "gc-or", "-o", "jsonpath={.items[*].metadata.ownerReferences}"});
        CD_KUBECTL_OK(refs);
        QCOMPARE(refs.out, QString());
    }

    void deleteMisc()
    {
        KubectlRun run = kubectl({"delete", "pod", "nope", "-n", "cmd"});
        CD_KUBECTL_FAILS_WITH(run, "Error from server (NotFound): pods \"nope\" not found");
        run = kubectl({"delete", "pod", "nope", "-n", "cmd", "--ignore-not-found"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out, QString());

        run = kubectl({"delete", "configmap", "made", "-n", "made", "--dry-run=server"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("configmap \"made\" deleted (server dry run)"));
        QCOMPARE(jsonpath("configmap/made", ".data.greeting", "made"), QString("hello"));

        run = kubectl({"delete", "pod", "-n", "cmd", "-l", "run=runner"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("pod \"runner\" deleted"));

        // Forced deletion, with kubectl's warning.
        CD_KUBECTL_OK(kubectl({"run", "forced", "-n", "cmd", "--image=busybox:1.36"}));
        run = kubectl({"delete", "pod", "forced", "-n", "cmd", "--grace-period=0", "--force"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("pod \"forced\" force deleted"));
        QCOMPARE(run.err.trimmed(), QString("Warning: Immediate deletion does not wait for confirmation that the running "
                                            "resource has been terminated. The resource may continue to run on the "
                                            "cluster indefinitely."));

        // Every object of a kind, and of the "all" category.
        CD_KUBECTL_OK(kubectl({"create", "configmap", "one", "-n", "made"}));
        run = kubectl({"delete", "configmaps", "--all", "-n", "made"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), (QStringList{"configmap \"made\" deleted", "configmap \"one\" deleted"}));
        run = kubectl({"delete", "all", "--all", "-n", "made"});
        CD_KUBECTL_OK(run);
        // The Deployment and, if the controllers made them by now, its ReplicaSet and pod.
        QVERIFY2(run.lines().contains("deployment.apps \"made\" deleted"), qPrintable(run.report()));
        for (const QString &line : run.lines())
            QVERIFY2(QRegularExpression("^(pod|replicaset\\.apps|deployment\\.apps) \"made(-[a-z0-9]+)*\" deleted$")
                         .match(line)
                         .hasMatch(),
                     qPrintable(run.report()));

        run = kubectl({"delete", "namespace", "made"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("namespace \"made\" deleted"));
        run = kubectl({"get", "namespace", "made"});
        CD_KUBECTL_FAILS_WITH(run, "Error from server (NotFound): namespaces \"made\" not found");
    }
};

QTEST_GUILESS_MAIN(TstKubectlCommands)
#include "tst_kubectl_commands.moc"
