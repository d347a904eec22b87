#pragma once
// The serving half of clusterdeck-netns: it lives inside the cluster's namespaces and answers one
// request per line (engine/runtime/network/netnsprotocol.h).

#include "linkdeleter.h"
#include "namespaces.h"
#include "rtnetlink.h"
#include "sockets.h"

#include <memory>
#include <string>

namespace cd::netns {

class NetnsServer {
public:
    // New cluster namespaces: lo up, the bridge with gateway/prefixLength, and their holder.
    static Result<std::unique_ptr<NetnsServer>> create(in_addr gateway, int prefixLength);
    // The namespaces of a living cluster holder.
    static Result<std::unique_ptr<NetnsServer>> attach(const Holder &holder);
    ~NetnsServer();

    const Holder &holder() const { return m_holder; }

    struct Reply {
        std::string line;              // "ok ..." or "error ...", without the newline
        std::vector<int> descriptors;  // sent with the line, then closed here
    };
    // One request line in, one answer out.
    Reply handle(const std::string &request);

private:
    NetnsServer() = default;
    static Result<std::unique_ptr<NetnsServer>> inCurrentNamespaces(const Holder &holder);
    Result<Holder> addPod(const std::string &veth, in_addr ip, int prefixLength, in_addr gateway,
                          const std::string &hostname);
    Status configurePod(int podNetFd, RtNetlink &podNetlink, const std::string &veth, in_addr ip, int prefixLength,
                        in_addr gateway);
    Status retireLink(const std::string &name);
    std::string handleLine(const std::vector<std::string> &words);
    Reply sockets(const std::vector<std::string> &words);
    Result<int> podSocket(const Holder &pod, SocketKind kind);
    void returnHome();

    RtNetlink m_netlink{RtNetlink::invalid()}; // in the cluster's network namespace
    std::unique_ptr<LinkDeleter> m_deleter;
    std::vector<int> m_home; // the cluster's net, ipc and uts namespaces, to come back to
    int m_bridgeIndex = 0;
    int m_loIndex = 0;
    unsigned m_retired = 0;
    Holder m_holder;
};

// Answers requests from `in` on `out` until end of input.
void serve(NetnsServer &server, int in, int out);

} // namespace cd::netns
