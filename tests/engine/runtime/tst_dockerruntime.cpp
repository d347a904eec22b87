// The container runtime against a real Podman (`podman system service`, private storage): the
// Docker API client (version negotiation, errors), a container's life (create, start, its output
// in the CRI log file, stop with a grace period, exit codes), exec, recovery by a new runtime
// after the old one went, image pulls as imagePullPolicy says (from a registry on loopback, one
// pull for many askers, a failed pull's error) and the clear error for an image the engine does
// not have. From a root run, the same again as user nobody with a rootless Podman.

#include "engine/runtime/docker/crilogwriter.h"
#include "engine/runtime/docker/dockerclient.h"
#include "engine/runtime/docker/dockerruntime.h"

#include "loopbackregistry.h"
#include "machinetools.h"
#include "podmanservice.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace cd;
using namespace cd::runtime;
using namespace cd::runtime::docker;

namespace {

constexpr const char *kImage = "localhost/busybox:cdtest";

struct Seen {
    std::vector<ContainerStatus> states;
    bool exited() const { return !states.empty() && states.back().state == ContainerState::Exited; }
    bool running() const
    {
        return std::any_of(states.begin(), states.end(), [](const ContainerStatus &s) { return s.state == ContainerState::Running; });
    }
};

QString readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

} // namespace

class TestDockerRuntime : public QObject {
    Q_OBJECT

private:
    cd::test::PodmanService m_podman;
    cd::test::LoopbackRegistry m_registry;
    QTemporaryDir m_state;

    std::unique_ptr<DockerRuntime> makeRuntime(Seen &seen)
    {
        DockerRuntimeOptions options;
        options.host = m_podman.host();
        options.stateDir = m_state.path() + "/runtime";
        auto runtime = std::make_unique<DockerRuntime>(options);
        runtime->setStateListener([&seen](ContainerHandle, std::uint64_t, const ContainerStatus &status) {
            seen.states.push_back(status);
        });
        return runtime;
    }

    SandboxSpec sandboxSpec(const std::string &uid, const std::string &name)
    {
        return SandboxSpec{uid, "default", name, name, "127.0.0.1", (m_state.path() + "/pods/" + QString::fromStdString(uid)).toStdString()};
    }

    static ContainerSpec shell(const std::string &name, const std::string &script)
    {
        ContainerSpec spec;
        spec.name = name;
        spec.image = kImage;
        spec.command = {"sh", "-c", script};
        spec.logPath = name + "/0.log";
        spec.env = {{"GREETING", "hello"}};
        return spec;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString why;
        const QString layer = m_state.path() + "/layer.tar";
        QVERIFY2(cd::test::PodmanService::writeBusyboxTarball(layer, &why), qPrintable(why));
        QVERIFY2(m_registry.start("pulled/busybox:2.0", layer, &why), qPrintable(why));
        m_podman.allowLoopbackRegistry(m_registry.port());
        if (!m_podman.start(&why))
            CD_SKIP_OR_FAIL(why);
        QVERIFY2(m_podman.importBusybox(kImage, &why), qPrintable(why));
    }

    void cleanupTestCase() { m_podman.stop(); }

    void hosts()
    {
        QCOMPARE(*socketPathFromHost("unix:///run/podman/podman.sock"), QString("/run/podman/podman.sock"));
        QCOMPARE(*socketPathFromHost("/var/run/docker.sock"), QString("/var/run/docker.sock"));
        QVERIFY(!socketPathFromHost("tcp://10.0.0.1:2375").ok());
        qputenv("DOCKER_HOST", "unix:///somewhere/docker.sock");
        QCOMPARE(defaultDockerHost(), QString("unix:///somewhere/docker.sock"));
        qunsetenv("DOCKER_HOST");
    }

