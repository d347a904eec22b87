// Probes and lifecycle hooks on a process node, against real sandboxed containers: exec,
// httpGet and tcpSocket probes; readiness driving `ready` and the pod's conditions; thresholds
// and the initial delay; a startup probe holding liveness back; liveness and startup failures
// killing and restarting the container with the kubelet's events; postStart and preStop (its
// output lands before the container sees SIGTERM). The test folder is bound into the pods
// (hostPath), so the test flips a probe's answer by creating or removing a file. And all of it
// again as an unprivileged user.
#include "engine/node/nodemanager.h"
#include "engine/node/prober.h"
#include "inprocesscluster.h"
#include "machinetools.h"

#include <QElapsedTimer>
#include <QtTest>

using namespace cd;
using namespace cd::node;

namespace {

Json pod(const std::string &name, const std::vector<Json> &containers, const std::string &node = "node-1")
{
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec", {{"nodeName", node}, {"terminationGracePeriodSeconds", 2}, {"containers", Json(containers)}}}};
}

Json container(const std::string &name, const std::vector<std::string> &command, const Json &extra = Json::object())
{
    Json c = {{"name", name}, {"image", "host"}, {"command", command}};
    c["volumeMounts"] = Json::array();
    c["volumeMounts"].push_back({{"name", "data"}, {"mountPath", "/data"}});
    c.update(extra);
    return c;
}

Json execProbe(const std::string &script, int period = 1, int failureThreshold = 2, const Json &extra = Json::object())
{
    Json p = {{"exec", {{"command", {"sh", "-c", script}}}},
              {"periodSeconds", period},
              {"failureThreshold", failureThreshold}};
    p.update(extra);
    return p;
}

const std::vector<std::string> kSleep = {"sleep", "600"};

} // namespace

