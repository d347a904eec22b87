#pragma once
// The addresses Clusterdeck gives LoadBalancer Services, as kind or `minikube tunnel` would on a
// laptop: addresses of host loopback (127.0.10.1, 127.0.10.2, ...), which this machine owns
// without binding anything and which never reach a real network. An address stays with its
// Service while any Service's status shows it; who holds what is read back from the Services.

#include <map>
#include <optional>
#include <set>
#include <string>

namespace cd::controllers::service {

class LoopbackAddresses {
public:
    // Whether Clusterdeck could have given this address (127.0.10.0 up to 127.0.255.255).
    static bool inRange(const std::string &ip);

    // What a Service (by uid) holds now, as its status says. An address another Service holds
    // already stays with that one; one just given to it stays until its status shows it.
    void observe(const std::string &uid, const std::set<std::string> &ips);
    void release(const std::string &uid);
    // The address just given did not reach the Service's status: it is free again.
    void abandon(const std::string &uid);

    // The addresses held by this Service.
    std::set<std::string> heldBy(const std::string &uid) const;
    // The lowest free address (or `wanted`, when free and in range), now held by the Service.
    std::optional<std::string> allocate(const std::string &uid, const std::string &wanted = {});
    size_t size() const { return m_owner.size(); }

private:
    std::map<std::string, std::string> m_owner;    // ip -> Service uid
    std::map<std::string, std::string> m_pending;  // Service uid -> address given, not yet in its status
};

} // namespace cd::controllers::service
