#pragma once
// kube-scheduler's role: a queue of unscheduled pods; filters, then scores, over the nodes; the
// best node proposed to the API through pods/binding (DESIGN.md rule 3).
//
// Informer events keep a compact cache (nodes, the pods on them, storage) and the scheduling
// queue up to date; scheduling runs in short slices on the event loop. A chosen node is
// assumed at once (the pod counts there before the API answers) and the binding is sent
// without waiting: many bindings are in flight together, and a refused one is forgotten and
// the pod retried. A pod that fits nowhere gets PodScheduled=False and a FailedScheduling
// event in Kubernetes' words, and waits until a cluster change may help (or the periodic flush).
//
// Scheduled events yield to bindings: while pods wait to be scheduled or bindings await their
// answer, the events of the pods already bound wait (20,000 or 5 s at most: a few MB) and are
// written once the scheduler is idle. The API thread spends as long on an event as on a binding,
// so writing both in step would halve the rate at which a burst of pods gets bound.

#include "engine/client/eventrecorder.h"
#include "engine/client/sharedinformers.h"
#include "engine/scheduler/algorithm.h"
#include "engine/scheduler/cache.h"
#include "engine/scheduler/queue.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <deque>

namespace cd::scheduler {

struct SchedulerOptions {
    std::string name = "default-scheduler";  // pods with spec.schedulerName other than this are left alone
    // Share of the nodes to find feasible before scoring; 0: kube-scheduler's adaptive default.
    int percentageOfNodesToScore = 0;
    // Backoff after a failed attempt, doubling per attempt (podInitialBackoffSeconds,
    // podMaxBackoffSeconds).
    std::chrono::milliseconds initialBackoff{1000};
    std::chrono::milliseconds maxBackoff{10000};
    // Unschedulable pods that no event moved are retried after this long, checked every
    // flushPeriod (kube-scheduler: 5 minutes, checked every 30 s; shorter here for a desktop).
    std::chrono::milliseconds unschedulableTimeout{15000};
    std::chrono::milliseconds flushPeriod{5000};
    // Bindings sent and not yet answered, at most.
    int maxBindingsInFlight = 2000;
    // Scheduling work done per turn of the event loop before letting events in.
    std::chrono::milliseconds timeSlice{5};
    // Scheduled events wait while pods are queued for scheduling or bindings are in flight,
    // unless this many are waiting or the oldest has waited this long; with deferEvents false
    // each is written as its binding is answered.
    bool deferEvents = true;
    size_t maxDeferredEvents = 20000;
    std::chrono::milliseconds maxEventDelay{5000};
    uint64_t seed = 0;  // tie-breaking; 0 picks one from the clock
};

struct SchedulerStats {
    long long attempts = 0;
    long long bound = 0;
    long long unschedulable = 0;
    long long bindingFailures = 0;
    long long bindingConflicts = 0;  // the pod was bound meanwhile (or deleted)
    long long scheduledEvents = 0;   // Scheduled events written
};

class Scheduler : public QObject {
    Q_OBJECT
public:
    Scheduler(client::Client *client, client::SharedInformers *informers, SchedulerOptions options = {},
              QObject *parent = nullptr);
    ~Scheduler() override;

    const SchedulerStats &stats() const { return m_stats; }
    size_t queuedPods() const { return m_queue.size(); }
    int bindingsInFlight() const { return m_inFlight; }
    size_t deferredEvents() const { return m_deferredEvents.size(); }
    const Cache &cache() const { return m_cache; }

Q_SIGNALS:
    // A binding the API accepted.
    void podBound(const QString &ns, const QString &name, const QString &node);

private:
    using Clock = SchedulingQueue::Clock;
    struct PodRef {
        std::string ns, name, uid, resourceVersion;
    };
    struct DeferredEvent {
        PodRef pod;
        std::string node;
        Clock::time_point bound;
    };

    bool synced() const;
    void onPodEvent(const client::InformerEvent &event);
    void onNodeEvent(const client::InformerEvent &event);
    void onStorageEvent();
    void clusterChanged(unsigned plugins);

    void kick();
    void scheduleSome();
    void scheduleOne(SchedulingQueue::Entry &entry);
    void bindVolumes(const ScheduleResult &result, const NodeInfo &node);
    void bind(const PodInfo &pod, const std::string &node);
    void onBindingAnswer(const PodRef &pod, const std::string &node, const client::Response &response);
    void reportFailure(PodInfo &pod, const std::string &message, const std::string &reason);
    void flushScheduledEvents();
    void armBackoffTimer();
    void flushUnschedulable();
    static Json reference(const PodRef &pod);

    client::Client *m_client;
    SchedulerOptions m_options;
    client::Informer *m_pods;
    client::Informer *m_nodes;
    std::vector<client::Informer *> m_storage;
    client::EventRecorder *m_recorder;
    Cache m_cache;
    SchedulingQueue m_queue;
    Algorithm m_algorithm;
    SchedulerStats m_stats;
    int m_inFlight = 0;
    QTimer m_kickTimer;
    QTimer m_backoffTimer;
    QTimer m_flushTimer;
    QTimer m_eventTimer;
    std::deque<DeferredEvent> m_deferredEvents;
};

} // namespace cd::scheduler
