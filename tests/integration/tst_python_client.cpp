// The official Python client (python3-kubernetes, imported by /usr/bin/python3) against a real
// clusterdeckd: each script in tests/integration/python/ gets the kubeconfig of the engine this
// test starts and must exit with 0; its output is shown when it does not.
#include "engineprocess.h"

#include <QDir>
#include <QProcess>
#include <QtTest>

using namespace cd::test;

namespace {

const char *kPython = "/usr/bin/python3";

QString scriptsDir()
{
    return QDir(qEnvironmentVariable("CLUSTERDECK_SOURCE_DIR")).filePath("tests/integration/python");
}

struct PythonRun {
    int exitCode = -1;
    QString output;
};

PythonRun runPython(const QStringList &arguments, int timeoutMs)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("KUBECONFIG");
    env.insert("PYTHONUNBUFFERED", "1");
    // The client must not pick up proxies from the environment for a loopback server.
    for (const char *proxy : {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
        env.remove(proxy);
    process.setProcessEnvironment(env);
    process.start(kPython, arguments);
    PythonRun run;
    if (!process.waitForStarted(5000)) {
        run.output = "cannot start " + QString(kPython) + ": " + process.errorString();
        return run;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        run.output = "timed out after " + QString::number(timeoutMs / 1000) + " s\n";
    }
    run.output += QString::fromUtf8(process.readAll());
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return run;
}

} // namespace

class TstPythonClient : public QObject {
    Q_OBJECT

private:
    EngineProcess m_engine;

private Q_SLOTS:
    void initTestCase()
    {
        const PythonRun probe = runPython({"-c", "import kubernetes"}, 30000);
        if (probe.exitCode != 0) {
            const QString why = "python3-kubernetes is not importable from /usr/bin/python3: " + probe.output;
            if (qEnvironmentVariable("CI") == QLatin1String("true"))
                QFAIL(qPrintable(why + " (CI=true)"));
            QSKIP(qPrintable(why));
        }
        QVERIFY2(m_engine.start(), qPrintable("clusterdeckd did not start: " + m_engine.log()));
    }

    void cleanupTestCase() { QCOMPARE(m_engine.stop(), 0); }

    void script_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(scriptsDir());
        const QStringList scripts = dir.entryList({"*.py"}, QDir::Files, QDir::Name);
        QVERIFY2(!scripts.isEmpty(), qPrintable("no scripts in " + dir.path()));
        for (const QString &name : scripts)
            QTest::newRow(qPrintable(name)) << dir.filePath(name);
    }

    void script()
    {
        QFETCH(QString, path);
        const PythonRun run = runPython({path, m_engine.kubeconfig()}, 120000);
        QVERIFY2(run.exitCode == 0, qPrintable(QString("\n$ %1 %2 %3\nexit code %4\n%5")
                                                   .arg(kPython, path, m_engine.kubeconfig())
                                                   .arg(run.exitCode)
                                                   .arg(run.output)));
        QVERIFY2(run.output.trimmed().endsWith("OK"), qPrintable(run.output));
    }
};

QTEST_GUILESS_MAIN(TstPythonClient)
#include "tst_python_client.moc"
