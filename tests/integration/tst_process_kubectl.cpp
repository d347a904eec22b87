// Process nodes with the real kubectl, against `clusterdeckd --nodes 2 --node-kind process`:
// pods run as sandboxed processes of the built-in `host` image; `kubectl logs` (a pod, a
// Deployment, -f, --previous, --tail, --timestamps) reads what they print; a container that
// exits or is killed restarts with its restartCount and reason; an image that is not there
// waits in ImagePullBackOff; deleting a pod ends its processes and brings a replacement; a pod
// sees only its own processes and writes only to its volumes and /tmp; and the pods keep running
// while clusterdeckd restarts.
#include "clusterfixture.h"
#include "machinetools.h"
#include "terminal.h"

#include <QDir>
#include <QUuid>

#include <csignal>

using cd::Json;
using namespace cd::test;

namespace {

// The ticker's command line carries a marker unique to this run, to find its processes.
const QByteArray kMarker = "ticker-" + QUuid::createUuid().toByteArray(QUuid::Id128);

const char *kTicker = R"yaml(apiVersion: apps/v1
kind: Deployment
metadata:
  name: ticker
spec:
  replicas: 2
  selector:
    matchLabels: {app: ticker}
  template:
    metadata:
      labels: {app: ticker}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: tick
        image: host
        command: [sh, -c, 'trap "exit 0" TERM; i=0; while true; do echo "tick $i from $(hostname) MARKER"; i=$((i+1)); sleep 0.2; done']
)yaml";

const char *kCrasher = R"yaml(apiVersion: v1
kind: Pod
metadata:
  name: crasher
spec:
  containers:
  - name: once
    image: host
    command: [sh, -c, 'echo "run at $(date +%s%N)"; sleep 0.3; echo bye >&2; exit 3']
)yaml";

const char *kMissingImage = R"yaml(apiVersion: v1
kind: Pod
metadata:
  name: missing-image
spec:
  containers:
  - name: app
    image: nginx:1.27
)yaml";

const char *kConfigured = R"yaml(apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data: {GREETING: hello, app.conf: "port=8080\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: app-secret}
stringData: {password: s3cret}
---
apiVersion: v1
kind: Pod
metadata: {name: configured, labels: {app: configured}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  volumes:
  - {name: cfg, configMap: {name: app-config}}
  - {name: sec, secret: {secretName: app-secret}}
  - {name: scratch, emptyDir: {}}
  - name: info
    downwardAPI:
      items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]
  containers:
  - name: show
    image: host
    command: [sh, -c, 'echo "greeting=$CFG_GREETING name=$MY_NAME ip=$MY_IP mem=$MY_MEM pass=$PASS"; echo "composed=$MY_GREETING arg=$(MY_NAME)"; echo "api=$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"; cat /etc/app/app.conf /etc/sec/password; echo; cat /etc/info/labels; echo x > /scratch/f && echo scratch-ok; touch /etc/app/new 2>/dev/null || echo config-read-only']
    envFrom: [{prefix: CFG_, configMapRef: {name: app-config}}]
    env:
    - {name: MY_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: MY_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: MY_MEM, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    - {name: PASS, valueFrom: {secretKeyRef: {name: app-secret, key: password}}}
    - {name: MY_GREETING, value: "$(CFG_GREETING) from $(MY_NAME) $$(KEPT)"}
    resources:
      limits: {memory: 64Mi}
    volumeMounts:
    - {name: cfg, mountPath: /etc/app}
    - {name: sec, mountPath: /etc/sec}
    - {name: scratch, mountPath: /scratch}
    - {name: info, mountPath: /etc/info}
)yaml";

const char *kWaitsForConfig = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: waits-for-config}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: host
    command: [sh, -c, 'echo "got $VALUE"; sleep 100']
    env: [{name: VALUE, valueFrom: {configMapKeyRef: {name: late-config, key: value}}}]
)yaml";

// The claim of the seed notes (shared/seed/000_df845ff734cf8d10.txt), its storage class made
// here with the local provisioner, and a pod that mounts it as the notes show.
const char *kSeedClaim = R"yaml(apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: nks-block-storage}
provisioner: clusterdeck.io/local-path
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: db-pod-pvc

