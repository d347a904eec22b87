// The shim's stdin for containers with `stdin: true` (the base of kubectl attach): the shim
// keeps the container's stdin open and feeds it from a FIFO; writers come and go without ending
// it, unless --stdin-once, where the first writer's end is the container's end of input. Without
// --stdin-fifo, stdin stays /dev/null (a reader sees end of file at once). With --tty the
// container's stdio is a terminal of its own: a prompt reaches the log without its newline, what
// is typed is echoed, and the attach session sets the terminal's size. The process runtime's
// attach session writes to that FIFO and reads the container's output from its CRI log, from
// where the log stood when it attached. The shim runs a plain sh here (no sandbox): what is
// tested is the plumbing.
#include "engine/runtime/process/containerattach.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

QString shim() { return qEnvironmentVariable("CLUSTERDECK_BIN_DIR") + "/clusterdeck-shim"; }

const char *kReader = "while read l; do echo \"got $l\"; done; echo \"stdin ended\"";

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Writes to the FIFO as one writer that opens, writes and closes.
bool writeFifo(const QString &path, const QByteArray &data)
{
    QFile fifo(path);
    if (!fifo.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return false;
    return fifo.write(data) == data.size();
}

} // namespace

class TestShimStdin : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!QFile::exists(shim()))
            QFAIL(qPrintable("no shim at " + shim() + " (CLUSTERDECK_BIN_DIR)"));
    }

    void writersComeAndGo()
    {
        QTemporaryDir dir;
        QProcess process;
        process.start(shim(), {"--dir", dir.path(), "--log", dir.filePath("log"), "--stdin-fifo", dir.filePath("stdin"),
                               "--", "sh", "-c", kReader});
        QVERIFY(process.waitForStarted());
        QTRY_VERIFY(QFile::exists(dir.filePath("stdin")));
        QVERIFY(writeFifo(dir.filePath("stdin"), "one\n"));
        QVERIFY(writeFifo(dir.filePath("stdin"), "two\n"));
        QTRY_VERIFY(readFile(dir.filePath("log")).contains("stdout F got two"));
        QVERIFY(readFile(dir.filePath("log")).contains("stdout F got one"));
        QVERIFY(!readFile(dir.filePath("log")).contains("stdin ended"));
        QVERIFY(!process.waitForFinished(300));  // still reading
        // Only the container's end ends it.
        const QByteArray state = readFile(dir.filePath("shim.json"));
        const int sandboxPid = QJsonDocument::fromJson(state)["sandboxPid"].toInt();
        QVERIFY(sandboxPid > 0);
        QProcess::execute("kill", {QString::number(sandboxPid)});
        QVERIFY(process.waitForFinished(5000));
        QTRY_VERIFY(QFile::exists(dir.filePath("exit.json")));
        QVERIFY(!QFile::exists(dir.filePath("stdin")));  // the FIFO goes with the container
    }

    void stdinOnceEndsWithTheFirstWriter()
    {
        QTemporaryDir dir;
        QProcess process;
        process.start(shim(), {"--dir", dir.path(), "--log", dir.filePath("log"), "--stdin-fifo", dir.filePath("stdin"),
                               "--stdin-once", "1", "--", "sh", "-c", kReader});
        QVERIFY(process.waitForStarted());
        QTRY_VERIFY(QFile::exists(dir.filePath("stdin")));
        QVERIFY(writeFifo(dir.filePath("stdin"), "a\nb\n"));
        QVERIFY(process.waitForFinished(5000));
        const QByteArray log = readFile(dir.filePath("log"));
        QVERIFY2(log.contains("got a") && log.contains("got b") && log.contains("stdin ended"), log.constData());
        QVERIFY(readFile(dir.filePath("exit.json")).contains("\"exitCode\":0"));
    }

    void attachSessionWritesAndReads()
    {
        QTemporaryDir dir;
        QProcess process;
        process.start(shim(), {"--dir", dir.path(), "--log", dir.filePath("log"), "--stdin-fifo", dir.filePath("stdin"),
                               "--stdin-once", "1", "--", "sh", "-c", QString("echo before; ") + kReader});
        QVERIFY(process.waitForStarted());
        QTRY_VERIFY(QFile::exists(dir.filePath("stdin")) && readFile(dir.filePath("log")).contains("before"));
        const QString exitFile = dir.filePath("exit.json");
        cd::runtime::process::ContainerAttachSession session(dir.filePath("stdin"), QString(), dir.filePath("log"),
                                                             [exitFile]() { return QFile::exists(exitFile); });
        QByteArray out;
        int finishedWith = -1;
        connect(&session, &cd::runtime::ExecSession::output, this, [&](int stream, const QByteArray &data) {
            QCOMPARE(stream, 1);
            out += data;
        });
        connect(&session, &cd::runtime::ExecSession::finished, this, [&](int code, const QString &) { finishedWith = code; });
        session.writeStdin("typed\n");
        QTRY_COMPARE(out, QByteArray("got typed\n"));  // what came before attaching is not repeated
        session.closeStdin();  // stdinOnce: the container's input ends with this client's
        QTRY_COMPARE(finishedWith, 0);
        QCOMPARE(out, QByteArray("got typed\nstdin ended\n"));
        QTRY_COMPARE(process.state(), QProcess::NotRunning);
    }

    void terminalShowsPromptsAndTakesItsSize()
    {
        QTemporaryDir dir;
        QProcess process;
        process.start(shim(), {"--dir", dir.path(), "--log", dir.filePath("log"), "--stdin-fifo", dir.filePath("stdin"),
                               "--tty", dir.filePath("resize"), "--", "sh", "-c",
                               "[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo terminal; read go; printf 'name? '; read l; "
                               "stty size; echo \"got $l\"; echo oops >&2"});
        QVERIFY(process.waitForStarted());
        QTRY_VERIFY(readFile(dir.filePath("log")).contains("stdout F terminal\r"));
        const QString exitFile = dir.filePath("exit.json");
        cd::runtime::process::ContainerAttachSession session(dir.filePath("stdin"), dir.filePath("resize"),
                                                             dir.filePath("log"),
                                                             [exitFile]() { return QFile::exists(exitFile); });
        QByteArray out;
        bool finished = false;
        connect(&session, &cd::runtime::ExecSession::output, this, [&](int stream, const QByteArray &data) {
            QCOMPARE(stream, 1);  // a terminal has one stream
            out += data;
        });
        connect(&session, &cd::runtime::ExecSession::finished, this, [&] { finished = true; });
        session.writeStdin("go\n");
        QTRY_VERIFY2(out.endsWith("name? "), out.constData());  // shown before any newline
        session.resize(100, 30);
        session.writeStdin("typed\n");
        QTRY_VERIFY(finished);
        QVERIFY2(out.contains("typed\r\n30 100\r\ngot typed\r\noops\r\n"), out.constData());  // echoed, sized
        QVERIFY(!QFile::exists(dir.filePath("resize")));  // the FIFOs go with the container
        QVERIFY(!QFile::exists(dir.filePath("stdin")));
    }

    void withoutFifoStdinIsEmpty()
    {
        QTemporaryDir dir;
        QProcess process;
        process.start(shim(), {"--dir", dir.path(), "--log", dir.filePath("log"), "--", "sh", "-c", kReader});
        QVERIFY(process.waitForFinished(5000));
        QVERIFY(readFile(dir.filePath("log")).contains("stdin ended"));
    }
};

QTEST_GUILESS_MAIN(TestShimStdin)
#include "tst_shimstdin.moc"
