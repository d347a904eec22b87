// clusterdeck-shim: the supervisor of one container (the role of containerd-shim or conmon).
// The process runtime starts one per container in its own session, so containers outlive the
// engine: when clusterdeckd restarts it finds the shim's state files and carries on.
//
//   clusterdeck-shim --dir DIR --log FILE [--log-max-bytes N] [--log-max-files N] [--notify-fd FD]
//                    [--stdin-fifo PATH [--stdin-once 1]] [--tty RESIZE-FIFO] [--cgroup-procs FILE]...
//                    [--join-namespaces PID/STARTTIME] -- ARGV...
//
// It runs ARGV (the sandbox command: bwrap --info-fd 3 ... -- the container's command) with fd 3
// as a pipe for bwrap's info, in the user, network, IPC and UTS namespaces of the pod's holder
// process when --join-namespaces names one (checked to still be the process started at
// STARTTIME), records the container's pid once it runs the container's command
// (DIR/state.json), writes the container's stdout and stderr to FILE in the CRI log format
// the kubelet reads ("<RFC3339Nano> stdout F line"), rotates FILE when it grows past the limit,
// and when the container exits writes DIR/exit.json. Each state change also writes one byte to
// the notify fd, when the engine that started it is still there to listen.
//
// A container with `stdin: true` gets a pipe as its stdin, kept open by the shim, and the shim
// makes PATH a FIFO: whatever a writer (kubectl attach, through the engine) puts there reaches
// the container. Writers may come and go; with --stdin-once (the pod's stdinOnce) the container's
// stdin closes when the first writer leaves. Without --stdin-fifo, stdin is /dev/null.
//
// A container with `tty: true` (--tty) gets a terminal of its own as stdin, stdout and stderr:
// what the FIFO brings is typed on it, everything it shows goes to the
// log as stdout as soon as it is shown (a prompt has no newline), and lines "COLUMNS ROWS" written
// to RESIZE-FIFO set its size (as conmon's ctl FIFO does). With --stdin-once, the first writer's
// end types an end of file (^D).
//
//   clusterdeck-shim --terminal-init -- ARGV...
//
// Inside the sandbox (bound at /dev/init, as Docker binds its init there) the shim makes its
// stdin, the container's terminal, the controlling terminal of a session of its own and runs
// ARGV: the container's command then leads that session inside its pid namespace, so a shell
// gets job control and ^C interrupts (runc's init does the same for a container's console).
#include "engine/runtime/logrotation.h"
#include "engine/runtime/network/helper/namespaces.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct Options {
    std::string dir;
    std::string log;
    long long logMaxBytes = cd::runtime::kContainerLogMaxBytes;
    int logMaxFiles = cd::runtime::kContainerLogMaxFiles;
    int notifyFd = -1;
    std::string stdinFifo;
    bool stdinOnce = false;
    std::string resizeFifo;                 // non-empty: the container's stdio is a terminal
    std::vector<std::string> cgroupProcs;  // cgroup.procs files the container joins (its limits)
    cd::netns::Holder namespaces;          // the pod's namespaces to join (pid 0: stay in ours)
    std::vector<char *> argv;
};

long long nowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

std::string rfc3339Nano(long long ns)
{
    const time_t seconds = static_cast<time_t>(ns / 1000000000LL);
    tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[64];
    const size_t n = strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(buffer + n, sizeof buffer - n, ".%09lldZ", ns % 1000000000LL);
    return buffer;
}

