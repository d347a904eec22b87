#include "engine/runtime/process/containerexec.h"

#include "engine/runtime/process/sandboxcommand.h"

#include <QFile>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace cd::runtime::process {
namespace {

// The kernel's numbers for the default container capabilities (sandboxcommand's names).
std::uint64_t defaultCapabilityMask()
{
    static const std::map<std::string, int> numbers = {
        {"CAP_CHOWN", CAP_CHOWN},       {"CAP_DAC_OVERRIDE", CAP_DAC_OVERRIDE}, {"CAP_FSETID", CAP_FSETID},
        {"CAP_FOWNER", CAP_FOWNER},     {"CAP_MKNOD", CAP_MKNOD},               {"CAP_NET_RAW", CAP_NET_RAW},
        {"CAP_SETGID", CAP_SETGID},     {"CAP_SETUID", CAP_SETUID},             {"CAP_SETFCAP", CAP_SETFCAP},
        {"CAP_SETPCAP", CAP_SETPCAP},   {"CAP_NET_BIND_SERVICE", CAP_NET_BIND_SERVICE},
        {"CAP_SYS_CHROOT", CAP_SYS_CHROOT}, {"CAP_KILL", CAP_KILL},             {"CAP_AUDIT_WRITE", CAP_AUDIT_WRITE}};
    std::uint64_t mask = 0;
    for (const std::string &name : defaultCapabilities())
        if (auto it = numbers.find(name); it != numbers.end())
            mask |= std::uint64_t(1) << it->second;
    return mask;
}

std::uint64_t inodeOf(const std::string &path)
{
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0 ? std::uint64_t(st.st_ino) : 0;
}

void writeText(int fd, const char *text) { (void)!::write(fd, text, std::strlen(text)); }

// Sends `fd` (or, with -1, nothing but a byte) over the unix socket `channel`.
void sendDescriptor(int channel, int fd)
{
    char byte = fd >= 0 ? 1 : 0;
    iovec io{&byte, 1};
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (fd >= 0) {
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(header), &fd, sizeof(int));
    }
    (void)!::sendmsg(channel, &message, MSG_NOSIGNAL);
}

// The descriptor sendDescriptor sent, -1 when none came within two seconds.
int receiveDescriptor(int channel)
{
    pollfd ready{channel, POLLIN, 0};
    if (::poll(&ready, 1, 2000) != 1)
        return -1;
    char byte = 0;
    iovec io{&byte, 1};
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    if (::recvmsg(channel, &message, MSG_CMSG_CLOEXEC) != 1 || byte != 1)
        return -1;
    for (cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header))
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
            int fd = -1;
            std::memcpy(&fd, CMSG_DATA(header), sizeof(int));
            return fd;
        }
    return -1;
}

// Only async-signal-safe calls from here on: this runs in the child of a fork of a threaded process.
// With a tty, `ptyChannel` takes the master of a terminal made in the container's own devpts
// (so `tty` names it there); when that cannot be made, the host's terminal given as in/out/err
// serves and nothing is sent.
[[noreturn]] void runInContainer(const int nsFds[6], const int nsTypes[6], const char *dir, char *const argv[],
                                 char *const envp[], int in, int out, int err, bool tty, std::uint64_t caps,
                                 int ptyChannel)
{
    for (int i = 0; i < 6; ++i)
        if (nsFds[i] >= 0 && ::setns(nsFds[i], nsTypes[i]) != 0) {
            writeText(err, "exec: cannot enter the container's namespaces\n");
            ::_exit(126);
        }
    if (tty && ptyChannel >= 0) {
        const int master = ::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        int unlock = 0;
        const int slave = master >= 0 && ::ioctl(master, TIOCSPTLCK, &unlock) == 0
                              ? ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY)
                              : -1;
        sendDescriptor(ptyChannel, slave >= 0 ? master : -1);
        if (slave >= 0)
            in = out = err = slave;
        if (master >= 0)
            ::close(master);
        ::close(ptyChannel);
    }
    if (::chdir(dir) != 0)
        (void)!::chdir("/");
    const pid_t command = ::fork();  // the pid namespace applies to children only
    if (command < 0)
        ::_exit(126);
    if (command == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::setsid();
        if (tty)
            ::ioctl(in, TIOCSCTTY, 0);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        for (int cap = 0; cap <= CAP_LAST_CAP; ++cap)
            if (!(caps & (std::uint64_t(1) << cap)))
                ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
        __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct data[2] = {};
        data[0].effective = data[0].permitted = data[0].inheritable = std::uint32_t(caps);
        data[1].effective = data[1].permitted = data[1].inheritable = std::uint32_t(caps >> 32);
        ::syscall(SYS_capset, &header, data);
        ::execvpe(argv[0], argv, envp);
        const int why = errno;
        writeText(2, "exec: \"");
        writeText(2, argv[0]);
        writeText(2, why == ENOENT ? "\": executable file not found in $PATH\n" : "\": permission denied\n");
        ::_exit(why == ENOENT ? 127 : 126);
    }
    // This waiter keeps no end of the command's pipes: its stdin must see the end when the
    // client closes it.
    ::syscall(SYS_close_range, 3, ~0U, 0);
    int status = 0;
    while (::waitpid(command, &status, 0) < 0 && errno == EINTR) {
    }
    ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

} // namespace

