#include "engine/proxy/ruleplanner.h"

namespace cd::proxy {

std::vector<RuleTransaction> RulePlanner::plan(const std::map<std::string, RuleUnit> &desired, bool oneUnitEach) const
{
    const std::map<std::string, RuleUnit> none;
    const std::map<std::string, RuleUnit> &programmed = m_tableReady ? m_programmed : none;
    struct Step {
        const RuleUnit *from;
        const RuleUnit *to;
    };
    std::vector<Step> removals, changes, additions;
    for (const auto &[key, unit] : programmed) {
        const auto wanted = desired.find(key);
        if (wanted == desired.end())
            removals.push_back({&unit, nullptr});
        else if (!(wanted->second == unit))
            changes.push_back({&unit, &wanted->second});
    }
    for (const auto &[key, unit] : desired) {
        if (!programmed.count(key))
            additions.push_back({nullptr, &unit});
    }

    std::vector<RuleTransaction> transactions;
    RuleTransaction current;
    if (!m_tableReady) {
        current.reset = true;
        current.text = resetCommands(m_options);
    }
    const auto flush = [&] {
        if (!current.text.empty())
            transactions.push_back(std::move(current));
        current = RuleTransaction();
    };
    for (const std::vector<Step> *steps : {&removals, &changes, &additions}) {
        for (const Step &step : *steps) {
            const std::string commands = unitCommands(step.from, step.to, m_options);
            // One unit each: the reset goes alone too, so any failure names its unit.
            const bool started = !current.units.empty() || (oneUnitEach && current.reset);
            const bool full = started && (oneUnitEach || current.text.size() + commands.size() > m_maxBytes);
            if (full)
                flush();
            current.text += commands;
            const std::string &key = step.to ? step.to->key : step.from->key;
            current.units[key] = step.to ? std::optional<RuleUnit>(*step.to) : std::nullopt;
        }
    }
    flush();
    return transactions;
}

void RulePlanner::applied(const RuleTransaction &transaction)
{
    if (transaction.reset) {
        m_programmed.clear();
        m_tableReady = true;
    }
    for (const auto &[key, unit] : transaction.units) {
        if (unit)
            m_programmed[key] = *unit;
        else
            m_programmed.erase(key);
    }
}

void RulePlanner::forget()
{
    m_tableReady = false;
    m_programmed.clear();
}

} // namespace cd::proxy
