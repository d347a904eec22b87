// Resource metrics with the real kubectl, against `clusterdeckd --nodes 2 --node-kind process`
// plus one simulated node, sampling every second (--metrics-interval 1s): kubectl finds the
// metrics.k8s.io API; `kubectl top pods` shows a pod that burns CPU above 500m and one that
// holds 50 MiB above 45Mi; by name, with --containers, -A and -l; `kubectl top nodes` lists the
// process nodes with usage and the simulated one as <unknown>; metrics-server's errors; and the
// kubelet's statistics and history through the node proxy.
#include "clusterfixture.h"
#include "machinetools.h"

#include <QDir>
#include <QUuid>

using cd::Json;
using namespace cd::test;

namespace {

// Every container's command line carries a marker unique to this run, to find its processes.
const QByteArray kMarker = "top-" + QUuid::createUuid().toByteArray(QUuid::Id128);

const char *kSimulatedNode = R"yaml(nodes:
- name: sim-1
  kind: simulated
  taints:
  - {key: example.com/simulated, effect: NoSchedule}
)yaml";

const char *kPods = R"yaml(apiVersion: v1
kind: Pod
metadata:
  name: burner
  labels: {app: burn}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: burn
    image: host
    command: [sh, -c, 'while :; do :; done # MARKER']
  - name: idle
    image: host
    command: [sh, -c, 'sleep 600; echo MARKER']
---
apiVersion: v1
kind: Pod
metadata:
  name: holder
  labels: {app: hold}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: hold
    image: host
    command: [python3, -c, 'b = bytearray(50*1024*1024); import time; time.sleep(600)', MARKER]
---
apiVersion: v1
kind: Namespace
metadata:
  name: team
---
apiVersion: v1
kind: Pod
metadata:
  name: sleeper
  namespace: team
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: sleep
    image: host
    command: [sh, -c, 'sleep 600; echo MARKER']
)yaml";

// "998m" -> 998; "52Mi" -> 52; -1 when the cell is not a number with that unit.
long long valueOf(const QString &cell, const QString &unit)
{
    if (!cell.endsWith(unit))
        return -1;
    bool ok = false;
    const long long value = cell.chopped(unit.size()).toLongLong(&ok);
    return ok ? value : -1;
}

} // namespace

class TestTopKubectl : public QObject {
    Q_OBJECT

    ClusterFixture m_cluster;

    KubectlRun kubectl(const QStringList &arguments, const QByteArray &input = {}) const
    {
        return m_cluster.kubectl(arguments, input);
    }

    // The rows of a `kubectl top` table by their first cell (the header left out).
    static std::map<QString, QStringList> rows(const KubectlRun &run)
    {
        std::map<QString, QStringList> out;
        const QStringList lines = run.lines();
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList cells = columns(lines[i]);
            if (!cells.isEmpty())
                out[cells[0]] = cells;
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CD_REQUIRE_TOOL(QStringLiteral("bwrap"));
        CD_REQUIRE_TOOL(QStringLiteral("python3"));
        CD_REQUIRE_KUBECTL();
        QFile plan(m_cluster.scratchPath("nodes.yaml"));
        QVERIFY(plan.open(QIODevice::WriteOnly) && plan.write(kSimulatedNode) > 0);
        plan.close();
        QString why;
        QVERIFY2(m_cluster.start(&why, {"--nodes", "2", "--node-kind", "process", "--node-config", plan.fileName(),
                                        "--metrics-interval", "1s"}),
                 qPrintable(why));
        QVERIFY(m_cluster.waitForReadyNodes(3));
        const KubectlRun apply = kubectl({"apply", "-f", "-"}, QByteArray(kPods).replace("MARKER", kMarker));
        QVERIFY2(apply.ok(), qPrintable(apply.report()));
        const KubectlRun ready = kubectl({"wait", "--for=condition=Ready", "pod/burner", "pod/holder", "--timeout=60s"});
        QVERIFY2(ready.ok(), qPrintable(ready.report()));
    }

    void cleanupTestCase()
    {
        kubectl({"delete", "pods", "--all", "--wait=false"});
        kubectl({"delete", "namespace", "team", "--wait=false"});
        eventually([] { return processesWith(kMarker).isEmpty(); }, 20000);
        m_cluster.stop();
        m_cluster.removeNetwork();
    }

