#include "netnsserver.h"

#include "engine/runtime/network/netnsprotocol.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

namespace cd::netns {

namespace proto = cd::runtime::network::protocol;

namespace {

// Fixed and locally administered (02:...), so the gateway's MAC never changes under the pods.
constexpr std::array<std::uint8_t, 6> kBridgeMac = {0x02, 0xcd, 0x0a, 0xf4, 0x00, 0x01};

// Where the helper comes back to after making a pod's namespaces (joined in this order).
const std::vector<std::string> kHomeNamespaces = {"net", "ipc", "uts"};

std::vector<std::string> words(const std::string &line)
{
    std::vector<std::string> result;
    std::istringstream stream(line);
    for (std::string word; stream >> word;)
        result.push_back(word);
    return result;
}

bool parseAddress(const std::string &text, in_addr &address)
{
    return ::inet_pton(AF_INET, text.c_str(), &address) == 1;
}

bool parseInt(const std::string &text, int low, int high, int &value)
{
    char *end = nullptr;
    errno = 0;
    const long parsed = std::strtol(text.c_str(), &end, 10);
    if (errno || end == text.c_str() || *end || parsed < low || parsed > high)
        return false;
    value = static_cast<int>(parsed);
    return true;
}

bool validLinkName(const std::string &name)
{
    if (name.empty() || name.size() >= IFNAMSIZ)
        return false;
    for (char c : name) {
        if (c == '/' || c == ':' || c <= ' ')
            return false;
    }
    return true;
}

std::string answer(const Status &status)
{
    return status.ok() ? "ok" : "error " + status.error().message;
}

std::string errnoText(const std::string &what, int error = errno)
{
    return what + ": " + std::strerror(error);
}

} // namespace

NetnsServer::~NetnsServer()
{
    m_deleter.reset();
    for (int fd : m_home)
        ::close(fd);
}

Result<std::unique_ptr<NetnsServer>> NetnsServer::inCurrentNamespaces(const Holder &holder)
{
    std::unique_ptr<NetnsServer> server(new NetnsServer);
    server->m_holder = holder;
    CD_TRY(server->m_home, openOwnNamespaces(kHomeNamespaces));
    CD_TRY(server->m_netlink, RtNetlink::open());
    CD_TRY(server->m_loIndex, server->m_netlink.linkIndex("lo"));
    auto bridge = server->m_netlink.linkIndex(proto::kBridge);
    if (!bridge.ok())
        return Error::notFound("the cluster namespace of holder " + std::to_string(holder.pid) + " has no bridge");
    server->m_bridgeIndex = *bridge;
    // Its own socket, opened here: a netlink socket belongs to the namespace it was opened in.
    CD_TRY(RtNetlink deleterNetlink, RtNetlink::open());
    server->m_deleter = std::make_unique<LinkDeleter>(std::move(deleterNetlink));
    return server;
}

Result<std::unique_ptr<NetnsServer>> NetnsServer::create(in_addr gateway, int prefixLength)
{
    CD_CHECK(createClusterNamespaces());
    CD_TRY(RtNetlink netlink, RtNetlink::open());
    CD_TRY(const int lo, netlink.linkIndex("lo"));
    CD_CHECK(netlink.setLinkUp(lo));
    CD_CHECK(netlink.createBridge(proto::kBridge, kBridgeMac));
    CD_TRY(const int bridge, netlink.linkIndex(proto::kBridge));
    CD_CHECK(netlink.addAddress(bridge, gateway, prefixLength));
    CD_CHECK(netlink.setLinkUp(bridge));
    CD_TRY(const Holder holder, spawnHolder("cd-cluster"));
    auto server = inCurrentNamespaces(holder);
    if (!server.ok())
        ::kill(holder.pid, SIGKILL);
    return server;
}

Result<std::unique_ptr<NetnsServer>> NetnsServer::attach(const Holder &holder)
{
    CD_TRY(std::vector<int> fds, openNamespaces(holder, {"user", "net", "ipc", "uts"}));
    const Status joined = joinNamespaces(fds);
    for (int fd : fds)
        ::close(fd);
    CD_CHECK(joined);
    becomeDumpable();
    return inCurrentNamespaces(holder);
}

void NetnsServer::returnHome()
{
    const Status back = joinNamespaces(m_home);
    if (back.ok())
        return;
    // Every later request would act on the wrong namespaces: better to stop here.
    std::fprintf(stderr, "clusterdeck-netns: cannot return to the cluster namespaces: %s\n",
                 back.error().message.c_str());
    std::_Exit(70);
}

Result<Holder> NetnsServer::addPod(const std::string &veth, in_addr ip, int prefixLength, in_addr gateway,
                                   const std::string &hostname)
{
    // The pod's namespaces are made here and handed to a forked holder, so nothing waits for
    // a new process to be scheduled; then back home to plug the pod in.
    if (::unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) != 0)
        return Error::internal(errnoText("unshare(CLONE_NEWNET|CLONE_NEWIPC|CLONE_NEWUTS)"));
    Result<Holder> holder = Error::internal("not started");
    Result<RtNetlink> podNetlink = Error::internal("not opened");
    Result<std::vector<int>> podNet = Error::internal("not opened");
    if (::sethostname(hostname.data(), hostname.size()) != 0) {
        holder = Error::internal(errnoText("sethostname"));
    } else {
        podNet = openOwnNamespaces({"net"});
        podNetlink = RtNetlink::open();
        if (podNet.ok() && podNetlink.ok())
            holder = spawnHolder("cd-pod");
    }
    returnHome();
    if (!holder.ok() || !podNet.ok() || !podNetlink.ok()) {
        if (podNet.ok())
            ::close(podNet->front());
        return !podNet.ok() ? podNet.takeError() : !podNetlink.ok() ? podNetlink.takeError() : holder.takeError();
    }
    const Status configured = configurePod(podNet->front(), *podNetlink, veth, ip, prefixLength, gateway);
    ::close(podNet->front());
    if (!configured.ok()) {
        ::kill(holder->pid, SIGKILL);
        (void)m_netlink.deleteLink(veth);
        return configured.error();
    }
    return holder;
}

