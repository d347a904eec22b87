// The Kubernetes guestbook (website/application/guestbook, unmodified) against `clusterdeckd
// --nodes 3 --node-kind simulated` with the real kubectl: applied as a folder, every Deployment
// becomes Available, every Service finds the pods it selects, and `get all` shows what a real
// cluster shows.
#include "clusterfixture.h"
#include "tests/support/examples.h"

using cd::Json;
using namespace cd::test;

class TestGuestbookKubectl : public QObject {
    Q_OBJECT

    ClusterFixture m_cluster;

    KubectlRun kubectl(const QStringList &arguments, const QByteArray &input = {}) const
    {
        return m_cluster.kubectl(arguments, input);
    }

    static QString guestbookDir() { return examplesDir() + "/website/application/guestbook"; }

    // The pod names a Service's EndpointSlices point at, ready ones only.
    QStringList readyEndpoints(const QString &service)
    {
        const KubectlRun run =
            kubectl({"get", "endpointslices", "-l", "kubernetes.io/service-name=" + service, "-o", "json"});
        QStringList names;
        if (!run.ok())
            return names;
        for (const Json &slice : run.json().value("items", Json::array()))
            if (slice.contains("endpoints") && slice["endpoints"].is_array())
                for (const Json &ep : slice["endpoints"])
                    if (cd::boolean(ep, {"conditions", "ready"}))
                        names << QString::fromStdString(cd::str(ep, {"targetRef", "name"}));
        names.sort();
        return names;
    }

    QStringList runningPods(const QString &selector)
    {
        const KubectlRun run = kubectl({"get", "pods", "-l", selector, "--field-selector=status.phase=Running", "-o",
                                        "jsonpath={.items[*].metadata.name}"});
        QStringList names = run.out.split(' ', Qt::SkipEmptyParts);
        names.sort();
        return names;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!examplesDir().isEmpty(), "CLUSTERDECK_EXAMPLES_DIR (set by CTest) is missing");
        CD_START_CLUSTER_WITH_NODES(m_cluster, 3);
    }

    void cleanupTestCase()
    {
        if (m_cluster.engine().isRunning())
            QCOMPARE(m_cluster.stop(), 0);
    }

    void comesUp()
    {
        const KubectlRun apply = kubectl({"apply", "-f", guestbookDir()});
        CD_KUBECTL_OK(apply);
        QStringList created = apply.lines();
        created.sort();
        QCOMPARE(created, QStringList({"deployment.apps/frontend created", "deployment.apps/redis-follower created",
                                       "deployment.apps/redis-leader created", "service/frontend created",
                                       "service/redis-follower created", "service/redis-leader created"}));

        const KubectlRun wait =
            kubectl({"wait", "--for=condition=Available", "deployment", "--all", "--timeout=90s"});
        CD_KUBECTL_OK(wait);
        QCOMPARE(wait.lines().size(), 3);
        for (const char *name : {"frontend", "redis-follower", "redis-leader"}) {
            const KubectlRun status = kubectl({"rollout", "status", QString("deployment/") + name, "--timeout=60s"});
            CD_KUBECTL_OK(status);
            QCOMPARE(status.lines().last(), QString("deployment \"%1\" successfully rolled out").arg(name));
        }

        const KubectlRun deployments = kubectl({"get", "deployments"});
        CD_KUBECTL_OK(deployments);
        QCOMPARE(squeezed(deployments.lines().value(0)), QString("NAME READY UP-TO-DATE AVAILABLE AGE"));
        QStringList ready;
        for (const QString &line : deployments.lines().mid(1))
            ready << columns(line).mid(0, 4).join(' ');
        QCOMPARE(ready, QStringList({"frontend 3/3 3 3", "redis-follower 2/2 2 2", "redis-leader 1/1 1 1"}));
    }

    void everyServiceHasItsPods()
    {
        // The Services select by app/role/tier (frontend by app/tier): their endpoints are
        // exactly the Running pods those labels pick.
        const QList<QPair<QString, QString>> services = {
            {"frontend", "app=guestbook,tier=frontend"},
            {"redis-leader", "app=redis,role=leader,tier=backend"},
            {"redis-follower", "app=redis,role=follower,tier=backend"},
        };
        for (const auto &[service, selector] : services) {
            QStringList pods;
            const bool found = eventually([&] {
                pods = runningPods(selector);
                return !pods.isEmpty() && readyEndpoints(service) == pods;
            }, 30000, 250);
            QVERIFY2(found, qPrintable(service + ": endpoints " + readyEndpoints(service).join(',') + " vs pods " +
                                       pods.join(',')));
        }
        QCOMPARE(runningPods("app=guestbook,tier=frontend").size(), 3);

        const KubectlRun endpoints = kubectl({"get", "endpoints", "redis-leader", "--no-headers"});
        CD_KUBECTL_OK(endpoints);
        const QStringList cells = columns(endpoints.out);
        QCOMPARE(cells.value(0), QString("redis-leader"));
        QVERIFY2(QRegularExpression("^10\\.244\\.\\d+\\.\\d+:6379$").match(cells.value(1)).hasMatch(),
                 qPrintable(endpoints.report()));
    }

    void getAllShowsEverything()
    {
        const KubectlRun all = kubectl({"get", "all"});
        CD_KUBECTL_OK(all);
        const QString text = all.out;
        for (const char *expected : {"deployment.apps/frontend", "deployment.apps/redis-leader",
                                     "deployment.apps/redis-follower", "service/frontend", "service/kubernetes",
                                     "replicaset.apps/frontend-", "pod/frontend-"})
            QVERIFY2(text.contains(expected), qPrintable(QString("missing %1").arg(expected) + all.report()));
    }

    void deletingRemovesEverything()
    {
        CD_KUBECTL_OK(kubectl({"delete", "-f", guestbookDir(), "--wait=true", "--timeout=60s"}));
        QVERIFY(eventually([&] {
            const KubectlRun pods = kubectl({"get", "pods,replicasets,endpointslices", "--no-headers"});
            return pods.ok() && !pods.out.contains("frontend") && !pods.out.contains("redis");
        }, 30000, 250));
    }
};

QTEST_GUILESS_MAIN(TestGuestbookKubectl)
#include "tst_guestbook_kubectl.moc"