spec:
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 10Gi
  storageClassName: nks-block-storage
)yaml";

const char *kClaimPod = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: NAME}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  volumes:
    - name: db-data
      persistentVolumeClaim:
        claimName: db-pod-pvc
  containers:
  - name: db
    image: host
    command: [sh, -c, 'SCRIPT']
    volumeMounts: [{name: db-data, mountPath: /var/lib/db}]
)yaml";

} // namespace

class TestProcessKubectl : public QObject {
    Q_OBJECT

    ClusterFixture m_cluster;

    KubectlRun kubectl(const QStringList &arguments, const QByteArray &input = {}) const
    {
        return m_cluster.kubectl(arguments, input);
    }

    Json pod(const QString &name)
    {
        const KubectlRun run = kubectl({"get", "pod", name, "-o", "json"});
        return run.ok() ? run.json() : Json();
    }

    // The first container's status (kubectl's .status.containerStatuses[0]).
    Json containerStatus(const QString &name)
    {
        const Json p = pod(name);
        const Json *list = cd::find(p, {"status", "containerStatuses"});
        return list && list->is_array() && !list->empty() ? (*list)[0] : Json::object();
    }

    QStringList podNames(const QString &selector)
    {
        return kubectl({"get", "pods", "-l", selector, "-o", "jsonpath={.items[*].metadata.name}"})
            .out.split(' ', Qt::SkipEmptyParts);
    }

    bool allRunning(const QString &selector, int count)
    {
        const KubectlRun run = kubectl({"get", "pods", "-l", selector, "--no-headers"});
        return run.ok() && run.lines().size() == count &&
               std::all_of(run.lines().begin(), run.lines().end(),
                           [](const QString &line) { return columns(line).value(2) == QLatin1String("Running"); });
    }

private Q_SLOTS:
    void initTestCase()
    {
        CD_REQUIRE_TOOL(QStringLiteral("bwrap"));
        QString why;
        QVERIFY2(m_cluster.start(&why, {"--nodes", "2", "--node-kind", "process"}), qPrintable(why));
        QVERIFY(m_cluster.waitForReadyNodes(2));
        const KubectlRun nodes = kubectl({"get", "nodes", "-o", "wide"});
        QVERIFY2(nodes.out.contains(QLatin1String("bwrap://")), qPrintable(nodes.report()));
    }

    void cleanupTestCase()
    {
        kubectl({"delete", "deployment,pods", "--all", "--wait=false"});
        eventually([] { return processesWith(kMarker).isEmpty(); }, 15000);
        m_cluster.stop();
        m_cluster.removeNetwork();
    }

    void deploymentRunsAndLogs()
    {
        const KubectlRun apply = kubectl({"apply", "-f", "-"}, QByteArray(kTicker).replace("MARKER", kMarker));
        QVERIFY2(apply.ok(), qPrintable(apply.report()));
        const KubectlRun rollout = kubectl({"rollout", "status", "deployment/ticker", "--timeout=60s"});
        QVERIFY2(rollout.ok(), qPrintable(rollout.report()));
        QVERIFY(eventually([&] { return allRunning("app=ticker", 2); }));
        const QStringList names = podNames("app=ticker");
        QCOMPARE(names.size(), 2);
        // Each pod's hostname is its name, and its output is its own.
        for (const QString &name : names) {
            QVERIFY(eventually([&] { return kubectl({"logs", name}).out.contains("tick 2 from " + name); }));
        }
        const KubectlRun deploymentLogs = kubectl({"logs", "deployment/ticker", "--tail", "1"});
        QVERIFY2(deploymentLogs.ok() && deploymentLogs.lines().size() == 1, qPrintable(deploymentLogs.report()));
        const KubectlRun stamped = kubectl({"logs", names[0], "--tail", "2", "--timestamps"});
        QCOMPARE(stamped.lines().size(), 2);
        QVERIFY2(QRegularExpression("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z tick \\d+ from ")
                     .match(stamped.lines()[0])
                     .hasMatch(),
                 qPrintable(stamped.report()));
        const KubectlRun limited = kubectl({"logs", names[0], "--limit-bytes", "7"});
        QCOMPARE(limited.out, QString("tick 0 "));
    }