    // kubectl top checks discovery first ("error: Metrics API not available" otherwise).
    void metricsApiDiscovered()
    {
        const KubectlRun resources = kubectl({"api-resources", "--api-group=metrics.k8s.io", "--no-headers"});
        QVERIFY2(resources.ok(), qPrintable(resources.report()));
        QVERIFY2(resources.out.contains(QRegularExpression("^nodes\\s+metrics.k8s.io/v1beta1\\s+false\\s+NodeMetrics",
                                                           QRegularExpression::MultilineOption)),
                 qPrintable(resources.report()));
        QVERIFY2(resources.out.contains(QRegularExpression("^pods\\s+metrics.k8s.io/v1beta1\\s+true\\s+PodMetrics",
                                                           QRegularExpression::MultilineOption)),
                 qPrintable(resources.report()));
    }

    void topPods()
    {
        KubectlRun top;
        // Two samples make the first rate; the busy loop then reports about a core. The holder's
        // first window may still hold python's start and the 50 MiB being zeroed (242m seen in
        // CI), so wait for a window after that too.
        const bool shown = eventually([&] {
            top = kubectl({"top", "pods"});
            const auto r = rows(top);
            return top.ok() && r.count("burner") && r.count("holder") &&
                   valueOf(r.at("burner").value(1), "m") > 500 && valueOf(r.at("holder").value(2), "Mi") > 45 &&
                   valueOf(r.at("holder").value(1), "m") >= 0 && valueOf(r.at("holder").value(1), "m") < 200;
        }, 60000, 500);
        QVERIFY2(shown, qPrintable(top.report()));
        QCOMPARE(squeezed(top.lines().value(0)), QString("NAME CPU(cores) MEMORY(bytes)"));
        const auto r = rows(top);
        QCOMPARE(r.size(), size_t(2));  // the default namespace only
        QVERIFY2(valueOf(r.at("holder").value(1), "m") < 200, qPrintable(top.report()));
        QVERIFY2(valueOf(r.at("burner").value(2), "Mi") >= 0, qPrintable(top.report()));

        // By name.
        const KubectlRun one = kubectl({"top", "pod", "holder"});
        QVERIFY2(one.ok() && one.lines().size() == 2, qPrintable(one.report()));
        QVERIFY2(valueOf(columns(one.lines()[1]).value(2), "Mi") > 45, qPrintable(one.report()));
    }

    void topPodContainers()
    {
        KubectlRun run;
        std::map<QString, QStringList> byContainer;
        // Each window's rate is what the scheduler gave the loop: wait for one near a core.
        QVERIFY2(eventually([&] {
            run = kubectl({"top", "pod", "burner", "--containers"});
            byContainer.clear();
            for (const QString &line : run.lines().mid(1))
                byContainer[columns(line).value(1)] = columns(line);
            return run.ok() && valueOf(byContainer["burn"].value(2), "m") > 500;
        }, 30000, 500), qPrintable(run.report()));
        QCOMPARE(squeezed(run.lines().value(0)), QString("POD NAME CPU(cores) MEMORY(bytes)"));
        QCOMPARE(byContainer.size(), size_t(2));
        QCOMPARE(byContainer["burn"].value(0), QString("burner"));
        QVERIFY2(valueOf(byContainer["burn"].value(2), "m") > 500, qPrintable(run.report()));
        QVERIFY2(valueOf(byContainer["idle"].value(2), "m") < 100, qPrintable(run.report()));
    }

    void topPodsEverywhereAndBySelector()
    {
        KubectlRun all;
        QVERIFY2(eventually([&] {
            all = kubectl({"top", "pods", "-A"});
            return all.ok() && all.out.contains("sleeper");
        }, 20000, 500), qPrintable(all.report()));
        QCOMPARE(squeezed(all.lines().value(0)), QString("NAMESPACE NAME CPU(cores) MEMORY(bytes)"));
        QStringList namespaces;
        for (const QString &line : all.lines().mid(1))
            namespaces << columns(line).value(0) + "/" + columns(line).value(1);
        QVERIFY2(namespaces.contains("team/sleeper") && namespaces.contains("default/burner") &&
                     namespaces.contains("default/holder"),
                 qPrintable(all.report()));

        const KubectlRun selected = kubectl({"top", "pods", "-l", "app=burn"});
        QVERIFY2(selected.ok() && selected.lines().size() == 2, qPrintable(selected.report()));
        QCOMPARE(columns(selected.lines()[1]).value(0), QString("burner"));
        const KubectlRun none = kubectl({"top", "pods", "-l", "app=nothing"});
        QVERIFY2(none.ok() && none.err.contains("No resources found in default namespace."), qPrintable(none.report()));
    }

