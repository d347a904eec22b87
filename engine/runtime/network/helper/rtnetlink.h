#pragma once
// A minimal rtnetlink client: just the link, address and route requests the cluster network
// needs. A socket belongs to the network namespace it was opened in, so the helper opens one
// per namespace it configures.

#include "engine/core/result.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <netinet/in.h>

namespace cd::netns {

struct LinkInfo {
    int index = 0;
    std::string name;
    std::string kind; // "bridge", "veth", ... (empty for lo)
};

class RtNetlink {
public:
    // A socket in the calling thread's current network namespace.
    static Result<RtNetlink> open();
    static RtNetlink invalid() { return RtNetlink(-1); } // a placeholder until open() succeeds
    RtNetlink(RtNetlink &&other) noexcept;
    RtNetlink &operator=(RtNetlink &&other) noexcept;
    RtNetlink(const RtNetlink &) = delete;
    RtNetlink &operator=(const RtNetlink &) = delete;
    ~RtNetlink();

    Result<int> linkIndex(const std::string &name);
    Result<std::vector<LinkInfo>> links();
    Status setLinkUp(int index);
    Status setLinkDown(int index);
    Status renameLink(int index, const std::string &name);
    // A bridge with a fixed MAC: otherwise it takes the lowest MAC of its ports, and pods' ARP
    // entries for the gateway go stale whenever a port comes or goes.
    Status createBridge(const std::string &name, const std::array<std::uint8_t, 6> &mac);
    // A veth pair: NAME here, up and attached to masterIndex; PEERNAME in the network namespace
    // peerNetnsFd refers to (down).
    Status createVeth(const std::string &name, int masterIndex, const std::string &peerName, int peerNetnsFd);
    Status deleteLink(const std::string &name);                         // a missing link is fine
    Status deleteLink(int index);                                       // a missing link is fine
    Status addAddress(int index, in_addr address, int prefixLength);    // an existing one is fine
    Status deleteAddress(int index, in_addr address, int prefixLength); // a missing one is fine
    Status addDefaultRoute(int index, in_addr gateway);
    // `ip route add local NETWORK/PREFIX dev INDEX` (table local): every address of the block is
    // this namespace's own, so sockets may bind any of them ("AnyIP"). An existing one is fine.
    Status addLocalRoute(int index, in_addr network, int prefixLength);

private:
    explicit RtNetlink(int fd) : m_fd(fd) {}
    class Message;
    // Sends a request and waits for its acknowledgement; `tolerated` errno values count as success.
    Status acknowledge(Message &message, const char *what, std::initializer_list<int> tolerated = {});
    Status send(Message &message);

    int m_fd = -1;
    std::uint32_t m_sequence = 0;
};

} // namespace cd::netns