    void followStreams()
    {
        const QString name = podNames("app=ticker").value(0);
        QVERIFY(!name.isEmpty());
        auto follower = m_cluster.startKubectl({"logs", "-f", name, "--tail", "1"});
        QVERIFY(follower->waitForStarted());
        // New lines arrive while kubectl waits: more than the one line of the tail.
        QVERIFY(eventually([&] { return follower->readAllStandardOutput().count("tick") >= 1; }, 10000, 50));
        int later = 0;
        QVERIFY(eventually([&] {
            later += int(follower->readAllStandardOutput().count("tick"));
            return later >= 3;
        }, 10000, 50));
        QCOMPARE(follower->state(), QProcess::Running);
        // Deleting the pod ends the stream (the container stops writing).
        QVERIFY(kubectl({"delete", "pod", name, "--wait=false"}).ok());
        QVERIFY2(follower->waitForFinished(15000), follower->readAllStandardError().constData());
        QVERIFY(eventually([&] { return allRunning("app=ticker", 2); }, 30000));
    }

    void restartsAndPrevious()
    {
        QVERIFY(kubectl({"apply", "-f", "-"}, kCrasher).ok());
        QVERIFY(eventually([&] { return cd::integer(containerStatus("crasher"), {"restartCount"}) >= 1; },
                           20000));
        const Json status = containerStatus("crasher");
        QCOMPARE(cd::integer(status, {"lastState", "terminated", "exitCode"}), 3);
        QCOMPARE(cd::str(status, {"lastState", "terminated", "reason"}), std::string("Error"));
        const KubectlRun previous = kubectl({"logs", "crasher", "--previous"});
        QVERIFY2(previous.ok() && previous.out.startsWith("run at ") && previous.out.contains("bye"),
                 qPrintable(previous.report()));
        QVERIFY(eventually([&] { return kubectl({"get", "pod", "crasher"}).out.contains("CrashLoopBackOff"); }, 30000));
        const KubectlRun describe = kubectl({"describe", "pod", "crasher"});
        QVERIFY2(describe.out.contains("Back-off restarting failed container once"), qPrintable(describe.report()));
        QVERIFY(kubectl({"delete", "pod", "crasher", "--grace-period=1"}).ok());
    }

    void killedProcessRestarts()
    {
        const QString name = podNames("app=ticker").value(0);
        const Json before = containerStatus(name);
        const long long restarts = cd::integer(before, {"restartCount"});
        // The container's own processes: find the shell of this pod (its hostname is in its output,
        // not its command line, so pick the one whose container id is this pod's).
        const std::string id = cd::str(before, {"containerID"}).substr(10);
        QFile state(m_cluster.engine().dataDir() + "/runtime/process/containers/" + QString::fromStdString(id) +
                    "/state.json");
        QVERIFY2(state.open(QIODevice::ReadOnly), qPrintable(state.fileName()));
        const int pid = int(cd::integer(Json::parse(state.readAll().toStdString()), {"pid"}));
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid, SIGKILL), 0);
        QVERIFY(eventually([&] {
            const Json now = containerStatus(name);
            return cd::integer(now, {"restartCount"}) == restarts + 1 && cd::find(now, {"state", "running"});
        }, 20000));
        const Json after = containerStatus(name);
        QCOMPARE(cd::integer(after, {"lastState", "terminated", "exitCode"}), 137);
    }

    // The ReplicaSet replaces a deleted pod, and the deleted pod's processes end.
    void deletedPodIsReplaced()
    {
        QVERIFY(eventually([&] { return allRunning("app=ticker", 2); }));
        const QStringList before = podNames("app=ticker");
        const KubectlRun deleted = kubectl({"delete", "pod", before[0], "--wait=true", "--timeout=30s"});
        QVERIFY2(deleted.ok(), qPrintable(deleted.report()));
        QVERIFY(eventually([&] {
            const QStringList now = podNames("app=ticker");
            return !now.contains(before[0]) && now.contains(before[1]) && allRunning("app=ticker", 2);
        }, 30000));
        QVERIFY(eventually([&] {
            const QByteArray host = before[0].toUtf8();
            for (int pid : processesWith(kMarker)) {
                QFile environ(QStringLiteral("/proc/%1/environ").arg(pid));
                if (environ.open(QIODevice::ReadOnly) && environ.readAll().contains("HOSTNAME=" + host))
                    return false;
            }
            return true;
        }, 15000));
    }

    // What a pod sees of the machine: its own processes only, the image read-only, its volumes
    // and /tmp writable, nothing of the engine's data folder.
    void sandboxKeepsPodsIn()
    {
        const char *yaml = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: boxed-in}
