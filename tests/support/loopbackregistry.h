#pragma once
// A test image registry on 127.0.0.1 (tests/support/loopbackregistry.py): serves one image whose
// layer is a given root filesystem tarball, so image pulls are tested without leaving the machine.
// Header-only; needs python3 and CLUSTERDECK_SOURCE_DIR (CTest sets it).

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

namespace cd::test {

class LoopbackRegistry {
public:
    LoopbackRegistry() = default;
    LoopbackRegistry(const LoopbackRegistry &) = delete;
    LoopbackRegistry &operator=(const LoopbackRegistry &) = delete;
    ~LoopbackRegistry() { stop(); }

    // Serves `reference` (NAME:TAG, no registry host) from `rootfsTarball`; false with the reason.
    bool start(const QString &reference, const QString &rootfsTarball, QString *why)
    {
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        const QString script = scriptPath();
        if (python.isEmpty() || script.isEmpty()) {
            *why = QStringLiteral("python3 or tests/support/loopbackregistry.py not found (CLUSTERDECK_SOURCE_DIR unset?)");
            return false;
        }
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start(python, {script, reference, rootfsTarball});
        if (!m_process.waitForStarted(10000)) {
            *why = QStringLiteral("the test registry did not start");
            return false;
        }
        while (!m_process.canReadLine() && m_process.waitForReadyRead(10000)) {
        }
        const QByteArray line = m_process.readLine().trimmed();
        if (!line.startsWith("PORT ")) {
            *why = QStringLiteral("the test registry said no port: ") + QString::fromUtf8(m_process.readAllStandardError());
            return false;
        }
        m_port = line.mid(5).toInt();
        return m_port > 0;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.closeWriteChannel();  // the registry ends at stdin's end
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    int port() const { return m_port; }
    QString host() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    // What it logged: one line per request.
    QString requests()
    {
        // QProcess reads the pipe on the event loop: what the registry logged a moment ago may
        // still be in it (a check right after a blocking kubectl run found nothing).
        QElapsedTimer waited;
        waited.start();
        do
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        while (waited.elapsed() < 150);
        return QString::fromUtf8(m_log += m_process.readAllStandardError());
    }

private:
    static QString scriptPath()
    {
        const QString root = qEnvironmentVariable("CLUSTERDECK_SOURCE_DIR");
        const QString path = root + QStringLiteral("/tests/support/loopbackregistry.py");
        return !root.isEmpty() && QFileInfo::exists(path) ? path : QString();
    }

    QProcess m_process;
    QByteArray m_log;
    int m_port = 0;
};

} // namespace cd::test
