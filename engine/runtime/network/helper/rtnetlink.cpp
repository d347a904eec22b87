#include "rtnetlink.h"

#include <cerrno>
#include <cstring>
#include <functional>
#include <utility>

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cd::netns {

// One request: the netlink header, the family header, then attributes (nests patched at the end).
class RtNetlink::Message {
public:
    Message(std::uint16_t type, std::uint16_t flags, const void *familyHeader, size_t size)
    {
        m_bytes.resize(NLMSG_HDRLEN);
        append(familyHeader, size);
        header()->nlmsg_type = type;
        header()->nlmsg_flags = NLM_F_REQUEST | flags;
    }

    nlmsghdr *header() { return reinterpret_cast<nlmsghdr *>(m_bytes.data()); }
    const char *data() const { return m_bytes.data(); }
    size_t size() const { return m_bytes.size(); }

    void append(const void *data, size_t size)
    {
        const size_t at = m_bytes.size();
        m_bytes.resize(at + NLMSG_ALIGN(size), 0);
        if (size)
            std::memcpy(m_bytes.data() + at, data, size);
        header()->nlmsg_len = static_cast<std::uint32_t>(m_bytes.size());
    }
    void attribute(std::uint16_t type, const void *data, size_t size)
    {
        rtattr attr{};
        attr.rta_type = type;
        attr.rta_len = static_cast<unsigned short>(RTA_LENGTH(size));
        const size_t at = m_bytes.size();
        m_bytes.resize(at + RTA_SPACE(size), 0);
        std::memcpy(m_bytes.data() + at, &attr, sizeof attr);
        if (size)
            std::memcpy(m_bytes.data() + at + RTA_LENGTH(0), data, size);
        header()->nlmsg_len = static_cast<std::uint32_t>(m_bytes.size());
    }
    void string(std::uint16_t type, const std::string &value) { attribute(type, value.c_str(), value.size() + 1); }
    void u32(std::uint16_t type, std::uint32_t value) { attribute(type, &value, sizeof value); }
    void address(std::uint16_t type, in_addr value) { attribute(type, &value, sizeof value); }
    size_t beginNest(std::uint16_t type)
    {
        const size_t at = m_bytes.size();
        attribute(type, nullptr, 0);
        return at;
    }
    void endNest(size_t at)
    {
        auto *attr = reinterpret_cast<rtattr *>(m_bytes.data() + at);
        attr->rta_len = static_cast<unsigned short>(m_bytes.size() - at);
    }

private:
    std::vector<char> m_bytes;
};

namespace {

using Reply = std::function<void(const nlmsghdr *)>;

// The kernel's own words about a failed request (NETLINK_EXT_ACK), when it gives some.
std::string extendedAckMessage(const nlmsghdr *message)
{
    if (!(message->nlmsg_flags & NLM_F_ACK_TLVS))
        return {};
    const auto *error = static_cast<const nlmsgerr *>(NLMSG_DATA(message));
    size_t offset = sizeof(nlmsgerr);
    if (!(message->nlmsg_flags & NLM_F_CAPPED))
        offset += error->msg.nlmsg_len - NLMSG_HDRLEN;
    const size_t payload = message->nlmsg_len - NLMSG_HDRLEN;
    if (offset >= payload)
        return {};
    int length = static_cast<int>(payload - offset);
    for (auto *attr = reinterpret_cast<const rtattr *>(reinterpret_cast<const char *>(error) + offset);
         RTA_OK(attr, length); attr = RTA_NEXT(attr, length)) {
        if (attr->rta_type == NLMSGERR_ATTR_MSG)
            return std::string(static_cast<const char *>(RTA_DATA(attr)));
    }
    return {};
}

template <typename Header>
Header familyHeader()
{
    Header header;
    std::memset(&header, 0, sizeof header);
    return header;
}

} // namespace

Result<RtNetlink> RtNetlink::open()
{
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return Error::internal(std::string("netlink socket: ") + std::strerror(errno));
    const int on = 1;
    ::setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof on); // better errors; optional
    return RtNetlink(fd);
}

RtNetlink::RtNetlink(RtNetlink &&other) noexcept : m_fd(std::exchange(other.m_fd, -1)), m_sequence(other.m_sequence)
{
}

RtNetlink &RtNetlink::operator=(RtNetlink &&other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_sequence = other.m_sequence;
    }
    return *this;
}

RtNetlink::~RtNetlink()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Status RtNetlink::send(Message &message)
{
    message.header()->nlmsg_seq = ++m_sequence;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    const ssize_t sent =
        ::sendto(m_fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr *>(&kernel), sizeof kernel);
    if (sent != static_cast<ssize_t>(message.size()))
        return Error::internal(std::string("netlink send: ") + std::strerror(errno));
    return {};
}

