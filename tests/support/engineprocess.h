#pragma once
// Test support: a real clusterdeckd process on a free loopback port with its own data folder,
// and the real kubectl v1.32 pointed at it with a fresh cache folder.

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace cd::test {

struct CommandResult {
    int exitCode = -1;
    QString out;
    QString err;
    QString all() const { return out + err; }
};

class EngineProcess {
public:
    EngineProcess();
    ~EngineProcess();

    // Starts clusterdeckd (from $CLUSTERDECK_BIN_DIR) and waits until its kubeconfig exists.
    // Reuses the data folder across restarts.
    bool start(const QStringList &extraArguments = {}, int timeoutMs = 20000);
    // Sends the signal and waits for the exit; returns the exit code (-1 when killed).
    int stop(int signal = 15);
    bool isRunning() const;

    QString dataDir() const { return m_dataDir.path() + "/engine"; }
    QString kubeconfig() const { return dataDir() + "/kubeconfig"; }
    QString serverUrl() const;  // from the kubeconfig
    QByteArray token() const;
    QByteArray caCertificate() const;
    QString log() const { return m_log; }
    qint64 pid() const;

    static QString binary();

private:
    QTemporaryDir m_dataDir;
    std::unique_ptr<QProcess> m_process;
    QString m_log;
};

class Kubectl {
public:
    explicit Kubectl(QString kubeconfig);
    CommandResult run(const QStringList &arguments, const QByteArray &input = {},
                      const QStringList &extraEnvironment = {}, int timeoutMs = 60000) const;
    // Starts kubectl and leaves it running (kubectl get -w); the caller owns the process.
    std::unique_ptr<QProcess> start(const QStringList &arguments) const;

    // /usr/lib/google-cloud-sdk/bin/kubectl.1.32, or empty when missing.
    static QString binary();
    // Whether a missing tool fails the test (CI=true) or skips it.
    static bool requiredByEnvironment();
    // The arguments every run gets (kubeconfig, a fresh cache folder).
    QStringList baseArguments() const;

private:
    QString m_kubeconfig;
    QTemporaryDir m_cache;
};

} // namespace cd::test

// Skips (or fails with CI=true) when kubectl is missing.
#define CD_REQUIRE_KUBECTL()                                                                                 \
    do {                                                                                                     \
        if (cd::test::Kubectl::binary().isEmpty()) {                                                         \
            if (cd::test::Kubectl::requiredByEnvironment())                                                  \
                QFAIL("kubectl v1.32 is missing at /usr/lib/google-cloud-sdk/bin/kubectl.1.32 (CI=true)");   \
            QSKIP("kubectl v1.32 is not installed at /usr/lib/google-cloud-sdk/bin/kubectl.1.32");           \
        }                                                                                                    \
    } while (false)