spec:
  restartPolicy: Never
  volumes: [{name: scratch, emptyDir: {}}]
  containers:
  - name: probe
    image: host
    volumeMounts: [{name: scratch, mountPath: /scratch}]
    command:
    - sh
    - -c
    - |
      for path in /etc/boxed /usr/boxed /boxed /var/boxed DATA_DIR/boxed; do
        touch $path 2>/dev/null && echo "wrote $path" || echo "refused $path"
      done
      touch /scratch/ok /tmp/ok && echo "wrote volume and tmp"
      echo "processes: $(ls /proc | grep -c '^[0-9]')"
      m=HALF1; echo "${m}HALF2" | grep -lF -f - /proc/[0-9]*/cmdline 2>/dev/null | wc -l | sed 's/^/marked: /'
)yaml";
        // The marker in two halves and through stdin, so that no command line in this pod carries it.
        const QByteArray text = QByteArray(yaml)
                                    .replace("HALF1", kMarker.left(kMarker.size() / 2))
                                    .replace("HALF2", kMarker.mid(kMarker.size() / 2))
                                    .replace("DATA_DIR", m_cluster.engine().dataDir().toUtf8());
        QVERIFY(processesWith(kMarker).size() >= 2);  // the ticker pods run on the host meanwhile
        QVERIFY(kubectl({"apply", "-f", "-"}, text).ok());
        QVERIFY(eventually([&] { return cd::str(pod("boxed-in"), {"status", "phase"}) == "Succeeded"; }, 20000));
        const KubectlRun logs = kubectl({"logs", "boxed-in"});
        for (const char *path : {"/etc/boxed", "/usr/boxed", "/boxed", "/var/boxed"})
            QVERIFY2(logs.out.contains("refused " + QString(path) + "\n"), qPrintable(logs.report()));
        QVERIFY2(logs.out.contains("wrote volume and tmp"), qPrintable(logs.report()));
        const QRegularExpressionMatch processes = QRegularExpression("processes: (\\d+)").match(logs.out);
        QVERIFY2(processes.hasMatch() && processes.captured(1).toInt() <= 6, qPrintable(logs.report()));
        QVERIFY2(logs.out.contains("marked: 0"), qPrintable(logs.report()));
        QVERIFY(!QFile::exists(m_cluster.engine().dataDir() + "/boxed"));  // hidden from pods
        QVERIFY(!QFile::exists("/etc/boxed") && !QFile::exists("/boxed"));
        QVERIFY(kubectl({"delete", "pod", "boxed-in"}).ok());
    }

    // resources.limits through cgroups: a container over its memory limit is OOMKilled, one under a
    // CPU limit is held to it; the node says whether limits hold. As an unprivileged user the
    // condition says why not (tst_cgrouplimits covers that side).
    void limitsAreEnforced()
    {
        const KubectlRun node = kubectl({"get", "node", "node-1", "-o", "json"});
        QVERIFY2(node.ok(), qPrintable(node.report()));
        const Json nodeObject = node.json();
        Json limitsCondition;
        for (const Json &c : nodeObject["status"]["conditions"])
            if (cd::str(c, {"type"}) == "ResourceLimitsUnenforced")
                limitsCondition = c;
        QVERIFY2(!limitsCondition.is_null(), qPrintable(node.out.left(3000)));
        if (cd::str(limitsCondition, {"status"}) == "True")
            CD_SKIP_OR_FAIL(QString::fromStdString("limits are not enforced here: " + cd::str(limitsCondition, {"message"})));
        QCOMPARE(cd::str(limitsCondition, {"reason"}), std::string("CgroupLimitsEnforced"));
        CD_REQUIRE_TOOL(QStringLiteral("python3"));
        const char *yaml = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: hungry}
spec:
  restartPolicy: Never
  containers:
  - name: eat
    image: host
    command: [python3, -c, 'b = bytearray(256 * 1024 * 1024); print("survived")']
    resources:
      limits: {memory: 64Mi}