class TestProbes : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<NodeManager> m_nodes;
    NodeManagerOptions m_options;
    QString m_data; // bound into every pod at /data

    Json get(const std::string &name) { return m_cluster->get("v1", "Pod", "default", name); }
    Json status(const std::string &name, size_t index = 0)
    {
        const Json p = get(name);
        const Json *list = find(p, {"status", "containerStatuses"});
        return list && list->is_array() && index < list->size() ? (*list)[index] : Json::object();
    }
    std::string condition(const std::string &name, const std::string &type)
    {
        const Json p = get(name);
        if (const Json *conditions = find(p, {"status", "conditions"}); conditions && conditions->is_array())
            for (const Json &c : *conditions)
                if (str(c, {"type"}) == type)
                    return str(c, {"status"});
        return {};
    }
    bool running(const std::string &name, size_t index = 0) { return has(status(name, index), {"state", "running"}); }
    bool ready(const std::string &name, size_t index = 0) { return status(name, index).value("ready", false); }
    long long restarts(const std::string &name, size_t index = 0)
    {
        return integer(status(name, index), {"restartCount"});
    }
    // The pod's events "reason: message", in order.
    std::vector<std::string> events(const std::string &name)
    {
        std::vector<std::string> out;
        for (const Json &e : m_cluster->list("v1", "Event", "default"))
            if (str(e, {"involvedObject", "name"}) == name)
                out.push_back(str(e, {"reason"}) + ": " + str(e, {"message"}));
        return out;
    }
    bool hasEvent(const std::string &name, const std::string &text)
    {
        for (const std::string &e : events(name))
            if (e.find(text) != std::string::npos)
                return true;
        return false;
    }
    std::string eventsText(const std::string &name)
    {
        std::string out;
        for (const std::string &e : events(name))
            out += e + "\n";
        return out;
    }
    Json create(Json object)
    {
        object["spec"]["volumes"] = Json::array();
        object["spec"]["volumes"].push_back({{"name", "data"}, {"hostPath", {{"path", m_data.toStdString()}}}});
        Json created = m_cluster->create(object);
        if (created.is_null())
            qWarning("%s", m_cluster->lastError().c_str());
        return created;
    }
    void touch(const QString &file, const QByteArray &content = "ok\n")
    {
        QFile f(m_data + "/" + file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }
    void removeFile(const QString &file) { QFile::remove(m_data + "/" + file); }
    void removePod(const std::string &name)
    {
        m_cluster->remove("v1", "Pod", "default", name);
        m_cluster->waitFor([&] { return get(name).is_null(); }, 20000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_data = m_dir.path() + "/data";
        QVERIFY(QDir().mkpath(m_data));
        QFile::setPermissions(m_data, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                          QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther);
    }

    void settingsDefaults()
    {
        const ProbeSettings s = ProbeSettings::from(Json{{"exec", {{"command", {"true"}}}}}, ProbeType::Liveness);
        QCOMPARE(s.periodMs, 10000);
        QCOMPARE(s.timeoutMs, 1000);
        QCOMPARE(s.failureThreshold, 3);
        QCOMPARE(s.successThreshold, 1);
        QCOMPARE(s.initialDelayMs, 0);
        QVERIFY(!s.terminationGracePeriodSeconds);
        const Json custom = {{"httpGet", {{"port", 80}}},
                             {"periodSeconds", 2},
                             {"timeoutSeconds", 3},
                             {"successThreshold", 4},
                             {"failureThreshold", 5},
                             {"initialDelaySeconds", 6},
                             {"terminationGracePeriodSeconds", 7}};
        const ProbeSettings r = ProbeSettings::from(custom, ProbeType::Readiness);
        QCOMPARE(r.periodMs, 2000);
        QCOMPARE(r.timeoutMs, 3000);
        QCOMPARE(r.successThreshold, 4);
        QCOMPARE(r.failureThreshold, 5);
        QCOMPARE(r.initialDelayMs, 6000);
        QCOMPARE(*r.terminationGracePeriodSeconds, 7LL);
        // Liveness and startup always need one success.
        QCOMPARE(ProbeSettings::from(custom, ProbeType::Startup).successThreshold, 1);
        QCOMPARE(resolvePort(Json("web"), Json{{"ports", Json::array({{{"name", "web"}, {"containerPort", 8080}}})}}),
                 8080);
        QCOMPARE(resolvePort(Json(81), Json::object()), 81);
        QCOMPARE(resolvePort(Json("nope"), Json::object()), 0);
    }

    void startCluster()
    {
        CD_REQUIRE_TOOL(QStringLiteral("bwrap"));
        m_cluster = std::make_unique<test::InProcessCluster>();
        NodeManagerOptions options;
        options.nodes = uniformNodes(1, "process");
        NodeSpec simulated;
        simulated.name = "sim-1";
        simulated.kind = "simulated";
        options.nodes.push_back(simulated);
        options.dataDir = m_dir.path() + "/engine";
        options.hiddenPaths = {options.dataDir.toStdString()};
        options.leaseRenewInterval = std::chrono::milliseconds(500);
        options.backoffBase = std::chrono::milliseconds(500);
        m_options = options;
        m_nodes = std::make_unique<NodeManager>(&m_cluster->client(), options);
        m_nodes->start();
        QVERIFY(m_cluster->waitFor([&] { return m_nodes->registeredCount() == 2; }, 20000));
    }

    // The node agent restarts (as clusterdeckd does); the containers live on, and so do their probes.
    void probesResumeAfterRestart()
    {
        if (!m_nodes)
            QSKIP("no cluster");
        touch("resume");
        QVERIFY(!create(pod("resume", {container("app", kSleep, {{"readinessProbe", execProbe("cat /data/resume")}})}))
                     .is_null());
        QVERIFY(m_cluster->waitFor([&] { return ready("resume"); }, 20000));
        m_nodes.reset();
        m_nodes = std::make_unique<NodeManager>(&m_cluster->client(), m_options);
        m_nodes->start();
        QVERIFY(m_cluster->waitFor([&] { return m_nodes->registeredCount() == 2; }, 20000));
        QTest::qWait(1500);
        QVERIFY(ready("resume"));
        removeFile("resume");
        QVERIFY(m_cluster->waitFor([&] { return !ready("resume"); }, 6000));
        QCOMPARE(restarts("resume"), 0LL);
        removePod("resume");
    }

    // Exec readiness follows a file; the pod's Ready and ContainersReady follow the container.
    void execReadiness()
    {
        if (!m_nodes)
            QSKIP("no cluster");
        removeFile("ready");
        QVERIFY(
            !create(pod("exec-ready", {container("app", kSleep, {{"readinessProbe", execProbe("cat /data/ready")}})}))
                 .is_null());
        QVERIFY(m_cluster->waitFor([&] { return running("exec-ready"); }, 20000));
        QVERIFY(m_cluster->waitFor([&] { return hasEvent("exec-ready", "Unhealthy: Readiness probe failed: cat: "); },
                                   10000));
        QVERIFY(!ready("exec-ready"));
        QCOMPARE(condition("exec-ready", "Ready"), std::string("False"));
        QCOMPARE(condition("exec-ready", "ContainersReady"), std::string("False"));
        QVERIFY(status("exec-ready").value("started", false)); // no startup probe: started once running

        touch("ready");
        QVERIFY(m_cluster->waitFor([&] { return ready("exec-ready"); }, 5000));
        QCOMPARE(condition("exec-ready", "Ready"), std::string("True"));
        QCOMPARE(condition("exec-ready", "ContainersReady"), std::string("True"));

        // failureThreshold 2, period 1 s: unready after two failures in a row, not after one.
        removeFile("ready");
        QElapsedTimer clock;
        clock.start();
        QVERIFY(m_cluster->waitFor([&] { return !ready("exec-ready"); }, 6000));
        QVERIFY2(clock.elapsed() > 900, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(condition("exec-ready", "Ready"), std::string("False"));
        QCOMPARE(restarts("exec-ready"), 0LL); // readiness never restarts
        removePod("exec-ready");
    }

    // httpGet by a named port with a header, tcpSocket, and a port nothing listens on.
    void httpAndTcp()
    {
        if (!m_nodes)
            QSKIP("no cluster");
        touch("health", "fine\n");
        const Json web = container(
            "web", {"python3", "-m", "http.server", "8080", "--bind", "0.0.0.0", "--directory", "/data"},
            {{"ports", Json::array({{{"name", "http"}, {"containerPort", 8080}}})},
             {"readinessProbe",
              {{"httpGet",
                {{"path", "/health"},
                 {"port", "http"},
                 {"httpHeaders", Json::array({{{"name", "X-Probe"}, {"value", "yes"}}})}}},
               {"periodSeconds", 1},
               {"failureThreshold", 1}}},
             {"livenessProbe", {{"tcpSocket", {{"port", 8080}}}, {"periodSeconds", 1}, {"initialDelaySeconds", 2}}}});
        const Json closed =
            container("closed", kSleep, {{"readinessProbe", {{"tcpSocket", {{"port", 9999}}}, {"periodSeconds", 1}}}});
        QVERIFY(!create(pod("http-probe", {web, closed})).is_null());
        QVERIFY(m_cluster->waitFor([&] { return ready("http-probe", 0); }, 20000));
        QVERIFY(!ready("http-probe", 1));
        QCOMPARE(condition("http-probe", "Ready"), std::string("False"));
        const std::string ip = str(get("http-probe"), {"status", "podIP"});
        QVERIFY(m_cluster->waitFor(
            [&] {
                return hasEvent("http-probe", "Readiness probe failed: dial tcp ") &&
                       hasEvent("http-probe", ":9999: connect: connection refused");
            },
            10000));
        QVERIFY2(hasEvent("http-probe", ip + ":9999") || ip.empty(), eventsText("http-probe").c_str());

        removeFile("health"); // python answers 404
        QVERIFY(m_cluster->waitFor([&] { return !ready("http-probe", 0); }, 5000));
        QVERIFY2(hasEvent("http-probe", "Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404"),
                 eventsText("http-probe").c_str());
        touch("health");
        QVERIFY(m_cluster->waitFor([&] { return ready("http-probe", 0); }, 5000));
        QTest::qWait(2500); // the tcp liveness probe has run and passes: no restart
        QCOMPARE(restarts("http-probe", 0), 0LL);
        removePod("http-probe");
    }

    // Liveness: failureThreshold failures in a row kill the container (the probe's own grace
    // period) and the pod's policy restarts it, with the kubelet's events.
    void livenessRestart()
    {
        if (!m_nodes)
            QSKIP("no cluster");
        removeFile("alive");
        const Json probe = execProbe("test -f /data/alive || { echo not alive; exit 1; }", 1, 3,
                                     {{"terminationGracePeriodSeconds", 1}});
        QVERIFY(!create(pod("liveness", {container("app", kSleep, {{"livenessProbe", probe}})})).is_null());
        QVERIFY(m_cluster->waitFor([&] { return running("liveness"); }, 20000));
        QElapsedTimer clock;
        clock.start();
        // Not before the third failure (probes at 0, 1 and 2 s).
        QVERIFY(m_cluster->waitFor([&] { return restarts("liveness") == 1; }, 15000));
        QVERIFY2(clock.elapsed() > 1500, qPrintable(QString::number(clock.elapsed())));
        touch("alive");
        QVERIFY(m_cluster->waitFor([&] { return running("liveness"); }, 10000));
        QVERIFY(has(status("liveness"), {"lastState", "terminated"}));
        QVERIFY2(hasEvent("liveness", "Unhealthy: Liveness probe failed: not alive"), eventsText("liveness").c_str());
        QVERIFY2(hasEvent("liveness", "Killing: Container app failed liveness probe, will be restarted"),
                 eventsText("liveness").c_str());
        QTest::qWait(2500);
        QCOMPARE(restarts("liveness"), 1LL); // alive now: no more restarts
        removePod("liveness");
    }

    // initialDelaySeconds and successThreshold: ready no earlier than the delay plus the
    // successes asked for.
    void initialDelayAndSuccessThreshold()
    {
        if (!m_nodes)
            QSKIP("no cluster");
        const Json probe = execProbe("true", 1, 3, {{"initialDelaySeconds", 2}, {"successThreshold", 2}});
        QVERIFY(!create(pod("delayed", {container("app", kSleep, {{"readinessProbe", probe}})})).is_null());
        QVERIFY(m_cluster->waitFor([&] { return running("delayed"); }, 20000));
        QElapsedTimer clock;
        clock.start();
        QVERIFY(m_cluster->waitFor([&] { return ready("delayed"); }, 10000));
        // First success at 2 s, the second at 3 s (minus what the Running write took to come back).
        QVERIFY2(clock.elapsed() > 2500, qPrintable(QString::number(clock.elapsed())));
        removePod("delayed");
    }

    // Startup holds liveness back until it passes; a startup failure kills the container.
    void startupGating()
    {
        if (!m_nodes)
            QSKIP("no cluster");
        removeFile("started");
        const Json gated = container("app", kSleep,
                                     {{"startupProbe", execProbe("test -f /data/started", 1, 30)},
                                      {"livenessProbe", execProbe("test -f /data/started", 1, 1)}});
        QVERIFY(!create(pod("startup", {gated})).is_null());
        QVERIFY(m_cluster->waitFor([&] { return running("startup"); }, 20000));
        QTest::qWait(3000); // liveness (threshold 1) would have killed it three times over
        QCOMPARE(restarts("startup"), 0LL);
        QVERIFY(!status("startup").value("started", true));
        QVERIFY(!ready("startup"));
        touch("started");
        QVERIFY(
            m_cluster->waitFor([&] { return status("startup").value("started", false) && ready("startup"); }, 5000));
        QVERIFY2(!hasEvent("startup", "Liveness probe failed"), eventsText("startup").c_str());
        removePod("startup");

        const Json failing = container("app", kSleep, {{"startupProbe", execProbe("exit 1", 1, 2)}});
        QVERIFY(!create(pod("startup-fails", {failing})).is_null());
        QVERIFY(m_cluster->waitFor([&] { return restarts("startup-fails") >= 1; }, 20000));
        QVERIFY2(hasEvent("startup-fails", "Killing: Container app failed startup probe, will be restarted"),
                 eventsText("startup-fails").c_str());
        QVERIFY(hasEvent("startup-fails", "Unhealthy: Startup probe failed"));
        removePod("startup-fails");
    }

    // postStart right after the start, preStop before SIGTERM: the order shows in a file the
    // hooks and the container's TERM trap append to.
    void hooksOrder()
    {
        if (!m_nodes)
            QSKIP("no cluster");
        removeFile("order");
        const Json app = container(
            "app", {"sh", "-c", "trap 'echo TERM >> /data/order; exit 0' TERM; while :; do sleep 0.1; done"},
            {{"lifecycle",
              {{"postStart", {{"exec", {{"command", {"sh", "-c", "echo postStart >> /data/order"}}}}}},
               {"preStop", {{"exec", {{"command", {"sh", "-c", "sleep 0.5; echo preStop >> /data/order"}}}}}}}}});
        QVERIFY(!create(pod("hooks", {app})).is_null());
        QVERIFY(m_cluster->waitFor([&] { return running("hooks"); }, 20000));
        QVERIFY(m_cluster->waitFor([&] { return QFile::exists(m_data + "/order"); }, 5000));
        removePod("hooks");
        QFile order(m_data + "/order");
        QVERIFY(order.open(QIODevice::ReadOnly));
        QCOMPARE(order.readAll(), QByteArray("postStart\npreStop\nTERM\n"));

        // The sleep action: the container gets its SIGTERM only after the sleep.
        const Json sleeper = container("app", kSleep, {{"lifecycle", {{"preStop", {{"sleep", {{"seconds", 1}}}}}}}});
        QVERIFY(!create(pod("sleeper", {sleeper})).is_null());
        QVERIFY(m_cluster->waitFor([&] { return running("sleeper"); }, 20000));
        QElapsedTimer clock;
        clock.start();
        removePod("sleeper");
        QVERIFY2(clock.elapsed() >= 1000, qPrintable(QString::number(clock.elapsed())));

        // A failing postStart kills the container, which restarts by policy.
        const Json broken =
            container("app", kSleep,
                      {{"lifecycle", {{"postStart", {{"exec", {{"command", {"sh", "-c", "echo nope; exit 3"}}}}}}}}});
        QVERIFY(!create(pod("poststart-fails", {broken})).is_null());
        QVERIFY(m_cluster->waitFor([&] { return restarts("poststart-fails") >= 1; }, 20000));
        QVERIFY2(hasEvent("poststart-fails", "FailedPostStartHook: Exec lifecycle hook ([sh -c echo nope; exit 3]) for "
                                             "Container \"app\" in Pod \"poststart-fails_default("),
                 eventsText("poststart-fails").c_str());
        QVERIFY2(m_cluster->waitFor([&] { return hasEvent("poststart-fails", "exited with 3: nope"); }, 10000),
                 eventsText("poststart-fails").c_str());
        removePod("poststart-fails");
    }

    // Simulated containers have nothing to probe: they pass, as before.
    void simulatedPass()
    {
        if (!m_nodes)
            QSKIP("no cluster");
        Json sim = pod("simulated",
                       {{{"name", "app"},
                         {"image", "nginx"},
                         {"livenessProbe", execProbe("false", 1, 1)},
                         {"readinessProbe", execProbe("false", 1, 1)}}},
                       "sim-1");
        sim["spec"]["containers"][0].erase("volumeMounts");
        QVERIFY(!m_cluster->create(sim).is_null());
        QVERIFY2(m_cluster->waitFor([&] { return ready("simulated"); }, 10000),
                 (eventsText("simulated") + str(status("simulated"), {"state", "waiting", "message"})).c_str());
        QTest::qWait(1500);
        QVERIFY(ready("simulated"));
        QCOMPARE(restarts("simulated"), 0LL);
        removePod("simulated");
    }

    void stopCluster() { cleanupTestCase(); }

    void cleanupTestCase()
    {
        if (m_cluster)
            for (const Json &p : m_cluster->list("v1", "Pod", "default"))
                m_cluster->remove("v1", "Pod", "default", str(p, {"metadata", "name"}));
        if (m_cluster)
            m_cluster->waitFor([&] { return m_cluster->list("v1", "Pod", "default").empty(); }, 20000);
        m_nodes.reset();
        m_cluster.reset();
    }

    // Everything above as an unprivileged user (the desktop case): the test runs itself again.
    void unprivileged() { CD_RERUN_AS_NOBODY(240000); }
};

QTEST_GUILESS_MAIN(TestProbes)
#include "tst_probes.moc"
