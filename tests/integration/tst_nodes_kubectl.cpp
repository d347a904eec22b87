// Simulated nodes with the real kubectl, against `clusterdeckd --nodes 3 --node-kind simulated`:
// nodes look like a real cluster's (`get nodes -o wide`), a Deployment's pods run spread over them,
// cordon, uncordon, taint and drain behave as kubectl expects, a node that stops heart-beating
// loses its pods to the others, and deleting a node moves its pods.
#include "clusterfixture.h"

using cd::Json;
using namespace cd::test;

namespace {

const char *kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 6
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
)";

const char *kBarePod = R"(apiVersion: v1
kind: Pod
metadata:
  name: bare
spec:
  nodeName: node-1
  containers:
  - name: app
    image: busybox
)";

} // namespace

class TestNodesKubectl : public QObject {
    Q_OBJECT

    ClusterFixture m_cluster;

    KubectlRun kubectl(const QStringList &arguments, const QByteArray &input = {}) const
    {
        return m_cluster.kubectl(arguments, input);
    }

    Json pods(const QString &selector = "app=web")
    {
        const KubectlRun run = kubectl({"get", "pods", "-l", selector, "-o", "json"});
        return run.ok() ? run.json() : Json();
    }

    // Running, Ready and not being deleted, by node.
    std::map<std::string, int> runningByNode(const QString &selector = "app=web")
    {
        std::map<std::string, int> out;
        const Json list = pods(selector);
        if (!list.contains("items"))
            return out;
        for (const Json &p : list["items"]) {
            if (cd::str(p, {"status", "phase"}) != "Running" || p["metadata"].contains("deletionTimestamp"))
                continue;
            bool ready = false;
            for (const Json &c : p["status"].value("conditions", Json::array()))
                ready = ready || (cd::str(c, {"type"}) == "Ready" && cd::str(c, {"status"}) == "True");
            if (ready)
                out[cd::str(p, {"spec", "nodeName"})] += 1;
        }
        return out;
    }

    static int total(const std::map<std::string, int> &byNode)
    {
        int n = 0;
        for (const auto &[node, count] : byNode)
            n += count;
        return n;
    }

    bool deploymentRunning(int replicas, int timeoutMs = 60000)
    {
        return eventually([&] { return total(runningByNode()) == replicas; }, timeoutMs, 250);
    }

private Q_SLOTS:
    void initTestCase()
    {
        CD_START_CLUSTER_WITH_NODES(m_cluster, 3);
    }

    void cleanupTestCase()
    {
        if (m_cluster.engine().isRunning())
            QCOMPARE(m_cluster.stop(), 0);
    }

    void nodesLookLikeARealCluster()
    {
        const KubectlRun run = kubectl({"get", "nodes", "-o", "wide"});
        CD_KUBECTL_OK(run);
        const QStringList lines = run.lines();
        QCOMPARE(lines.size(), 4);
        QCOMPARE(squeezed(lines[0]), QString("NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE "
                                             "KERNEL-VERSION CONTAINER-RUNTIME"));
        for (int i = 1; i <= 3; ++i) {
            const QStringList cells = columns(lines[i]);
            QVERIFY2(cells.size() == 10, qPrintable(run.report()));
            QCOMPARE(cells[0], QString("node-%1").arg(i));
            QCOMPARE(cells[1], QString("Ready"));
            QCOMPARE(cells[2], QString("<none>"));
            QCOMPARE(cells[4], QString("v1.32.0"));
            QCOMPARE(cells[5], QString("172.18.0.%1").arg(i + 1));
            QCOMPARE(cells[6], QString("<none>"));
            QCOMPARE(cells[9], QString("clusterdeck-sim://0.1.0"));
        }
        const KubectlRun describe = kubectl({"describe", "node", "node-1"});
        CD_KUBECTL_OK(describe);
        QVERIFY2(describe.out.contains("kubelet is posting ready status"), qPrintable(describe.report()));
        QVERIFY2(describe.out.contains("PodCIDR:                      10.244.1.0/24"), qPrintable(describe.report()));
        QVERIFY2(describe.out.contains("HolderIdentity:  node-1"), qPrintable(describe.report()));
    }

    void deploymentPodsRunSpread()
    {
        CD_KUBECTL_OK(kubectl({"apply", "-f", "-"}, kDeployment));
        QVERIFY2(deploymentRunning(6), qPrintable(kubectl({"get", "pods", "-o", "wide"}).report()));
        QVERIFY2(runningByNode().size() >= 2, "pods spread over the nodes");
        const KubectlRun wide = kubectl({"get", "pods", "-l", "app=web", "-o", "wide"});
        CD_KUBECTL_OK(wide);
        QCOMPARE(squeezed(wide.lines()[0]), QString("NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES"));
        const QStringList cells = columns(wide.lines()[1]);
        QCOMPARE(cells[1], QString("1/1"));
        QCOMPARE(cells[2], QString("Running"));
        QVERIFY2(cells[5].startsWith("10.244."), qPrintable(wide.report()));
        QVERIFY2(cells[6].startsWith("node-"), qPrintable(wide.report()));
    }