bool writeAll(int fd, const char *data, size_t size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

// Writes a small file atomically: readers see the old content or the new, never half of it.
// Not synced to disk: the file describes processes, which do not outlive the machine either, and
// a restarted engine reads it from the page cache. (A sync here cost 0.5 ms and more on every
// container start, behind the store's own disk flushes.)
void writeFileAtomically(const std::string &path, const std::string &content)
{
    const std::string temporary = path + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    writeAll(fd, content.data(), content.size());
    ::close(fd);
    ::rename(temporary.c_str(), path.c_str());
}

class LogFile {
public:
    LogFile(std::string path, long long maxBytes, int maxFiles)
        : m_path(std::move(path)), m_maxBytes(maxBytes), m_maxFiles(maxFiles)
    {
        open();
    }
    ~LogFile()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    // One CRI log line; `partial` says the line goes on in the next record (the "P" tag).
    void write(const char *stream, const char *data, size_t size, bool partial)
    {
        std::string line = rfc3339Nano(nowNs());
        line += ' ';
        line += stream;
        line += partial ? " P " : " F ";
        line.append(data, size);
        line += '\n';
        if (m_fd < 0)
            return;
        if (m_size + static_cast<long long>(line.size()) > m_maxBytes && m_size > 0)
            rotate();
        if (writeAll(m_fd, line.data(), line.size()))
            m_size += static_cast<long long>(line.size());
    }

private:
    void open()
    {
        m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        struct stat st{};
        m_size = m_fd >= 0 && ::fstat(m_fd, &st) == 0 ? st.st_size : 0;
    }
    void rotate()
    {
        ::close(m_fd);
        cd::runtime::rotateLogFiles(m_path, m_maxFiles);
        open();
    }

    std::string m_path;
    long long m_maxBytes;
    int m_maxFiles;
    int m_fd = -1;
    long long m_size = 0;
};

// Splits a stream into lines for the log; lines longer than the kubelet's 16 KiB go out in parts.
class LineSplitter {
public:
    // `interactive`: what is left of a line is written at once as a part (a terminal's prompt).
    LineSplitter(LogFile &log, const char *stream, bool interactive = false)
        : m_log(log), m_stream(stream), m_interactive(interactive)
    {
    }
    void feed(const char *data, size_t size)
    {
        m_pending.append(data, size);
        size_t start = 0;
        for (size_t nl; (nl = m_pending.find('\n', start)) != std::string::npos; start = nl + 1)
            m_log.write(m_stream, m_pending.data() + start, nl - start, false);
        m_pending.erase(0, start);
        while (m_pending.size() >= kMaxLine || (m_interactive && !m_pending.empty())) {
            const size_t part = std::min(m_pending.size(), kMaxLine);
            m_log.write(m_stream, m_pending.data(), part, true);
            m_pending.erase(0, part);
        }
    }
    void finish()
    {
        if (!m_pending.empty())
            m_log.write(m_stream, m_pending.data(), m_pending.size(), false);
        m_pending.clear();
    }

private:
    static constexpr size_t kMaxLine = 16 * 1024;
    LogFile &m_log;
    const char *m_stream;
    bool m_interactive;
    std::string m_pending;
};

void notify(int fd)
{
    if (fd < 0)
        return;
    const char byte = 1;
    (void)!::write(fd, &byte, 1);
}

bool parseOptions(int argc, char **argv, Options &options)
{
    int i = 1;
    for (; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--") {
            ++i;
            break;
        }
        if (i + 1 >= argc)
            return false;
        const char *value = argv[++i];
        if (arg == "--dir")
            options.dir = value;
        else if (arg == "--log")
            options.log = value;
        else if (arg == "--log-max-bytes")
            options.logMaxBytes = std::max(4096LL, std::atoll(value));
        else if (arg == "--log-max-files")
            options.logMaxFiles = std::max(1, std::atoi(value));
        else if (arg == "--notify-fd")
            options.notifyFd = std::atoi(value);
        else if (arg == "--stdin-fifo")
            options.stdinFifo = value;
        else if (arg == "--stdin-once")
            options.stdinOnce = std::atoi(value) != 0;
        else if (arg == "--tty")
            options.resizeFifo = value;
        else if (arg == "--cgroup-procs")
            options.cgroupProcs.push_back(value);
        else if (arg == "--join-namespaces") {
            const char *slash = std::strchr(value, '/');
            options.namespaces.pid = std::atoi(value);
            options.namespaces.startTime = slash ? std::strtoull(slash + 1, nullptr, 10) : 0;
            if (options.namespaces.pid <= 0 || options.namespaces.startTime == 0)
                return false;
        }
        else
            return false;
    }
    for (; i < argc; ++i)
        options.argv.push_back(argv[i]);
    options.argv.push_back(nullptr);
    return !options.dir.empty() && !options.log.empty() && options.argv.size() > 1;
}

// A file's identity, to tell two programs apart (stat of /proc/PID/exe: the program PID runs).
struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    bool operator==(const FileId &) const = default;
};

std::optional<FileId> programOf(long pid)
{
    struct stat st{};
    if (::stat(("/proc/" + std::to_string(pid) + "/exe").c_str(), &st) != 0)
        return std::nullopt;
    return FileId{st.st_dev, st.st_ino};
}

