// CPU and memory limits through the machine's cgroups: a process over its memory limit is
// killed by the kernel and seen as OOMKilled; a busy loop under a 100m CPU limit is throttled;
// the cgroups go away with the container; and where this user may not make cgroups (user nobody
// here) nothing is enforced and the reason says why.
#include "engine/runtime/process/cgrouplimits.h"
#include "machinetools.h"

#include <QFileInfo>
#include <QProcess>
#include <QtTest>

#include <unistd.h>

using namespace cd::runtime::process;

class TestCgroupLimits : public QObject {
    Q_OBJECT

    const std::string m_group = "clusterdeck-test-" + std::to_string(::getpid());

    // Runs `script` under sh with its process moved into `procs` first; its exit code and output.
    static std::pair<int, QString> runInside(const std::vector<std::string> &procs, const QString &script)
    {
        QString join;
        for (const std::string &file : procs)
            join += QStringLiteral("echo $$ > %1 || exit 99; ").arg(QString::fromStdString(file));
        QProcess sh;
        sh.setProcessChannelMode(QProcess::MergedChannels);
        sh.start(QStringLiteral("sh"), {QStringLiteral("-c"), join + script});
        if (!sh.waitForFinished(60000))
            return {-1, QStringLiteral("timed out")};
        const int code = sh.exitStatus() == QProcess::CrashExit ? 128 + 9 : sh.exitCode();
        return {code, QString::fromUtf8(sh.readAll())};
    }

private Q_SLOTS:
    void memoryLimitKills()
    {
        const CgroupLimits limits = CgroupLimits::detect(m_group);
        if (!limits.enforces())
            CD_SKIP_OR_FAIL(QString::fromStdString("no cgroup limits here: " + limits.reason()));
        CD_REQUIRE_TOOL(QStringLiteral("python3"));
        auto procs = limits.create("mem-1", {64LL * 1024 * 1024, 0});
        QVERIFY2(procs.ok(), procs.ok() ? "" : procs.error().message.c_str());
        QVERIFY(!limits.oomKilled("mem-1"));
        const auto [code, output] =
            runInside(*procs, QStringLiteral("exec python3 -c 'b = bytearray(256 * 1024 * 1024); print(\"survived\")'"));
        QVERIFY2(code == 137 || code == 128 + 9 || code == -9, qPrintable(QString::number(code) + " " + output));
        QVERIFY(!output.contains(QLatin1String("survived")));
        QVERIFY(limits.oomKilled("mem-1"));
        limits.remove("mem-1");
        for (const std::string &file : *procs)
            QVERIFY2(!QFile::exists(QString::fromStdString(file)), file.c_str());

        // Under the limit, the same program runs to its end.
        auto roomy = limits.create("mem-2", {512LL * 1024 * 1024, 0});
        QVERIFY(roomy.ok());
        const auto [roomyCode, roomyOutput] =
            runInside(*roomy, QStringLiteral("exec python3 -c 'b = bytearray(64 * 1024 * 1024); print(\"survived\")'"));
        QCOMPARE(roomyCode, 0);
        QVERIFY(roomyOutput.contains(QLatin1String("survived")));
        QVERIFY(!limits.oomKilled("mem-2"));

        // The group goes only once no container cgroup is left in it.
        const std::vector<std::string> groups = limits.groupFolders();
        QVERIFY(!groups.empty());
        limits.removeGroupIfEmpty();
        for (const std::string &group : groups)
            QVERIFY2(QFileInfo::exists(QString::fromStdString(group)), group.c_str());
        limits.remove("mem-2");
        limits.removeGroupIfEmpty();
        for (const std::string &group : groups)
            QVERIFY2(!QFileInfo::exists(QString::fromStdString(group)), group.c_str());
    }

    void cpuLimitThrottles()
    {
        const CgroupLimits limits = CgroupLimits::detect(m_group);
        if (!limits.enforces())
            CD_SKIP_OR_FAIL(QString::fromStdString("no cgroup limits here: " + limits.reason()));
        CD_REQUIRE_TOOL(QStringLiteral("python3"));
        auto procs = limits.create("cpu-1", {0, 100});
        QVERIFY2(procs.ok(), procs.ok() ? "" : procs.error().message.c_str());
        // One second of a busy loop: at 100m it gets about a tenth of a CPU second.
        const auto [code, output] = runInside(
            *procs, QStringLiteral("exec python3 -c 'import time\nend = time.monotonic() + 1.0\n"
                                   "while time.monotonic() < end: pass\nprint(time.process_time())'"));
        QCOMPARE(code, 0);
        const double cpuSeconds = output.trimmed().toDouble();
        QVERIFY2(cpuSeconds > 0 && cpuSeconds < 0.35, qPrintable(output));
        // The kernel says it held the loop back (so the figure above is the limit, not a busy machine).
        QFile cpuStat(QString::fromStdString(procs->back()).replace(QLatin1String("cgroup.procs"), QLatin1String("cpu.stat")));
        QVERIFY(cpuStat.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(cpuStat.readAll());
        const QRegularExpressionMatch throttled = QRegularExpression(QStringLiteral("nr_throttled (\\d+)")).match(text);
        QVERIFY2(throttled.hasMatch() && throttled.captured(1).toInt() > 0, qPrintable(text));
        limits.remove("cpu-1");
    }

    // As user nobody nothing can be made in the cgroup trees: not enforced, and the reason says so.
    void unprivilegedSaysWhy()
    {
        if (::geteuid() == 0) {
            CD_RERUN_AS_NOBODY(30000, QStringLiteral("unprivilegedSaysWhy"));
            return;
        }
        const CgroupLimits limits = CgroupLimits::detect(m_group);
        if (limits.enforces())
            QSKIP("this machine delegates cgroups to unprivileged users");
        QVERIFY(!limits.reason().empty());
        QVERIFY(!limits.create("x", {1 << 20, 100}).ok());
        qInfo() << "unprivileged:" << QString::fromStdString(limits.reason());
    }

    void cleanupTestCase()
    {
        // The group folders themselves, made by detect().
        for (const char *controller : {"memory", "cpu"}) {
            const QString pattern = QStringLiteral("/sys/fs/cgroup/%1").arg(QLatin1String(controller));
            QProcess::execute(QStringLiteral("find"), {pattern, QStringLiteral("-maxdepth"), QStringLiteral("4"),
                                                       QStringLiteral("-type"), QStringLiteral("d"), QStringLiteral("-name"),
                                                       QString::fromStdString(m_group), QStringLiteral("-delete")});
        }
    }
};

QTEST_GUILESS_MAIN(TestCgroupLimits)
#include "tst_cgrouplimits.moc"