// Reads until the request's acknowledgement (or the end of a dump), handing every other message
// of the request to `reply`.
static Status receiveUntilDone(int fd, std::uint32_t sequence, const char *what, std::initializer_list<int> tolerated,
                               const Reply &reply)
{
    alignas(nlmsghdr) static char buffer[64 * 1024];
    for (;;) {
        const ssize_t received = ::recv(fd, buffer, sizeof buffer, 0);
        if (received < 0) {
            if (errno == EINTR)
                continue;
            return Error::internal(std::string(what) + ": netlink receive: " + std::strerror(errno));
        }
        int length = static_cast<int>(received);
        for (auto *message = reinterpret_cast<const nlmsghdr *>(buffer); NLMSG_OK(message, length);
             message = NLMSG_NEXT(message, length)) {
            if (message->nlmsg_seq != sequence)
                continue; // a late answer to an earlier request
            if (message->nlmsg_type == NLMSG_DONE)
                return {};
            if (message->nlmsg_type != NLMSG_ERROR) {
                if (reply)
                    reply(message);
                continue;
            }
            const int error = -static_cast<const nlmsgerr *>(NLMSG_DATA(message))->error;
            if (error == 0)
                return {};
            for (int ok : tolerated) {
                if (error == ok)
                    return {};
            }
            std::string text = std::string(what) + ": " + std::strerror(error);
            if (const std::string detail = extendedAckMessage(message); !detail.empty())
                text += " (" + detail + ")";
            Error failure = Error::internal(std::move(text));
            if (error == ENODEV || error == ENOENT)
                failure.kind = ErrorKind::NotFound;
            else if (error == EEXIST)
                failure.kind = ErrorKind::AlreadyExists;
            return failure;
        }
    }
}

Status RtNetlink::acknowledge(Message &message, const char *what, std::initializer_list<int> tolerated)
{
    message.header()->nlmsg_flags |= NLM_F_ACK;
    CD_CHECK(send(message));
    return receiveUntilDone(m_fd, m_sequence, what, tolerated, {});
}

Result<int> RtNetlink::linkIndex(const std::string &name)
{
    auto info = familyHeader<ifinfomsg>();
    Message message(RTM_GETLINK, NLM_F_ACK, &info, sizeof info);
    message.string(IFLA_IFNAME, name);
    CD_CHECK(send(message));
    int index = 0;
    const std::string what = "find link " + name;
    CD_CHECK(receiveUntilDone(m_fd, m_sequence, what.c_str(), {}, [&](const nlmsghdr *reply) {
        if (reply->nlmsg_type == RTM_NEWLINK)
            index = static_cast<const ifinfomsg *>(NLMSG_DATA(reply))->ifi_index;
    }));
    if (index <= 0)
        return Error::notFound("no link " + name);
    return index;
}

Result<std::vector<LinkInfo>> RtNetlink::links()
{
    auto info = familyHeader<ifinfomsg>();
    Message message(RTM_GETLINK, NLM_F_DUMP, &info, sizeof info);
    CD_CHECK(send(message));
    std::vector<LinkInfo> found;
    CD_CHECK(receiveUntilDone(m_fd, m_sequence, "list links", {}, [&](const nlmsghdr *reply) {
        if (reply->nlmsg_type != RTM_NEWLINK)
            return;
        const auto *link = static_cast<const ifinfomsg *>(NLMSG_DATA(reply));
        LinkInfo entry;
        entry.index = link->ifi_index;
        int length = static_cast<int>(IFLA_PAYLOAD(reply));
        for (auto *attr = IFLA_RTA(link); RTA_OK(attr, length); attr = RTA_NEXT(attr, length)) {
            if (attr->rta_type == IFLA_IFNAME) {
                entry.name = static_cast<const char *>(RTA_DATA(attr));
            } else if (attr->rta_type == IFLA_LINKINFO) {
                int nested = static_cast<int>(RTA_PAYLOAD(attr));
                for (auto *inner = static_cast<const rtattr *>(RTA_DATA(attr)); RTA_OK(inner, nested);
                     inner = RTA_NEXT(inner, nested)) {
                    if (inner->rta_type == IFLA_INFO_KIND)
                        entry.kind = static_cast<const char *>(RTA_DATA(inner));
                }
            }
        }
        found.push_back(std::move(entry));
    }));
    return found;
}

Status RtNetlink::setLinkUp(int index)
{
    auto info = familyHeader<ifinfomsg>();
    info.ifi_index = index;
    info.ifi_flags = IFF_UP;
    info.ifi_change = IFF_UP;
    Message message(RTM_NEWLINK, 0, &info, sizeof info);
    return acknowledge(message, "set link up");
}

Status RtNetlink::setLinkDown(int index)
{
    auto info = familyHeader<ifinfomsg>();
    info.ifi_index = index;
    info.ifi_change = IFF_UP;
    Message message(RTM_NEWLINK, 0, &info, sizeof info);
    return acknowledge(message, "set link down");
}

Status RtNetlink::renameLink(int index, const std::string &name)
{
    auto info = familyHeader<ifinfomsg>();
    info.ifi_index = index;
    Message message(RTM_NEWLINK, 0, &info, sizeof info);
    message.string(IFLA_IFNAME, name);
    return acknowledge(message, "rename link");
}

