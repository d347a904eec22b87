#pragma once
// Endpoints subsets as the endpoints controller builds them: one (address, port) entry per pod
// and Service port, then repacked (RepackSubsets) so addresses offering the same ports with the
// same readiness share one subset; an address not ready on any port is not ready on all.

#include "engine/core/json.h"

#include <string>
#include <vector>

namespace cd::controllers::endpoints {

struct EndpointAddress {
    std::string ip, hostname, nodeName;
    std::string podNamespace, podName, podUid;  // targetRef
};

struct EndpointPort {
    std::string name, protocol, appProtocol;
    int port = -1;  // -1: the sentinel of a headless Service without ports
    auto operator<=>(const EndpointPort &) const = default;
};

class SubsetBuilder {
public:
    void add(const EndpointAddress &address, const EndpointPort &port, bool ready);
    // The repacked subsets, sorted (addresses by IP then pod uid, ports by name, protocol,
    // number), as the Endpoints' subsets JSON.
    Json subsets() const;
    size_t size() const { return m_entries.size(); }

private:
    struct Entry {
        EndpointAddress address;
        EndpointPort port;
        bool ready;
    };
    std::vector<Entry> m_entries;
};

Json addressJson(const EndpointAddress &address);

} // namespace cd::controllers::endpoints
