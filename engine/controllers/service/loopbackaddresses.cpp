#include "engine/controllers/service/loopbackaddresses.h"

#include <cstdio>

namespace cd::controllers::service {
namespace {

// 127.0.<third>.<fourth>: the third from 10 (below are left to whatever else uses loopback,
// 127.0.0.1 first), the fourth from 1 to 254.
constexpr int kFirstThird = 10, kLastThird = 255;
constexpr int kFirstFourth = 1, kLastFourth = 254;

std::optional<std::pair<int, int>> parse(const std::string &ip)
{
    int a = 0, b = 0, c = 0, d = 0;
    char tail = 0;
    if (std::sscanf(ip.c_str(), "%d.%d.%d.%d%c", &a, &b, &c, &d, &tail) != 4)
        return std::nullopt;
    if (a != 127 || b != 0 || c < 0 || c > 255 || d < 0 || d > 255)
        return std::nullopt;
    return std::make_pair(c, d);
}

} // namespace

bool LoopbackAddresses::inRange(const std::string &ip)
{
    const auto parts = parse(ip);
    return parts && parts->first >= kFirstThird && parts->first <= kLastThird && parts->second >= kFirstFourth &&
           parts->second <= kLastFourth;
}

void LoopbackAddresses::observe(const std::string &uid, const std::set<std::string> &ips)
{
    auto pending = m_pending.find(uid);
    if (pending != m_pending.end() && ips.count(pending->second)) {
        m_pending.erase(pending);
        pending = m_pending.end();
    }
    for (auto it = m_owner.begin(); it != m_owner.end();) {
        const bool keep = it->second != uid || ips.count(it->first) ||
                          (pending != m_pending.end() && pending->second == it->first);
        it = keep ? std::next(it) : m_owner.erase(it);
    }
    for (const std::string &ip : ips)
        if (inRange(ip))
            m_owner.try_emplace(ip, uid);
}

void LoopbackAddresses::release(const std::string &uid)
{
    m_pending.erase(uid);
    observe(uid, {});
}

void LoopbackAddresses::abandon(const std::string &uid)
{
    auto pending = m_pending.find(uid);
    if (pending == m_pending.end())
        return;
    if (auto owner = m_owner.find(pending->second); owner != m_owner.end() && owner->second == uid)
        m_owner.erase(owner);
    m_pending.erase(pending);
}

std::set<std::string> LoopbackAddresses::heldBy(const std::string &uid) const
{
    std::set<std::string> out;
    for (const auto &[ip, owner] : m_owner)
        if (owner == uid)
            out.insert(ip);
    return out;
}

std::optional<std::string> LoopbackAddresses::allocate(const std::string &uid, const std::string &wanted)
{
    if (!wanted.empty() && inRange(wanted)) {
        auto [it, inserted] = m_owner.try_emplace(wanted, uid);
        if (inserted || it->second == uid) {
            m_pending[uid] = wanted;
            return wanted;
        }
    }
    for (int third = kFirstThird; third <= kLastThird; ++third)
        for (int fourth = kFirstFourth; fourth <= kLastFourth; ++fourth) {
            const std::string ip = "127.0." + std::to_string(third) + "." + std::to_string(fourth);
            if (m_owner.try_emplace(ip, uid).second) {
                m_pending[uid] = ip;
                return ip;
            }
        }
    return std::nullopt;
}

} // namespace cd::controllers::service