    void topNodes()
    {
        const KubectlRun run = kubectl({"top", "nodes"});
        QVERIFY2(run.ok(), qPrintable(run.report()));
        QCOMPARE(squeezed(run.lines().value(0)), QString("NAME CPU(cores) CPU(%) MEMORY(bytes) MEMORY(%)"));
        const auto r = rows(run);
        QCOMPARE(r.size(), size_t(3));
        // Process nodes share this machine: each shows its usage, at least the burner's core.
        for (const char *name : {"node-1", "node-2"}) {
            QVERIFY2(valueOf(r.at(name).value(1), "m") > 500, qPrintable(run.report()));
            QVERIFY2(r.at(name).value(2).endsWith('%'), qPrintable(run.report()));
            QVERIFY2(valueOf(r.at(name).value(3), "Mi") > 45, qPrintable(run.report()));
        }
        // The simulated node runs nothing: no metrics, as kubectl shows a node without them.
        QCOMPARE(r.at("sim-1"), (QStringList{"sim-1", "<unknown>", "<unknown>", "<unknown>", "<unknown>"}));

        const KubectlRun one = kubectl({"top", "node", "node-1"});
        QVERIFY2(one.ok() && one.lines().size() == 2, qPrintable(one.report()));
        const KubectlRun selected = kubectl({"top", "nodes", "-l", "kubernetes.io/hostname=node-2"});
        QVERIFY2(selected.ok() && selected.lines().size() == 2 && selected.out.contains("node-2"),
                 qPrintable(selected.report()));
    }

    void errorsAsMetricsServerGivesThem()
    {
        CD_KUBECTL_FAILS_WITH(kubectl({"top", "node", "sim-1"}),
                              "Error from server (NotFound): nodemetrics.metrics.k8s.io \"sim-1\" not found");
        CD_KUBECTL_FAILS_WITH(kubectl({"top", "node", "nowhere"}),
                              "Error from server (NotFound): nodes \"nowhere\" not found");
        CD_KUBECTL_FAILS_WITH(kubectl({"top", "pod", "ghost"}), "Error from server (NotFound): pods \"ghost\" not found");
    }

    // What dashboards read: the kubelet's Summary and a pod's recent history, through the API.
    void statsThroughNodeProxy()
    {
        const QString node = QString::fromStdString(
            cd::str(kubectl({"get", "pod", "burner", "-o", "json"}).json(), {"spec", "nodeName"}));
        QVERIFY(!node.isEmpty());
        const KubectlRun summary = kubectl({"get", "--raw", "/api/v1/nodes/" + node + "/proxy/stats/summary"});
        QVERIFY2(summary.ok(), qPrintable(summary.report()));
        const Json s = summary.json();
        QCOMPARE(cd::str(s, {"node", "nodeName"}), node.toStdString());
        QVERIFY2(cd::integer(s, {"node", "memory", "workingSetBytes"}) > 0, qPrintable(summary.out));
        bool found = false;
        for (const Json &pod : s["pods"])
            if (cd::str(pod, {"podRef", "name"}) == "burner")
                found = cd::integer(pod, {"cpu", "usageNanoCores"}) > 0 && pod["containers"].size() == 2;
        QVERIFY2(found, qPrintable(summary.out.left(3000)));

        // One sample a second, kept (up to 15 minutes' worth).
        KubectlRun history;
        QVERIFY2(eventually([&] {
            history = kubectl({"get", "--raw", "/api/v1/nodes/" + node + "/proxy/stats/history?namespace=default&pod=burner"});
            return history.ok() && history.json()["samples"].size() >= 5;
        }, 15000, 500), qPrintable(history.report().left(3000)));
        const Json h = history.json();
        QCOMPARE(cd::integer(h, {"intervalMs"}), 1000LL);
        QCOMPARE(h["containers"].size(), size_t(2));
    }
};

QTEST_GUILESS_MAIN(TestTopKubectl)
#include "tst_top_kubectl.moc"
