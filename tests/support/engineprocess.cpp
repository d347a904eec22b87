#include "engineprocess.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcessEnvironment>

#include <csignal>
#include <sys/prctl.h>
#include <QRegularExpression>
#include <QThread>

#include <csignal>
#include <sys/types.h>

namespace cd::test {
namespace {

QString readKubeconfigValue(const QString &path, const QString &key)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QString text = QString::fromUtf8(file.readAll());
    const QRegularExpression pattern("^\\s*" + QRegularExpression::escape(key) + ":\\s*(\\S+)\\s*$",
                                     QRegularExpression::MultilineOption);
    return pattern.match(text).captured(1);
}

} // namespace

QString EngineProcess::binary()
{
    const QString dir = qEnvironmentVariable("CLUSTERDECK_BIN_DIR");
    return dir.isEmpty() ? QStringLiteral("clusterdeckd") : dir + "/clusterdeckd";
}

EngineProcess::EngineProcess() = default;

EngineProcess::~EngineProcess()
{
    if (isRunning())
        stop(SIGKILL);
}

bool EngineProcess::start(const QStringList &extraArguments, int timeoutMs)
{
    QFile::remove(kubeconfig());
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    // A test that crashes takes its engine with it (the engine's pods stop with their engine's
    // tests: the integration tests stop the engine themselves to see pods survive it).
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    QStringList arguments = {"--data-dir", dataDir(), "--listen", "127.0.0.1:0"};
    arguments += extraArguments;
    m_process->start(binary(), arguments);
    if (!m_process->waitForStarted(5000)) {
        m_log = "cannot start " + binary() + ": " + m_process->errorString();
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (QFileInfo::exists(kubeconfig()) && !serverUrl().isEmpty())
            return true;
        if (m_process->state() == QProcess::NotRunning) {
            m_log += QString::fromUtf8(m_process->readAll());
            return false;
        }
        m_process->waitForReadyRead(20);
        m_log += QString::fromUtf8(m_process->readAll());
    }
    return false;
}

int EngineProcess::stop(int signal)
{
    if (!m_process)
        return -1;
    if (m_process->state() != QProcess::NotRunning) {
        ::kill(pid_t(m_process->processId()), signal);
        m_process->waitForFinished(20000);
    }
    m_log += QString::fromUtf8(m_process->readAll());
    const int code = m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
    return code;
}

bool EngineProcess::isRunning() const { return m_process && m_process->state() != QProcess::NotRunning; }

qint64 EngineProcess::pid() const { return m_process ? m_process->processId() : 0; }

QString EngineProcess::serverUrl() const { return readKubeconfigValue(kubeconfig(), "server"); }

QByteArray EngineProcess::token() const { return readKubeconfigValue(kubeconfig(), "token").toUtf8(); }

QByteArray EngineProcess::caCertificate() const
{
    return QByteArray::fromBase64(readKubeconfigValue(kubeconfig(), "certificate-authority-data").toUtf8());
}

QString Kubectl::binary()
{
    const QString path = QStringLiteral("/usr/lib/google-cloud-sdk/bin/kubectl.1.32");
    return QFileInfo(path).isExecutable() ? path : QString();
}

bool Kubectl::requiredByEnvironment() { return qEnvironmentVariable("CI") == QLatin1String("true"); }

Kubectl::Kubectl(QString kubeconfig) : m_kubeconfig(std::move(kubeconfig)) {}

QStringList Kubectl::baseArguments() const
{
    return {"--kubeconfig", m_kubeconfig, "--cache-dir", m_cache.path()};
}

CommandResult Kubectl::run(const QStringList &arguments, const QByteArray &input, const QStringList &extraEnvironment,
                           int timeoutMs) const
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("HOME", m_cache.path());
    env.remove("KUBECONFIG");
    for (const QString &entry : extraEnvironment) {
        const int eq = entry.indexOf('=');
        env.insert(entry.left(eq), entry.mid(eq + 1));
    }
    process.setProcessEnvironment(env);
    process.start(binary(), baseArguments() + arguments);
    CommandResult result;
    if (!process.waitForStarted(5000)) {
        result.err = "cannot start kubectl: " + process.errorString();
        return result;
    }
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = "kubectl timed out";
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err += QString::fromUtf8(process.readAllStandardError());
    return result;
}

std::unique_ptr<QProcess> Kubectl::start(const QStringList &arguments) const
{
    auto process = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("HOME", m_cache.path());
    process->setProcessEnvironment(env);
    process->start(binary(), baseArguments() + arguments);
    process->waitForStarted(5000);
    return process;
}

} // namespace cd::test
