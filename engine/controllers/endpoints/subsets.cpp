#include "engine/controllers/endpoints/subsets.h"

#include <algorithm>
#include <map>
#include <set>

namespace cd::controllers::endpoints {
namespace {

// An address is one pod's IP (the same IP of two pods stays two addresses, for attribution).
using AddressKey = std::pair<std::string, std::string>;  // ip, pod uid

int compareIps(const std::string &a, const std::string &b)
{
    // Numeric order for IPv4, so 10.0.0.9 sorts before 10.0.0.10.
    auto parts = [](const std::string &ip) {
        std::vector<long> out;
        size_t start = 0;
        while (start <= ip.size()) {
            const size_t dot = ip.find('.', start);
            out.push_back(std::strtol(ip.substr(start, dot - start).c_str(), nullptr, 10));
            if (dot == std::string::npos)
                break;
            start = dot + 1;
        }
        return out;
    };
    if (a.find(':') == std::string::npos && b.find(':') == std::string::npos) {
        const auto x = parts(a), y = parts(b);
        if (x != y)
            return x < y ? -1 : 1;
        return 0;
    }
    return a.compare(b);
}

} // namespace

Json addressJson(const EndpointAddress &address)
{
    Json out = {{"ip", address.ip}};
    if (!address.hostname.empty())
        out["hostname"] = address.hostname;
    if (!address.nodeName.empty())
        out["nodeName"] = address.nodeName;
    out["targetRef"] = {{"kind", "Pod"},
                        {"namespace", address.podNamespace},
                        {"name", address.podName},
                        {"uid", address.podUid}};
    return out;
}

void SubsetBuilder::add(const EndpointAddress &address, const EndpointPort &port, bool ready)
{
    m_entries.push_back({address, port, ready});
}

Json SubsetBuilder::subsets() const
{
    std::map<AddressKey, const EndpointAddress *> addresses;
    // Per port, each address with its readiness (not ready on one entry wins over ready).
    std::map<EndpointPort, std::map<AddressKey, bool>> byPort;
    for (const Entry &e : m_entries) {
        const AddressKey key{e.address.ip, e.address.podUid};
        addresses.try_emplace(key, &e.address);
        auto &set = byPort[e.port];
        auto [it, inserted] = set.try_emplace(key, e.ready);
        if (!inserted && it->second)
            it->second = e.ready;
    }
    // Ports offered by exactly the same addresses with the same readiness share a subset.
    std::map<std::map<AddressKey, bool>, std::vector<EndpointPort>> byAddresses;
    for (const auto &[port, set] : byPort) {
        auto &ports = byAddresses[set];
        if (port.port >= 0)
            ports.push_back(port);
    }
    struct Subset {
        std::vector<const EndpointAddress *> ready, notReady;
        std::vector<EndpointPort> ports;
    };
    std::vector<Subset> subsets;
    auto byIpThenUid = [](const EndpointAddress *a, const EndpointAddress *b) {
        const int c = compareIps(a->ip, b->ip);
        return c != 0 ? c < 0 : a->podUid < b->podUid;
    };
    for (auto &[set, ports] : byAddresses) {
        Subset s;
        for (const auto &[key, ready] : set)
            (ready ? s.ready : s.notReady).push_back(addresses.at(key));
        std::sort(s.ready.begin(), s.ready.end(), byIpThenUid);
        std::sort(s.notReady.begin(), s.notReady.end(), byIpThenUid);
        s.ports = ports;
        std::sort(s.ports.begin(), s.ports.end());
        subsets.push_back(std::move(s));
    }
    // Subsets in the order of their first address, then their first port.
    auto first = [](const Subset &s) { return !s.ready.empty() ? s.ready.front() : s.notReady.front(); };
    std::sort(subsets.begin(), subsets.end(), [&](const Subset &a, const Subset &b) {
        const EndpointAddress *x = first(a), *y = first(b);
        if (x != y && (x->ip != y->ip || x->podUid != y->podUid))
            return byIpThenUid(x, y);
        if (a.ports.empty() || b.ports.empty())
            return a.ports.size() < b.ports.size();
        return a.ports.front() < b.ports.front();
    });
    Json out = Json::array();
    for (const Subset &s : subsets) {
        Json subset = Json::object();
        if (!s.ready.empty()) {
            Json list = Json::array();
            for (const EndpointAddress *a : s.ready)
                list.push_back(addressJson(*a));
            subset["addresses"] = std::move(list);
        }
        if (!s.notReady.empty()) {
            Json list = Json::array();
            for (const EndpointAddress *a : s.notReady)
                list.push_back(addressJson(*a));
            subset["notReadyAddresses"] = std::move(list);
        }
        if (!s.ports.empty()) {
            Json ports = Json::array();
            for (const EndpointPort &p : s.ports) {
                Json port = Json::object();
                if (!p.name.empty())
                    port["name"] = p.name;
                port["port"] = p.port;
                port["protocol"] = p.protocol;
                if (!p.appProtocol.empty())
                    port["appProtocol"] = p.appProtocol;
                ports.push_back(std::move(port));
            }
            subset["ports"] = std::move(ports);
        }
        out.push_back(std::move(subset));
    }
    return out;
}

} // namespace cd::controllers::endpoints
