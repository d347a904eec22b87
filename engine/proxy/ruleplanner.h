#pragma once
// Turns "what the rules should be" into nft transactions, given what was programmed before: only
// the Service ports that changed are rewritten, and they are packed into transactions of a
// bounded size (an unprivileged nft sends each transaction in one netlink message of at most the
// default socket buffer, 208 KiB: about 200 Service ports). Removals come first, then changes,
// then additions, so a chain is never deleted while something points to it. A transaction is
// atomic: either all of it is programmed or none.

#include "engine/proxy/nftablesrules.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cd::proxy {

struct RuleTransaction {
    std::string text;   // input for `nft -f -`
    bool reset = false; // replaces the table first
    // The units it sets (value) or removes (nullopt), by key.
    std::map<std::string, std::optional<RuleUnit>> units;
};

class RulePlanner {
public:
    explicit RulePlanner(NftablesOptions options = {}, size_t maxBytes = 48 * 1024)
        : m_options(std::move(options)), m_maxBytes(maxBytes)
    {
    }

    // Transactions that take the programmed rules to `desired`; none when they are there.
    // The first plan (and the first after forget()) starts with a reset of the table. With
    // `oneUnitEach`, every unit has its own transaction (to find the one nft refuses).
    std::vector<RuleTransaction> plan(const std::map<std::string, RuleUnit> &desired, bool oneUnitEach = false) const;
    // nft applied it: it is programmed now.
    void applied(const RuleTransaction &transaction);
    // The table's state is unknown: the next plan replaces it whole.
    void forget();

    const NftablesOptions &options() const { return m_options; }
    // What is programmed for a key (null: nothing).
    const RuleUnit *programmed(const std::string &key) const
    {
        const auto it = m_programmed.find(key);
        return m_tableReady && it != m_programmed.end() ? &it->second : nullptr;
    }
    size_t programmedUnits() const { return m_programmed.size(); }

private:
    NftablesOptions m_options;
    size_t m_maxBytes;
    bool m_tableReady = false;
    std::map<std::string, RuleUnit> m_programmed;
};

} // namespace cd::proxy