// The sandbox's process `pid` runs the container's command: it no longer runs bubblewrap (the
// program our child runs), so every mount of the sandbox is in place. True as well when it is
// gone or cannot be looked at: the exit, or nothing, is what there is to wait for then.
bool sandboxCommandRunning(long pid, const std::optional<FileId> &bubblewrap)
{
    const std::optional<FileId> program = programOf(pid);
    return !program || !bubblewrap || *program != *bubblewrap;
}

// A terminal for the container: the master stays with the shim, the other end is its stdio.
bool openTerminal(int &master, int &slave)
{
    master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0)
        return false;
    slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    const winsize size{24, 80, 0, 0};  // until a client says otherwise
    return slave >= 0 && ::ioctl(master, TIOCSWINSZ, &size) == 0;
}

// Applies each complete "COLUMNS ROWS" line of `pending` to the terminal.
void applySizes(int master, std::string &pending)
{
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        unsigned columns = 0, rows = 0;
        if (std::sscanf(pending.c_str() + start, "%u %u", &columns, &rows) == 2 && columns > 0 && rows > 0 &&
            columns <= 0xffff && rows <= 0xffff) {
            const winsize size{static_cast<unsigned short>(rows), static_cast<unsigned short>(columns), 0, 0};
            ::ioctl(master, TIOCSWINSZ, &size);
        }
    }
    pending.erase(0, start);
}

// bwrap's info is JSON: { "child-pid": 1234 ... }.
long parseChildPid(const std::string &info)
{
    const size_t at = info.find("\"child-pid\"");
    if (at == std::string::npos)
        return 0;
    const size_t colon = info.find(':', at);
    return colon == std::string::npos ? 0 : std::strtol(info.c_str() + colon + 1, nullptr, 10);
}

} // namespace

// --terminal-init: see the top of this file.
int terminalInit(char **argv)
{
    ::setsid();  // fails harmlessly where the sandbox made a new session already
    if (::ioctl(0, TIOCSCTTY, 0) != 0)
        std::fprintf(stderr, "clusterdeck-shim: the terminal is not the container's: %s\n", std::strerror(errno));
    ::execvp(argv[0], argv);
    std::fprintf(stderr, "clusterdeck-shim: cannot run %s: %s\n", argv[0], std::strerror(errno));
    return 127;
}

