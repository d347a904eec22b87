#include "engine/scheduler/scheduler.h"

#include "engine/client/resources.h"
#include "engine/core/clock.h"
#include "engine/scheduler/fiterror.h"
#include "engine/scheduler/objectfacts.h"

#include <QPointer>

namespace cd::scheduler {
namespace {

const client::Resource &podsResource() { return *client::builtinResource("pods"); }

bool isTerminalPhase(const Json &pod)
{
    const std::string phase = str(pod, {"status", "phase"});
    return phase == "Succeeded" || phase == "Failed";
}

uint64_t seedFrom(uint64_t seed)
{
    return seed ? seed : uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) | 1;
}

} // namespace

Scheduler::Scheduler(client::Client *client, client::SharedInformers *informers, SchedulerOptions options,
                     QObject *parent)
    : QObject(parent), m_client(client), m_options(std::move(options)),
      m_recorder(new client::EventRecorder(client, m_options.name, {}, this)),
      m_queue(m_options.initialBackoff, m_options.maxBackoff), m_algorithm(seedFrom(m_options.seed)),
      m_kickTimer(this), m_backoffTimer(this), m_flushTimer(this), m_eventTimer(this)
{
    m_algorithm.percentageOfNodesToScore = m_options.percentageOfNodesToScore;

    m_pods = informers->informer(podsResource());
    m_nodes = informers->informer(*client::builtinResource("nodes"));
    m_pods->addHandler([this](const client::InformerEvent &e) { onPodEvent(e); });
    m_nodes->addHandler([this](const client::InformerEvent &e) { onNodeEvent(e); });

    struct StorageKind {
        const char *plural, *group;
        void (VolumeCache::*upsert)(const Json &);
        void (VolumeCache::*remove)(const Json &);
    };
    const StorageKind kinds[] = {
        {"persistentvolumeclaims", "", &VolumeCache::upsertClaim, &VolumeCache::removeClaim},
        {"persistentvolumes", "", &VolumeCache::upsertVolume, &VolumeCache::removeVolume},
        {"storageclasses", "storage.k8s.io", &VolumeCache::upsertClass, &VolumeCache::removeClass},
    };
    for (const StorageKind &kind : kinds) {
        const client::Resource *resource = client::builtinResource(kind.plural, kind.group);
        if (!resource)
            continue;
        client::Informer *informer = informers->informer(*resource);
        informer->addHandler([this, kind](const client::InformerEvent &e) {
            (m_cache.volumes().*(e.deleted() ? kind.remove : kind.upsert))(*e.object);
            onStorageEvent();
        });
        m_storage.push_back(informer);
    }
    for (client::Informer *informer : m_storage)
        connect(informer, &client::Informer::synced, this, &Scheduler::kick);
    connect(m_pods, &client::Informer::synced, this, &Scheduler::kick);
    connect(m_nodes, &client::Informer::synced, this, &Scheduler::kick);

    m_kickTimer.setSingleShot(true);
    m_kickTimer.setInterval(0);
    connect(&m_kickTimer, &QTimer::timeout, this, &Scheduler::scheduleSome);
    m_backoffTimer.setSingleShot(true);
    connect(&m_backoffTimer, &QTimer::timeout, this, [this] {
        if (m_queue.flushBackoff(Clock::now()))
            kick();
        armBackoffTimer();
    });
    connect(&m_flushTimer, &QTimer::timeout, this, &Scheduler::flushUnschedulable);
    m_flushTimer.start(int(m_options.flushPeriod.count()));
    // Deferred Scheduled events are looked at now and then, so none waits past maxEventDelay.
    m_eventTimer.setInterval(int(std::max<long long>(1, m_options.maxEventDelay.count() / 4)));
    connect(&m_eventTimer, &QTimer::timeout, this, [this] { flushScheduledEvents(); });
}

Scheduler::~Scheduler() = default;

bool Scheduler::synced() const
{
    if (!m_pods->hasSynced() || !m_nodes->hasSynced())
        return false;
    for (const client::Informer *informer : m_storage)
        if (!informer->hasSynced())
            return false;
    return true;
}

// ---- Informer events -------------------------------------------------------------------------

void Scheduler::onPodEvent(const client::InformerEvent &event)
{
    const Json &pod = *event.object;
    const std::string uid = str(pod, {"metadata", "uid"});
    if (event.deleted()) {
        m_queue.remove(uid);
        clusterChanged(m_cache.removePod(uid));
        return;
    }
    const std::string nodeName = str(pod, {"spec", "nodeName"});
    if (!nodeName.empty()) {
        // Bound (by us or anyone): no longer queued; counted on its node until it ends.
        m_queue.remove(uid);
        if (isTerminalPhase(pod)) {
            clusterChanged(m_cache.removePod(uid));
            return;
        }
        if (m_cache.knowsPod(uid)) {
            // Requests do not change once placed: read only what may.
            PodInfo facts;
            facts.uid = uid;
            facts.nodeName = nodeName;
            facts.terminating = find(pod, {"metadata", "deletionTimestamp"}) != nullptr;
            facts.ownerUid = spreadOwnerUid(pod);
            clusterChanged(m_cache.updatePlacedPod(facts));
        } else {
            clusterChanged(m_cache.updatePlacedPod(placedPodInfoFrom(pod)));
        }
        return;
    }
    if (m_cache.isAssumed(uid))
        return;  // our binding is on its way; this is an older view of the pod
    const std::string schedulerName = str(pod, {"spec", "schedulerName"});
    const bool ours = schedulerName.empty() || schedulerName == m_options.name;
    if (!ours || find(pod, {"metadata", "deletionTimestamp"}) || isTerminalPhase(pod)) {
        m_queue.remove(uid);
        return;
    }
    m_queue.addOrUpdate(podInfoFrom(pod), Clock::now());
    kick();
    armBackoffTimer();
}

