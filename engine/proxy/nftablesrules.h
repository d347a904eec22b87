#pragma once
// The service proxy's packet rules, as kube-proxy's nftables mode writes them, for the cluster's
// network namespace. One table holds two verdict maps keyed by ClusterIP . protocol . port:
// service-ips sends a Service port to its own chain, whose one rule DNATs to a backend chosen at
// random (`numgen random mod N map {...}`); no-endpoint-services rejects a Service port that has
// no backend (a TCP reset, ICMP port unreachable otherwise), as kube-proxy's REJECT does. Traffic
// that was DNATed is masqueraded on its way out to the bridge: pods share one bridge, and
// without it a backend would answer the client pod directly, which would drop the answer.
//
// The rules are kept as units, one per Service port, so that a change rewrites only what changed:
// an unprivileged nft cannot enlarge its netlink buffer (SO_SNDBUFFORCE needs the host's
// CAP_NET_ADMIN), so one transaction holds only a few hundred Service ports (ruleplanner.h).
// Pure functions: no process is run here.

#include "engine/proxy/servicecatalog.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace cd::proxy {

struct NftablesOptions {
    std::string table = "clusterdeck";
    std::string bridge = "cd0"; // where DNATed traffic leaves to the pods
    // ClusterIPs the engine serves itself (the cluster DNS): no rule touches them.
    std::set<std::string> locallyServed;
};

// What one Service port needs: a chain with one DNAT rule, or a reject.
struct RuleUnit {
    std::string key;   // "10.96.0.50 . tcp . 80", the maps' key
    std::string chain; // empty: rejected (no backend)
    std::string rule;  // the chain's rule

    bool rejected() const { return chain.empty(); }
    bool operator==(const RuleUnit &) const = default;
};

// The units for these Service ports, by key. Ports the rules cannot express safely (a name that
// is no API name, a hostile address), locally served ones and repeated keys are left out.
std::map<std::string, RuleUnit> ruleUnits(const std::vector<ServicePortInfo> &ports,
                                          const NftablesOptions &options = {});

// Replaces the table with an empty one: maps without elements, the base chains, the reject chain.
std::string resetCommands(const NftablesOptions &options = {});
// Takes one unit from `from` to `to` (null: absent), as commands for `nft -f`.
std::string unitCommands(const RuleUnit *from, const RuleUnit *to, const NftablesOptions &options = {});
// Removes the table (absent or not).
std::string removalCommands(const NftablesOptions &options = {});

std::string serviceChainName(const ServicePortInfo &port);

} // namespace cd::proxy