int main(int argc, char **argv)
{
    if (argc > 3 && std::strcmp(argv[1], "--terminal-init") == 0 && std::strcmp(argv[2], "--") == 0)
        return terminalInit(argv + 3);
    Options options;
    if (!parseOptions(argc, argv, options)) {
        std::fprintf(stderr, "usage: clusterdeck-shim --dir DIR --log FILE [--log-max-bytes N] [--log-max-files N] "
                             "[--notify-fd FD] [--stdin-fifo PATH [--stdin-once 1]] [--tty RESIZE-FIFO] [--cgroup-procs FILE]... "
                             "[--join-namespaces PID/STARTTIME] -- ARGV...\n");
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGHUP, SIG_IGN);
    if (options.notifyFd >= 0)
        ::fcntl(options.notifyFd, F_SETFD, FD_CLOEXEC);

    int out[2], err[2], info[2], in[2] = {-1, -1};
    if (::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC) || ::pipe2(info, O_CLOEXEC)) {
        std::perror("clusterdeck-shim: pipe");
        return 1;
    }
    const bool withStdin = !options.stdinFifo.empty();
    if (withStdin && (::pipe2(in, O_CLOEXEC) ||
                      (::mkfifo(options.stdinFifo.c_str(), 0600) != 0 && errno != EEXIST))) {
        std::perror("clusterdeck-shim: stdin");
        return 1;
    }
    const bool withTty = !options.resizeFifo.empty();
    int master = -1, slave = -1;
    if (withTty && (!openTerminal(master, slave) ||
                    (::mkfifo(options.resizeFifo.c_str(), 0600) != 0 && errno != EEXIST))) {
        std::perror("clusterdeck-shim: terminal");
        return 1;
    }
    // Opened before the fork (the holder is checked to be the recorded process before and
    // after), joined by the child: a failure is the child's, a start error the engine reports.
    std::vector<int> namespaceFds;
    std::string namespaceError;
    if (options.namespaces.pid > 0) {
        auto opened = cd::netns::openNamespaces(options.namespaces, {"user", "net", "ipc", "uts"});
        if (opened.ok())
            namespaceFds = std::move(*opened);
        else
            namespaceError = opened.error().message;
    }
    const long long startNs = nowNs();
    const pid_t child = ::fork();
    if (child < 0) {
        std::perror("clusterdeck-shim: fork");
        return 1;
    }
    if (child == 0) {
        if (withTty) {
            // Not this session's controlling terminal: the command takes it (--terminal-init).
            ::dup2(slave, 0);
            ::dup2(slave, 1);
            ::dup2(slave, 2);
        } else {
            const int input = withStdin ? in[0] : ::open("/dev/null", O_RDONLY);
            ::dup2(input, 0);
            ::dup2(out[1], 1);
            ::dup2(err[1], 2);
        }
        ::dup2(info[1], 3);  // the sandbox's --info-fd 3 (no close-on-exec on the copy)
        // Into the container's cgroups before the sandbox starts: everything it runs is inside.
        const std::string pid = std::to_string(::getpid());
        for (const std::string &procs : options.cgroupProcs) {
            const int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
            if (fd < 0 || ::write(fd, pid.data(), pid.size()) != ssize_t(pid.size())) {
                std::fprintf(stderr, "clusterdeck-shim: cannot join the cgroup %s: %s\n", procs.c_str(),
                             std::strerror(errno));
                ::_exit(127);
            }
            ::close(fd);
        }
        // Then into the pod's namespaces (joining the user namespace first makes the cgroup
        // files above another user's).
        if (namespaceError.empty())
            if (const cd::Status joined = cd::netns::joinNamespaces(namespaceFds); !joined.ok())
                namespaceError = joined.error().message;
        if (!namespaceError.empty()) {
            std::fprintf(stderr, "clusterdeck-shim: cannot join the pod's namespaces: %s\n", namespaceError.c_str());
            ::_exit(125);
        }
        ::execvp(options.argv[0], options.argv.data());
        std::fprintf(stderr, "clusterdeck-shim: cannot run %s: %s\n", options.argv[0], std::strerror(errno));
        ::_exit(127);
    }
    for (int fd : namespaceFds)
        ::close(fd);
    ::close(out[1]);
    ::close(err[1]);
    ::close(info[1]);
    if (withStdin)
        ::close(in[0]);
    if (withTty) {
        // The terminal's output is the container's stdout; it ends (EIO) when the last holder
        // of the other end has gone. Typed input goes to the terminal, not to a pipe.
        ::close(slave);
        ::close(out[0]);
        ::close(err[0]);
        out[0] = master;
        if (withStdin) {
            ::close(in[1]);
            in[1] = master;
        }
    }
    // Non-blocking: opening does not wait for a writer, and a FIFO that never had one does not
    // report a hang-up (Linux), so it sits quietly in the poll set until someone writes.
    const auto openFifo = [&]() { return ::open(options.stdinFifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC); };
    int fifo = withStdin ? openFifo() : -1;
    const auto openResizeFifo = [&]() {
        return ::open(options.resizeFifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    };
    int resizeFifo = withTty ? openResizeFifo() : -1;
    std::string resizeText;
    writeFileAtomically(options.dir + "/shim.json",
                        "{\"shimPid\":" + std::to_string(::getpid()) + ",\"sandboxPid\":" + std::to_string(child) + "}\n");

    LogFile log(options.log, options.logMaxBytes, options.logMaxFiles);
    LineSplitter stdoutLines(log, "stdout", withTty), stderrLines(log, "stderr");
    const int childFd = static_cast<int>(::syscall(SYS_pidfd_open, child, 0));

    std::string infoText;
    std::optional<FileId> bubblewrap;
    bool started = false, exited = false;
    int status = 0;
    bool outOpen = true, errOpen = !withTty, infoOpen = true;
    char buffer[65536];
    while (!exited || outOpen || errOpen) {
        pollfd fds[6];
        int n = 0;
        const auto add = [&](bool open, int fd) {
            if (open)
                fds[n++] = {fd, POLLIN, 0};
            return open ? n - 1 : -1;
        };
        const int outAt = add(outOpen, out[0]);
        const int errAt = add(errOpen, err[0]);
        const int infoAt = add(infoOpen, info[0]);
        const int childAt = add(!exited && childFd >= 0, childFd);
        const int fifoAt = add(!exited && fifo >= 0, fifo);
        const int resizeAt = add(!exited && resizeFifo >= 0, resizeFifo);
        // Once the sandbox has exited, output still buffered in the pipes is drained; processes it
        // left behind holding them open (none, with a pid namespace) do not keep the shim alive.
        // While the sandbox is being set up (its pid known, its command not running yet), look
        // again every quarter of a millisecond: the engine reports Running no sooner.
        const bool settingUp = !started && !exited && parseChildPid(infoText) > 0;
        const long timeoutNs = exited ? 200'000'000L : settingUp ? 250'000L : (childFd >= 0 ? -1 : 100'000'000L);
        const timespec timeout{0, timeoutNs};
        const int ready = ::ppoll(fds, static_cast<nfds_t>(n), timeoutNs < 0 ? nullptr : &timeout, nullptr);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0 && exited)
            break;
        const auto readInto = [&](int at, int fd, bool &open, auto &&sink) {
            if (at < 0 || !(fds[at].revents & (POLLIN | POLLHUP | POLLERR)))
                return;
            const ssize_t got = ::read(fd, buffer, sizeof buffer);
            if (got > 0)
                sink(buffer, static_cast<size_t>(got));
            else if (got == 0 || (errno != EINTR && errno != EAGAIN))
                open = false;
        };
        readInto(outAt, out[0], outOpen, [&](const char *d, size_t s) { stdoutLines.feed(d, s); });
        readInto(errAt, err[0], errOpen, [&](const char *d, size_t s) { stderrLines.feed(d, s); });
        readInto(infoAt, info[0], infoOpen, [&](const char *d, size_t s) { infoText.append(d, s); });
        // A new size before what is typed with it: a command typed after a resize sees the size.
        if (resizeAt >= 0 && (fds[resizeAt].revents & (POLLIN | POLLHUP | POLLERR))) {
            const ssize_t got = ::read(resizeFifo, buffer, sizeof buffer);
            if (got > 0) {
                resizeText.append(buffer, static_cast<size_t>(got));
                applySizes(master, resizeText);
            } else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
                ::close(resizeFifo);  // its writer left: wait for the next
                resizeFifo = openResizeFifo();
                resizeText.clear();
            }
        }
        if (fifoAt >= 0 && (fds[fifoAt].revents & (POLLIN | POLLHUP | POLLERR))) {
            const ssize_t got = ::read(fifo, buffer, sizeof buffer);
            if (got > 0 && in[1] >= 0) {
                writeAll(in[1], buffer, static_cast<size_t>(got));
            } else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
                // The last writer left: the container's stdin ends (stdinOnce), or waits for the next.
                ::close(fifo);
                fifo = -1;
                if (options.stdinOnce) {
                    if (withTty)
                        writeAll(master, "\x04", 1);  // a terminal's end of input
                    else
                        ::close(in[1]);
                    in[1] = -1;
                } else {
                    fifo = openFifo();
                }
            }
        }
        if (!exited && (childAt < 0 ? ::waitpid(child, &status, WNOHANG) == child
                                    : (fds[childAt].revents & POLLIN) && ::waitpid(child, &status, 0) == child))
            exited = true;
        if (!started) {
            // Running once the sandbox runs the container's command (bubblewrap's --info-fd comes
            // before its mounts): an exec or hook joining the container then finds its volumes.
            const long pid = parseChildPid(infoText);
            if (pid > 0 && !bubblewrap)
                bubblewrap = programOf(child);  // read once: our child runs bubblewrap by now
            if (pid > 0 && (exited || sandboxCommandRunning(pid, bubblewrap))) {
                started = true;
                writeFileAtomically(options.dir + "/state.json",
                                    "{\"pid\":" + std::to_string(pid) + ",\"startedAt\":\"" + rfc3339Nano(startNs) +
                                        "\",\"startedAtNs\":" + std::to_string(startNs) + "}\n");
                notify(options.notifyFd);
            }
        }
    }
    stdoutLines.finish();
    stderrLines.finish();
    if (fifo >= 0)
        ::close(fifo);
    if (withStdin)
        ::unlink(options.stdinFifo.c_str());
    if (resizeFifo >= 0)
        ::close(resizeFifo);
    if (withTty)
        ::unlink(options.resizeFifo.c_str());
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    // Start errors (the sandbox could not be made, the command was not found) come before the
    // container ever ran: the engine reports them as StartError with the sandbox's own message.
    writeFileAtomically(options.dir + "/exit.json",
                        "{\"exitCode\":" + std::to_string(code) + ",\"started\":" + (started ? "true" : "false") +
                            ",\"finishedAt\":\"" + rfc3339Nano(nowNs()) + "\"}\n");
    notify(options.notifyFd);
    return 0;
}
