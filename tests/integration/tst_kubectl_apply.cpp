// The real kubectl v1.32 applies every example manifest of the shared corpus to a real
// clusterdeckd, client-side and server-side, and prints what it prints against a real cluster:
// "created", then "unchanged" for the same file, "configured" for a changed one, and
// "serverside-applied" for --server-side. Kinds Clusterdeck does not serve (DaemonSet, Ingress,
// StatefulSet) get kubectl's own "resource mapping not found" error, while the supported Service
// next to a StatefulSet still applies.
#include "clusterfixture.h"
#include "tests/support/examples.h"

#include "engine/core/yaml.h"

#include <QDir>
#include <QFile>

using cd::Json;
using namespace cd::test;

namespace {

struct Example {
    QString path;          // relative to the examples folder
    QStringList kinds;     // as INDEX.md lists them
    bool unsupported = false;
};

// The corpus as INDEX.md describes it: one table row per file.
QList<Example> indexedExamples()
{
    QList<Example> out;
    QFile index(examplesDir() + "/INDEX.md");
    if (!index.open(QIODevice::ReadOnly))
        return out;
    static const QRegularExpression row("^\\| ((?:website|examples)/\\S+\\.yaml) \\| ([^|]+) \\|");
    for (const QString &line : QString::fromUtf8(index.readAll()).split('\n')) {
        const auto match = row.match(line);
        if (!match.hasMatch())
            continue;
        Example e;
        e.path = match.captured(1);
        for (const QString &kind : match.captured(2).split(','))
            e.kinds.push_back(kind.trimmed());
        e.unsupported = e.kinds.contains("DaemonSet") || e.kinds.contains("Ingress") || e.kinds.contains("StatefulSet");
        out.push_back(e);
    }
    return out;
}

std::vector<Json> documents(const QString &relativePath)
{
    auto docs = cd::parseYamlDocuments(readExample(relativePath).toStdString());
    std::vector<Json> out;
    if (docs.ok())
        for (const auto &d : *docs)
            out.push_back(d.value);
    return out;
}

// How kubectl names an object in its messages: kind.group/name, lower-case kind.
QString kubectlName(const Json &object)
{
    const QString apiVersion = QString::fromStdString(cd::str(object, {"apiVersion"}));
    const QString group = apiVersion.contains('/') ? apiVersion.section('/', 0, 0) : QString();
    QString kind = QString::fromStdString(cd::str(object, {"kind"})).toLower();
    if (!group.isEmpty())
        kind += "." + group;
    return kind + "/" + QString::fromStdString(cd::str(object, {"metadata", "name"}));
}

QStringList expectedLines(const std::vector<Json> &docs, const QString &verb)
{
    QStringList lines;
    for (const Json &d : docs)
        lines.push_back(kubectlName(d) + " " + verb);
    return lines;
}

// The namespace the file names itself, if any (then kubectl must not be given another one).
QString explicitNamespace(const std::vector<Json> &docs)
{
    for (const Json &d : docs) {
        const std::string ns = cd::str(d, {"metadata", "namespace"});
        if (!ns.empty())
            return QString::fromStdString(ns);
    }
    return {};
}

// The same documents with one more label, as a JSON stream kubectl reads from stdin.
QByteArray withChangeLabel(std::vector<Json> docs, const std::string &value)
{
    QByteArray stream;
    for (Json &d : docs) {
        d["metadata"]["labels"]["clusterdeck-test"] = value;
        stream += QByteArray::fromStdString(d.dump()) + "\n";
    }
    return stream;
}

const char *kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

// Files that a real cluster also reports as "configured" when applied a second time unchanged:
// kubectl's three-way patch compares the file with the live object, and these differ from the
// live object in ways the server's normalisation makes and the patch still names. The patch
// then changes nothing on the server.
QString reappliedVerb(const QString &path)
{
    static const QStringList configuredAgain = {
        // "0.5" and "0.1" CPU are stored canonically as "500m" and "100m".
        "website/pods/resource/cpu-request-limit.yaml",
        "website/pods/config/redis-pod.yaml",
        // downwardAPI.items is an atomic list whose fieldRefs gain the defaulted apiVersion "v1".
        "website/pods/inject/dapi-volume.yaml",
        // strategy is a retainKeys field: the live object's defaulted "type" makes kubectl send
        // {"$retainKeys":["rollingUpdate"]}.
        "website/application/deployment-retainkeys.yaml",
    };
    return configuredAgain.contains(path) ? "configured" : "unchanged";
}

QStringList resourceVersions(const Json &items)
{
    QStringList out;
    for (const Json &item : items)
        out.push_back(QString::fromStdString(kubectlName(item).toStdString() + "@" +
                                             cd::str(item, {"metadata", "resourceVersion"})));
    return out;
}

} // namespace

