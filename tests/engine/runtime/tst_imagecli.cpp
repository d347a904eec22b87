// `clusterdeckd --data-dir DIR image import|ls|rm`: the real executable on real files, as root
// and as an unprivileged user; the imported busybox root filesystem then runs in a bubblewrap
// sandbox, as the process runtime will run it.
#include "engine/runtime/images/imagecommand.h"
#include "engine/runtime/images/imagestore.h"

#include "imagefixtures.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

using namespace cd::runtime::images;

namespace {

constexpr uid_t kNobody = 65534;

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

bool requiredByEnvironment()
{
    return qEnvironmentVariable("CI") == QLatin1String("true");
}

QString clusterdeckd()
{
    return QDir(qEnvironmentVariable("CLUSTERDECK_BIN_DIR")).filePath(QStringLiteral("clusterdeckd"));
}

// Runs a program, as nobody when asked (root only can switch; others already are unprivileged).
Run run(const QString &program, const QStringList &arguments, bool asNobody = false)
{
    QProcess process;
    if (asNobody && ::geteuid() == 0) {
        process.setProgram(QStringLiteral("setpriv"));
        process.setArguments(QStringList{QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                         QStringLiteral("--clear-groups"), program} +
                             arguments);
    } else {
        process.setProgram(program);
        process.setArguments(arguments);
    }
    process.start();
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
        return {-1, {}, QStringLiteral("timed out")};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}

Run image(const QString &dataDir, const QStringList &arguments, bool asNobody = false)
{
    return run(clusterdeckd(), QStringList{QStringLiteral("--data-dir"), dataDir, QStringLiteral("image")} + arguments,
               asNobody);
}

} // namespace

// Skips, or fails with CI=true, when a tool the test needs is missing.
#define REQUIRE_TOOL(path)                                                                                             \
    do {                                                                                                               \
        if (QStandardPaths::findExecutable(path).isEmpty() && !QFileInfo(path).isExecutable()) {                       \
            if (requiredByEnvironment())                                                                               \
                QFAIL(qPrintable(QStringLiteral("%1 is missing (CI=true)").arg(path)));                                \
            QSKIP(qPrintable(QStringLiteral("%1 is not installed").arg(path)));                                        \
        }                                                                                                              \
    } while (false)

class TestImageCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;

    QString newFolder(const QString &name)
    {
        const QString path = m_dir.filePath(name + QString::number(++m_counter));
        QDir().mkpath(path);
        return path;
    }

    // A busybox root filesystem as `busybox --install -s` makes it: bin/busybox and one absolute
    // symlink per applet.
    QString busyboxRootfs()
    {
        const QString root = newFolder(QStringLiteral("busybox-rootfs"));
        QDir().mkpath(root + "/bin");
        // Mount points a read-only root needs for /proc and /dev.
        for (const char *folder : {"/tmp", "/proc", "/dev"})
            QDir().mkpath(root + folder);
        QFile::copy(QStringLiteral("/usr/bin/busybox"), root + "/bin/busybox");
        ::chmod(QFile::encodeName(root + "/bin/busybox").constData(), 0755);
        const Run applets = run(QStringLiteral("/usr/bin/busybox"), {QStringLiteral("--list")});
        for (const QString &applet : applets.out.split('\n', Qt::SkipEmptyParts))
            if (applet != QLatin1String("busybox"))
                ::symlink("/bin/busybox", QFile::encodeName(root + "/bin/" + applet).constData());
        return root;
    }

    // A folder the unprivileged user owns (the test's temporary folder is root's and private).
    QString nobodyFolder(const QString &name)
    {
        const QString path = newFolder(name);
        if (::geteuid() == 0 && ::chown(QFile::encodeName(path).constData(), kNobody, kNobody) != 0)
            qWarning("cannot chown %s", qPrintable(path));
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // Others (nobody) must reach the inputs below it.
        ::chmod(QFile::encodeName(m_dir.path()).constData(), 0755);
        QVERIFY2(QFileInfo(clusterdeckd()).isExecutable(), qPrintable(clusterdeckd() + " is not built"));
    }

    void importListRemoveBusybox()
    {
        REQUIRE_TOOL(QStringLiteral("/usr/bin/busybox"));
        const QString dataDir = newFolder(QStringLiteral("data"));
        const QString rootfs = busyboxRootfs();

        const Run imported = image(dataDir, {QStringLiteral("import"), QStringLiteral("busybox:test"), rootfs});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        QVERIFY2(QRegularExpression(QStringLiteral("^sha256:[0-9a-f]{64}\n$")).match(imported.out).hasMatch(),
                 qPrintable(imported.out));
        QVERIFY2(imported.err.contains(QStringLiteral("Imported docker.io/library/busybox:test")),
                 qPrintable(imported.err));
        const QString id = imported.out.trimmed();

        const Run listed = image(dataDir, {QStringLiteral("ls")});
        QVERIFY2(listed.exitCode == 0, qPrintable(listed.err));
        const QStringList lines = listed.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(
            QRegularExpression(QStringLiteral("^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$")).match(lines[0]).hasMatch(),
            qPrintable(lines[0]));
        QVERIFY2(QRegularExpression(QStringLiteral("^host +latest +host +built-in +-$")).match(lines[1]).hasMatch(),
                 qPrintable(lines[1]));
        const QRegularExpression busyboxRow(
            QStringLiteral(
                "^docker\\.io/library/busybox +test +%1 +(Less than a second|1 second|\\d+ seconds) ago +[0-9.]+ [kM]B$")
                .arg(id.mid(7, 12)));
        QVERIFY2(busyboxRow.match(lines[2]).hasMatch(), qPrintable(lines[2]));
        // Columns line up.
        QCOMPARE(lines[2].indexOf(QStringLiteral("test")), lines[0].indexOf(QStringLiteral("TAG")));

        // The stored root filesystem is what was imported.
        ImageStore store(dataDir + "/images");
        auto resolved = store.resolve("busybox:test");
        QVERIFY(resolved.ok());
        QCOMPARE(QFileInfo(resolved->rootfs + "/bin/sh").symLinkTarget(), QStringLiteral("/bin/busybox"));
        QCOMPARE(QFileInfo(resolved->rootfs + "/bin/busybox").size(),
                 QFileInfo(QStringLiteral("/usr/bin/busybox")).size());

        const Run removed = image(dataDir, {QStringLiteral("rm"), QStringLiteral("busybox:test")});
        QVERIFY2(removed.exitCode == 0, qPrintable(removed.err));
        QCOMPARE(removed.out, QStringLiteral("Untagged: docker.io/library/busybox:test\nDeleted: %1\n").arg(id));
        QVERIFY(!QFileInfo::exists(resolved->rootfs));
        const Run after = image(dataDir, {QStringLiteral("ls")});
        QCOMPARE(after.out.split('\n', Qt::SkipEmptyParts).size(), 2);
        QVERIFY(!after.out.contains(QStringLiteral("busybox")));
    }

    void importedBusyboxRunsInASandbox()
    {
        // The point of the store: the runtime binds the rootfs read-only as / and runs in it.
        REQUIRE_TOOL(QStringLiteral("/usr/bin/busybox"));
        REQUIRE_TOOL(QStringLiteral("bwrap"));
        const QString dataDir = nobodyFolder(QStringLiteral("sandbox-data"));
        const QString rootfs = busyboxRootfs();
        QCOMPARE(image(dataDir, {QStringLiteral("import"), QStringLiteral("busybox"), rootfs}, true).exitCode, 0);
        ImageStore store(dataDir + "/images");
        auto resolved = store.resolve("busybox");
        QVERIFY(resolved.ok());
        const Run sandboxed =
            run(QStringLiteral("bwrap"),
                {QStringLiteral("--unshare-all"), QStringLiteral("--ro-bind"), resolved->rootfs, QStringLiteral("/"),
                 QStringLiteral("--proc"), QStringLiteral("/proc"), QStringLiteral("--dev"), QStringLiteral("/dev"),
                 QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                 QStringLiteral("echo hello from $(readlink /bin/ls); touch /x 2>/dev/null || echo read-only")},
                true);
        if (sandboxed.exitCode != 0 && sandboxed.err.contains(QStringLiteral("namespace"))) {
            if (requiredByEnvironment())
                QFAIL(qPrintable("bwrap cannot create namespaces here: " + sandboxed.err));
            QSKIP(qPrintable("bwrap cannot create namespaces here: " + sandboxed.err));
        }
        QVERIFY2(sandboxed.exitCode == 0, qPrintable(sandboxed.err));
        QCOMPARE(sandboxed.out, QStringLiteral("hello from /bin/busybox\nread-only\n"));
    }

    void unprivilegedArchiveImport()
    {
        // As nobody: a layered archive with a read-only folder, then its removal (which must
        // make that folder writable again to empty it).
        if (::geteuid() == 0)
            REQUIRE_TOOL(QStringLiteral("setpriv"));
        const QString dataDir = nobodyFolder(QStringLiteral("nobody-data"));
        const QString archive = m_dir.filePath(QStringLiteral("layers.tar"));
        QVERIFY(imagefixtures::writeFile(
            archive, imagefixtures::dockerArchive({imagefixtures::lowerLayer(true), imagefixtures::upperLayer(false)},
                                                  "layered:1")
                         .tar));
        ::chmod(QFile::encodeName(archive).constData(), 0644);
        const Run imported = image(dataDir, {QStringLiteral("import"), QStringLiteral("layered:1"), archive}, true);
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        ImageStore store(dataDir + "/images");
        auto resolved = store.resolve("layered:1");
        QVERIFY(resolved.ok());
        struct stat info = {};
        QVERIFY(::lstat(QFile::encodeName(resolved->rootfs + "/ro/inside").constData(), &info) == 0);
        if (::geteuid() == 0)
            QCOMPARE(info.st_uid, kNobody); // the importer owns what it imported
        QCOMPARE(info.st_mode & 07777, mode_t(0444));
        QVERIFY(::lstat(QFile::encodeName(resolved->rootfs + "/ro").constData(), &info) == 0);
        QCOMPARE(info.st_mode & 07777, mode_t(0555));

        const QString evil = m_dir.filePath(QStringLiteral("evil.tar"));
        QVERIFY(imagefixtures::writeFile(evil, imagefixtures::TarBuilder()
                                                   .symlink("escape", "../../../../../../../../../tmp")
                                                   .file("escape/clusterdeck-image-cli-pwned", "x")
                                                   .bytes(true)));
        const Run hostile = image(dataDir, {QStringLiteral("import"), QStringLiteral("evil"), evil}, true);
        QCOMPARE(hostile.exitCode, 1);
        QVERIFY2(hostile.err.contains(QStringLiteral("points outside the image root")), qPrintable(hostile.err));
        QVERIFY(!QFileInfo::exists(QStringLiteral("/tmp/clusterdeck-image-cli-pwned")));

        const Run removed = image(dataDir, {QStringLiteral("rm"), QStringLiteral("layered:1")}, true);
        QVERIFY2(removed.exitCode == 0, qPrintable(removed.err));
        QVERIFY(removed.out.contains(QStringLiteral("Deleted: sha256:")));
        QVERIFY(!QFileInfo::exists(resolved->rootfs));
        QCOMPARE(QDir(dataDir + "/images/tmp").entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());
        QCOMPARE(QDir(dataDir + "/images/content").entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());
    }

    void killedImportLeavesNothing()
    {
        const QString dataDir = newFolder(QStringLiteral("killed"));
        const QString source = newFolder(QStringLiteral("big"));
        const QByteArray block(256 * 1024, 'x');
        for (int i = 0; i < 400; ++i) // 100 MB: the import takes long enough to be caught
            QVERIFY(imagefixtures::writeFile(source + QStringLiteral("/file%1").arg(i), block));
        QProcess import;
        import.start(clusterdeckd(), {QStringLiteral("--data-dir"), dataDir, QStringLiteral("image"),
                                      QStringLiteral("import"), QStringLiteral("big"), source});
        QVERIFY(import.waitForStarted());
        // Kill it once it is busy filling its root filesystem.
        const QString tmp = dataDir + "/images/tmp";
        QElapsedTimer timer;
        timer.start();
        bool busy = false;
        while (!busy && import.state() == QProcess::Running && timer.elapsed() < 30000) {
            for (const QString &workspace : QDir(tmp).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
                busy = busy || QDir(tmp + "/" + workspace + "/image/rootfs").entryList(QDir::Files).size() > 10;
            QThread::msleep(2);
        }
        if (!busy)
            QSKIP("the import finished before it could be interrupted");
        ::kill(pid_t(import.processId()), SIGKILL);
        QVERIFY(import.waitForFinished());
        QCOMPARE(import.exitStatus(), QProcess::CrashExit);

        QVERIFY2(!QDir(tmp).isEmpty(), "the killed import left its working folder");
        const Run listed = image(dataDir, {QStringLiteral("ls")});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY2(!listed.out.contains(QStringLiteral("big")), qPrintable(listed.out));
        QVERIFY(QDir(dataDir + "/images/content").isEmpty());
        QVERIFY(QDir(dataDir + "/images/names").isEmpty());

        // The next writer clears it away.
        const QString small = newFolder(QStringLiteral("small"));
        QVERIFY(imagefixtures::writeFile(small + "/hello", "hello\n"));
        QCOMPARE(image(dataDir, {QStringLiteral("import"), QStringLiteral("small"), small}).exitCode, 0);
        QVERIFY(QDir(tmp).isEmpty());
    }

    void errorsAndUsage()
    {
        const QString dataDir = newFolder(QStringLiteral("errors"));
        const Run missingImage = image(dataDir, {QStringLiteral("rm"), QStringLiteral("nginx")});
        QCOMPARE(missingImage.exitCode, 1);
        QCOMPARE(missingImage.err, QStringLiteral("clusterdeckd image rm: image \"docker.io/library/nginx:latest\" is "
                                                  "not in the local store\n"));
        const Run missingPath =
            image(dataDir, {QStringLiteral("import"), QStringLiteral("x"), m_dir.filePath(QStringLiteral("nothing"))});
        QCOMPARE(missingPath.exitCode, 1);
        QVERIFY2(missingPath.err.contains(QStringLiteral("does not exist")), qPrintable(missingPath.err));
        const Run badName = image(dataDir, {QStringLiteral("import"), QStringLiteral("Bad"), dataDir});
        QCOMPARE(badName.exitCode, 1);
        QVERIFY2(badName.err.contains(QStringLiteral("must be lowercase")), qPrintable(badName.err));
        const Run host = image(dataDir, {QStringLiteral("rm"), QStringLiteral("host")});
        QCOMPARE(host.exitCode, 1);
        QVERIFY(host.err.contains(QStringLiteral("cannot be removed")));
        for (const QStringList &arguments :
             {QStringList{}, QStringList{QStringLiteral("frobnicate")},
              QStringList{QStringLiteral("import"), QStringLiteral("x")}, QStringList{QStringLiteral("rm")},
              QStringList{QStringLiteral("ls"), QStringLiteral("extra")}}) {
            const Run usage = image(dataDir, arguments);
            QCOMPARE(usage.exitCode, 2);
            QVERIFY2(usage.err.contains(QStringLiteral("usage: clusterdeckd --data-dir DIR image import")),
                     qPrintable(usage.err));
        }
        const Run noDataDir = run(clusterdeckd(), {QStringLiteral("image"), QStringLiteral("ls")});
        QCOMPARE(noDataDir.exitCode, 2);
        QVERIFY(noDataDir.err.contains(QStringLiteral("--data-dir is required")));
    }

    void humanColumns()
    {
        using namespace std::chrono;
        const cd::TimePoint now(seconds(1700000000));
        QCOMPARE(humanAge(now, now), std::string("Less than a second ago"));
        QCOMPARE(humanAge(now - seconds(30), now), std::string("30 seconds ago"));
        QCOMPARE(humanAge(now - seconds(90), now), std::string("About a minute ago"));
        QCOMPARE(humanAge(now - hours(5), now), std::string("5 hours ago"));
        QCOMPARE(humanAge(now - hours(24 * 3), now), std::string("3 days ago"));
        QCOMPARE(humanAge(now - hours(24 * 21), now), std::string("3 weeks ago"));
        QCOMPARE(humanAge(now - hours(24 * 365 * 3), now), std::string("3 years ago"));
        QCOMPARE(humanSize(0), std::string("0 B"));
        QCOMPARE(humanSize(999), std::string("999 B"));
        QCOMPARE(humanSize(1000), std::string("1 kB"));
        QCOMPARE(humanSize(2214000), std::string("2.21 MB"));
        QCOMPARE(humanSize(999600), std::string("1 MB"));
    }

    void cleanupTestCase()
    {
        // Imported images hold read-only folders; let the temporary folder go.
        QProcess::execute(QStringLiteral("chmod"), {QStringLiteral("-R"), QStringLiteral("u+rwX"), m_dir.path()});
    }
};

QTEST_GUILESS_MAIN(TestImageCli)
#include "tst_imagecli.moc"
