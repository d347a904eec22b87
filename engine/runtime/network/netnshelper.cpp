#include "engine/runtime/network/netnshelper.h"

#include <QFile>

#if defined(__linux__)

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace cd::runtime::network {

namespace {

std::vector<std::string> splitWords(const std::string &line)
{
    std::vector<std::string> words;
    std::istringstream stream(line);
    for (std::string word; stream >> word;)
        words.push_back(word);
    return words;
}

// A decimal number, or nullopt (no exceptions across the engine).
std::optional<unsigned long long> parseNumber(const std::string &text)
{
    if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::strtoull(text.c_str(), nullptr, 10);
}

std::string errnoText(const char *what, int error = errno)
{
    return std::string(what) + ": " + std::strerror(error);
}

} // namespace

std::optional<HolderProcess> parseHolder(const std::string &pid, const std::string &startTime)
{
    const auto pidNumber = parseNumber(pid);
    const auto start = parseNumber(startTime);
    if (!pidNumber || !start || *pidNumber == 0 || *pidNumber > 0x7fffffff)
        return std::nullopt;
    return HolderProcess{static_cast<int>(*pidNumber), *start};
}

Result<std::unique_ptr<NetnsHelper>> NetnsHelper::start(const QString &helper, const std::vector<std::string> &args,
                                                        std::chrono::milliseconds timeout)
{
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        return Error::internal(errnoText("socketpair"));
    // The helper's stdin and stdout are its end of the pair; stderr stays the engine's (its log).
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pair[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pair[1], STDOUT_FILENO);
    // Its own process group (a ^C for the engine is the engine's to handle), default signal
    // handling and no blocked signals, whatever the calling thread has.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

    const QByteArray path = QFile::encodeName(helper);
    std::vector<std::string> argvStrings{path.toStdString(), "serve"};
    argvStrings.insert(argvStrings.end(), args.begin(), args.end());
    std::vector<char *> argv;
    for (std::string &arg : argvStrings)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, path.constData(), &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(pair[1]);
    if (spawned != 0) {
        ::close(pair[0]);
        return Error::internal("cannot run " + helper.toStdString() + ": " + std::strerror(spawned));
    }
    std::unique_ptr<NetnsHelper> self(new NetnsHelper(pair[0], pid, timeout));
    CD_TRY(const std::string ready, self->readLine());
    const std::vector<std::string> words = splitWords(ready);
    if (words.size() == 3 && words[0] == "ready") {
        const auto holder = parseHolder(words[1], words[2]);
        if (holder) {
            self->m_clusterHolder = *holder;
            return self;
        }
    }
    const std::string message = ready.rfind("error ", 0) == 0 ? ready.substr(6) : "unexpected answer: " + ready;
    return Error::internal("clusterdeck-netns: " + message);
}

NetnsHelper::~NetnsHelper()
{
    stop();
}

void NetnsHelper::stop()
{
    closeReceived();
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (m_pid <= 0)
        return;
    // End of input ends the helper at once; it is killed only when stuck.
    for (int waited = 0; waited < 2000; ++waited) {
        const pid_t done = ::waitpid(m_pid, nullptr, WNOHANG);
        if (done == m_pid || (done < 0 && errno == ECHILD)) {
            m_pid = 0;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = 0;
}

Result<std::string> NetnsHelper::readLine()
{
    const auto deadline = std::chrono::steady_clock::now() + m_timeout;
    for (;;) {
        const size_t end = m_pending.find('\n');
        if (end != std::string::npos) {
            std::string line = m_pending.substr(0, end);
            m_pending.erase(0, end + 1);
            return line;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd waitFor{m_fd, POLLIN, 0};
        const int ready = left.count() > 0 ? ::poll(&waitFor, 1, static_cast<int>(left.count())) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0) {
            stop();
            return Error::internal("clusterdeck-netns did not answer within " + std::to_string(m_timeout.count()) +
                                   " ms");
        }
        char buffer[4096];
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 64)];
        iovec part{buffer, sizeof buffer};
        msghdr message{};
        message.msg_iov = &part;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        const ssize_t got = ::recvmsg(m_fd, &message, MSG_CMSG_CLOEXEC);
        for (cmsghdr *header = got > 0 ? CMSG_FIRSTHDR(&message) : nullptr; header;
             header = CMSG_NXTHDR(&message, header)) {
            if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS)
                continue;
            const size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < count; ++i) {
                int fd = -1;
                std::memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof fd);
                m_received.push_back(fd);
            }
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            stop();
            return Error::internal("clusterdeck-netns exited (its messages are in the engine's log)");
        }
        m_pending.append(buffer, static_cast<size_t>(got));
    }
}

void NetnsHelper::closeReceived()
{
    for (int fd : m_received)
        ::close(fd);
    m_received.clear();
}

Result<std::vector<std::string>> NetnsHelper::request(const std::string &line)
{
    CD_TRY(Answer answer, requestWithDescriptors(line));
    for (int fd : answer.descriptors)
        ::close(fd);  // none expected
    return std::move(answer.words);
}

Result<NetnsHelper::Answer> NetnsHelper::requestWithDescriptors(const std::string &line)
{
    closeReceived();
    if (m_fd < 0) {
        Error gone = Error::internal("clusterdeck-netns is not running");
        gone.kind = ErrorKind::ServiceUnavailable;
        return gone;
    }
    const std::string text = line + "\n";
    size_t sent = 0;
    while (sent < text.size()) {
        const ssize_t done = ::send(m_fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0) {
            // Gone before the request reached it: nothing was done, so it is safe to ask again.
            stop();
            Error gone = Error::internal(errnoText("clusterdeck-netns"));
            gone.kind = ErrorKind::ServiceUnavailable;
            return gone;
        }
        sent += static_cast<size_t>(done);
    }
    auto answer = readLine();
    if (!answer.ok()) {
        closeReceived();
        return answer.takeError();
    }
    std::vector<std::string> words = splitWords(*answer);
    if (!words.empty() && words[0] == "ok") {
        words.erase(words.begin());
        Answer result{std::move(words), std::move(m_received)};
        m_received.clear();
        return result;
    }
    closeReceived();
    return Error::internal("clusterdeck-netns: " + (answer->rfind("error ", 0) == 0 ? answer->substr(6) : *answer));
}

} // namespace cd::runtime::network

#else // Only Linux has the namespaces this helper works in: ClusterNetwork never starts it elsewhere.

namespace cd::runtime::network {

std::optional<HolderProcess> parseHolder(const std::string &, const std::string &)
{
    return std::nullopt;
}

Result<std::unique_ptr<NetnsHelper>> NetnsHelper::start(const QString &, const std::vector<std::string> &,
                                                        std::chrono::milliseconds)
{
    return Error::internal("clusterdeck-netns runs on Linux only");
}

NetnsHelper::~NetnsHelper() = default;
void NetnsHelper::stop()
{
}
Result<std::string> NetnsHelper::readLine()
{
    return Error::internal("clusterdeck-netns runs on Linux only");
}
Result<std::vector<std::string>> NetnsHelper::request(const std::string &)
{
    return Error::internal("clusterdeck-netns runs on Linux only");
}
Result<NetnsHelper::Answer> NetnsHelper::requestWithDescriptors(const std::string &)
{
    return Error::internal("clusterdeck-netns runs on Linux only");
}
void NetnsHelper::closeReceived()
{
}

} // namespace cd::runtime::network

#endif
