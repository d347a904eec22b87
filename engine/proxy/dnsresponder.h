#pragma once
// What the cluster DNS answers (the Kubernetes DNS specification, the part CoreDNS's kubernetes
// plugin serves for Services): A records of Services and headless Services' endpoints, a CNAME
// for ExternalName Services, no data for other types of a name that exists, NXDOMAIN for every
// other name. Nothing is forwarded off the machine.

#include "engine/proxy/servicecatalog.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace cd::proxy {

struct DnsResponderOptions {
    std::string clusterDomain = "cluster.local";
    std::uint32_t ttl = 5; // seconds: CoreDNS's default for cluster names
};

using DnsResolver = std::function<DnsLookup(const std::string &name)>;

// The response to one DNS message (UDP: cut to the size the client takes); empty when the
// message deserves none (not a query).
std::string answerDnsMessage(std::string_view message, bool overUdp, const DnsResolver &resolve,
                             const DnsResponderOptions &options = {});

} // namespace cd::proxy