---
apiVersion: v1
kind: Pod
metadata: {name: throttled}
spec:
  restartPolicy: Never
  containers:
  - name: spin
    image: host
    command: [python3, -c, 'import time; end = time.monotonic() + 1.0; any(time.monotonic() > end for _ in iter(int, 1)); print("cpu", time.process_time())']
    resources:
      limits: {cpu: 100m}
)yaml";
        QVERIFY(kubectl({"apply", "-f", "-"}, yaml).ok());
        QVERIFY(eventually([&] { return cd::str(pod("hungry"), {"status", "phase"}) == "Failed"; }, 30000));
        const Json hungry = containerStatus("hungry");
        QCOMPARE(cd::str(hungry, {"state", "terminated", "reason"}), std::string("OOMKilled"));
        QCOMPARE(cd::integer(hungry, {"state", "terminated", "exitCode"}), 137);
        QVERIFY(kubectl({"get", "pod", "hungry"}).out.contains("OOMKilled"));
        QVERIFY(eventually([&] { return cd::str(pod("throttled"), {"status", "phase"}) == "Succeeded"; }, 30000));
        const KubectlRun spin = kubectl({"logs", "throttled"});
        const double cpuSeconds = spin.out.section(' ', 1).trimmed().toDouble();
        QVERIFY2(cpuSeconds > 0 && cpuSeconds < 0.35, qPrintable(spin.report()));
        QVERIFY(kubectl({"delete", "pod", "hungry", "throttled"}).ok());
    }

    void missingImage()
    {
        QVERIFY(kubectl({"apply", "-f", "-"}, kMissingImage).ok());
        QVERIFY(eventually([&] { return kubectl({"get", "pod", "missing-image"}).out.contains("ImagePullBackOff"); },
                           20000));
        const KubectlRun describe = kubectl({"describe", "pod", "missing-image"});
        QVERIFY2(describe.out.contains("Failed to pull image \"nginx:1.27\""), qPrintable(describe.report()));
        QVERIFY2(describe.out.contains("Error: ErrImagePull"), qPrintable(describe.report()));
        QVERIFY2(describe.out.contains("import it with clusterdeckd --data-dir " + m_cluster.engine().dataDir() +
                                       " image import nginx:1.27 FOLDER|TARBALL"),
                 qPrintable(describe.report().right(3000)));
        const KubectlRun logs = kubectl({"logs", "missing-image"});
        QVERIFY(!logs.ok());
        QVERIFY2(logs.err.contains("is waiting to start: trying and failing to pull image"), qPrintable(logs.report()));
        QVERIFY(kubectl({"delete", "pod", "missing-image"}).ok());
    }

    // An image imported into the local store while the engine runs: a busybox root filesystem
    // (the busybox-static binary and its applet links), run read-only as the pod's /.
    void importedImage()
    {
        QString why;
        QVERIFY2(m_cluster.importBusyboxImage("busybox:1.36", &why), qPrintable(why));
        const char *yaml = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: boxed}
