// The scheduling queue: priority order, scheduling gates, backoff that doubles up to its cap,
// unschedulable pods moved back only by events that concern the plugins that rejected them,
// and the periodic flush. Time is passed in, so nothing here waits.
#include "engine/scheduler/queue.h"

#include <QtTest>

using namespace cd::scheduler;
using namespace std::chrono_literals;

namespace {

using Clock = SchedulingQueue::Clock;

PodInfo podInfo(const std::string &name, long long priority = 0, long long created = 0)
{
    PodInfo pod;
    pod.ns = "default";
    pod.name = name;
    pod.uid = "uid-" + name;
    pod.priority = priority;
    pod.createdSeconds = created;
    return pod;
}

QStringList drain(SchedulingQueue &queue)
{
    QStringList out;
    while (SchedulingQueue::Entry *e = queue.pop())
        out << QString::fromStdString(e->pod.name);
    return out;
}

} // namespace

class TestQueue : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void priorityThenCreationThenArrival()
    {
        SchedulingQueue queue(1s, 10s);
        const auto now = Clock::now();
        queue.addOrUpdate(podInfo("late", 0, 200), now);
        queue.addOrUpdate(podInfo("early", 0, 100), now);
        queue.addOrUpdate(podInfo("urgent", 1000, 300), now);
        queue.addOrUpdate(podInfo("early-too", 0, 100), now);
        queue.addOrUpdate(podInfo("negative", -5, 0), now);
        QCOMPARE(queue.activeCount(), size_t(5));
        QCOMPARE(drain(queue), (QStringList{"urgent", "early", "early-too", "late", "negative"}));
        QCOMPARE(queue.activeCount(), size_t(0));
        QCOMPARE(queue.size(), size_t(5));  // in flight until done
    }

    void priorityChangeReorders()
    {
        SchedulingQueue queue(1s, 10s);
        const auto now = Clock::now();
        queue.addOrUpdate(podInfo("a", 0, 1), now);
        queue.addOrUpdate(podInfo("b", 0, 2), now);
        queue.addOrUpdate(podInfo("b", 50, 2), now);
        QCOMPARE(drain(queue), (QStringList{"b", "a"}));
    }

    void gatedPodsWait()
    {
        SchedulingQueue queue(1s, 10s);
        const auto now = Clock::now();
        PodInfo gated = podInfo("gated");
        gated.gated = true;
        queue.addOrUpdate(gated, now);
        QCOMPARE(drain(queue), QStringList());
        gated.gated = false;
        queue.addOrUpdate(gated, now);
        QCOMPARE(drain(queue), QStringList{"gated"});
    }

    void backoffDoubles()
    {
        SchedulingQueue queue(1s, 10s);
        QCOMPARE(queue.backoffFor(1), std::chrono::milliseconds(1s));
        QCOMPARE(queue.backoffFor(2), std::chrono::milliseconds(2s));
        QCOMPARE(queue.backoffFor(3), std::chrono::milliseconds(4s));
        QCOMPARE(queue.backoffFor(4), std::chrono::milliseconds(8s));
        QCOMPARE(queue.backoffFor(5), std::chrono::milliseconds(10s));
        QCOMPARE(queue.backoffFor(30), std::chrono::milliseconds(10s));
    }

    // An unschedulable pod comes back only for events about the plugins that rejected it, and
    // then waits out its backoff.
    void eventsMoveOnlyWhatTheyConcern()
    {
        SchedulingQueue queue(1s, 10s);
        const auto t0 = Clock::now();
        queue.addOrUpdate(podInfo("cpu"), t0);
        queue.addOrUpdate(podInfo("taint"), t0);
        SchedulingQueue::Entry *a = queue.pop();
        SchedulingQueue::Entry *b = queue.pop();
        QVERIFY(a && b);
        queue.markUnschedulable(*a, NodeResourcesFit, t0);
        queue.markUnschedulable(*b, TaintToleration | NodeAffinity, t0);
        QCOMPARE(queue.unschedulableCount(), size_t(2));

        QCOMPARE(queue.moveForEvent(NodeUnschedulable, t0), size_t(0));
        QCOMPARE(queue.moveForEvent(NodeResourcesFit, t0 + 100ms), size_t(1));
        QCOMPARE(queue.unschedulableCount(), size_t(1));
        // Still within its first backoff (1 s): waits in the backoff queue.
        QCOMPARE(queue.activeCount(), size_t(0));
        QCOMPARE(queue.backoffCount(), size_t(1));
        QVERIFY(queue.nextBackoffExpiry().has_value());
        QCOMPARE(queue.flushBackoff(t0 + 500ms), size_t(0));
        QCOMPARE(queue.flushBackoff(t0 + 1s), size_t(1));
        QCOMPARE(drain(queue), QStringList{"cpu"});

        // Past its backoff, an event sends the pod straight to the active queue.
        QCOMPARE(queue.moveForEvent(NodeAffinity, t0 + 5s), size_t(1));
        QCOMPARE(queue.activeCount(), size_t(1));
        QCOMPARE(drain(queue), QStringList{"taint"});
    }

    void secondFailureBacksOffLonger()
    {
        SchedulingQueue queue(1s, 10s);
        const auto t0 = Clock::now();
        queue.addOrUpdate(podInfo("p"), t0);
        queue.markUnschedulable(*queue.pop(), NodeResourcesFit, t0);
        queue.moveForEvent(NodeResourcesFit, t0 + 1s);
        queue.markUnschedulable(*queue.pop(), NodeResourcesFit, t0 + 1s);
        queue.moveForEvent(NodeResourcesFit, t0 + 2s);
        QCOMPARE(queue.backoffCount(), size_t(1));
        QCOMPARE(queue.flushBackoff(t0 + 2900ms), size_t(0));
        QCOMPARE(queue.flushBackoff(t0 + 3s), size_t(1));
    }

    void leftoverFlush()
    {
        SchedulingQueue queue(1s, 10s);
        const auto t0 = Clock::now();
        queue.addOrUpdate(podInfo("p"), t0);
        queue.markUnschedulable(*queue.pop(), NodeResourcesFit, t0);
        QCOMPARE(queue.flushUnschedulable(t0 + 10s, 15s), size_t(0));
        QCOMPARE(queue.flushUnschedulable(t0 + 15s, 15s), size_t(1));
        QCOMPARE(drain(queue), QStringList{"p"});
    }

    // An update that changes what plugins read retries an unschedulable pod; one that does not
    // (a status write, say) leaves it waiting.
    void podUpdates()
    {
        SchedulingQueue queue(1s, 10s);
        const auto t0 = Clock::now();
        PodInfo pod = podInfo("p");
        queue.addOrUpdate(pod, t0);
        queue.markUnschedulable(*queue.pop(), NodeResourcesFit, t0);
        PodInfo sameFacts = pod;
        sameFacts.scheduledStatus = "False";
        sameFacts.resourceVersion = "42";
        queue.addOrUpdate(sameFacts, t0 + 5s);
        QCOMPARE(queue.unschedulableCount(), size_t(1));
        PodInfo smaller = pod;
        smaller.requests.milliCpu = 100;
        queue.addOrUpdate(smaller, t0 + 5s);
        QCOMPARE(queue.unschedulableCount(), size_t(0));
        QCOMPARE(drain(queue), QStringList{"p"});
    }

    void removeAndRequeue()
    {
        SchedulingQueue queue(1s, 10s);
        const auto t0 = Clock::now();
        queue.addOrUpdate(podInfo("a"), t0);
        queue.addOrUpdate(podInfo("b"), t0);
        queue.remove("uid-a");
        QCOMPARE(queue.size(), size_t(1));
        SchedulingQueue::Entry *b = queue.pop();
        QCOMPARE(b->pod.name, std::string("b"));
        queue.requeue(*b, t0);  // a refused binding: after the backoff
        QCOMPARE(queue.backoffCount(), size_t(1));
        QCOMPARE(queue.flushBackoff(t0 + 1s), size_t(1));
        QCOMPARE(drain(queue), QStringList{"b"});
        queue.done("uid-b");
        QCOMPARE(queue.size(), size_t(0));
        QVERIFY(queue.find("uid-b") == nullptr);
    }
};

QTEST_GUILESS_MAIN(TestQueue)
#include "tst_queue.moc"
