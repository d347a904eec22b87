#pragma once
// A work queue of keys for level-based controllers (client-go's workqueue): a key is queued once
// however often it is added, never processed twice at the same time, and retried with
// exponential backoff when its reconcile asks for it.

#include <QObject>
#include <QTimer>

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>

namespace cd::client {

class WorkQueue : public QObject {
    Q_OBJECT
public:
    // Called with a key; call done(retry) when the work is finished (possibly later, after
    // asynchronous requests): retry=true queues the key again after a growing delay.
    using Reconcile = std::function<void(const std::string &key, std::function<void(bool retry)> done)>;

    explicit WorkQueue(Reconcile reconcile, QObject *parent = nullptr);

    void add(const std::string &key);
    void addAfter(const std::string &key, int milliseconds);
    size_t length() const { return m_queue.size(); }
    bool busy() const { return !m_queue.empty() || !m_active.empty(); }

    int baseDelayMs = 5;
    int maxDelayMs = 60000;
    int maxConcurrent = 1000;  // reconciles in flight at once (each waits on its own requests)

private:
    void scheduleProcessing();
    void processSome();
    void finished(const std::string &key, bool retry);

    Reconcile m_reconcile;
    std::deque<std::string> m_queue;
    std::set<std::string> m_queued;
    std::set<std::string> m_active;
    std::set<std::string> m_dirtyWhileActive;
    std::map<std::string, int> m_failures;
    bool m_scheduled = false;
};

} // namespace cd::client
