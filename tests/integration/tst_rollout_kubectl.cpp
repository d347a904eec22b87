// Deployments with the real kubectl against `clusterdeckd --nodes 3 --node-kind simulated`: `apply`
// then `rollout status` completes; `set image` rolls a new ReplicaSet out without ever breaking
// maxSurge and maxUnavailable (checked on every event of a `kubectl get pods --watch`); `rollout
// history`, `undo`, `pause`, `resume` and `restart` answer as with a real cluster; `scale` works
// both ways; deleting the Deployment removes its ReplicaSets and pods.
#include "clusterfixture.h"

#include <QProcess>

#include <climits>
#include <map>
#include <set>

using cd::Json;
using namespace cd::test;

namespace {

// 4 replicas, at most 1 above and 1 below while rolling: 3 to 5 pods, at least 3 available.
const char *kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels: {app: web}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 1}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
)";

constexpr int kReplicas = 4;
constexpr int kMaxSurge = 1;
constexpr int kMaxUnavailable = 1;

// `kubectl get pods --watch --output-watch-events -o json`: a stream of JSON documents, one per
// watch event, each checked against the rollout's limits as it arrives.
class PodWatch {
public:
    explicit PodWatch(std::unique_ptr<QProcess> process) : m_process(std::move(process)) {}
    ~PodWatch()
    {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->kill();
            m_process->waitForFinished(3000);
        }
    }

    // Reads what kubectl printed so far; call while waiting.
    void poll()
    {
        m_buffer += m_process->readAllStandardOutput();
        for (;;) {
            const qsizetype end = documentEnd();
            if (end < 0)
                break;
            const Json event = Json::parse(m_buffer.left(end).toStdString(), nullptr, false);
            m_buffer.remove(0, end);
            if (!event.is_discarded())
                observe(event);
        }
    }

    // Limits are checked from the first event after this is set (the initial listing arrives
    // one pod at a time).
    bool checking = false;
    long long events = 0;
    long long maxPods = 0;
    long long minAvailable = LLONG_MAX;
    std::string firstViolation;
    long long live() const { return count(false); }
    long long available() const { return count(true); }
    std::set<std::string> images() const
    {
        std::set<std::string> out;
        for (const auto &[name, pod] : m_pods)
            if (!pod.terminating)
                out.insert(pod.image);
        return out;
    }
    QString stderrText() { return QString::fromUtf8(m_process->readAllStandardError()); }

private:
    struct Pod {
        bool ready = false;
        bool terminating = false;
        std::string image;
    };

    // Where the first complete top-level JSON document of the buffer ends, or -1.
    qsizetype documentEnd() const
    {
        int depth = 0;
        bool inString = false, escaped = false, started = false;
        for (qsizetype i = 0; i < m_buffer.size(); ++i) {
            const char c = m_buffer[i];
            if (inString) {
                if (escaped)
                    escaped = false;
                else if (c == '\\')
                    escaped = true;
                else if (c == '"')
                    inString = false;
                continue;
            }
            if (c == '"')
                inString = true;
            else if (c == '{') {
                ++depth;
                started = true;
            } else if (c == '}' && --depth == 0 && started)
                return i + 1;
        }
        return -1;
    }

    long long count(bool availableOnly) const
    {
        long long n = 0;
        for (const auto &[name, pod] : m_pods)
            if (!pod.terminating && (!availableOnly || pod.ready))
                ++n;
        return n;
    }

    void observe(const Json &event)
    {
        ++events;
        const Json &pod = event.contains("object") ? event["object"] : event;
        const std::string name = cd::str(pod, {"metadata", "name"});
        if (cd::str(event, {"type"}) == "DELETED") {
            m_pods.erase(name);
        } else {
            Pod &p = m_pods[name];
            p.terminating = cd::has(pod, {"metadata", "deletionTimestamp"});
            p.image = pod.contains("spec") ? cd::str(pod["spec"]["containers"][0], {"image"}) : "";
            p.ready = false;
            if (const Json *conditions = cd::find(pod, {"status", "conditions"}); conditions && conditions->is_array())
                for (const Json &c : *conditions)
                    p.ready = p.ready || (cd::str(c, {"type"}) == "Ready" && cd::str(c, {"status"}) == "True");
        }
        if (!checking)
            return;
        const long long pods = live(), ready = available();
        maxPods = std::max(maxPods, pods);
        minAvailable = std::min(minAvailable, ready);
        if (firstViolation.empty() && (pods > kReplicas + kMaxSurge || ready < kReplicas - kMaxUnavailable))
            firstViolation = "event " + std::to_string(events) + " (" + name + "): " + std::to_string(pods) +
                             " pods, " + std::to_string(ready) + " available";
    }

    std::unique_ptr<QProcess> m_process;
    QByteArray m_buffer;
    std::map<std::string, Pod> m_pods;
};

} // namespace