class TstKubectlApply : public QObject {
    Q_OBJECT

private:
    ClusterFixture m_cluster;
    QSet<QString> m_namespaces;

    // Creates a namespace by applying it (`kubectl create namespace` has its own test).
    bool ensureNamespace(const QString &name, QString *why)
    {
        if (name.isEmpty() || m_namespaces.contains(name) || name == "default" || name == "kube-system")
            return true;
        const QByteArray yaml = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name.toUtf8() + "\n";
        const KubectlRun run = m_cluster.kubectl({"apply", "-f", "-"}, yaml);
        if (!run.ok() && !run.err.contains("already exists")) {
            *why = run.report();
            return false;
        }
        m_namespaces.insert(name);
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CD_START_CLUSTER(m_cluster);
        QVERIFY2(!examplesDir().isEmpty(), "the k8s-examples folder is missing");
    }

    void cleanupTestCase() { QCOMPARE(m_cluster.stop(), 0); }

    void corpusIsComplete()
    {
        const QList<Example> all = indexedExamples();
        QVERIFY2(all.size() >= 45, qPrintable(QString("INDEX.md lists %1 files").arg(all.size())));
        int unsupported = 0;
        for (const Example &e : all) {
            QVERIFY2(QFile::exists(examplesDir() + "/" + e.path), qPrintable(e.path));
            unsupported += e.unsupported;
        }
        QCOMPARE(unsupported, 3);
    }

