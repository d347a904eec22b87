#include "namespaces.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cd::netns {

namespace {

std::string errnoText(const std::string &what, int error = errno)
{
    return what + ": " + std::strerror(error);
}

Status writeProcFile(const char *path, const std::string &text)
{
    const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return Error::internal(errnoText(std::string("open ") + path));
    const ssize_t written = ::write(fd, text.data(), text.size());
    const int error = errno;
    ::close(fd);
    if (written != static_cast<ssize_t>(text.size()))
        return Error::internal(errnoText(std::string("write ") + path, error));
    return {};
}

[[noreturn]] void holdForever()
{
    // Nothing to keep: a holder must not keep the engine's pipes (or anything else) open.
    ::close_range(0, ~0u, 0);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    for (;;)
        ::pause();
}

} // namespace

Status createClusterNamespaces()
{
    // Read before unshare: inside, until the maps are written, we are the overflow uid.
    const uid_t uid = ::geteuid();
    const gid_t gid = ::getegid();
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) != 0)
        return Error::internal(errnoText("unshare(CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWIPC|CLONE_NEWUTS)"));
    // An unprivileged process may map its own gid only once setgroups is denied.
    if (::access("/proc/self/setgroups", F_OK) == 0)
        CD_CHECK(writeProcFile("/proc/self/setgroups", "deny"));
    CD_CHECK(writeProcFile("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1\n"));
    CD_CHECK(writeProcFile("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1\n"));
    becomeDumpable();
    return {};
}

Result<Holder> spawnHolder(const char *processName)
{
    const pid_t pid = ::fork();
    if (pid < 0)
        return Error::internal(errnoText("fork"));
    if (pid == 0) {
        // Only async-signal-safe calls: the helper may have other threads.
        ::setsid(); // not in the helper's process group: nothing aimed at it reaches the holder
        ::prctl(PR_SET_NAME, processName);
        holdForever();
    }
    // The task and its start time exist as soon as fork() returns, whether it has run or not.
    const auto startTime = processStartTime(pid);
    if (!startTime) {
        ::kill(pid, SIGKILL);
        return Error::internal("the namespace holder died while starting");
    }
    return Holder{pid, *startTime};
}

Result<std::vector<int>> openNamespaces(const Holder &holder, const std::vector<std::string> &names)
{
    std::vector<int> fds;
    auto closeAll = [&] {
        for (int fd : fds)
            ::close(fd);
    };
    if (processStartTime(holder.pid) != holder.startTime)
        return Error::notFound("namespace holder " + std::to_string(holder.pid) + " is gone");
    for (const std::string &name : names) {
        const std::string path = "/proc/" + std::to_string(holder.pid) + "/ns/" + name;
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            const int error = errno;
            closeAll();
            return Error::internal(errnoText("open " + path, error));
        }
        fds.push_back(fd);
    }
    // Checked again now that the files are open: a pid reused in between would show here.
    if (processStartTime(holder.pid) != holder.startTime) {
        closeAll();
        return Error::notFound("namespace holder " + std::to_string(holder.pid) + " is gone");
    }
    return fds;
}

Status joinNamespaces(const std::vector<int> &fds)
{
    for (int fd : fds) {
        struct stat target {};
        if (::fstat(fd, &target) != 0)
            return Error::internal(errnoText("fstat namespace"));
        const int type = ::ioctl(fd, NS_GET_NSTYPE);
        const char *name = type == CLONE_NEWUSER  ? "user"
                           : type == CLONE_NEWNET ? "net"
                           : type == CLONE_NEWIPC ? "ipc"
                           : type == CLONE_NEWUTS ? "uts"
                                                  : nullptr;
        if (!name)
            return Error::internal("not a namespace this helper joins");
        struct stat own {};
        const std::string ownPath = std::string("/proc/thread-self/ns/") + name;
        if (::stat(ownPath.c_str(), &own) == 0 && own.st_ino == target.st_ino && own.st_dev == target.st_dev)
            continue;
        if (::setns(fd, type) != 0)
            return Error::internal(errnoText(std::string("setns ") + name));
    }
    return {};
}

Result<std::vector<int>> openOwnNamespaces(const std::vector<std::string> &names)
{
    std::vector<int> fds;
    for (const std::string &name : names) {
        const std::string path = "/proc/thread-self/ns/" + name;
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            const int error = errno;
            for (int open : fds)
                ::close(open);
            return Error::internal(errnoText("open " + path, error));
        }
        fds.push_back(fd);
    }
    return fds;
}

void becomeDumpable()
{
    ::prctl(PR_SET_DUMPABLE, 1);
}

} // namespace cd::netns
