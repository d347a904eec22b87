#include "engine/runtime/network/holderprocess.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#if defined(__linux__)
#include <cerrno>
#include <csignal>

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace cd::runtime::network {

std::optional<std::uint64_t> processStartTime(int pid)
{
#if defined(__linux__)
    if (pid <= 0)
        return std::nullopt;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    std::FILE *file = std::fopen(path, "re");
    if (!file)
        return std::nullopt;
    char text[1024];
    const size_t size = std::fread(text, 1, sizeof text - 1, file);
    std::fclose(file);
    text[size] = '\0';
    // Field 2, the command name, may hold spaces and parentheses: fields are counted after the
    // last ')'. Then: " STATE f4 ... f21 STARTTIME".
    const char *cursor = std::strrchr(text, ')');
    if (!cursor)
        return std::nullopt;
    char state = '\0';
    if (std::sscanf(cursor + 1, " %c", &state) != 1 || state == 'Z' || state == 'X')
        return std::nullopt; // dead, only waiting for its parent to reap it
    for (int field = 2; field < 22 && cursor; ++field)
        cursor = std::strchr(cursor + 1, ' ');
    unsigned long long startTime = 0;
    if (!cursor || std::sscanf(cursor + 1, "%llu", &startTime) != 1)
        return std::nullopt;
    return startTime;
#else
    (void)pid;
    return std::nullopt;
#endif
}

bool isRunning(const HolderProcess &holder)
{
    return holder.pid > 0 && processStartTime(holder.pid) == holder.startTime;
}

Status terminateHolder(const HolderProcess &holder, std::chrono::milliseconds timeout)
{
#if defined(__linux__)
    if (holder.pid <= 0)
        return {};
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
    // A pidfd names one process for good: checked once, it cannot be a reused pid when signalled,
    // and it becomes readable the moment the process exits.
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, holder.pid, 0));
    if (pidfd >= 0) {
        Status status;
        if (processStartTime(holder.pid) == holder.startTime) {
            if (::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0) != 0 && errno != ESRCH) {
                status = Error::internal("cannot kill namespace holder " + std::to_string(holder.pid) + ": " +
                                         std::strerror(errno));
            } else {
                pollfd exited{pidfd, POLLIN, 0};
                int ready;
                do {
                    ready = ::poll(&exited, 1, static_cast<int>(timeout.count()));
                } while (ready < 0 && errno == EINTR);
                if (ready == 0)
                    status = Error::internal("namespace holder " + std::to_string(holder.pid) + " does not die");
            }
        }
        ::close(pidfd);
        return status;
    }
    if (errno == ESRCH)
        return {};
#endif
    // No pidfd (kernels before 5.3): check, signal and watch /proc.
    if (!isRunning(holder))
        return {};
    if (::kill(holder.pid, SIGKILL) != 0 && errno != ESRCH)
        return Error::internal("cannot kill namespace holder " + std::to_string(holder.pid) + ": " +
                               std::strerror(errno));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (isRunning(holder)) {
        if (std::chrono::steady_clock::now() > deadline)
            return Error::internal("namespace holder " + std::to_string(holder.pid) + " does not die");
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return {};
#else
    (void)holder;
    (void)timeout;
    return {};
#endif
}

} // namespace cd::runtime::network
