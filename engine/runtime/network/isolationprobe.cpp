#include "engine/runtime/network/isolationprobe.h"

#if defined(__linux__)
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace cd::runtime::network {

#if defined(__linux__)

namespace {

enum class ProbeStage : int { Done, Unshare, SetGroups, UidMap, GidMap, LinkUp };

struct ProbeResult {
    ProbeStage stage = ProbeStage::Done;
    int error = 0;
};

// Only system calls from here on: the child of a multi-threaded process may not allocate.
bool writeAll(const char *path, const char *text, size_t size)
{
    const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::write(fd, text, size) == static_cast<ssize_t>(size);
    const int error = errno;
    ::close(fd);
    errno = error;
    return ok;
}

ProbeResult probeInChild(const std::string &uidMap, const std::string &gidMap)
{
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
        return {ProbeStage::Unshare, errno};
    if (::access("/proc/self/setgroups", F_OK) == 0 && !writeAll("/proc/self/setgroups", "deny", 4))
        return {ProbeStage::SetGroups, errno};
    if (!writeAll("/proc/self/uid_map", uidMap.data(), uidMap.size()))
        return {ProbeStage::UidMap, errno};
    if (!writeAll("/proc/self/gid_map", gidMap.data(), gidMap.size()))
        return {ProbeStage::GidMap, errno};
    // Where AppArmor restricts user namespaces, unshare works but grants no capability: this
    // is the first thing that fails.
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq request{};
    std::memcpy(request.ifr_name, "lo", 3);
    if (fd < 0 || ::ioctl(fd, SIOCGIFFLAGS, &request) != 0)
        return {ProbeStage::LinkUp, errno};
    request.ifr_flags |= IFF_UP;
    if (::ioctl(fd, SIOCSIFFLAGS, &request) != 0)
        return {ProbeStage::LinkUp, errno};
    return {};
}

std::string sysctlHint(const char *path, const char *name)
{
    std::ifstream file(path);
    std::string value;
    if (file >> value && value == "0")
        return std::string("; ") + name + " is 0";
    return {};
}

std::string sysctlSetHint(const char *path, const char *name)
{
    std::ifstream file(path);
    std::string value;
    if (file >> value && value == "1")
        return std::string("; ") + name + " is 1";
    return {};
}

} // namespace

std::string userNamespaceProblem()
{
    // Formatted before fork(): the child must not allocate.
    const std::string uidMap = "0 " + std::to_string(::geteuid()) + " 1\n";
    const std::string gidMap = "0 " + std::to_string(::getegid()) + " 1\n";
    int channel[2];
    if (::pipe2(channel, O_CLOEXEC) != 0)
        return std::string("cannot probe user namespaces: pipe: ") + std::strerror(errno);
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int error = errno;
        ::close(channel[0]);
        ::close(channel[1]);
        return std::string("cannot probe user namespaces: fork: ") + std::strerror(error);
    }
    if (pid == 0) {
        const ProbeResult result = probeInChild(uidMap, gidMap);
        (void)!::write(channel[1], &result, sizeof result);
        ::_exit(0);
    }
    ::close(channel[1]);
    ProbeResult result;
    ssize_t got;
    do {
        got = ::read(channel[0], &result, sizeof result);
    } while (got < 0 && errno == EINTR);
    ::close(channel[0]);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    if (got != sizeof result)
        return "cannot probe user namespaces: the probe died";
    if (result.stage == ProbeStage::Done)
        return {};
    const char *step = result.stage == ProbeStage::Unshare     ? "unshare(CLONE_NEWUSER|CLONE_NEWNET)"
                       : result.stage == ProbeStage::SetGroups ? "writing /proc/self/setgroups"
                       : result.stage == ProbeStage::UidMap    ? "writing /proc/self/uid_map"
                       : result.stage == ProbeStage::GidMap    ? "writing /proc/self/gid_map"
                                                               : "bringing lo up in a new network namespace";
    return std::string("user namespaces are not available (") + step + ": " + std::strerror(result.error) +
           sysctlHint("/proc/sys/user/max_user_namespaces", "user.max_user_namespaces") +
           sysctlHint("/proc/sys/kernel/unprivileged_userns_clone", "kernel.unprivileged_userns_clone") +
           sysctlSetHint("/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
                         "kernel.apparmor_restrict_unprivileged_userns") +
           ")";
}

#else

std::string userNamespaceProblem()
{
    return "network namespaces are a Linux feature";
}

#endif

} // namespace cd::runtime::network
