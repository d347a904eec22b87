#include "sockets.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cd::netns {

namespace {

std::string errnoText(const std::string &what, int error = errno)
{
    return what + ": " + std::strerror(error);
}

} // namespace

bool parseSocketKind(const std::string &text, SocketKind &kind)
{
    if (text == "tcp")
        kind = SocketKind::Tcp;
    else if (text == "udp")
        kind = SocketKind::Udp;
    else
        return false;
    return true;
}

Result<int> openSocket(SocketKind kind)
{
    const int type = kind == SocketKind::Tcp ? SOCK_STREAM : SOCK_DGRAM;
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error::internal(errnoText("socket"));
    return fd;
}

Result<int> openBoundSocket(SocketKind kind, in_addr address, int port)
{
    CD_TRY(const int fd, openSocket(kind));
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in where{};
    where.sin_family = AF_INET;
    where.sin_addr = address;
    where.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&where), sizeof where) != 0) {
        const int error = errno;
        ::close(fd);
        return Error::internal(errnoText("bind", error));
    }
    return fd;
}

Status writeNetworkSysctl(const std::string &name, const std::string &value)
{
    const bool allowed = (name.rfind("net.ipv4.", 0) == 0 || name.rfind("net.ipv6.", 0) == 0 ||
                          name.rfind("net.bridge.bridge-nf-call-", 0) == 0) &&
                         name.find("..") == std::string::npos && name.find('/') == std::string::npos;
    if (!allowed || value.empty() || value.find('\n') != std::string::npos)
        return Error::badRequest("not a network setting: " + name);
    std::string path = "/proc/sys/" + name;
    for (size_t i = 10; i < path.size(); ++i) {
        if (path[i] == '.')
            path[i] = '/';
    }
    // /proc/sys/net shows the network namespace of whoever opens it: the cluster's, here.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return Error::internal(errnoText("open " + path));
    const std::string text = value + "\n";
    const ssize_t written = ::write(fd, text.data(), text.size());
    const int error = errno;
    ::close(fd);
    if (written != static_cast<ssize_t>(text.size()))
        return Error::internal(errnoText("write " + path, error));
    return {};
}

bool sendLine(int fd, const std::string &line, const std::vector<int> &descriptors)
{
    if (descriptors.empty()) {
        // A plain write: stdout may be a pipe when a person runs the helper by hand.
        for (size_t done = 0; done < line.size();) {
            const ssize_t written = ::write(fd, line.data() + done, line.size() - done);
            if (written < 0 && errno == EINTR)
                continue;
            if (written <= 0)
                return false;
            done += static_cast<size_t>(written);
        }
        return true;
    }
    size_t done = 0;
    bool first = true;
    while (done < line.size()) {
        iovec part{const_cast<char *>(line.data() + done), line.size() - done};
        msghdr message{};
        message.msg_iov = &part;
        message.msg_iovlen = 1;
        std::vector<char> control;
        // The descriptors ride on the first byte; the rest of a long line follows plainly.
        if (first) {
            control.resize(CMSG_SPACE(sizeof(int) * descriptors.size()), 0);
            message.msg_control = control.data();
            message.msg_controllen = control.size();
            cmsghdr *header = CMSG_FIRSTHDR(&message);
            header->cmsg_level = SOL_SOCKET;
            header->cmsg_type = SCM_RIGHTS;
            header->cmsg_len = CMSG_LEN(sizeof(int) * descriptors.size());
            std::memcpy(CMSG_DATA(header), descriptors.data(), sizeof(int) * descriptors.size());
        }
        const ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent <= 0)
            return false;
        first = false;
        done += static_cast<size_t>(sent);
    }
    return true;
}

} // namespace cd::netns
