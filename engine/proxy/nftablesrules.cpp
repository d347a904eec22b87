#include "engine/proxy/nftablesrules.h"

#include <algorithm>
#include <cctype>

namespace cd::proxy {

namespace {

// nft's names for the protocols a Service port may have.
std::string protocolWord(const std::string &protocol)
{
    std::string word = protocol;
    std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return word;
}

bool known(const std::string &protocol)
{
    return protocol == "TCP" || protocol == "UDP" || protocol == "SCTP";
}

// What the API allows in names, ports and IPs is safe in an nft identifier; anything else (a
// hand-edited object) is dropped rather than trusted, so the commands stay well-formed.
bool safeWord(const std::string &text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '.' || c == '_';
    });
}

bool usable(const ServicePortInfo &port)
{
    return known(port.protocol) && safeWord(port.ns) && safeWord(port.name) && safeWord(port.clusterIp) &&
           port.port > 0 && port.port < 65536;
}

std::string baseChain(const char *name, const char *type, const char *hook, const char *priority,
                      const std::string &rule)
{
    return std::string("\tchain ") + name + " {\n\t\ttype " + type + " hook " + hook + " priority " + priority +
           "; policy accept;\n\t\t" + rule + "\n\t}\n";
}

std::string map(const char *name)
{
    return std::string("\tmap ") + name + " {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n\t}\n";
}

} // namespace

std::string serviceChainName(const ServicePortInfo &port)
{
    return "svc-" + port.ns + "/" + port.name + "/" + protocolWord(port.protocol) + "/" + std::to_string(port.port);
}

std::map<std::string, RuleUnit> ruleUnits(const std::vector<ServicePortInfo> &ports, const NftablesOptions &options)
{
    std::map<std::string, RuleUnit> units;
    for (const ServicePortInfo &port : ports) {
        if (!usable(port) || options.locallyServed.count(port.clusterIp))
            continue;
        RuleUnit unit;
        unit.key = port.clusterIp + " . " + protocolWord(port.protocol) + " . " + std::to_string(port.port);
        if (units.count(unit.key))
            continue; // a ClusterIP, protocol and port is programmed once
        std::vector<const Backend *> backends;
        for (const Backend &backend : port.backends) {
            if (safeWord(backend.ip) && backend.port > 0 && backend.port < 65536)
                backends.push_back(&backend);
        }
        if (!backends.empty()) {
            unit.chain = serviceChainName(port);
            std::string choices;
            for (size_t i = 0; i < backends.size(); ++i)
                choices += (i ? ", " : "") + std::to_string(i) + " : " + backends[i]->ip + " . " +
                           std::to_string(backends[i]->port);
            unit.rule = "meta l4proto " + protocolWord(port.protocol) + " dnat ip to numgen random mod " +
                        std::to_string(backends.size()) + " map { " + choices + " }";
        }
        units.emplace(unit.key, std::move(unit));
    }
    return units;
}

std::string removalCommands(const NftablesOptions &options)
{
    // "add" first: deleting a table that is not there would fail the whole transaction.
    return "add table ip " + options.table + "\ndelete table ip " + options.table + "\n";
}

std::string resetCommands(const NftablesOptions &options)
{
    const std::string dispatch = "ip daddr . meta l4proto . th dport vmap @service-ips";
    const std::string reject = "ip daddr . meta l4proto . th dport vmap @no-endpoint-services";
    std::string out = removalCommands(options);
    out += "table ip " + options.table + " {\n";
    out += map("service-ips");
    out += map("no-endpoint-services");
    out += "\tchain reject-service {\n\t\tmeta l4proto tcp reject with tcp reset\n\t\treject\n\t}\n";
    // Pods' packets arrive through the bridge (prerouting); the engine's relays start inside the
    // namespace (output).
    out += baseChain("nat-prerouting", "nat", "prerouting", "-100", dispatch);
    out += baseChain("nat-output", "nat", "output", "-100", dispatch);
    out += baseChain("nat-postrouting", "nat", "postrouting", "100",
                     "ct status dnat oifname \"" + options.bridge + "\" masquerade");
    out += baseChain("filter-input", "filter", "input", "0", reject);
    out += baseChain("filter-forward", "filter", "forward", "0", reject);
    out += baseChain("filter-output", "filter", "output", "0", reject);
    out += "}\n";
    return out;
}

std::string unitCommands(const RuleUnit *from, const RuleUnit *to, const NftablesOptions &options)
{
    const std::string table = "ip " + options.table + " ";
    std::string out;
    // The chain first (nothing points to it yet, or it is rewritten in place), then the map
    // elements, then what is no longer pointed to: every step leaves consistent rules.
    if (to && !to->rejected()) {
        // Flushed even when new: a chain of that name left by anything else must not keep rules.
        out += "add chain " + table + to->chain + "\nflush chain " + table + to->chain + "\n";
        out += "add rule " + table + to->chain + " " + to->rule + "\n";
    }
    const bool sameTarget = from && to && from->chain == to->chain;
    if (from && !sameTarget)
        out += "delete element " + table + (from->rejected() ? "no-endpoint-services" : "service-ips") + " { " +
               from->key + " }\n";
    if (to && !sameTarget) {
        out += "add element " + table + (to->rejected() ? "no-endpoint-services" : "service-ips") + " { " + to->key +
               " : goto " + (to->rejected() ? std::string("reject-service") : to->chain) + " }\n";
    }
    if (from && !from->rejected() && !sameTarget)
        out += "delete chain " + table + from->chain + "\n";
    return out;
}

} // namespace cd::proxy