void Scheduler::onNodeEvent(const client::InformerEvent &event)
{
    if (event.deleted()) {
        m_cache.removeNode(str(*event.object, {"metadata", "name"}));
        return;
    }
    clusterChanged(m_cache.upsertNode(nodeInfoFrom(*event.object)));
}

void Scheduler::onStorageEvent() { clusterChanged(VolumeBinding); }

void Scheduler::clusterChanged(unsigned plugins)
{
    if (plugins == 0 || m_queue.unschedulableCount() == 0)
        return;
    if (m_queue.moveForEvent(plugins, Clock::now()) > 0) {
        kick();
        armBackoffTimer();
    }
}

void Scheduler::flushUnschedulable()
{
    const auto now = Clock::now();
    const size_t moved = m_queue.flushUnschedulable(now, m_options.unschedulableTimeout) + m_queue.flushBackoff(now);
    if (moved)
        kick();
    armBackoffTimer();
}

void Scheduler::armBackoffTimer()
{
    const auto next = m_queue.nextBackoffExpiry();
    if (!next)
        return;
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now());
    const int ms = int(std::max<long long>(0, wait.count()));
    if (!m_backoffTimer.isActive() || m_backoffTimer.remainingTime() > ms)
        m_backoffTimer.start(ms);
}

// ---- Scheduling ------------------------------------------------------------------------------

void Scheduler::kick()
{
    if (!m_kickTimer.isActive())
        m_kickTimer.start();
}

void Scheduler::scheduleSome()
{
    if (!synced())
        return;
    const auto deadline = Clock::now() + m_options.timeSlice;
    int done = 0;
    while (m_inFlight < m_options.maxBindingsInFlight) {
        SchedulingQueue::Entry *entry = m_queue.pop();
        if (!entry)
            break;
        scheduleOne(*entry);
        // Check the clock now and then; let informer events and answers in between slices.
        if ((++done & 7) == 0 && Clock::now() >= deadline) {
            if (m_queue.activeCount() > 0)
                kick();
            break;
        }
    }
    armBackoffTimer();
}

void Scheduler::scheduleOne(SchedulingQueue::Entry &entry)
{
    ++m_stats.attempts;
    ScheduleResult result = m_algorithm.schedule(entry.pod, m_cache);
    if (result.slot < 0) {
        ++m_stats.unschedulable;
        m_queue.markUnschedulable(entry, result.rejectors, Clock::now());
        reportFailure(entry.pod, result.message, "Unschedulable");
        return;
    }
    const NodeInfo &node = m_cache.node(result.slot);
    const std::string nodeName = node.name;
    bindVolumes(result, node);
    m_cache.assume(entry.pod, nodeName);
    bind(entry.pod, nodeName);
}

// WaitForFirstConsumer claims: bind the chosen static volumes to their claims, and ask for the
// others to be provisioned on the chosen node, as kube-scheduler's VolumeBinding PreBind does
// (without waiting for the volume binder to finish before binding the pod).
void Scheduler::bindVolumes(const ScheduleResult &result, const NodeInfo &node)
{
    if (result.volumes.skip || result.volumes.delayedClaims.empty())
        return;
    const VolumeDecisions decisions = volumeBindingDecisions(result.volumes, m_cache.volumes(), node);
    static const client::Resource *pvs = client::builtinResource("persistentvolumes");
    static const client::Resource *pvcs = client::builtinResource("persistentvolumeclaims");
    for (const auto &[claim, volume] : decisions.bindings) {
        const Json patch = {{"metadata",
                             {{"annotations", {{"pv.kubernetes.io/bound-by-controller", "yes"}}},
                              {"resourceVersion", volume->resourceVersion}}},
                            {"spec",
                             {{"claimRef",
                               {{"kind", "PersistentVolumeClaim"},
                                {"apiVersion", "v1"},
                                {"namespace", claim->ns},
                                {"name", claim->name},
                                {"uid", claim->uid}}}}}};
        const std::string volumeName = volume->name;
        m_cache.volumes().assumeVolumeBound(volumeName, *claim);
        m_client->patch(*pvs, {}, volumeName, "application/merge-patch+json", patch, {});
    }
    for (const ClaimInfo *claim : decisions.provisions) {
        if (!claim->selectedNode.empty())
            continue;
        const std::string ns = claim->ns, name = claim->name;
        m_cache.volumes().assumeSelectedNode(ns, name, node.name);
        const Json patch = {{"metadata", {{"annotations", {{"volume.kubernetes.io/selected-node", node.name}}}}}};
        m_client->patch(*pvcs, ns, name, "application/merge-patch+json", patch, {});
    }
}

