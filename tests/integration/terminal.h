#pragma once
// A command run on a pseudo-terminal of 40 rows and 120 columns (python3's pty module), as a
// person at a terminal runs `kubectl exec -it` or `kubectl attach -it`: each text is typed after
// two seconds of the command's output, and the screen is everything the command showed.
// Header-only, for the kubectl tests of this folder.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace cd::test {

struct TerminalRun {
    QString screen;
    int exitCode = -1;
    bool finished = false;  // ended within the time given
};

inline TerminalRun runOnTerminal(const QStringList &command, const QStringList &typed, int timeoutMs = 30000)
{
    // argv: the texts to type, "--", then the command.
    static const char *driver = R"py(
import os, pty, sys, time, select, fcntl, termios, struct
split = sys.argv.index("--")
typed, command = sys.argv[1:split], sys.argv[split + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
out = b""
def read(seconds):
    global out
    end = time.time() + seconds
    while time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                out += os.read(fd, 4096)
            except OSError:
                return
for text in typed:
    read(2)
    os.write(fd, text.encode())
read(2)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
)py";
    QProcess terminal;
    terminal.start("python3", QStringList{"-c", driver} + typed + QStringList{"--"} + command);
    TerminalRun run;
    run.finished = terminal.waitForFinished(timeoutMs);
    if (!run.finished)
        terminal.kill();
    run.screen = QString::fromUtf8(terminal.readAllStandardOutput());
    run.exitCode = terminal.exitCode();
    return run;
}

} // namespace cd::test