    void applyExample_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("index");
        int i = 0;
        for (const Example &e : indexedExamples()) {
            ++i;
            if (!e.unsupported)
                QTest::newRow(qPrintable(e.path)) << e.path << i;
        }
    }

    // Client-side apply: created, then unchanged (or "configured" without any change where a real
    // cluster says so too: reappliedVerb), then configured for a changed file; then server-side
    // apply of the same file and of a changed one: serverside-applied both times. Every step is
    // checked with a GET.
    void applyExample()
    {
        QFETCH(QString, path);
        QFETCH(int, index);
        const QString file = examplesDir() + "/" + path;
        const std::vector<Json> docs = documents(path);
        QVERIFY2(!docs.empty(), qPrintable("no documents in " + path));

        const QString fixed = explicitNamespace(docs);
        const QString csaNamespace = fixed.isEmpty() ? QString("csa-%1").arg(index) : fixed;
        const QString ssaNamespace = fixed.isEmpty() ? QString("ssa-%1").arg(index) : fixed;
        QString why;
        QVERIFY2(ensureNamespace(csaNamespace, &why), qPrintable(why));
        QVERIFY2(ensureNamespace(ssaNamespace, &why), qPrintable(why));
        const QStringList csaNs = fixed.isEmpty() ? QStringList{"-n", csaNamespace} : QStringList{};
        const QStringList ssaNs = fixed.isEmpty() ? QStringList{"-n", ssaNamespace} : QStringList{};

        // Cluster-scoped objects (PersistentVolume, StorageClass, Namespace) and files with their
        // own namespace are shared by both passes: the server-side pass then updates them.
        bool clusterScopedOrFixed = !fixed.isEmpty();
        for (const Json &d : docs) {
            const std::string kind = cd::str(d, {"kind"});
            clusterScopedOrFixed |= kind == "PersistentVolume" || kind == "StorageClass" || kind == "Namespace";
        }

        KubectlRun run = m_cluster.kubectl(QStringList{"apply", "-f", file} + csaNs);
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), expectedLines(docs, "created"));
        QVERIFY2(run.err.isEmpty(), qPrintable(run.report()));

        run = m_cluster.kubectl(QStringList{"get", "-f", file, "-o", "json"} + csaNs);
        CD_KUBECTL_OK(run);
        Json got = run.json();
        Json items = got.contains("items") ? got["items"] : Json::array({got});
        QCOMPARE(items.size(), docs.size());
        for (const Json &item : items)
            QVERIFY2(!cd::str(item, {"metadata", "annotations", kLastApplied}).empty(),
                     qPrintable("no last-applied annotation on " + kubectlName(item)));

        // Directives of the patch language ($setElementOrder, $retainKeys, $patch) are never stored.
        QVERIFY2(got.dump().find("\"$") == std::string::npos, got.dump().c_str());
        const QStringList versions = resourceVersions(items);

        run = m_cluster.kubectl(QStringList{"apply", "-f", file} + csaNs);
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), expectedLines(docs, reappliedVerb(path)));
        run = m_cluster.kubectl(QStringList{"get", "-f", file, "-o", "json"} + csaNs);
        CD_KUBECTL_OK(run);
        got = run.json();
        QCOMPARE(resourceVersions(got.contains("items") ? got["items"] : Json::array({got})), versions);

        run = m_cluster.kubectl(QStringList{"apply", "-f", "-"} + csaNs, withChangeLabel(docs, "csa"));
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), expectedLines(docs, "configured"));
        run = m_cluster.kubectl(QStringList{"get", "-f", file, "-o", "json"} + csaNs);
        CD_KUBECTL_OK(run);
        got = run.json();
        items = got.contains("items") ? got["items"] : Json::array({got});
        for (const Json &item : items)
            QCOMPARE(cd::str(item, {"metadata", "labels", "clusterdeck-test"}), std::string("csa"));

        // Server-side apply, into its own namespace unless the objects are shared.
        run = m_cluster.kubectl(QStringList{"apply", "--server-side", "-f", file} + ssaNs);
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), expectedLines(docs, "serverside-applied"));
        run = m_cluster.kubectl(QStringList{"apply", "--server-side", "-f", "-"} + ssaNs, withChangeLabel(docs, "ssa"));
        CD_KUBECTL_OK(run);
        QCOMPARE(run.lines(), expectedLines(docs, "serverside-applied"));
        run = m_cluster.kubectl(QStringList{"get", "-f", file, "-o", "json"} + ssaNs);
        CD_KUBECTL_OK(run);
        got = run.json();
        items = got.contains("items") ? got["items"] : Json::array({got});
        for (const Json &item : items) {
            QCOMPARE(cd::str(item, {"metadata", "labels", "clusterdeck-test"}), std::string("ssa"));
            if (!clusterScopedOrFixed)  // made by server-side apply alone: no client-side annotation
                QVERIFY2(cd::str(item, {"metadata", "annotations", kLastApplied}).empty(),
                         qPrintable(kubectlName(item) + " has a last-applied annotation"));
        }
    }

    // Two field managers: the second one's change to a field the first owns is a conflict,
    // answered with kubectl's advice, until it forces; the first then no longer owns it.
    void serverSideConflicts()
    {
        QString why;
        QVERIFY2(ensureNamespace("conflicts", &why), qPrintable(why));
        const QByteArray two = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: shared
  namespace: conflicts
spec:
  replicas: 2
  selector:
    matchLabels: {app: shared}
  template:
    metadata:
      labels: {app: shared}
    spec:
      containers:
      - name: main
        image: nginx:1.25
)";
        QByteArray five = two;
        five.replace("replicas: 2", "replicas: 5");
        KubectlRun run = m_cluster.kubectl({"apply", "--server-side", "-f", "-"}, two);
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/shared serverside-applied"));

        run = m_cluster.kubectl({"apply", "--server-side", "--field-manager=other", "-f", "-"}, five);
        QCOMPARE(run.exitCode, 1);
        const QStringList lines = run.err.split('\n');
        QCOMPARE(lines.value(0), QString("error: Apply failed with 1 conflict: conflict with \"kubectl\" using apps/v1: "
                                         ".spec.replicas"));
        QCOMPARE(lines.value(1), QString("Please review the fields above--they currently have other managers. Here"));
        KubectlRun get = m_cluster.kubectl({"get", "deployment", "shared", "-n", "conflicts", "-o", "jsonpath={.spec.replicas}"});
        QCOMPARE(get.out, QString("2"));

        // Applying the same value is sharing, not a conflict.
        run = m_cluster.kubectl({"apply", "--server-side", "--field-manager=other", "-f", "-"}, two);
        CD_KUBECTL_OK(run);

        run = m_cluster.kubectl({"apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-"}, five);
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/shared serverside-applied"));
        get = m_cluster.kubectl({"get", "deployment", "shared", "-n", "conflicts", "-o", "json", "--show-managed-fields"});
        CD_KUBECTL_OK(get);
        const Json deployment = get.json();
        QCOMPARE(cd::integer(deployment, {"spec", "replicas"}), 5LL);
        QStringList managers;
        for (const Json &entry : deployment["metadata"]["managedFields"])
            managers.push_back(QString::fromStdString(cd::str(entry, {"manager"}) + "/" + cd::str(entry, {"operation"})));
        QVERIFY2(managers.contains("kubectl/Apply") && managers.contains("other/Apply"), qPrintable(managers.join(' ')));

        // kubectl diff runs a server-side dry run: no difference exits 0, a difference 1.
        run = m_cluster.kubectl({"diff", "--server-side", "--field-manager=other", "-f", "-"}, five);
        QVERIFY2(run.exitCode == 0 && run.out.isEmpty(), qPrintable(run.report()));
        run = m_cluster.kubectl({"diff", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-"}, two);
        QVERIFY2(run.exitCode == 1, qPrintable(run.report()));
        QVERIFY2(run.out.contains("\n-  replicas: 5\n+  replicas: 2\n"), qPrintable(run.report()));
        get = m_cluster.kubectl({"get", "deployment", "shared", "-n", "conflicts", "-o", "jsonpath={.spec.replicas}"});
        QCOMPARE(get.out, QString("5"));

        // A server-side dry run of a client-side apply changes nothing either.
        run = m_cluster.kubectl({"apply", "--dry-run=server", "-f", "-"}, two);
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/shared configured (server dry run)"));
        get = m_cluster.kubectl({"get", "deployment", "shared", "-n", "conflicts", "-o", "jsonpath={.spec.replicas}"});
        QCOMPARE(get.out, QString("5"));
    }

    void unsupportedKinds_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("serverSide");
        QTest::addColumn<QString>("expectedError");
        QTest::addColumn<QStringList>("expectedOut");
        const QString ensure = "ensure CRDs are installed first";
        for (const QString &mode : {QString(), QString("--server-side")}) {
            const QString tag = mode.isEmpty() ? "client-side" : "server-side";
            QTest::newRow(qPrintable("daemonset " + tag))
                << "website/controllers/daemonset.yaml" << mode
                << "error: resource mapping not found for name: \"fluentd-elasticsearch\" namespace: \"kube-system\" "
                   "from \"" + examplesDir() + "/website/controllers/daemonset.yaml\": no matches for kind "
                   "\"DaemonSet\" in version \"apps/v1\""
                << QStringList();
            QTest::newRow(qPrintable("ingress " + tag))
                << "website/service/networking/minimal-ingress.yaml" << mode
                << "error: resource mapping not found for name: \"minimal-ingress\" namespace: \"\" from \"" +
                       examplesDir() + "/website/service/networking/minimal-ingress.yaml\": no matches for kind "
                       "\"Ingress\" in version \"networking.k8s.io/v1\""
                << QStringList();
            QTest::newRow(qPrintable("statefulset " + tag))
                << "website/controllers/statefulset.yaml" << mode
                << "error: resource mapping not found for name: \"web\" namespace: \"\" from \"" + examplesDir() +
                       "/website/controllers/statefulset.yaml\": no matches for kind \"StatefulSet\" in version "
                       "\"apps/v1\""
                << QStringList{mode.isEmpty() ? "service/nginx created" : "service/nginx serverside-applied"};
        }
    }

    // kubectl's answer when the server does not serve a kind; the supported objects of the same
    // file are still applied.
    void unsupportedKinds()
    {
        QFETCH(QString, path);
        QFETCH(QString, serverSide);
        QFETCH(QString, expectedError);
        QFETCH(QStringList, expectedOut);
        const QString ns = serverSide.isEmpty() ? "unsupported-csa" : "unsupported-ssa";
        QString why;
        QVERIFY2(ensureNamespace(ns, &why), qPrintable(why));
        QStringList args = {"apply", "-f", examplesDir() + "/" + path};
        if (!path.contains("daemonset"))  // the DaemonSet names kube-system itself
            args += QStringList{"-n", ns};
        if (!serverSide.isEmpty())
            args.insert(1, serverSide);
        const KubectlRun run = m_cluster.kubectl(args);
        QVERIFY2(!run.ok(), qPrintable(run.report()));
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.startsWith(expectedError + "\nensure CRDs are installed first"), qPrintable(run.report()));
        QCOMPARE(run.lines(), expectedOut);
        if (!expectedOut.isEmpty()) {
            const KubectlRun get = m_cluster.kubectl({"get", "service", "nginx", "-n", ns, "-o", "jsonpath={.spec.clusterIP}"});
            CD_KUBECTL_OK(get);
            QCOMPARE(get.out, QString("None"));
        }
    }
};

QTEST_GUILESS_MAIN(TstKubectlApply)
#include "tst_kubectl_apply.moc"
