#include "engine/client/workqueue.h"

#include <QPointer>

#include <algorithm>

namespace cd::client {

WorkQueue::WorkQueue(Reconcile reconcile, QObject *parent) : QObject(parent), m_reconcile(std::move(reconcile)) {}

void WorkQueue::add(const std::string &key)
{
    if (m_active.count(key)) {
        m_dirtyWhileActive.insert(key);
        return;
    }
    if (!m_queued.insert(key).second)
        return;
    m_queue.push_back(key);
    scheduleProcessing();
}

void WorkQueue::addAfter(const std::string &key, int milliseconds)
{
    QPointer<WorkQueue> self(this);
    QTimer::singleShot(milliseconds, this, [self, key] {
        if (self)
            self->add(key);
    });
}

void WorkQueue::scheduleProcessing()
{
    if (m_scheduled)
        return;
    m_scheduled = true;
    QMetaObject::invokeMethod(this, &WorkQueue::processSome, Qt::QueuedConnection);
}

void WorkQueue::processSome()
{
    m_scheduled = false;
    // A bounded batch per turn of the event loop keeps informer events flowing in between.
    int budget = 256;
    while (!m_queue.empty() && budget-- > 0 && int(m_active.size()) < maxConcurrent) {
        std::string key = std::move(m_queue.front());
        m_queue.pop_front();
        m_queued.erase(key);
        m_active.insert(key);
        QPointer<WorkQueue> self(this);
        bool called = false;
        m_reconcile(key, [self, key, called](bool retry) mutable {
            if (!self || called)
                return;
            called = true;
            self->finished(key, retry);
        });
    }
    if (!m_queue.empty())
        scheduleProcessing();
}

void WorkQueue::finished(const std::string &key, bool retry)
{
    m_active.erase(key);
    const bool dirty = m_dirtyWhileActive.erase(key) > 0;
    if (retry) {
        const int failures = ++m_failures[key];
        const int delay = std::min<long long>(maxDelayMs, static_cast<long long>(baseDelayMs) << std::min(failures, 20));
        addAfter(key, delay);
        return;
    }
    m_failures.erase(key);
    if (dirty)
        add(key);
    else if (!m_queue.empty())
        scheduleProcessing();
}

} // namespace cd::client