Status NetnsServer::configurePod(int podNetFd, RtNetlink &podNetlink, const std::string &veth, in_addr ip,
                                 int prefixLength, in_addr gateway)
{
    CD_CHECK(m_netlink.createVeth(veth, m_bridgeIndex, proto::kPodInterface, podNetFd));
    CD_TRY(const int lo, podNetlink.linkIndex("lo"));
    CD_CHECK(podNetlink.setLinkUp(lo));
    CD_TRY(const int eth0, podNetlink.linkIndex(proto::kPodInterface));
    CD_CHECK(podNetlink.addAddress(eth0, ip, prefixLength));
    CD_CHECK(podNetlink.setLinkUp(eth0));
    CD_CHECK(podNetlink.addDefaultRoute(eth0, gateway));
    return {};
}

// Down at once (no more traffic to the pod), renamed (its name is free for the next pod at
// once), deleted in the background.
Status NetnsServer::retireLink(const std::string &name)
{
    auto index = m_netlink.linkIndex(name);
    if (!index.ok())
        return index.error().kind == ErrorKind::NotFound ? Status() : Status(index.takeError());
    CD_CHECK(m_netlink.setLinkDown(*index));
    if (name.rfind(proto::kRetiredPrefix, 0) != 0) {
        Status renamed = Error::internal("not renamed");
        for (int attempt = 0; attempt < 4 && !renamed.ok(); ++attempt) {
            char retired[IFNAMSIZ];
            // The pid keeps names of helpers that ran before apart from ours.
            std::snprintf(retired, sizeof retired, "%s%04x%04x", proto::kRetiredPrefix, unsigned(::getpid()) & 0xffff,
                          m_retired++ & 0xffff);
            renamed = m_netlink.renameLink(*index, retired);
            if (!renamed.ok() && renamed.error().kind != ErrorKind::AlreadyExists)
                return renamed;
        }
        CD_CHECK(renamed);
    }
    m_deleter->deleteLater(*index);
    return {};
}

Result<int> NetnsServer::podSocket(const Holder &pod, SocketKind kind)
{
    CD_TRY(std::vector<int> net, openNamespaces(pod, {"net"}));
    const Status joined = joinNamespaces(net);
    ::close(net.front());
    Result<int> socket = joined.ok() ? openSocket(kind) : Result<int>(joined.error());
    returnHome();
    return socket;
}

