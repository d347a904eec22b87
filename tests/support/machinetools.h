#pragma once
// What tests need from the machine they run on: tools that may be missing (a skip that says why,
// or a failure with CI=true), host processes found by their command line, and the test run again
// as user nobody, so that every privileged scenario is also seen unprivileged.

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

#include <unistd.h>

namespace cd::test {

inline bool ciRun() { return qEnvironmentVariable("CI") == QLatin1String("true"); }

// A tool from the system folders first: one under /root (pyenv) is no use to user nobody.
inline QString systemTool(const QString &name)
{
    const QString found = QStandardPaths::findExecutable(name, {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin"),
                                                                QStringLiteral("/sbin"), QStringLiteral("/bin")});
    return found.isEmpty() ? QStandardPaths::findExecutable(name) : found;
}

// Host pids whose command line contains `marker`.
inline QList<int> processesWith(const QByteArray &marker)
{
    QList<int> pids;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool number = false;
        const int pid = entry.toInt(&number);
        if (!number)
            continue;
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(marker))
            pids << pid;
    }
    return pids;
}

struct SelfRun {
    bool finished = false;
    int exitCode = -1;
    QString output;
};

// This test executable again as user nobody (from a root run), with `arguments` (test functions).
inline SelfRun runSelfAsNobody(const QStringList &arguments, int timeoutMs,
                               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    QProcess child;
    child.setProcessEnvironment(environment);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.setWorkingDirectory(QStringLiteral("/"));
    child.start(systemTool(QStringLiteral("setpriv")),
                QStringList{QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                            QStringLiteral("--clear-groups"), QCoreApplication::applicationFilePath()} +
                    arguments);
    SelfRun run;
    run.finished = child.waitForFinished(timeoutMs);
    if (!run.finished)
        child.kill(), child.waitForFinished(5000);
    run.exitCode = child.exitStatus() == QProcess::NormalExit ? child.exitCode() : -1;
    run.output = QString::fromUtf8(child.readAll());
    return run;
}

} // namespace cd::test

// Skips the test with `reason`, or fails it with CI=true (where every tool must be there).
#define CD_SKIP_OR_FAIL(reason)                                                                                        \
    do {                                                                                                               \
        const QString cdWhy_ = (reason);                                                                               \
        if (cd::test::ciRun())                                                                                         \
            QFAIL(qPrintable(cdWhy_ + QStringLiteral(" (CI=true)")));                                                  \
        QSKIP(qPrintable(cdWhy_));                                                                                     \
    } while (false)

// The tool must be installed: a skip or a CI failure that names it otherwise.
#define CD_REQUIRE_TOOL(name)                                                                                          \
    do {                                                                                                               \
        if (cd::test::systemTool(name).isEmpty())                                                                      \
            CD_SKIP_OR_FAIL(QString(name) + QStringLiteral(" is not installed"));                                      \
    } while (false)

// In a root run: the named test functions (all when none) again as user nobody, which must pass.
#define CD_RERUN_AS_NOBODY(timeoutMs, ...)                                                                             \
    do {                                                                                                               \
        if (::geteuid() != 0)                                                                                          \
            QSKIP("already unprivileged");                                                                             \
        CD_REQUIRE_TOOL(QStringLiteral("setpriv"));                                                                    \
        const cd::test::SelfRun cdChild_ = cd::test::runSelfAsNobody(QStringList{__VA_ARGS__}, (timeoutMs));           \
        QVERIFY2(cdChild_.finished, qPrintable("the unprivileged run did not finish:\n" + cdChild_.output.right(6000))); \
        QVERIFY2(cdChild_.exitCode == 0, qPrintable(cdChild_.output.right(6000)));                                     \
    } while (false)
