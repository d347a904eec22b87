#include "engine/controllers/common/expectations.h"

#include <algorithm>

namespace cd::controllers {

bool Expectations::satisfied(const std::string &controllerKey) const
{
    auto it = m_records.find(controllerKey);
    if (it == m_records.end())
        return true;
    const Record &r = it->second;
    if (r.creations <= 0 && r.deletions <= 0)
        return true;
    return std::chrono::steady_clock::now() - r.since > kTimeout;
}

void Expectations::expectCreations(const std::string &controllerKey, int count)
{
    Record &r = m_records[controllerKey];
    r.creations = count;
    r.deletions = 0;
    r.deleting.clear();
    r.since = std::chrono::steady_clock::now();
}

void Expectations::expectDeletions(const std::string &controllerKey, const std::vector<std::string> &podKeys)
{
    Record &r = m_records[controllerKey];
    r.creations = 0;
    r.deleting = std::set<std::string>(podKeys.begin(), podKeys.end());
    r.deletions = static_cast<int>(r.deleting.size());
    r.since = std::chrono::steady_clock::now();
}

void Expectations::creationObserved(const std::string &controllerKey)
{
    auto it = m_records.find(controllerKey);
    if (it != m_records.end())
        --it->second.creations;
}

void Expectations::deletionObserved(const std::string &controllerKey, const std::string &podKey)
{
    auto it = m_records.find(controllerKey);
    if (it != m_records.end() && it->second.deleting.erase(podKey) > 0)
        --it->second.deletions;
}

int Expectations::pendingCreations(const std::string &controllerKey) const
{
    auto it = m_records.find(controllerKey);
    return it == m_records.end() ? 0 : std::max(0, it->second.creations);
}

int Expectations::pendingDeletions(const std::string &controllerKey) const
{
    auto it = m_records.find(controllerKey);
    return it == m_records.end() ? 0 : std::max(0, it->second.deletions);
}

} // namespace cd::controllers