Status RtNetlink::createBridge(const std::string &name, const std::array<std::uint8_t, 6> &mac)
{
    auto info = familyHeader<ifinfomsg>();
    Message message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &info, sizeof info);
    message.string(IFLA_IFNAME, name);
    message.attribute(IFLA_ADDRESS, mac.data(), mac.size());
    const size_t linkInfo = message.beginNest(IFLA_LINKINFO);
    message.string(IFLA_INFO_KIND, "bridge");
    message.endNest(linkInfo);
    return acknowledge(message, "create bridge");
}

Status RtNetlink::createVeth(const std::string &name, int masterIndex, const std::string &peerName, int peerNetnsFd)
{
    auto info = familyHeader<ifinfomsg>();
    info.ifi_flags = IFF_UP;
    info.ifi_change = IFF_UP;
    Message message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &info, sizeof info);
    message.string(IFLA_IFNAME, name);
    message.u32(IFLA_MASTER, static_cast<std::uint32_t>(masterIndex));
    const size_t linkInfo = message.beginNest(IFLA_LINKINFO);
    message.string(IFLA_INFO_KIND, "veth");
    const size_t data = message.beginNest(IFLA_INFO_DATA);
    const size_t peer = message.beginNest(VETH_INFO_PEER);
    auto peerInfo = familyHeader<ifinfomsg>();
    message.append(&peerInfo, sizeof peerInfo);
    message.string(IFLA_IFNAME, peerName);
    message.u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(peerNetnsFd));
    message.endNest(peer);
    message.endNest(data);
    message.endNest(linkInfo);
    return acknowledge(message, "create veth");
}

Status RtNetlink::deleteLink(const std::string &name)
{
    auto info = familyHeader<ifinfomsg>();
    Message message(RTM_DELLINK, 0, &info, sizeof info);
    message.string(IFLA_IFNAME, name);
    return acknowledge(message, "delete link", {ENODEV});
}

Status RtNetlink::deleteLink(int index)
{
    auto info = familyHeader<ifinfomsg>();
    info.ifi_index = index;
    Message message(RTM_DELLINK, 0, &info, sizeof info);
    return acknowledge(message, "delete link", {ENODEV});
}

static void addressAttributes(auto &message, in_addr address, int prefixLength)
{
    message.address(IFA_LOCAL, address);
    message.address(IFA_ADDRESS, address);
    if (prefixLength < 31) {
        const std::uint32_t mask = prefixLength == 0 ? 0 : htonl(~0u << (32 - prefixLength));
        message.address(IFA_BROADCAST, in_addr{address.s_addr | ~mask});
    }
}

Status RtNetlink::addAddress(int index, in_addr address, int prefixLength)
{
    auto info = familyHeader<ifaddrmsg>();
    info.ifa_family = AF_INET;
    info.ifa_prefixlen = static_cast<unsigned char>(prefixLength);
    info.ifa_scope = RT_SCOPE_UNIVERSE;
    info.ifa_index = static_cast<unsigned>(index);
    Message message(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &info, sizeof info);
    addressAttributes(message, address, prefixLength);
    return acknowledge(message, "add address", {EEXIST});
}

Status RtNetlink::deleteAddress(int index, in_addr address, int prefixLength)
{
    auto info = familyHeader<ifaddrmsg>();
    info.ifa_family = AF_INET;
    info.ifa_prefixlen = static_cast<unsigned char>(prefixLength);
    info.ifa_index = static_cast<unsigned>(index);
    Message message(RTM_DELADDR, 0, &info, sizeof info);
    message.address(IFA_LOCAL, address);
    return acknowledge(message, "delete address", {EADDRNOTAVAIL, ENOENT});
}

Status RtNetlink::addDefaultRoute(int index, in_addr gateway)
{
    auto route = familyHeader<rtmsg>();
    route.rtm_family = AF_INET;
    route.rtm_table = RT_TABLE_MAIN;
    route.rtm_protocol = RTPROT_BOOT;
    route.rtm_scope = RT_SCOPE_UNIVERSE;
    route.rtm_type = RTN_UNICAST;
    Message message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &route, sizeof route);
    message.address(RTA_GATEWAY, gateway);
    message.u32(RTA_OIF, static_cast<std::uint32_t>(index));
    return acknowledge(message, "add default route", {EEXIST});
}

Status RtNetlink::addLocalRoute(int index, in_addr network, int prefixLength)
{
    auto route = familyHeader<rtmsg>();
    route.rtm_family = AF_INET;
    route.rtm_dst_len = static_cast<unsigned char>(prefixLength);
    route.rtm_table = RT_TABLE_LOCAL;
    route.rtm_protocol = RTPROT_BOOT;
    route.rtm_scope = RT_SCOPE_HOST;
    route.rtm_type = RTN_LOCAL;
    Message message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &route, sizeof route);
    message.address(RTA_DST, network);
    message.u32(RTA_OIF, static_cast<std::uint32_t>(index));
    return acknowledge(message, "add local route", {EEXIST});
}

} // namespace cd::netns