NetnsServer::Reply NetnsServer::sockets(const std::vector<std::string> &w)
{
    const std::string &verb = w[0];
    SocketKind kind = SocketKind::Tcp;
    Reply reply{"ok", {}};
    const auto failed = [&reply](const Error &error) {
        for (int fd : reply.descriptors)
            ::close(fd);
        return Reply{"error " + error.message, {}};
    };
    if (verb == "socket" && w.size() == 3 && parseSocketKind(w[1], kind)) {
        int count = 0;
        if (!parseInt(w[2], 1, proto::kMaxSocketsPerRequest, count))
            return {"error bad socket count", {}};
        for (int i = 0; i < count; ++i) {
            auto fd = openSocket(kind);
            if (!fd.ok())
                return failed(fd.error());
            reply.descriptors.push_back(*fd);
        }
        return reply;
    }
    if (verb == "socket-bind" && w.size() == 4 && parseSocketKind(w[1], kind)) {
        in_addr address{};
        int port = 0;
        if (!parseAddress(w[2], address) || !parseInt(w[3], 0, 65535, port))
            return {"error bad socket-bind request", {}};
        auto fd = openBoundSocket(kind, address, port);
        if (!fd.ok())
            return failed(fd.error());
        reply.descriptors.push_back(*fd);
        return reply;
    }
    if (verb == "pod-socket" && w.size() == 4 && parseSocketKind(w[3], kind)) {
        int pid = 0;
        char *end = nullptr;
        const unsigned long long start = std::strtoull(w[2].c_str(), &end, 10);
        if (!parseInt(w[1], 1, 0x7fffffff, pid) || *end || w[2].empty())
            return {"error bad pod-socket request", {}};
        auto fd = podSocket(Holder{pid, start}, kind);
        if (!fd.ok())
            return failed(fd.error());
        reply.descriptors.push_back(*fd);
        return reply;
    }
    return {"error bad " + verb + " request", {}};
}

NetnsServer::Reply NetnsServer::handle(const std::string &request)
{
    const std::vector<std::string> w = words(request);
    if (w.empty())
        return {"error empty request", {}};
    if (w[0] == "socket" || w[0] == "socket-bind" || w[0] == "pod-socket")
        return sockets(w);
    return {handleLine(w), {}};
}

std::string NetnsServer::handleLine(const std::vector<std::string> &w)
{
    const std::string &verb = w[0];
    if (verb == "pod-add" && w.size() == 6) {
        in_addr ip{};
        in_addr gateway{};
        int prefixLength = 0;
        if (!validLinkName(w[1]) || !parseAddress(w[2], ip) || !parseInt(w[3], 1, 32, prefixLength) ||
            !parseAddress(w[4], gateway) || w[5].size() > 64)
            return "error bad pod-add request";
        auto pod = addPod(w[1], ip, prefixLength, gateway, w[5]);
        if (!pod.ok())
            return "error " + pod.error().message;
        return "ok " + std::to_string(pod->pid) + " " + std::to_string(pod->startTime);
    }
    if (verb == "link-del" && w.size() == 2) {
        if (!validLinkName(w[1]))
            return "error bad link name";
        return answer(retireLink(w[1]));
    }
    if (verb == "links" && w.size() == 1) {
        auto links = m_netlink.links();
        if (!links.ok())
            return "error " + links.error().message;
        std::string reply = "ok";
        for (const LinkInfo &link : *links)
            reply += " " + link.name;
        return reply;
    }
    if (verb == "local-route-add" && w.size() == 3) {
        in_addr network{};
        int prefixLength = 0;
        if (!parseAddress(w[1], network) || !parseInt(w[2], 1, 32, prefixLength))
            return "error bad local-route-add request";
        return answer(m_netlink.addLocalRoute(m_loIndex, network, prefixLength));
    }
    if (verb == "sysctl" && w.size() == 3)
        return answer(writeNetworkSysctl(w[1], w[2]));
    if ((verb == "addr-add" || verb == "addr-del") && w.size() == 2) {
        in_addr address{};
        if (!parseAddress(w[1], address))
            return "error bad address";
        return answer(verb == "addr-add" ? m_netlink.addAddress(m_loIndex, address, 32)
                                         : m_netlink.deleteAddress(m_loIndex, address, 32));
    }
    return "error unknown request: " + verb;
}

void serve(NetnsServer &server, int in, int out)
{
    std::string pending;
    char buffer[4096];
    for (;;) {
        const ssize_t got = ::read(in, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return; // the engine went away: holders stay, the helper goes
        pending.append(buffer, static_cast<size_t>(got));
        for (size_t end; (end = pending.find('\n')) != std::string::npos;) {
            NetnsServer::Reply reply = server.handle(pending.substr(0, end));
            pending.erase(0, end + 1);
            for (char &c : reply.line) {
                if (c == '\n')
                    c = ' ';
            }
            const bool sent = sendLine(out, reply.line + "\n", reply.descriptors);
            for (int fd : reply.descriptors)
                ::close(fd); // the engine has its own copies now
            if (!sent)
                return;
        }
    }
}

} // namespace cd::netns
