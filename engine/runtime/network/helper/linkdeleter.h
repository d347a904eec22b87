#pragma once
// Deleting a network device makes the kernel wait for an RCU grace period (rcu_barrier in
// netdev_run_todo) — tens of milliseconds, in the thread that asked. This thread takes that wait,
// so removing a pod costs the engine about a millisecond and never delays the next pod's start.

#include "rtnetlink.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace cd::netns {

class LinkDeleter {
public:
    // `netlink` must belong to the namespace whose links it deletes.
    explicit LinkDeleter(RtNetlink netlink);
    ~LinkDeleter(); // finishes the deletion under way; the rest go with their namespaces

    void deleteLater(int index);

private:
    void run();

    RtNetlink m_netlink;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<int> m_pending;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace cd::netns