Result<std::unique_ptr<ProcessExecSession>> ProcessExecSession::start(const ExecTarget &target, const ExecSpec &spec)
{
    if (target.containerPid <= 0)
        return Error::badRequest("the container is not running");
    if (spec.command.empty())
        return Error::badRequest("no command to execute");
    const std::string proc = "/proc/" + std::to_string(target.containerPid);

    // Everything the child needs is prepared here: it may not allocate after the fork.
    const char *names[6] = {"user", "mnt", "ipc", "uts", "net", "pid"};
    const int types[6] = {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWPID};
    int fds[6];
    for (int i = 0; i < 6; ++i) {
        const std::string mine = std::string("/proc/self/ns/") + names[i];
        const std::string theirs = proc + "/ns/" + names[i];
        // Joining one's own user namespace is refused by the kernel, and pointless for the rest.
        fds[i] = inodeOf(mine) == inodeOf(theirs) ? -1 : ::open(theirs.c_str(), O_RDONLY | O_CLOEXEC);
        if (inodeOf(mine) != inodeOf(theirs) && fds[i] < 0) {
            for (int j = 0; j < i; ++j)
                if (fds[j] >= 0)
                    ::close(fds[j]);
            return Error::badRequest("the container's process is gone");
        }
    }
    QFile environ(QString::fromStdString(proc + "/environ"));
    std::vector<std::string> env;
    if (environ.open(QIODevice::ReadOnly))
        for (const QByteArray &pair : environ.readAll().split('\0'))
            if (!pair.isEmpty())
                env.push_back(pair.toStdString());
    std::vector<std::string> args = spec.command;
    std::vector<char *> argv, envp;
    for (std::string &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    for (std::string &e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    const std::string dir = target.workingDir.empty() ? std::string("/") : target.workingDir;

    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    int master = -1, slave = -1;
    int ptyChannel[2] = {-1, -1};
    if (spec.tty) {
        master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0)
            return Error::internal("no pseudo-terminal for the command");
        slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
        (void)!::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ptyChannel);
    } else if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) {
        return Error::internal(std::string("pipe: ") + std::strerror(errno));
    }
    const std::uint64_t caps = defaultCapabilityMask();
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (spec.tty)
            runInContainer(fds, types, dir.c_str(), argv.data(), envp.data(), slave, slave, slave, true, caps,
                           ptyChannel[1]);
        runInContainer(fds, types, dir.c_str(), argv.data(), envp.data(), in[0], out[1], err[1], false, caps, -1);
    }
    for (int fd : fds)
        if (fd >= 0)
            ::close(fd);
    if (pid < 0)
        return Error::internal(std::string("fork: ") + std::strerror(errno));
    std::unique_ptr<ProcessExecSession> session(new ProcessExecSession());
    session->m_pid = pid;
    session->m_tty = spec.tty;
    if (spec.tty) {
        ::close(slave);
        if (ptyChannel[1] >= 0)
            ::close(ptyChannel[1]);
        // The container's own terminal when it could be made there; the host's otherwise.
        if (const int inside = ptyChannel[0] >= 0 ? receiveDescriptor(ptyChannel[0]) : -1; inside >= 0) {
            ::close(master);
            master = inside;
        }
        if (ptyChannel[0] >= 0)
            ::close(ptyChannel[0]);
        session->m_stdin = master;
        session->m_stdout = master;
    } else {
        ::close(in[0]);
        ::close(out[1]);
        ::close(err[1]);
        session->m_stdin = in[1];
        session->m_stdout = out[0];
        session->m_stderr = err[0];
        if (!spec.stdin)
            session->closeStdin();
    }
    session->watch();
    return session;
}