    void cordonUncordonAndTaint()
    {
        KubectlRun run = kubectl({"cordon", "node-3"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("node/node-3 cordoned"));
        QVERIFY(eventually([&] {
            const KubectlRun get = kubectl({"get", "node", "node-3", "--no-headers"});
            return get.ok() && columns(get.out)[1] == "Ready,SchedulingDisabled";
        }));
        QVERIFY(eventually([&] {
            return kubectl({"get", "node", "node-3", "-o", "jsonpath={.spec.taints[*].key}"}).out ==
                   "node.kubernetes.io/unschedulable";
        }));
        run = kubectl({"uncordon", "node-3"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("node/node-3 uncordoned"));

        run = kubectl({"taint", "nodes", "node-2", "dedicated=db:NoSchedule"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("node/node-2 tainted"));
        QCOMPARE(kubectl({"get", "node", "node-2", "-o", "jsonpath={.spec.taints[0].key}={.spec.taints[0].value}"}).out,
                 QString("dedicated=db"));
        run = kubectl({"taint", "nodes", "node-2", "dedicated=db:NoSchedule-"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("node/node-2 untainted"));
    }

    void drainMovesPods()
    {
        CD_KUBECTL_OK(kubectl({"apply", "-f", "-"}, kBarePod));
        QVERIFY(eventually([&] { return total(runningByNode("!app")) == 1; }, 30000, 250));
        // A pod no controller manages stops the drain unless forced (kubectl's rule).
        KubectlRun run = kubectl({"drain", "node-1", "--ignore-daemonsets", "--timeout=60s"});
        QVERIFY2(!run.ok(), qPrintable(run.report()));
        QVERIFY2(run.err.contains("cannot delete Pods that declare no controller (use --force to override): default/bare"),
                 qPrintable(run.report()));
        run = kubectl({"drain", "node-1", "--ignore-daemonsets", "--force", "--timeout=90s"});
        CD_KUBECTL_OK(run);
        QVERIFY2(run.out.contains("node/node-1 drained"), qPrintable(run.report()));
        QVERIFY2(run.out.contains("pod/bare evicted"), qPrintable(run.report()));
        QVERIFY(eventually([&] { return kubectl({"get", "pod", "bare"}).err.contains("NotFound"); }, 30000));
        const bool moved = eventually([&] {
            const auto byNode = runningByNode();
            return total(byNode) == 6 && !byNode.count("node-1");
        }, 60000, 250);
        QVERIFY2(moved, qPrintable(kubectl({"get", "pods", "-o", "wide"}).report()));
        CD_KUBECTL_OK(kubectl({"uncordon", "node-1"}));
    }

    void failedNodeLosesItsPods()
    {
        // The node stops heart-beating: NotReady after the grace period, its pods evicted after
        // their toleration (30 s by default) and replaced elsewhere.
        CD_KUBECTL_OK(kubectl({"annotate", "node", "node-2", "sim.clusterdeck.io/heartbeat=stopped"}));
        QVERIFY(eventually([&] {
            const KubectlRun get = kubectl({"get", "node", "node-2", "--no-headers"});
            return get.ok() && columns(get.out)[1] == "NotReady";
        }, 60000, 500));
        QVERIFY(eventually([&] {
            return kubectl({"get", "node", "node-2", "-o", "jsonpath={.spec.taints[*].key}"})
                .out.contains("node.kubernetes.io/unreachable");
        }, 20000));
        const bool rescheduled = eventually([&] {
            const auto byNode = runningByNode();
            return total(byNode) == 6 && !byNode.count("node-2");
        }, 90000, 500);
        QVERIFY2(rescheduled, qPrintable(kubectl({"get", "pods", "-o", "wide"}).report()));
        // Back again: Ready, and the evicted pods it still held are finished off.
        CD_KUBECTL_OK(kubectl({"annotate", "node", "node-2", "sim.clusterdeck.io/heartbeat-"}));
        QVERIFY(eventually([&] {
            const KubectlRun get = kubectl({"get", "node", "node-2", "--no-headers"});
            return get.ok() && columns(get.out)[1] == "Ready";
        }, 30000, 500));
        QVERIFY(eventually([&] {
            const Json list = pods();
            for (const Json &p : list.value("items", Json::array()))
                if (cd::str(p, {"spec", "nodeName"}) == "node-2")
                    return false;
            return list.contains("items");
        }, 30000, 500));
    }

    void deletedNodeLosesItsPods()
    {
        const KubectlRun run = kubectl({"delete", "node", "node-3"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("node \"node-3\" deleted"));
        QVERIFY(eventually([&] {
            const Json list = pods();
            for (const Json &p : list.value("items", Json::array()))
                if (cd::str(p, {"spec", "nodeName"}) == "node-3")
                    return false;
            return list.contains("items");
        }, 30000, 500));
        const bool replaced = eventually([&] {
            const auto byNode = runningByNode();
            return total(byNode) == 6 && !byNode.count("node-3");
        }, 60000, 250);
        QVERIFY2(replaced, qPrintable(kubectl({"get", "pods", "-o", "wide"}).report()));
    }
};

QTEST_GUILESS_MAIN(TestNodesKubectl)
#include "tst_nodes_kubectl.moc"
