#include "engine/proxy/hostports.h"

#include <QtGlobal>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cd::proxy {

namespace {

bool loopback(const std::string &ip)
{
    in_addr address{};
    return ::inet_pton(AF_INET, ip.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

std::optional<sockaddr_in> socketAddress(const std::string &ip, int port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(std::uint16_t(port));
    if (port <= 0 || port > 65535 || ::inet_pton(AF_INET, ip.c_str(), &address.sin_addr) != 1)
        return std::nullopt;
    return address;
}

} // namespace

std::vector<HostPortMapping> hostPortMappings(const std::vector<ServicePortInfo> &ports)
{
    std::vector<HostPortMapping> mappings;
    std::set<std::string> taken;
    const auto add = [&](const std::string &ip, int port, const ServicePortInfo &service) {
        HostPortMapping mapping{ip, port, service.clusterIp, service.port};
        if (loopback(ip) && port > 0 && port <= 65535 && taken.insert(mapping.listenAddress()).second)
            mappings.push_back(std::move(mapping));
    };
    for (const ServicePortInfo &port : ports) {
        if (port.protocol != "TCP")
            continue;
        if (port.nodePort > 0)
            add("127.0.0.1", port.nodePort, port);
        for (const std::string &ip : port.loadBalancerIps)
            add(ip, port.port, port);
    }
    return mappings;
}

Result<int> listenTcp(const std::string &ip, int port, int backlog)
{
    const auto address = socketAddress(ip, port);
    if (!address)
        return Error::badRequest("not an address to listen on: " + ip + ":" + std::to_string(port));
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return Error::internal(std::string("socket: ") + std::strerror(errno));
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&*address), sizeof *address) != 0 || ::listen(fd, backlog) != 0) {
        const int error = errno;
        ::close(fd);
        return Error::internal(std::string(std::strerror(error)));
    }
    return fd;
}

HostPortRelays::~HostPortRelays()
{
    for (const auto &[address, open] : m_open)
        m_relay.removeListener(open.id);
}

void HostPortRelays::apply(const std::vector<HostPortMapping> &mappings)
{
    std::map<std::string, const HostPortMapping *> wanted;
    for (const HostPortMapping &mapping : mappings)
        wanted.emplace(mapping.listenAddress(), &mapping);
    for (auto it = m_open.begin(); it != m_open.end();) {
        const auto want = wanted.find(it->first);
        if (want != wanted.end() && *want->second == it->second.mapping) {
            ++it;
            continue;
        }
        m_relay.removeListener(it->second.id);
        it = m_open.erase(it);
    }
    std::map<std::string, std::string> failures;
    for (const auto &[address, mapping] : wanted) {
        if (m_open.count(address))
            continue;
        const auto target = socketAddress(mapping->targetIp, mapping->targetPort);
        Result<int> listener = target ? listenTcp(mapping->listenIp, mapping->listenPort)
                                      : Result<int>(Error::badRequest("bad target " + mapping->targetIp));
        if (!listener.ok()) {
            if (!m_failures.count(address))
                qWarning("service proxy: cannot listen on %s for %s:%d: %s", address.c_str(), mapping->targetIp.c_str(),
                         mapping->targetPort, listener.error().message.c_str());
            failures[address] = listener.error().message;
            continue;
        }
        m_open[address] = {*mapping, m_relay.addListener(*listener, *target, m_source)};
    }
    m_failures = std::move(failures);
}

} // namespace cd::proxy