ProcessExecSession::~ProcessExecSession()
{
    if (!m_finished)
        kill();
    m_outNotifier.reset();
    m_errNotifier.reset();
    m_exitNotifier.reset();
    for (int fd : {m_stdout, m_stderr, m_pidFd})
        if (fd >= 0)
            ::close(fd);
    if (m_stdin >= 0 && m_stdin != m_stdout)
        ::close(m_stdin);
    if (m_pid > 0 && !m_finished)
        ::waitpid(m_pid, nullptr, 0);  // killed above: it ends at once
}

void ProcessExecSession::watch()
{
    m_outNotifier = std::make_unique<QSocketNotifier>(m_stdout, QSocketNotifier::Read);
    connect(m_outNotifier.get(), &QSocketNotifier::activated, this, [this] { readOutput(1); });
    if (m_stderr >= 0) {
        m_errNotifier = std::make_unique<QSocketNotifier>(m_stderr, QSocketNotifier::Read);
        connect(m_errNotifier.get(), &QSocketNotifier::activated, this, [this] { readOutput(2); });
    }
    m_pidFd = static_cast<int>(::syscall(SYS_pidfd_open, m_pid, 0));
    if (m_pidFd >= 0) {
        m_exitNotifier = std::make_unique<QSocketNotifier>(m_pidFd, QSocketNotifier::Read);
        connect(m_exitNotifier.get(), &QSocketNotifier::activated, this, [this] {
            m_exitNotifier->setEnabled(false);
            // Output still in the pipes comes first.
            QTimer::singleShot(20, this, &ProcessExecSession::reap);
        });
    }
}

void ProcessExecSession::readOutput(int stream)
{
    const int fd = stream == 1 ? m_stdout : m_stderr;
    char buffer[65536];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
        Q_EMIT output(stream, QByteArray(buffer, int(n)));
        return;
    }
    // End of output (a pty answers EIO once the command is gone).
    (stream == 1 ? m_outNotifier : m_errNotifier)->setEnabled(false);
}

void ProcessExecSession::reap()
{
    if (m_finished)
        return;
    // Drain what is left without blocking.
    for (int stream : {1, 2}) {
        const int fd = stream == 1 ? m_stdout : m_stderr;
        if (fd < 0)
            continue;
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        char buffer[65536];
        ssize_t n;
        while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
            Q_EMIT output(stream, QByteArray(buffer, int(n)));
    }
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) != m_pid) {
        QTimer::singleShot(20, this, &ProcessExecSession::reap);
        return;
    }
    m_finished = true;
    m_outNotifier.reset();
    m_errNotifier.reset();
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    Q_EMIT finished(code, QString());
}

void ProcessExecSession::writeStdin(const QByteArray &data)
{
    qsizetype done = 0;
    while (m_stdin >= 0 && done < data.size()) {
        const ssize_t n = ::write(m_stdin, data.constData() + done, size_t(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += n;
    }
}

void ProcessExecSession::closeStdin()
{
    if (m_tty) {
        // A terminal has no end of input: send the terminal's end-of-file character.
        const char eof = 4;
        (void)!::write(m_stdin, &eof, 1);
        return;
    }
    if (m_stdin >= 0)
        ::close(m_stdin);
    m_stdin = -1;
}

void ProcessExecSession::resize(int columns, int rows)
{
    if (!m_tty || columns <= 0 || rows <= 0)
        return;
    winsize size{};
    size.ws_col = static_cast<unsigned short>(columns);
    size.ws_row = static_cast<unsigned short>(rows);
    ::ioctl(m_stdout, TIOCSWINSZ, &size);
}

void ProcessExecSession::kill()
{
    if (m_pid > 0 && !m_finished)
        ::kill(m_pid, SIGKILL);  // the command dies with it (PR_SET_PDEATHSIG)
}

} // namespace cd::runtime::process