class TestRolloutKubectl : public QObject {
    Q_OBJECT

    ClusterFixture m_cluster;

    KubectlRun kubectl(const QStringList &arguments, const QByteArray &input = {}) const
    {
        return m_cluster.kubectl(arguments, input);
    }

    // `rollout status` to the end: every line it printed, the last one the success.
    void rolloutCompletes()
    {
        const KubectlRun run = kubectl({"rollout", "status", "deployment/web", "--timeout=90s"});
        CD_KUBECTL_OK(run);
        const QStringList lines = run.lines();
        QVERIFY2(!lines.isEmpty(), qPrintable(run.report()));
        QCOMPARE(lines.last(), QString("deployment \"web\" successfully rolled out"));
        for (int i = 0; i + 1 < lines.size(); ++i)
            QVERIFY2(lines[i].startsWith("Waiting for deployment \"web\" rollout to finish: ") ||
                         lines[i] == "Waiting for deployment spec update to be observed...",
                     qPrintable(run.report()));
    }

    QStringList replicaSetNames()
    {
        const KubectlRun run = kubectl({"get", "rs", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}"});
        QStringList names = run.out.split(' ', Qt::SkipEmptyParts);
        names.sort();
        return names;
    }

    // Pods Running and Ready, not being deleted, with their image.
    std::map<std::string, std::string> readyPods()
    {
        std::map<std::string, std::string> out;
        const KubectlRun run = kubectl({"get", "pods", "-l", "app=web", "-o", "json"});
        if (!run.ok())
            return out;
        for (const Json &p : run.json().value("items", Json::array())) {
            if (cd::has(p, {"metadata", "deletionTimestamp"}))
                continue;
            bool ready = false;
            for (const Json &c : p["status"].value("conditions", Json::array()))
                ready = ready || (cd::str(c, {"type"}) == "Ready" && cd::str(c, {"status"}) == "True");
            if (ready)
                out[cd::str(p, {"metadata", "name"})] = cd::str(p["spec"]["containers"][0], {"image"});
        }
        return out;
    }

    // `rollout history` as rows of (revision, change-cause).
    std::vector<std::pair<QString, QString>> history()
    {
        const KubectlRun run = kubectl({"rollout", "history", "deployment/web"});
        std::vector<std::pair<QString, QString>> rows;
        const QStringList lines = run.lines();
        if (!run.ok() || lines.size() < 2 || lines[0].trimmed() != "deployment.apps/web" ||
            squeezed(lines[1]) != "REVISION CHANGE-CAUSE")
            return rows;
        for (int i = 2; i < lines.size(); ++i) {
            const QStringList cells = columns(lines[i]);
            if (cells.size() == 2)
                rows.emplace_back(cells[0], cells[1]);
        }
        return rows;
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

    void applyThenRolloutStatus()
    {
        const KubectlRun apply = kubectl({"apply", "-f", "-"}, kDeployment);
        CD_KUBECTL_OK(apply);
        QCOMPARE(apply.out.trimmed(), QString("deployment.apps/web created"));
        rolloutCompletes();

        const KubectlRun get = kubectl({"get", "deployment", "web"});
        CD_KUBECTL_OK(get);
        QCOMPARE(squeezed(get.lines()[0]), QString("NAME READY UP-TO-DATE AVAILABLE AGE"));
        const QStringList cells = columns(get.lines()[1]);
        QCOMPARE(cells.mid(0, 4), (QStringList{"web", "4/4", "4", "4"}));
        QCOMPARE(replicaSetNames().size(), 1);
        QVERIFY(replicaSetNames()[0].startsWith("web-"));
        QCOMPARE(int(readyPods().size()), kReplicas);

        const KubectlRun describe = kubectl({"describe", "deployment", "web"});
        CD_KUBECTL_OK(describe);
        const QString described = squeezed(describe.out);
        QVERIFY2(described.contains("Replicas: 4 desired | 4 updated | 4 total | 4 available | 0 unavailable"),
                 qPrintable(describe.report()));
        QVERIFY2(described.contains("NewReplicaSet: " + replicaSetNames()[0] + " (4/4 replicas created)"),
                 qPrintable(describe.report()));
        QVERIFY2(described.contains("Available True MinimumReplicasAvailable"), qPrintable(describe.report()));
        QVERIFY2(described.contains("Progressing True NewReplicaSetAvailable"), qPrintable(describe.report()));
        QVERIFY2(describe.out.contains("Scaled up replica set " + replicaSetNames()[0] + " to 4"),
                 qPrintable(describe.report()));
    }

    void setImageRollsOutWithinSurgeAndUnavailable()
    {
        const QStringList before = replicaSetNames();
        PodWatch watch(m_cluster.startKubectl({"get", "pods", "-l", "app=web", "--watch", "--output-watch-events", "-o", "json"}));
        // The watch lists what exists first: four ready pods.
        QVERIFY(eventually([&] {
            watch.poll();
            return watch.available() == kReplicas;
        }));
        watch.checking = true;

        const KubectlRun set = kubectl({"set", "image", "deployment/web", "nginx=nginx:1.28"});
        CD_KUBECTL_OK(set);
        QCOMPARE(set.out.trimmed(), QString("deployment.apps/web image updated"));
        rolloutCompletes();
        QVERIFY(eventually([&] {
            watch.poll();
            return watch.live() == kReplicas && watch.available() == kReplicas &&
                   watch.images() == std::set<std::string>{"nginx:1.28"};
        }));
        QVERIFY2(watch.firstViolation.empty(), watch.firstViolation.c_str());
        QVERIFY(watch.maxPods <= kReplicas + kMaxSurge);
        QVERIFY(watch.minAvailable >= kReplicas - kMaxUnavailable);
        QVERIFY2(watch.events > 2 * kReplicas, "the watch saw the rollout's steps");

        QCOMPARE(replicaSetNames().size(), 2);
        for (const auto &[name, image] : readyPods())
            QCOMPARE(image, std::string("nginx:1.28"));
        const KubectlRun rs = kubectl({"get", "rs", before[0], "-o", "jsonpath={.spec.replicas}"});
        QCOMPARE(rs.out, QString("0"));
    }

    void rolloutHistoryShowsRevisions()
    {
        const KubectlRun annotate =
            kubectl({"annotate", "deployment/web", "kubernetes.io/change-cause=image updated to nginx:1.28"});
        CD_KUBECTL_OK(annotate);
        // The controller copies the change cause onto the current ReplicaSet.
        const std::vector<std::pair<QString, QString>> expected = {{"1", "<none>"},
                                                                   {"2", "image updated to nginx:1.28"}};
        QVERIFY2(eventually([&] { return history() == expected; }),
                 qPrintable(kubectl({"rollout", "history", "deployment/web"}).report()));
        const KubectlRun run = kubectl({"rollout", "history", "deployment/web"});
        QCOMPARE(run.lines()[0], QString("deployment.apps/web "));
    }

    void undoGoesBackToTheFirstReplicaSet()
    {
        const KubectlRun undo = kubectl({"rollout", "undo", "deployment/web"});
        CD_KUBECTL_OK(undo);
        QCOMPARE(undo.out.trimmed(), QString("deployment.apps/web rolled back"));
        rolloutCompletes();
        QCOMPARE(replicaSetNames().size(), 2);  // revision 1's ReplicaSet came back, none was made
        QVERIFY(eventually([&] {
            const auto pods = readyPods();
            if (int(pods.size()) != kReplicas)
                return false;
            for (const auto &[name, image] : pods)
                if (image != "nginx:1.27")
                    return false;
            return true;
        }, 30000, 200));
        // Revision 1 is now revision 3.
        const std::vector<std::pair<QString, QString>> expected = {{"2", "image updated to nginx:1.28"},
                                                                   {"3", "<none>"}};
        QVERIFY2(eventually([&] { return history() == expected; }),
                 qPrintable(kubectl({"rollout", "history", "deployment/web"}).report()));
    }

    void pauseHoldsTheRolloutUntilResume()
    {
        KubectlRun run = kubectl({"rollout", "pause", "deployment/web"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/web paused"));
        QVERIFY(eventually([&] {
            return kubectl({"get", "deployment", "web", "-o",
                            "jsonpath={.status.conditions[?(@.type==\"Progressing\")].reason}"})
                       .out == "DeploymentPaused";
        }));
        CD_KUBECTL_OK(kubectl({"set", "image", "deployment/web", "nginx=nginx:1.29"}));
        QTest::qWait(1000);
        QCOMPARE(replicaSetNames().size(), 2);
        // kubectl refuses to undo a paused Deployment.
        run = kubectl({"rollout", "undo", "deployment/web"});
        QVERIFY2(!run.ok(), qPrintable(run.report()));
        QVERIFY2(run.err.contains("you cannot rollback a paused deployment; resume it first with 'kubectl rollout "
                                  "resume' and try again"),
                 qPrintable(run.report()));

        run = kubectl({"rollout", "resume", "deployment/web"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/web resumed"));
        rolloutCompletes();
        QCOMPARE(replicaSetNames().size(), 3);
        QVERIFY(eventually([&] {
            const auto pods = readyPods();
            return int(pods.size()) == kReplicas && pods.begin()->second == "nginx:1.29";
        }, 30000, 200));
    }

    void restartMakesNewPods()
    {
        std::set<std::string> before;
        for (const auto &[name, image] : readyPods())
            before.insert(name);
        const KubectlRun run = kubectl({"rollout", "restart", "deployment/web"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/web restarted"));
        rolloutCompletes();
        QCOMPARE(replicaSetNames().size(), 4);
        QVERIFY(eventually([&] {
            const auto pods = readyPods();
            if (int(pods.size()) != kReplicas)
                return false;
            for (const auto &[name, image] : pods)
                if (before.count(name))
                    return false;
            return true;
        }, 30000, 200));
        const KubectlRun restartedAt = kubectl(
            {"get", "deployment", "web", "-o", "jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}"});
        QVERIFY2(!restartedAt.out.isEmpty(), qPrintable(restartedAt.report()));
    }

    void scaleUpAndDown()
    {
        KubectlRun run = kubectl({"scale", "deployment/web", "--replicas=6"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps/web scaled"));
        rolloutCompletes();
        QVERIFY(eventually([&] { return readyPods().size() == 6; }, 30000, 200));
        QCOMPARE(columns(kubectl({"get", "deployment", "web", "--no-headers"}).out).mid(1, 3),
                 (QStringList{"6/6", "6", "6"}));

        run = kubectl({"scale", "deployment/web", "--replicas=2"});
        CD_KUBECTL_OK(run);
        rolloutCompletes();
        QVERIFY(eventually([&] { return readyPods().size() == 2; }, 30000, 200));
        QVERIFY(eventually([&] {
            return columns(kubectl({"get", "deployment", "web", "--no-headers"}).out).mid(1, 3) ==
                   QStringList{"2/2", "2", "2"};
        }));
        const KubectlRun describe = kubectl({"describe", "deployment", "web"});
        QVERIFY2(describe.out.contains("Scaled down replica set"), qPrintable(describe.report()));
    }

    void deleteRemovesReplicaSetsAndPods()
    {
        const KubectlRun run = kubectl({"delete", "deployment", "web"});
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out.trimmed(), QString("deployment.apps \"web\" deleted"));
        QVERIFY2(eventually([&] { return replicaSetNames().isEmpty(); }, 30000, 200),
                 qPrintable(kubectl({"get", "rs"}).report()));
        QVERIFY2(eventually(
                     [&] {
                         const KubectlRun pods = kubectl({"get", "pods", "-l", "app=web"});
                         return pods.ok() && pods.err.trimmed() == "No resources found in default namespace.";
                     },
                     60000, 250),
                 qPrintable(kubectl({"get", "pods", "-l", "app=web"}).report()));
    }
};

QTEST_GUILESS_MAIN(TestRolloutKubectl)
#include "tst_rollout_kubectl.moc"