void Scheduler::bind(const PodInfo &pod, const std::string &node)
{
    ++m_inFlight;
    client::Request request;
    request.method = "POST";
    request.path = podsResource().path(pod.ns, pod.name, "binding");
    // Names and uids are DNS labels, subdomains and UUIDs: nothing to escape.
    request.body = R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":")" + pod.name + R"(","namespace":")" +
                   pod.ns + R"(","uid":")" + pod.uid + R"("},"target":{"apiVersion":"v1","kind":"Node","name":")" +
                   node + R"("}})";
    QPointer<Scheduler> self(this);
    PodRef ref{pod.ns, pod.name, pod.uid, pod.resourceVersion};
    m_client->send(std::move(request), [self, ref = std::move(ref), node](const client::Response &response) {
        if (self)
            self->onBindingAnswer(ref, node, response);
    });
}

void Scheduler::onBindingAnswer(const PodRef &pod, const std::string &node, const client::Response &response)
{
    --m_inFlight;
    if (m_queue.activeCount() > 0)
        kick();
    if (response.ok()) {
        ++m_stats.bound;
        m_queue.done(pod.uid);
        m_deferredEvents.push_back({pod, node, Clock::now()});
        Q_EMIT podBound(QString::fromStdString(pod.ns), QString::fromStdString(pod.name),
                        QString::fromStdString(node));
        flushScheduledEvents();
        return;
    }
    ++m_stats.bindingFailures;
    m_cache.forget(pod.uid);
    clusterChanged(NodeResourcesFit);  // the assumed requests are freed
    const std::string message = response.message();
    if (response.status == 404 || (response.status == 409 && message.find("already assigned") != std::string::npos)) {
        // Deleted, or bound by someone else: the informer brings the truth; nothing to retry.
        ++m_stats.bindingConflicts;
        m_queue.remove(pod.uid);
        return;
    }
    SchedulingQueue::Entry *entry = m_queue.find(pod.uid);
    if (!entry || entry->state != SchedulingQueue::State::InFlight)
        return;
    m_queue.requeue(*entry, Clock::now());
    armBackoffTimer();
    reportFailure(entry->pod, "running Bind plugin \"DefaultBinder\": " + message, "SchedulerError");
}

// Writes the Scheduled events that waited, once no binding awaits its answer and no pod waits
// to be scheduled (see the header). Not before: the API thread would take the events ahead of
// the answers to the bindings still in flight, which wait in the same queue.
void Scheduler::flushScheduledEvents()
{
    if (m_deferredEvents.empty()) {
        m_eventTimer.stop();
        return;
    }
    const bool idle = !m_options.deferEvents || (m_queue.activeCount() == 0 && m_inFlight == 0);
    const bool tooMany = m_deferredEvents.size() >= m_options.maxDeferredEvents;
    const bool tooOld = Clock::now() - m_deferredEvents.front().bound >= m_options.maxEventDelay;
    if (!idle && !tooMany && !tooOld) {
        if (!m_eventTimer.isActive())
            m_eventTimer.start();
        return;
    }
    while (!m_deferredEvents.empty()) {
        const DeferredEvent &e = m_deferredEvents.front();
        m_recorder->normal(reference(e.pod), "Scheduled",
                           "Successfully assigned " + e.pod.ns + "/" + e.pod.name + " to " + e.node);
        ++m_stats.scheduledEvents;
        m_deferredEvents.pop_front();
    }
    m_eventTimer.stop();
}

Json Scheduler::reference(const PodRef &pod)
{
    return {{"kind", "Pod"},
            {"apiVersion", "v1"},
            {"metadata",
             {{"name", pod.name}, {"namespace", pod.ns}, {"uid", pod.uid}, {"resourceVersion", pod.resourceVersion}}}};
}

// handleSchedulingFailure: a Warning event, and the PodScheduled condition through pods/status
// when it changes.
void Scheduler::reportFailure(PodInfo &pod, const std::string &message, const std::string &reason)
{
    m_recorder->warning(reference({pod.ns, pod.name, pod.uid, pod.resourceVersion}), "FailedScheduling",
                        truncateEventMessage(message));
    if (pod.scheduledStatus == "False" && pod.scheduledReason == reason && pod.scheduledMessage == message)
        return;
    Json condition = {{"type", "PodScheduled"},
                      {"status", "False"},
                      {"lastProbeTime", nullptr},
                      {"reason", reason},
                      {"message", message}};
    if (pod.scheduledStatus != "False")
        condition["lastTransitionTime"] = nowRfc3339();
    pod.scheduledStatus = "False";
    pod.scheduledReason = reason;
    pod.scheduledMessage = message;
    const Json patch = {{"status", {{"conditions", Json::array({condition})}}}};
    m_client->patch(podsResource(), pod.ns, pod.name, "application/strategic-merge-patch+json", patch, {}, "status");
}

} // namespace cd::scheduler
