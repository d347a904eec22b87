// The process runtime with real sandboxes: containers run as bubblewrap-sandboxed processes
// under clusterdeck-shim; their output lands in CRI log files, exit codes and start errors are
// reported, stop sends SIGTERM then SIGKILL after the grace period, the sandbox hides the host's
// processes and refuses writes outside /tmp and volumes, and a new runtime object (an engine
// restart) recovers a running container.
#include "engine/runtime/process/processruntime.h"
#include "engine/runtime/process/sandboxcommand.h"
#include "machinetools.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <unistd.h>

using namespace cd;
using namespace cd::runtime;
using namespace cd::runtime::process;

namespace {

struct Seen {
    std::vector<ContainerStatus> states;
    bool running() const { return !states.empty() && states.back().state == ContainerState::Running; }
    bool exited() const { return !states.empty() && states.back().state == ContainerState::Exited; }
};

} // namespace

class TestProcessRuntime : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::map<ContainerHandle, Seen> m_seen;

    std::unique_ptr<ProcessRuntime> makeRuntime()
    {
        ProcessRuntimeOptions options;
        options.stateDir = m_dir.path() + QStringLiteral("/runtime");
        options.hiddenPaths = {m_dir.path().toStdString()};
        options.logMaxBytes = 64 * 1024;
        options.logMaxFiles = 2;
        auto runtime = std::make_unique<ProcessRuntime>(options);
        runtime->setStateListener([this](ContainerHandle handle, std::uint64_t, const ContainerStatus &status) {
            m_seen[handle].states.push_back(status);
        });
        return runtime;
    }

    SandboxHandle sandbox(ProcessRuntime &runtime, const std::string &uid)
    {
        SandboxSpec spec{uid, "default", "pod-" + uid, "pod-" + uid, "10.244.1.2",
                         (m_dir.path() + QStringLiteral("/logs/") + QString::fromStdString(uid)).toStdString()};
        auto handle = runtime.runSandbox(spec);
        if (!handle.ok())
            qFatal("runSandbox: %s", handle.error().message.c_str());
        return *handle;
    }

    static ContainerSpec shell(const std::string &name, const std::string &script)
    {
        ContainerSpec spec;
        spec.name = name;
        spec.image = "host";
        spec.command = {"sh", "-c", script};
        spec.logPath = name + "/0.log";
        return spec;
    }

    QString logOf(const std::string &uid, const std::string &name)
    {
        QFile file(m_dir.path() + QStringLiteral("/logs/") + QString::fromStdString(uid + "/" + name + "/0.log"));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        CD_REQUIRE_TOOL(QStringLiteral("bwrap"));
        QVERIFY(m_dir.isValid());
    }

    void init() { m_seen.clear(); }  // handles start at 1 in every runtime

    void commandLine()
    {
        SandboxCommandInput input;
        input.rootfs = "/images/busybox";
        input.entries = {{"bin", "", true}, {"lib64", "usr/lib64", false}, {"proc", "", true}};
        input.mounts = {{"/state/hosts", "/etc/hosts", true}, {"/vol/data", "/data", false}, {"/vol/config", "/etc/app", true}};
        input.expanded = {{"/etc", {{"passwd", "", false}, {"alternatives", "", true}}}};
        input.env = {{"PATH", "/bin"}};
        input.workingDir = "/data";
        input.argv = {"/bin/sh", "-c", "true"};
        const std::vector<std::string> a = sandboxCommand(input);
        const auto has = [&](std::vector<std::string> seq) {
            return std::search(a.begin(), a.end(), seq.begin(), seq.end()) != a.end();
        };
        QVERIFY(has({"--ro-bind", "/images/busybox/bin", "/bin"}));
        QVERIFY(has({"--symlink", "usr/lib64", "/lib64"}));
        QVERIFY(!has({"--ro-bind", "/images/busybox/proc", "/proc"}));
        QVERIFY(has({"--tmpfs", "/etc", "--ro-bind", "/images/busybox/etc/passwd", "/etc/passwd", "--ro-bind",
                     "/images/busybox/etc/alternatives", "/etc/alternatives"}));
        QVERIFY(has({"--ro-bind", "/state/hosts", "/etc/hosts"}));
        QVERIFY(has({"--bind", "/vol/data", "/data"}));
        QVERIFY(has({"--ro-bind", "/vol/config", "/etc/app", "--remount-ro", "/etc", "--remount-ro", "/"}));
        QVERIFY(has({"--cap-drop", "ALL"}));
        QVERIFY(!has({"--cap-add", "CAP_SYS_ADMIN"}));
        QVERIFY(has({"--chdir", "/data", "--", "/bin/sh", "-c", "true"}));
        QVERIFY(has({"--new-session"}));
        QVERIFY(!has({"/dev/init"}));

        // With a terminal, the shim is bound in as /dev/init and gives the command its terminal.
        input.terminalInit = "/opt/clusterdeck-shim";
        const std::vector<std::string> tty = sandboxCommand(input);
        const auto ttyHas = [&](std::vector<std::string> seq) {
            return std::search(tty.begin(), tty.end(), seq.begin(), seq.end()) != tty.end();
        };
        QVERIFY(ttyHas({"--ro-bind", "/opt/clusterdeck-shim", "/dev/init"}));
        QVERIFY(ttyHas({"--", "/dev/init", "--terminal-init", "--", "/bin/sh", "-c", "true"}));
    }

    // Mount targets follow the image's links as they would inside it: /var/run -> /run.
    void mountTargetsFollowLinks()
    {
        QTemporaryDir root;
        QVERIFY(QDir(root.path()).mkpath("var/lib") && QDir(root.path()).mkpath("run") && QDir(root.path()).mkpath("opt/real"));
        QVERIFY(QFile::link("/run", root.filePath("var/run")));          // absolute: from the root
        QVERIFY(QFile::link("../opt/real", root.filePath("var/data")));  // relative
        QVERIFY(QFile::link("../../../../..", root.filePath("opt/up")));  // never above the root
        const std::string r = root.path().toStdString();
        using cd::runtime::process::resolveInRoot;
        QCOMPARE(resolveInRoot(r, "/var/run/secrets/kubernetes.io/serviceaccount"),
                 std::string("/run/secrets/kubernetes.io/serviceaccount"));
        QCOMPARE(resolveInRoot(r, "/var/data/x"), std::string("/opt/real/x"));
        QCOMPARE(resolveInRoot(r, "/opt/up/etc"), std::string("/etc"));
        QCOMPARE(resolveInRoot(r, "/var/lib/app/"), std::string("/var/lib/app"));
        QCOMPARE(resolveInRoot(r, "/data"), std::string("/data"));
        QVERIFY(cd::runtime::process::providedBySandbox("run") && !cd::runtime::process::providedBySandbox("var"));
    }

    void runsAndLogs()
    {
        auto runtime = makeRuntime();
        const SandboxHandle box = sandbox(*runtime, "u1");
        auto handle = runtime->start(box, shell("hello", "echo out; echo err >&2; hostname; exit 3"), 7);
        QVERIFY2(handle.ok(), handle.ok() ? "" : handle.error().message.c_str());
        QTRY_VERIFY_WITH_TIMEOUT(m_seen[*handle].exited(), 10000);
        const ContainerStatus &last = m_seen[*handle].states.back();
        QCOMPARE(last.exitCode, 3);
        QVERIFY(last.reason.empty());
        QVERIFY(QString::fromStdString(last.containerId).startsWith(QLatin1String("process://")));
        QVERIFY(m_seen[*handle].states.front().state == ContainerState::Running);
        const QString log = logOf("u1", "hello");
        QVERIFY2(log.contains(QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z stdout F out$"),
                                                 QRegularExpression::MultilineOption)),
                 qPrintable(log));
        QVERIFY(log.contains(QLatin1String(" stderr F err\n")));
        runtime->destroy(*handle);
        runtime->removeSandbox(box);
    }

    void startErrors()
    {
        auto runtime = makeRuntime();
        const SandboxHandle box = sandbox(*runtime, "u2");
        ContainerSpec missing = shell("missing", "");
        missing.command = {"no-such-program-anywhere"};
        auto handle = runtime->start(box, missing, 1);
        QVERIFY(handle.ok());
        QTRY_VERIFY_WITH_TIMEOUT(m_seen[*handle].exited(), 5000);
        QCOMPARE(m_seen[*handle].states.back().reason, std::string("StartError"));
        QCOMPARE(m_seen[*handle].states.back().exitCode, 128);
        QVERIFY(QString::fromStdString(m_seen[*handle].states.back().message).contains(QLatin1String("executable file not found")));

        ContainerSpec other = shell("other", "true");
        other.image = "nginx";
        QVERIFY(!runtime->ensureImage("nginx", PullPolicy::Always).ok());
        QVERIFY(runtime->ensureImage("host", PullPolicy::Never).ok());
        QVERIFY(!runtime->start(box, other, 2).ok());
    }

    void sandboxIsolation()
    {
        auto runtime = makeRuntime();
        const SandboxHandle box = sandbox(*runtime, "u3");
        const QString outside = m_dir.path() + QStringLiteral("/outside");
        QDir().mkpath(outside);
        QDir().mkpath(m_dir.path() + QStringLiteral("/volume"));
        ContainerSpec spec = shell("probe",
                                   "ls /proc | grep -c '^[0-9]' ; "
                                   "touch /usr/x 2>/dev/null && echo wrote-usr; "
                                   "touch /etc/x 2>/dev/null && echo wrote-etc; "
                                   "touch /tmp/x && echo wrote-tmp; "
                                   "touch /volume/x && echo wrote-volume; "
                                   "mount -o remount,rw / 2>/dev/null && echo remounted; "
                                   "ls " + outside.toStdString() + " 2>/dev/null && echo sees-data; "
                                   "cat /etc/hosts | tail -1; "
                                   "cat /etc/app/setting; test -r /etc/passwd && echo passwd-ok; "
                                   "touch /etc/new 2>/dev/null && echo wrote-etc-new");
        QDir().mkpath(m_dir.path() + QStringLiteral("/config"));
        QFile setting(m_dir.path() + QStringLiteral("/config/setting"));
        QVERIFY(setting.open(QIODevice::WriteOnly));
        setting.write("mode=fast\n");
        setting.close();
        // /volume is new at the root; /etc/app is new inside a folder the host has.
        spec.mounts = {{(m_dir.path() + QStringLiteral("/volume")).toStdString(), "/volume", false},
                       {(m_dir.path() + QStringLiteral("/config")).toStdString(), "/etc/app", true}};
        auto handle = runtime->start(box, spec, 3);
        QVERIFY(handle.ok());
        QTRY_VERIFY_WITH_TIMEOUT(m_seen[*handle].exited(), 10000);
        const QString log = logOf("u3", "probe");
        // Only the shell and its children are visible: a handful of processes, not the host's.
        const QRegularExpressionMatch count =
            QRegularExpression(QStringLiteral("stdout F (\\d+)\\n")).match(log);
        QVERIFY2(count.hasMatch() && count.captured(1).toInt() <= 4, qPrintable(log));
        QVERIFY2(!log.contains(QLatin1String("wrote-usr")) && !log.contains(QLatin1String("wrote-etc")), qPrintable(log));
        QVERIFY(log.contains(QLatin1String("wrote-tmp")));
        QVERIFY(log.contains(QLatin1String("wrote-volume")));
        QVERIFY(QFile::exists(m_dir.path() + QStringLiteral("/volume/x")));
        QVERIFY2(!log.contains(QLatin1String("remounted")), qPrintable(log));
        QVERIFY2(!log.contains(QLatin1String("sees-data")), qPrintable(log));
        QVERIFY2(log.contains(QLatin1String("10.244.1.2\tpod-u3")), qPrintable(log));
        QVERIFY2(log.contains(QLatin1String("stdout F mode=fast")), qPrintable(log));
        QVERIFY2(log.contains(QLatin1String("passwd-ok")), qPrintable(log));
        QVERIFY2(!log.contains(QLatin1String("wrote-etc-new")), qPrintable(log));
        QVERIFY(!QFile::exists(QStringLiteral("/usr/x")) && !QFile::exists(QStringLiteral("/etc/x")));
    }

    void stopWithGrace()
    {
        auto runtime = makeRuntime();
        const SandboxHandle box = sandbox(*runtime, "u4");
        // A process that handles SIGTERM exits at once with its own code...
        auto polite = runtime->start(box, shell("polite", "trap 'exit 42' TERM; while true; do sleep 0.1; done"), 1);
        // ... one that does not (pid 1 ignores it) is killed when the grace period ends.
        auto stubborn = runtime->start(box, shell("stubborn", "sleep 1000"), 2);
        QVERIFY(polite.ok() && stubborn.ok());
        QTRY_VERIFY_WITH_TIMEOUT(m_seen[*polite].running() && m_seen[*stubborn].running(), 10000);
        QVERIFY(runtime->containerPid(*stubborn) > 0);
        QTest::qWait(200);  // the trap is installed
        QElapsedTimer timer;
        timer.start();
        runtime->stop(*polite, std::chrono::milliseconds(5000));
        runtime->stop(*stubborn, std::chrono::milliseconds(800));
        QTRY_VERIFY_WITH_TIMEOUT(m_seen[*polite].exited(), 5000);
        QCOMPARE(m_seen[*polite].states.back().exitCode, 42);
        QTRY_VERIFY_WITH_TIMEOUT(m_seen[*stubborn].exited(), 5000);
        QCOMPARE(m_seen[*stubborn].states.back().exitCode, 128 + SIGKILL);
        QVERIFY(timer.elapsed() >= 700);
    }

    void recoversAfterRestart()
    {
        std::string containerId;
        int pid = 0;
        {
            auto runtime = makeRuntime();
            const SandboxHandle box = sandbox(*runtime, "u5");
            auto handle = runtime->start(box, shell("long", "while true; do echo tick; sleep 0.2; done"), 1);
            QVERIFY(handle.ok());
            QTRY_VERIFY_WITH_TIMEOUT(m_seen[*handle].running(), 10000);
            containerId = m_seen[*handle].states.back().containerId;
            pid = runtime->containerPid(*handle);
        }  // the engine goes away; the container does not
        QVERIFY(pid > 0);
        QVERIFY(::kill(pid, 0) == 0);
        auto runtime = makeRuntime();
        const SandboxHandle box = sandbox(*runtime, "u5");
        ContainerStatus previous;
        previous.state = ContainerState::Running;
        previous.containerId = containerId;
        auto handle = runtime->recover(box, shell("long", ""), previous, 9);
        QVERIFY(handle.has_value());
        QCOMPARE(runtime->containerPid(*handle), pid);
        ::kill(pid, SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(m_seen[*handle].exited(), 5000);
        QCOMPARE(m_seen[*handle].states.back().exitCode, 128 + SIGKILL);
        QVERIFY(logOf("u5", "long").contains(QLatin1String("stdout F tick")));
        // A container that is gone is not recovered.
        ContainerStatus unknown = previous;
        unknown.containerId = "process://" + std::string(64, 'f');
        QVERIFY(!runtime->recover(box, shell("long", ""), unknown, 10).has_value());
    }

    void logRotation()
    {
        auto runtime = makeRuntime();
        const SandboxHandle box = sandbox(*runtime, "u6");
        auto handle = runtime->start(box, shell("chatty", "i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); done"), 1);
        QVERIFY(handle.ok());
        QTRY_VERIFY_WITH_TIMEOUT(m_seen[*handle].exited(), 10000);
        const QString base = m_dir.path() + QStringLiteral("/logs/u6/chatty/0.log");
        QVERIFY(QFileInfo(base).size() <= 64 * 1024);
        QVERIFY(QFile::exists(base + QStringLiteral(".1")));
        QVERIFY(!QFile::exists(base + QStringLiteral(".2")));
        QVERIFY(logOf("u6", "chatty").contains(QLatin1String("stdout F line-2999\n")));
    }

    // The same sandboxes as an unprivileged user (the desktop case): the test runs itself again.
    void unprivileged()
    {
        CD_RERUN_AS_NOBODY(60000, QStringLiteral("runsAndLogs"), QStringLiteral("sandboxIsolation"),
                           QStringLiteral("stopWithGrace"), QStringLiteral("recoversAfterRestart"));
    }
};

QTEST_GUILESS_MAIN(TestProcessRuntime)
#include "tst_processruntime.moc"
