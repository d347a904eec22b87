#pragma once
// The scheduling queue (kube-scheduler's internal/queue): an active queue ordered by priority,
// then creation; a backoff queue for pods that failed recently; and the unschedulable pods,
// which cluster events move back when they may help (a node added or changed, a pod's resources
// freed, a claim bound...) and a periodic flush moves back regardless.

#include "engine/scheduler/types.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cd::scheduler {

class SchedulingQueue {
public:
    using Clock = std::chrono::steady_clock;
    enum class State : uint8_t { Active, Backoff, Unschedulable, InFlight, Gated };

    struct Entry {
        PodInfo pod;
        State state = State::Active;
        int attempts = 0;
        unsigned rejectors = 0;  // plugins that rejected it last time
        Clock::time_point backoffUntil{};
        Clock::time_point unschedulableSince{};
        uint64_t arrival = 0;  // FIFO among equals
        uint64_t ticket = 0;   // validates heap entries (a stale entry carries an old ticket)
        int unschedulableIndex = -1;
    };

    SchedulingQueue(std::chrono::milliseconds initialBackoff, std::chrono::milliseconds maxBackoff);

    // A pod the informer shows unscheduled: added, or its facts updated. An update that changes
    // what plugins read sends an unschedulable pod back to the active (or backoff) queue.
    void addOrUpdate(PodInfo pod, Clock::time_point now);
    void remove(const std::string &uid);
    Entry *find(const std::string &uid);

    // The next pod to schedule (it is then InFlight), or null.
    Entry *pop();
    void markUnschedulable(Entry &entry, unsigned rejectors, Clock::time_point now);
    // A transient failure (binding refused): retry after the backoff.
    void requeue(Entry &entry, Clock::time_point now);
    // Done with it (bound): forget the pod.
    void done(const std::string &uid) { remove(uid); }

    // Cluster events: unschedulable pods rejected by one of `plugins` move back.
    size_t moveForEvent(unsigned plugins, Clock::time_point now);
    // Pods whose backoff ended move to the active queue.
    size_t flushBackoff(Clock::time_point now);
    std::optional<Clock::time_point> nextBackoffExpiry();
    // Pods unschedulable for longer than `after` move back (kube-scheduler's leftover flush).
    size_t flushUnschedulable(Clock::time_point now, std::chrono::milliseconds after);

    size_t activeCount() const { return m_activeCount; }
    size_t backoffCount() const { return m_backoffCount; }
    size_t unschedulableCount() const { return m_unschedulable.size(); }
    size_t size() const { return m_byUid.size(); }

    std::chrono::milliseconds backoffFor(int attempts) const;

private:
    struct ActiveItem {
        long long priority;
        long long created;
        uint64_t arrival;
        int slot;
        uint64_t ticket;
    };
    struct BackoffItem {
        Clock::time_point until;
        int slot;
        uint64_t ticket;
    };

    void setState(int slot, State state);
    void activate(int slot, Clock::time_point now);  // active, or backoff while it lasts
    void dropUnschedulable(int slot);
    bool isCurrent(int slot, uint64_t ticket, State state) const;

    std::chrono::milliseconds m_initialBackoff;
    std::chrono::milliseconds m_maxBackoff;
    std::vector<std::unique_ptr<Entry>> m_slots;
    std::vector<int> m_freeSlots;
    std::unordered_map<std::string, int> m_byUid;
    std::vector<ActiveItem> m_active;   // heap
    std::vector<BackoffItem> m_backoff; // heap
    std::vector<int> m_unschedulable;
    size_t m_activeCount = 0;
    size_t m_backoffCount = 0;
    uint64_t m_nextArrival = 0;
    uint64_t m_nextTicket = 0;
};

} // namespace cd::scheduler