    void negotiatesVersion()
    {
        DockerClient client(m_podman.socketPath());
        Result<EngineInfo> engine = client.negotiate();
        QVERIFY2(engine.ok(), engine.ok() ? "" : engine.error().message.c_str());
        QCOMPARE(engine->product, std::string("podman"));
        QVERIFY(!engine->version.empty());
        QCOMPARE(engine->apiVersion, std::string("1.41"));
        QCOMPARE(client.versioned("/containers/json"), QByteArray("/v1.41/containers/json"));
        // A chunked or sized JSON answer, and an engine error with its own message.
        Result<Json> images = client.call("GET", "/images/json");
        QVERIFY(images.ok() && images->is_array() && !images->empty());
        Result<Json> missing = client.call("GET", "/containers/no-such-container/json");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().kind, ErrorKind::NotFound);
        QVERIFY2(missing.error().message.find("no-such-container") != std::string::npos, missing.error().message.c_str());

        DockerClient nowhere(m_state.path() + "/no.sock");
        QVERIFY(!nowhere.negotiate(std::chrono::seconds(1)).ok());
    }

    void missingImage()
    {
        Seen seen;
        auto runtime = makeRuntime(seen);
        QVERIFY2(runtime->unreachableReason().empty(), runtime->unreachableReason().c_str());
        QVERIFY(QString::fromStdString(runtime->versionString()).startsWith("podman://4."));
        Result<ImageReady> found = runtime->ensureImage(kImage, PullPolicy::IfNotPresent);
        QVERIFY2(found.ok() && !found->pulling && !found->ref.empty(),
                 found.ok() ? found->ref.c_str() : found.error().message.c_str());
        Result<ImageReady> missing = runtime->ensureImage("localhost/not-here:1.0", PullPolicy::Never);
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().kind, ErrorKind::NotFound);
        QVERIFY2(missing.error().message.find("podman import") != std::string::npos &&
                     missing.error().message.find("pull policy of Never") != std::string::npos &&
                     missing.error().message.find("localhost/not-here:1.0") != std::string::npos,
                 missing.error().message.c_str());
    }

    void pullsImages()
    {
        Seen seen;
        auto runtime = makeRuntime(seen);
        std::vector<std::pair<std::string, Result<std::string>>> pulls;
        runtime->setPullListener([&pulls](const std::string &image, const Result<std::string> &outcome) {
            pulls.emplace_back(image, outcome);
        });
        const std::string image = m_registry.host().toStdString() + "/pulled/busybox:2.0";
        // Missing: a pull starts; asking again joins it.
        Result<ImageReady> first = runtime->ensureImage(image, PullPolicy::IfNotPresent);
        QVERIFY2(first.ok() && first->pulling, first.ok() ? "" : first.error().message.c_str());
        QVERIFY(runtime->ensureImage(image, PullPolicy::Always)->pulling);
        QTRY_COMPARE_WITH_TIMEOUT(pulls.size(), size_t(1), 60000);
        QCOMPARE(pulls[0].first, image);
        QVERIFY2(pulls[0].second.ok(), pulls[0].second.ok() ? "" : pulls[0].second.error().message.c_str());
        QCOMPARE(m_registry.requests().count("GET /v2/pulled/busybox/manifests/2.0"), 1);
        // Now present: no pull with IfNotPresent, a new one with Always.
        Result<ImageReady> present = runtime->ensureImage(image, PullPolicy::IfNotPresent);
        QVERIFY(present.ok() && !present->pulling && present->ref.rfind("sha256:", 0) == 0);
        QVERIFY(runtime->ensureImage(image, PullPolicy::Always)->pulling);
        QTRY_COMPARE_WITH_TIMEOUT(pulls.size(), size_t(2), 60000);
        QVERIFY(pulls[1].second.ok());
        QCOMPARE(m_registry.requests().count("GET /v2/pulled/busybox/manifests/2.0"), 2);

        // The pulled image runs.
        Result<SandboxHandle> sandbox = runtime->runSandbox(sandboxSpec("uid-pull-0001", "pulled"));
        QVERIFY(sandbox.ok());
        ContainerSpec spec = shell("main", "echo from the registry");
        spec.image = image;
        Result<ContainerHandle> handle = runtime->start(*sandbox, spec, 1);
        QVERIFY(handle.ok());
        QTRY_VERIFY_WITH_TIMEOUT(seen.exited(), 60000);
        QCOMPARE(seen.states.back().exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(readFile(m_state.path() + "/pods/uid-pull-0001/main/0.log").contains("from the registry"), 10000);
        runtime->destroy(*handle);
        runtime->removeSandbox(*sandbox);

        // A registry that is not there: the pull fails, and the error says so and how to import instead.
        const std::string nowhere = "127.0.0.1:1/nothing/here:1.0";
        QVERIFY(runtime->ensureImage(nowhere, PullPolicy::IfNotPresent)->pulling);
        QTRY_COMPARE_WITH_TIMEOUT(pulls.size(), size_t(3), 60000);
        QCOMPARE(pulls[2].first, nowhere);
        QVERIFY(!pulls[2].second.ok());
        const std::string &why = pulls[2].second.error().message;
        QVERIFY2(why.find("127.0.0.1:1") != std::string::npos && why.find("podman import") != std::string::npos, why.c_str());
    }

    void unreachableEngine()
    {
        DockerRuntimeOptions options;
        options.host = "unix://" + m_state.path() + "/nothing.sock";
        options.stateDir = m_state.path() + "/unreachable";
        DockerRuntime runtime(options);
        QVERIFY(runtime.unreachableReason().find("cannot reach the container engine") != std::string::npos);
        QVERIFY(!runtime.ensureImage(kImage, PullPolicy::IfNotPresent).ok());
        // The engine comes (a link to the socket appears): the runtime notices and says so.
        const QString link = m_state.path() + "/later.sock";
        options.host = "unix://" + link;
        options.healthInterval = std::chrono::milliseconds(200);
        DockerRuntime later(options);
        QVERIFY(!later.unreachableReason().empty());
        int changes = 0;
        connect(&later, &DockerRuntime::reachabilityChanged, this, [&] { ++changes; });
        QVERIFY(QFile::link(m_podman.socketPath(), link));
        QTRY_VERIFY_WITH_TIMEOUT(later.unreachableReason().empty(), 10000);
        QCOMPARE(changes, 1);
        QVERIFY(QString::fromStdString(later.versionString()).startsWith("podman://"));
        QVERIFY(QFile::remove(link));
        QTRY_VERIFY_WITH_TIMEOUT(!later.unreachableReason().empty(), 10000);
        QCOMPARE(changes, 2);

        options.healthInterval = std::chrono::seconds(5);
        options.host = "tcp://127.0.0.1:2375";
        DockerRuntime remote(options);
        QVERIFY(remote.unreachableReason().find("not a unix socket") != std::string::npos);
    }

    void lifecycle()
    {
        Seen seen;
        auto runtime = makeRuntime(seen);
        Result<SandboxHandle> sandbox = runtime->runSandbox(sandboxSpec("uid-life-0001", "life"));
        QVERIFY2(sandbox.ok(), sandbox.ok() ? "" : sandbox.error().message.c_str());
        const ContainerSpec spec = shell("main", "echo \"$GREETING from $(hostname)\"; echo oops >&2; "
                                                 "trap 'echo bye; exit 0' TERM; while true; do sleep 0.1; done");
        Result<ContainerHandle> handle = runtime->start(*sandbox, spec, 7);
        QVERIFY(handle.ok());
        QTRY_VERIFY_WITH_TIMEOUT(seen.running(), 20000);
        const ContainerStatus running = *runtime->status(*handle);
        QVERIFY(QString::fromStdString(running.containerId).startsWith("docker://"));
        QVERIFY(running.startedAt != TimePoint{});
        const QString log = m_state.path() + "/pods/uid-life-0001/main/0.log";
        QTRY_VERIFY_WITH_TIMEOUT(readFile(log).contains("stdout F hello from life"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(readFile(log).contains("stderr F oops"), 10000);
        // The engine labels what it runs for us.
        DockerClient client(m_podman.socketPath());
        Result<Json> inspected = client.call("GET", "/containers/" + runtime->engineId(*handle) + "/json");
        QVERIFY(inspected.ok());
        QCOMPARE(str(*inspected, {"Config", "Labels", "io.clusterdeck.pod-uid"}), std::string("uid-life-0001"));
        QCOMPARE(str(*inspected, {"Config", "Labels", "io.clusterdeck.container"}), std::string("main"));

        runtime->stop(*handle, std::chrono::seconds(10));
        QTRY_VERIFY_WITH_TIMEOUT(seen.exited(), 20000);
        QCOMPARE(seen.states.back().exitCode, 0);
        QCOMPARE(seen.states.back().reason, std::string("Completed"));
        QVERIFY(readFile(log).contains("stdout F bye"));
        const std::string id = runtime->engineId(*handle);
        runtime->destroy(*handle);
        const auto removed = [&] {
            Result<Json> answer = client.call("GET", "/containers/" + id + "/json");
            return !answer.ok() && answer.error().kind == ErrorKind::NotFound;
        };
        QTRY_VERIFY_WITH_TIMEOUT(removed(), 10000);
        runtime->removeSandbox(*sandbox);
    }

    void exitCodesAndStartErrors()
    {
        Seen seen;
        auto runtime = makeRuntime(seen);
        SandboxHandle sandbox = *runtime->runSandbox(sandboxSpec("uid-exit-0001", "exits"));
        ContainerHandle three = *runtime->start(sandbox, shell("three", "exit 3"), 1);
        QTRY_VERIFY_WITH_TIMEOUT(seen.exited(), 20000);
        QCOMPARE(seen.states.back().exitCode, 3);
        QCOMPARE(seen.states.back().reason, std::string("Error"));
        runtime->destroy(three);

        seen.states.clear();
        ContainerSpec missing = shell("missing", "");
        missing.command = {"/no/such/program"};
        ContainerHandle bad = *runtime->start(sandbox, missing, 2);
        QTRY_VERIFY_WITH_TIMEOUT(seen.exited(), 20000);
        QCOMPARE(seen.states.back().reason, std::string("StartError"));
        QVERIFY2(seen.states.back().message.find("/no/such/program") != std::string::npos, seen.states.back().message.c_str());
        runtime->destroy(bad);

        // Stopped with no grace: killed at once (SIGKILL: 137).
        seen.states.clear();
        ContainerHandle stubborn = *runtime->start(sandbox, shell("stubborn", "trap '' TERM; while true; do sleep 0.1; done"), 3);
        QTRY_VERIFY_WITH_TIMEOUT(seen.running(), 20000);
        runtime->stop(stubborn, std::chrono::milliseconds(0));
        QTRY_VERIFY_WITH_TIMEOUT(seen.exited(), 20000);
        QCOMPARE(seen.states.back().exitCode, 137);
        runtime->destroy(stubborn);
        runtime->removeSandbox(sandbox);
    }

    // A container of the same name left behind (an engine that crashed between create and
    // recording it) is replaced, not an error.
    void leftoverNameIsReplaced()
    {
        QString why;
        QVERIFY2(m_podman.run({"create", "--name", "cd_taken_default_main_0_uid-take", kImage, "true"}, &why), qPrintable(why));
        Seen seen;
        auto runtime = makeRuntime(seen);
        SandboxHandle sandbox = *runtime->runSandbox(sandboxSpec("uid-taken-01", "taken"));
        ContainerHandle handle = *runtime->start(sandbox, shell("main", "echo mine"), 1);
        QTRY_VERIFY_WITH_TIMEOUT(seen.exited(), 20000);
        QCOMPARE(seen.states.back().exitCode, 0);
        QVERIFY(readFile(m_state.path() + "/pods/uid-taken-01/main/0.log").contains("stdout F mine"));
        runtime->destroy(handle);
        runtime->removeSandbox(sandbox);
    }

    void execInContainer()
    {
        Seen seen;
        auto runtime = makeRuntime(seen);
        SandboxHandle sandbox = *runtime->runSandbox(sandboxSpec("uid-exec-0001", "execs"));
        ContainerHandle handle = *runtime->start(sandbox, shell("box", "while true; do sleep 0.1; done"), 1);
        QTRY_VERIFY_WITH_TIMEOUT(seen.running(), 20000);
        Result<std::unique_ptr<ExecSession>> session = runtime->exec(handle, {{"sh", "-c", "echo out; echo err >&2; exit 3"}, false, false});
        QVERIFY2(session.ok(), session.ok() ? "" : session.error().message.c_str());
        QByteArray out, err;
        int exitCode = -1;
        connect(session->get(), &ExecSession::output, this, [&](int stream, const QByteArray &data) { (stream == 2 ? err : out) += data; });
        connect(session->get(), &ExecSession::finished, this, [&](int code, const QString &) { exitCode = code; });
        QTRY_VERIFY_WITH_TIMEOUT(exitCode != -1, 20000);
        QCOMPARE(exitCode, 3);
        QCOMPARE(out, QByteArray("out\n"));
        QCOMPARE(err, QByteArray("err\n"));

        // Input, and its end.
        Result<std::unique_ptr<ExecSession>> cat = runtime->exec(handle, {{"cat"}, false, true});
        QVERIFY(cat.ok());
        QByteArray echoed;
        int catExit = -1;
        connect(cat->get(), &ExecSession::output, this, [&](int, const QByteArray &data) { echoed += data; });
        connect(cat->get(), &ExecSession::finished, this, [&](int code, const QString &) { catExit = code; });
        (*cat)->writeStdin("through stdin\n");
        (*cat)->closeStdin();
        QTRY_VERIFY_WITH_TIMEOUT(catExit != -1, 20000);
        QCOMPARE(catExit, 0);
        QCOMPARE(echoed, QByteArray("through stdin\n"));
        runtime->destroy(handle);
        runtime->removeSandbox(sandbox);
    }

    // A new runtime (the engine restarted) finds a running container by its id, keeps its log
    // going without repeating lines, and sees its exit.
    void recovers()
    {
        Seen seen;
        auto first = makeRuntime(seen);
        const SandboxSpec box = sandboxSpec("uid-recover-01", "keeper");
        SandboxHandle sandbox = *first->runSandbox(box);
        const ContainerSpec spec = shell("counter", "i=0; while [ $i -lt 40 ]; do echo line-$i; i=$((i+1)); sleep 0.1; done");
        ContainerHandle handle = *first->start(sandbox, spec, 5);
        QTRY_VERIFY_WITH_TIMEOUT(seen.running(), 20000);
        QTest::qWait(500);
        const ContainerStatus previous = *first->status(handle);
        first.reset();  // the container keeps running in the engine

        Seen again;
        auto second = makeRuntime(again);
        SandboxHandle sandbox2 = *second->runSandbox(box);
        ContainerSpec other = spec;
        other.name = "someone-else";
        QVERIFY(!second->recover(sandbox2, other, previous, 6).has_value());
        std::optional<ContainerHandle> recovered = second->recover(sandbox2, spec, previous, 6);
        QVERIFY(recovered.has_value());
        QCOMPARE(second->status(*recovered)->containerId, previous.containerId);
        QTRY_VERIFY_WITH_TIMEOUT(again.exited(), 30000);
        QCOMPARE(again.states.back().exitCode, 0);
        const QString log = readFile(m_state.path() + "/pods/uid-recover-01/counter/0.log");
        for (int i = 0; i < 40; ++i)
            QVERIFY2(log.count(QStringLiteral(" F line-%1\n").arg(i)) == 1, qPrintable(QStringLiteral("line-%1 in:\n%2").arg(i).arg(log)));

        ContainerStatus gone = previous;
        gone.containerId = "docker://0000000000000000000000000000000000000000000000000000000000000000";
        QVERIFY(!second->recover(sandbox2, spec, gone, 7).has_value());
        second->destroy(*recovered);
        second->removeSandbox(sandbox2);
    }

    // The same as user nobody against a rootless Podman of its own (pods on the host network:
    // no cluster network in this test).
    void unprivileged()
    {
        CD_RERUN_AS_NOBODY(240000, "negotiatesVersion", "missingImage", "pullsImages", "unreachableEngine", "lifecycle", "exitCodesAndStartErrors",
                           "leftoverNameIsReplaced", "execInContainer", "recovers");
    }

    // The followed output is rotated as the kubelet's (containerLogMaxSize/-Files), and a line
    // longer than 16 KiB is written in parts.
    void logRotation()
    {
        QTemporaryDir dir;
        const QString path = dir.path() + "/0.log";
        const auto frame = [](int stream, const QByteArray &payload) {
            QByteArray header(8, '\0');
            header[0] = char(stream);
            const quint32 size = quint32(payload.size());
            for (int i = 0; i < 4; ++i)
                header[4 + i] = char((size >> (8 * (3 - i))) & 0xff);
            return header + payload;
        };
        {
            CriLogWriter writer(path, {}, 0, 1000, 3);
            for (int i = 0; i < 100; ++i)
                writer.feed(frame(1, QByteArray("2026-01-01T00:00:01.000000000Z line ") + QByteArray::number(i) + '\n'));
        }
        QVERIFY(QFileInfo::exists(path + ".1") && QFileInfo::exists(path + ".2"));
        QVERIFY(!QFileInfo::exists(path + ".3"));
        for (const QString &file : {path, path + ".1", path + ".2"})
            QVERIFY2(QFileInfo(file).size() <= 1000, qPrintable(file));
        // The newest lines are kept, in order across the files.
        const QString all = readFile(path + ".2") + readFile(path + ".1") + readFile(path);
        QVERIFY2(all.endsWith("stdout F line 99\n"), qPrintable(all.right(400)));
        QVERIFY2(!all.contains("stdout F line 0\n"), qPrintable(all.left(300)));

        const QString longPath = dir.path() + "/1.log";
        {
            CriLogWriter writer(longPath);
            writer.feed(frame(2, "2026-01-01T00:00:02.000000000Z " + QByteArray(40000, 'x') + '\n'));
        }
        const QStringList parts = readFile(longPath).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(parts.size(), 3);
        QVERIFY2(parts[0].contains(" stderr P ") && parts[1].contains(" stderr P ") && parts[2].contains(" stderr F "),
                 qPrintable(parts.join('\n').left(300)));
        qsizetype total = 0;
        for (const QString &part : parts) {
            QVERIFY(part.startsWith("2026-01-01T00:00:02"));
            total += part.count('x');
        }
        QCOMPARE(total, 40000);
    }

    void logResume()
    {
        QTemporaryDir dir;
        const QString path = dir.path() + "/x.log";
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("2026-01-01T00:00:01Z stdout F a\n2026-01-01T00:00:02Z stdout F b\n2026-01-01T00:00:02Z stderr F c\n");
        file.close();
        const LogResumePoint point = logResumePoint(path);
        QCOMPARE(point.stamp, std::string("2026-01-01T00:00:02Z"));
        QCOMPARE(point.linesWithStamp, 2);
        QCOMPARE(unixTimestamp("2026-01-01T00:00:02Z"), std::string("1767225602.000000000"));
        QCOMPARE(unixTimestamp("2026-01-01T00:00:02.5Z"), std::string("1767225602.500000000"));
        QCOMPARE(unixTimestamp("garbage"), std::string());
    }
};

QTEST_GUILESS_MAIN(TestDockerRuntime)
#include "tst_dockerruntime.moc"