spec:
  restartPolicy: Never
  containers:
  - name: box
    image: busybox:1.36
    command: [sh, -c, 'echo "root: $(ls /)"; echo "host: $(hostname)"; touch /bin/x 2>/dev/null || echo image-read-only']
)yaml";
        QVERIFY(kubectl({"apply", "-f", "-"}, yaml).ok());
        QVERIFY(eventually([&] { return cd::str(pod("boxed"), {"status", "phase"}) == "Succeeded"; }, 20000));
        const KubectlRun logs = kubectl({"logs", "boxed"});
        QVERIFY2(logs.out.contains("root: bin dev etc proc run tmp") || logs.out.contains("root: bin\ndev"), qPrintable(logs.report()));
        QVERIFY2(logs.out.contains("host: boxed") && logs.out.contains("image-read-only"), qPrintable(logs.report()));
        const Json status = containerStatus("boxed");
        QVERIFY2(cd::str(status, {"imageID"}).rfind("sha256:", 0) == 0, status.dump().c_str());
        QVERIFY(kubectl({"delete", "pod", "boxed"}).ok());
    }

    // kubectl exec (WebSocket v5 through the API server to the kubelet): output and exit codes,
    // stdin with its end, kubectl cp both ways (tar through exec), and a terminal (-it, through
    // a pseudo-terminal that python3's pty module gives kubectl) with its size.
    void execAndCopy()
    {
        QVERIFY(kubectl({"run", "shell", "--image=host", "--command", "--", "sleep", "3600"}).ok());
        QVERIFY(eventually([&] { return allRunning("run=shell", 1); }, 20000));
        const KubectlRun hello = kubectl({"exec", "shell", "--", "sh", "-c", "echo out; echo err >&2; hostname"});
        QVERIFY2(hello.ok() && hello.out == "out\nshell\n" && hello.err.contains("err"), qPrintable(hello.report()));
        const KubectlRun three = kubectl({"exec", "shell", "--", "sh", "-c", "exit 3"});
        QCOMPARE(three.exitCode, 3);
        QVERIFY2(three.err.contains("command terminated with exit code 3"), qPrintable(three.report()));
        const KubectlRun missing = kubectl({"exec", "shell", "--", "no-such-command"});
        QCOMPARE(missing.exitCode, 127);
        const KubectlRun cat = kubectl({"exec", "-i", "shell", "--", "cat"}, "through stdin\n");
        QVERIFY2(cat.ok() && cat.out == "through stdin\n", qPrintable(cat.report()));

        QTemporaryDir files;
        QFile source(files.path() + "/source.txt");
        QVERIFY(source.open(QIODevice::WriteOnly));
        source.write("copied both ways\n");
        source.close();
        const KubectlRun in = kubectl({"cp", source.fileName(), "shell:/tmp/in.txt"});
        QVERIFY2(in.ok(), qPrintable(in.report()));
        QCOMPARE(kubectl({"exec", "shell", "--", "cat", "/tmp/in.txt"}).out, QString("copied both ways\n"));
        const KubectlRun out = kubectl({"cp", "shell:/tmp/in.txt", files.path() + "/back.txt"});
        QVERIFY2(out.ok(), qPrintable(out.report()));
        QFile back(files.path() + "/back.txt");
        QVERIFY(back.open(QIODevice::ReadOnly));
        QCOMPARE(back.readAll(), QByteArray("copied both ways\n"));

        // A terminal: kubectl runs on a pseudo-terminal of 40 rows and 120 columns.
        const TerminalRun terminal = runOnTerminal(m_cluster.kubectlCommand() + QStringList{"exec", "-it", "shell", "--", "sh"},
                                                   {"stty size; tty; echo marker-$((40+2))\n", "exit 5\n"});
        const QString &screen = terminal.screen;
        QVERIFY2(terminal.finished && screen.contains("40 120") && screen.contains("marker-42"), qPrintable(screen));
        // The terminal is one of the container's own (its /dev/pts), so it has a name there.
        QVERIFY2(screen.contains("/dev/pts/") && !screen.contains("not a tty"), qPrintable(screen));
        QCOMPARE(terminal.exitCode, 5);
        QVERIFY(kubectl({"delete", "pod", "shell", "--grace-period=1"}).ok());
    }

    void environmentAndVolumes()
    {
        const KubectlRun apply = kubectl({"apply", "-f", "-"}, kConfigured);
        QVERIFY2(apply.ok(), qPrintable(apply.report()));
        QVERIFY(eventually([&] { return cd::str(pod("configured"), {"status", "phase"}) == "Succeeded"; }, 20000));
        const QString ip = QString::fromStdString(cd::str(pod("configured"), {"status", "podIP"}));
        const KubectlRun logs = kubectl({"logs", "configured"});
        QVERIFY2(logs.out.contains("greeting=hello name=configured ip=" + ip + " mem=64 pass=s3cret"), qPrintable(logs.report()));
        QVERIFY2(logs.out.contains("composed=hello from configured $(KEPT) arg=configured"), qPrintable(logs.report()));
        QVERIFY2(logs.out.contains("api=10.96.0.1:443"), qPrintable(logs.report()));
        QVERIFY2(logs.out.contains("port=8080\ns3cret\napp=\"configured\""), qPrintable(logs.report()));
        QVERIFY2(logs.out.contains("scratch-ok") && logs.out.contains("config-read-only"), qPrintable(logs.report()));
        QVERIFY(kubectl({"delete", "pod", "configured"}).ok());

        // A ConfigMap that does not exist yet holds the container back, in Kubernetes' words,
        // until it is created.
        QVERIFY(kubectl({"apply", "-f", "-"}, kWaitsForConfig).ok());
        QVERIFY(eventually([&] { return kubectl({"get", "pod", "waits-for-config"}).out.contains("CreateContainerConfigError"); }));
        const KubectlRun describe = kubectl({"describe", "pod", "waits-for-config"});
        QVERIFY2(describe.out.contains("Error: configmap \"late-config\" not found"), qPrintable(describe.report()));
        QVERIFY(kubectl({"create", "configmap", "late-config", "--from-literal=value=finally"}).ok());
        QVERIFY(eventually([&] { return kubectl({"logs", "waits-for-config"}).out.contains("got finally"); }, 20000));
        QVERIFY(kubectl({"delete", "pod", "waits-for-config"}).ok());
    }

    void claimKeepsDataAcrossPods()
    {
        const KubectlRun apply = kubectl({"apply", "-f", "-"}, kSeedClaim);
        QVERIFY2(apply.ok(), qPrintable(apply.report()));
        QVERIFY(eventually([&] { return kubectl({"get", "pvc", "db-pod-pvc"}).out.contains("Bound"); }));
        const auto claimPod = [](const QString &name, const QString &script) {
            return QByteArray(kClaimPod).replace("NAME", name.toUtf8()).replace("SCRIPT", script.toUtf8());
        };
        QVERIFY(kubectl({"apply", "-f", "-"}, claimPod("writer", "date > /var/lib/db/written && echo stored")).ok());
        QVERIFY(eventually([&] { return cd::str(pod("writer"), {"status", "phase"}) == "Succeeded"; }, 20000));
        const QString written = kubectl({"logs", "writer"}).out;
        QVERIFY2(written.contains("stored"), qPrintable(written));
        QVERIFY(kubectl({"delete", "pod", "writer"}).ok());
        QVERIFY(kubectl({"apply", "-f", "-"}, claimPod("reader", "cat /var/lib/db/written")).ok());
        QVERIFY(eventually([&] { return cd::str(pod("reader"), {"status", "phase"}) == "Succeeded"; }, 20000));
        const KubectlRun read = kubectl({"logs", "reader"});
        QVERIFY2(read.ok() && read.out.trimmed().size() > 10, qPrintable(read.report()));
        QVERIFY(kubectl({"delete", "pod", "reader"}).ok());
    }

    void podsSurviveEngineRestart()
    {
        QVERIFY(eventually([&] { return allRunning("app=ticker", 2); }, 30000));
        std::map<std::string, std::string> containerIds;
        for (const QString &name : podNames("app=ticker"))
            containerIds[name.toStdString()] = cd::str(containerStatus(name), {"containerID"});
        const QList<int> before = processesWith(kMarker);
        QVERIFY(!before.isEmpty());
        QCOMPARE(m_cluster.stop(), 0);
        QTest::qWait(500);
        for (int pid : before)
            QVERIFY2(::kill(pid, 0) == 0, "a container died with the engine");
        QString why;
        QVERIFY2(m_cluster.start(&why, {"--nodes", "2", "--node-kind", "process"}), qPrintable(why));
        QVERIFY(m_cluster.waitForReadyNodes(2));
        QTest::qWait(1500);  // the agents have taken their pods back
        for (const auto &[name, id] : containerIds) {
            QCOMPARE(cd::str(containerStatus(QString::fromStdString(name)), {"containerID"}), id);
            QCOMPARE(cd::str(pod(QString::fromStdString(name)), {"status", "phase"}), std::string("Running"));
        }
        QCOMPARE(processesWith(kMarker), before);
        // Still followed and stopped as before.
        const QString name = QString::fromStdString(containerIds.begin()->first);
        QVERIFY(kubectl({"logs", name, "--tail", "1"}).out.contains("tick"));
        QVERIFY(kubectl({"delete", "deployment", "ticker"}).ok());
        QVERIFY(eventually([] { return processesWith(kMarker).isEmpty(); }, 20000));
    }
};

QTEST_GUILESS_MAIN(TestProcessKubectl)
#include "tst_process_kubectl.moc"
