#include "engine/scheduler/queue.h"

#include <algorithm>

namespace cd::scheduler {
namespace {

// std heaps keep the "largest" item on top: an item is "less" when it should come later.
// Higher priority first, then earlier creation, then earlier arrival.
constexpr auto activeLater = [](const auto &a, const auto &b) {
    if (a.priority != b.priority)
        return a.priority < b.priority;
    if (a.created != b.created)
        return a.created > b.created;
    return a.arrival > b.arrival;
};
constexpr auto backoffLater = [](const auto &a, const auto &b) { return a.until > b.until; };

} // namespace

SchedulingQueue::SchedulingQueue(std::chrono::milliseconds initialBackoff, std::chrono::milliseconds maxBackoff)
    : m_initialBackoff(initialBackoff), m_maxBackoff(maxBackoff)
{
}

std::chrono::milliseconds SchedulingQueue::backoffFor(int attempts) const
{
    std::chrono::milliseconds d = m_initialBackoff;
    for (int i = 1; i < attempts && d < m_maxBackoff; ++i)
        d *= 2;
    return std::min(d, m_maxBackoff);
}

SchedulingQueue::Entry *SchedulingQueue::find(const std::string &uid)
{
    auto it = m_byUid.find(uid);
    return it == m_byUid.end() ? nullptr : m_slots[it->second].get();
}

bool SchedulingQueue::isCurrent(int slot, uint64_t ticket, State state) const
{
    const Entry *e = m_slots[slot].get();
    return e && e->ticket == ticket && e->state == state;
}

void SchedulingQueue::dropUnschedulable(int slot)
{
    Entry &e = *m_slots[slot];
    if (e.unschedulableIndex < 0)
        return;
    const int last = m_unschedulable.back();
    m_unschedulable[e.unschedulableIndex] = last;
    m_slots[last]->unschedulableIndex = e.unschedulableIndex;
    m_unschedulable.pop_back();
    e.unschedulableIndex = -1;
}

void SchedulingQueue::setState(int slot, State state)
{
    Entry &e = *m_slots[slot];
    if (e.state == State::Active)
        --m_activeCount;
    else if (e.state == State::Backoff)
        --m_backoffCount;
    else if (e.state == State::Unschedulable)
        dropUnschedulable(slot);
    e.state = state;
    e.ticket = ++m_nextTicket;
    if (state == State::Active) {
        ++m_activeCount;
        m_active.push_back({e.pod.priority, e.pod.createdSeconds, e.arrival, slot, e.ticket});
        std::push_heap(m_active.begin(), m_active.end(), activeLater);
    } else if (state == State::Backoff) {
        ++m_backoffCount;
        m_backoff.push_back({e.backoffUntil, slot, e.ticket});
        std::push_heap(m_backoff.begin(), m_backoff.end(), backoffLater);
    } else if (state == State::Unschedulable) {
        e.unschedulableIndex = int(m_unschedulable.size());
        m_unschedulable.push_back(slot);
    }
}

void SchedulingQueue::activate(int slot, Clock::time_point now)
{
    Entry &e = *m_slots[slot];
    if (e.pod.gated)
        setState(slot, State::Gated);
    else if (e.attempts > 0 && now < e.backoffUntil)
        setState(slot, State::Backoff);
    else
        setState(slot, State::Active);
}

void SchedulingQueue::addOrUpdate(PodInfo pod, Clock::time_point now)
{
    auto it = m_byUid.find(pod.uid);
    if (it == m_byUid.end()) {
        int slot;
        if (!m_freeSlots.empty()) {
            slot = m_freeSlots.back();
            m_freeSlots.pop_back();
        } else {
            slot = int(m_slots.size());
            m_slots.emplace_back();
        }
        m_slots[slot] = std::make_unique<Entry>();
        Entry &e = *m_slots[slot];
        e.pod = std::move(pod);
        e.arrival = ++m_nextArrival;
        e.state = State::Gated;  // placeholder so setState counts nothing
        m_byUid.emplace(e.pod.uid, slot);
        activate(slot, now);
        return;
    }
    const int slot = it->second;
    Entry &e = *m_slots[slot];
    const bool changed = !e.pod.sameSchedulingFacts(pod);
    e.pod = std::move(pod);
    if (!changed || e.state == State::InFlight)
        return;
    if (e.state == State::Unschedulable || e.state == State::Gated)
        activate(slot, now);
    else if (e.state == State::Active)
        setState(slot, State::Active);  // its priority may have changed: re-enter the heap
}

void SchedulingQueue::remove(const std::string &uid)
{
    auto it = m_byUid.find(uid);
    if (it == m_byUid.end())
        return;
    const int slot = it->second;
    setState(slot, State::Gated);  // leave the counted states; heap entries go stale
    m_slots[slot].reset();
    m_freeSlots.push_back(slot);
    m_byUid.erase(it);
}

SchedulingQueue::Entry *SchedulingQueue::pop()
{
    while (!m_active.empty()) {
        std::pop_heap(m_active.begin(), m_active.end(), activeLater);
        const ActiveItem item = m_active.back();
        m_active.pop_back();
        if (!isCurrent(item.slot, item.ticket, State::Active))
            continue;
        setState(item.slot, State::InFlight);
        Entry &e = *m_slots[item.slot];
        ++e.attempts;
        return &e;
    }
    return nullptr;
}

void SchedulingQueue::markUnschedulable(Entry &entry, unsigned rejectors, Clock::time_point now)
{
    const int slot = m_byUid.at(entry.pod.uid);
    entry.rejectors = rejectors;
    entry.unschedulableSince = now;
    entry.backoffUntil = now + backoffFor(entry.attempts);
    setState(slot, State::Unschedulable);
}

void SchedulingQueue::requeue(Entry &entry, Clock::time_point now)
{
    const int slot = m_byUid.at(entry.pod.uid);
    entry.backoffUntil = now + backoffFor(entry.attempts);
    activate(slot, now);
}

size_t SchedulingQueue::moveForEvent(unsigned plugins, Clock::time_point now)
{
    size_t moved = 0;
    // Walk a copy: activating a pod removes it from m_unschedulable.
    const std::vector<int> candidates = m_unschedulable;
    for (int slot : candidates)
        if (m_slots[slot]->rejectors & plugins) {
            activate(slot, now);
            ++moved;
        }
    return moved;
}

size_t SchedulingQueue::flushBackoff(Clock::time_point now)
{
    size_t moved = 0;
    while (!m_backoff.empty() && m_backoff.front().until <= now) {
        std::pop_heap(m_backoff.begin(), m_backoff.end(), backoffLater);
        const BackoffItem item = m_backoff.back();
        m_backoff.pop_back();
        if (!isCurrent(item.slot, item.ticket, State::Backoff))
            continue;
        setState(item.slot, State::Active);
        ++moved;
    }
    return moved;
}

std::optional<SchedulingQueue::Clock::time_point> SchedulingQueue::nextBackoffExpiry()
{
    while (!m_backoff.empty() && !isCurrent(m_backoff.front().slot, m_backoff.front().ticket, State::Backoff)) {
        std::pop_heap(m_backoff.begin(), m_backoff.end(), backoffLater);
        m_backoff.pop_back();
    }
    if (m_backoff.empty())
        return std::nullopt;
    return m_backoff.front().until;
}

size_t SchedulingQueue::flushUnschedulable(Clock::time_point now, std::chrono::milliseconds after)
{
    size_t moved = 0;
    const std::vector<int> candidates = m_unschedulable;
    for (int slot : candidates)
        if (now - m_slots[slot]->unschedulableSince >= after) {
            activate(slot, now);
            ++moved;
        }
    return moved;
}

} // namespace cd::scheduler
