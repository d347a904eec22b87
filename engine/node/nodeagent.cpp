// A node agent's life with the API: registration (one create with the whole status), the Lease
// in kube-node-lease renewed by one timer for all agents, the node status heartbeat, node events
// as the kubelet writes them, and the node annotation that stops the heartbeat.
#include "engine/node/nodemanagerprivate.h"

#include "engine/client/resources.h"
#include "engine/core/clock.h"

#include <QPointer>

#include <algorithm>

namespace cd::node {
namespace {

const client::Resource &nodesResource()
{
    static const client::Resource *r = client::builtinResource("nodes");
    return *r;
}

const client::Resource &leasesResource()
{
    static const client::Resource *r = client::builtinResource("leases", "coordination.k8s.io");
    return *r;
}

// The kubelet's reference to its node: its UID is the node's name.
Json nodeReference(const std::string &name)
{
    return {{"kind", "Node"}, {"apiVersion", ""}, {"metadata", {{"name", name}, {"uid", name}}}};
}

} // namespace

void NodeManagerPrivate::recordNodeEvent(NodeAgent &agent, const std::string &reason, const std::string &message)
{
    if (!m_options.events || !agent.reachable())
        return;
    if (!agent.recorder)
        agent.recorder = std::make_unique<client::EventRecorder>(m_client, "kubelet", agent.spec.name, nullptr,
                                                                 m_recentEvents);
    if (registrationLane() == RequestLimiter::Lane::Normal) {
        agent.recorder->normal(nodeReference(agent.spec.name), reason, message);
        return;
    }
    // While nodes register, their events wait until no registration does (see registrationLane).
    const std::uint32_t index = agent.index;
    QPointer<NodeManagerPrivate> self(this);
    m_limiter.submit(
        [self, index, reason, message](RequestLimiter::Finished finished) {
            finished();
            if (!self)
                return;
            NodeAgent &agent = *self->m_agents[index];
            if (agent.reachable())
                agent.recorder->normal(nodeReference(agent.spec.name), reason, message);
        },
        RequestLimiter::Lane::Background);
}

RequestLimiter::Lane NodeManagerPrivate::registrationLane() const
{
    // Until every node is registered, what follows a registration (the first Lease, node events)
    // waits behind the registrations still queued: with thousands of nodes they would otherwise
    // take turns and delay every node's Ready by seconds. Afterwards leases are never put behind
    // pod traffic (a late renewal makes the node NotReady).
    const bool registering = !m_allRegisteredSignalled && steadyNowMs() < m_registrationBurstEndMs;
    return registering ? RequestLimiter::Lane::Background : RequestLimiter::Lane::Normal;
}

void NodeManagerPrivate::registerNode(NodeAgent &agent)
{
    if (agent.registering || agent.registered)
        return;
    agent.registering = true;
    const std::uint32_t index = agent.index;
    QPointer<NodeManagerPrivate> self(this);
    m_limiter.submit([self, index](RequestLimiter::Finished finished) {
        if (!self)
            return;
        // Built when the request starts, not when it is queued: thousands of queued Nodes would
        // otherwise be built in one go before the first response is even looked at.
        const NodeAgent &agent = *self->m_agents[index];
        const Json node = nodeObject(agent, self->m_options, agent.runtime->versionString(), self->m_kubeletPort);
        self->m_client->create(nodesResource(), {}, node, [self, index, finished](const client::Response &r) {
            finished();
            if (!self)
                return;
            NodeAgent &agent = *self->m_agents[index];
            agent.registering = false;
            const auto registered = [self, index](const Json &stored) {
                NodeAgent &agent = *self->m_agents[index];
                agent.uid = str(stored, {"metadata", "uid"});
                // A Node kept from an earlier run keeps its pod CIDR (it may not change).
                const std::string cidr = str(stored, {"spec", "podCIDR"});
                if (const size_t slash = cidr.find('/'); slash != std::string::npos) {
                    const std::uint32_t base = parseIp(cidr.substr(0, slash));
                    const int prefix = std::atoi(cidr.c_str() + slash + 1);
                    if (base && prefix >= 8 && prefix <= 30 && (base != agent.cidr.base || prefix != agent.cidr.prefix)) {
                        agent.cidr = PodCidr{};
                        agent.cidr.base = base;
                        agent.cidr.prefix = prefix;
                    }
                }
                agent.registering = false;
                agent.registered = true;
                agent.deleted = false;
                agent.conditionsSinceMs = wallNowMs();
                ++self->m_registered;
                self->createLease(agent);
                self->recordNodeEvent(agent, "Starting", "Starting kubelet.");
                self->recordNodeEvent(agent, "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods");
                for (const char *status : {"NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID",
                                           "NodeReady"})
                    self->recordNodeEvent(agent, status,
                                          "Node " + agent.spec.name + " status is now: " + status);
                if (self->m_registered == self->m_agents.size() && !self->m_allRegisteredSignalled) {
                    self->m_allRegisteredSignalled = true;
                    Q_EMIT self->q->allRegistered();
                }
                // Pods bound before the node was known wait for this.
                self->syncAgentPods(agent);
            };
            if (r.ok()) {
                registered(r.json());
                return;
            }
            if (r.status == 409) {
                // Registered by an earlier run: bring labels and status up to date, as the
                // kubelet reconciles an existing Node; taints and spec stay as they are.
                Json fresh = nodeObject(agent, self->m_options, agent.runtime->versionString(), self->m_kubeletPort);
                const Json labels = {{"metadata", {{"labels", fresh["metadata"]["labels"]},
                                                   {"annotations", fresh["metadata"]["annotations"]}}}};
                self->m_client->patch(
                    nodesResource(), {}, agent.spec.name, "application/merge-patch+json", labels,
                    [self, index, fresh, registered](const client::Response &labelled) {
                        if (!self)
                            return;
                        if (!labelled.ok()) {
                            self->m_agents[index]->registering = false;
                            QTimer::singleShot(1000, self, [self, index] {
                                if (self)
                                    self->registerNode(*self->m_agents[index]);
                            });
                            return;
                        }
                        const Json status = {{"status", fresh["status"]}};
                        self->m_client->patch(nodesResource(), {}, self->m_agents[index]->spec.name,
                                              "application/merge-patch+json", status,
                                              [self, registered](const client::Response &patched) {
                                                  if (self && patched.ok())
                                                      registered(patched.json());
                                              },
                                              "status");
                    });
                agent.registering = true;
                return;
            }
            QTimer::singleShot(1000, self, [self, index] {
                if (self)
                    self->registerNode(*self->m_agents[index]);
            });
        });
    });
}

void NodeManagerPrivate::createLease(NodeAgent &agent) { renewLease(agent); }

void NodeManagerPrivate::renewLease(NodeAgent &agent)
{
    if (agent.leasePending || !agent.heartbeating() || !agent.registered)
        return;
    agent.leasePending = true;
    // A PUT of the whole Lease: renews it, or creates it when missing (Leases allow that).
    const Json lease = leaseObject(agent, m_options);
    const std::uint32_t index = agent.index;
    QPointer<NodeManagerPrivate> self(this);
    m_limiter.submit([self, index, lease](RequestLimiter::Finished finished) {
        if (!self)
            return;
        self->m_client->update(leasesResource(), lease, [self, index, finished](const client::Response &) {
            finished();
            if (self)
                self->m_agents[index]->leasePending = false;
        });
    }, registrationLane());
}

void NodeManagerPrivate::postNodeStatus(NodeAgent &agent)
{
    if (agent.statusPending || !agent.heartbeating() || !agent.registered)
        return;
    agent.statusPending = true;
    const std::int64_t now = wallNowMs();
    if (!agent.observedReady.empty() && agent.observedReady != "True" && runtimeDownReason(agent).empty()) {
        // The controller marked the node Unknown while it was silent: its conditions start anew.
        agent.conditionsSinceMs = now;
        recordNodeEvent(agent, "NodeReady", "Node " + agent.spec.name + " status is now: NodeReady");
    }
    const std::string heartbeat = rfc3339(TimePoint(std::chrono::milliseconds(now)));
    const std::string since = rfc3339(TimePoint(std::chrono::milliseconds(agent.conditionsSinceMs)));
    const Json patch = {{"status", {{"conditions", nodeConditions(agent, heartbeat, since)}}}};
    const std::uint32_t index = agent.index;
    const std::string name = agent.spec.name;
    QPointer<NodeManagerPrivate> self(this);
    m_limiter.submit([self, index, name, patch](RequestLimiter::Finished finished) {
        if (!self)
            return;
        self->m_client->patch(
            nodesResource(), {}, name, "application/merge-patch+json", patch,
            [self, index, finished](const client::Response &r) {
                finished();
                if (!self)
                    return;
                NodeAgent &agent = *self->m_agents[index];
                agent.statusPending = false;
                if (r.ok())
                    agent.observedReady = "True";
            },
            "status");
    });
}

void NodeManagerPrivate::onHeartbeatTick()
{
    const size_t n = m_agents.size();
    if (n == 0)
        return;
    ++m_tick;
    // The renewal period grows with the number of nodes to keep the write rate bounded, but
    // stays well inside the lease duration.
    long long leaseMs = m_options.leaseRenewInterval.count();
    if (m_options.maxLeaseRenewalsPerSecond > 0)
        leaseMs = std::max<long long>(leaseMs, static_cast<long long>(n) * 1000 / m_options.maxLeaseRenewalsPerSecond);
    leaseMs = std::min<long long>(leaseMs, std::max<long long>(1000, m_options.leaseDurationSeconds * 1000 / 3));
    const std::uint64_t leaseBuckets = std::max<std::uint64_t>(1, leaseMs / m_tickMs);
    const std::uint64_t statusBuckets =
        std::max<std::uint64_t>(1, std::max<long long>(m_options.statusReportInterval.count(), leaseMs) / m_tickMs);
    for (size_t i = m_tick % leaseBuckets; i < n; i += leaseBuckets) {
        NodeAgent &agent = *m_agents[i];
        if (agent.registered && agent.heartbeating())
            renewLease(agent);
    }
    for (size_t i = m_tick % statusBuckets; i < n; i += statusBuckets) {
        NodeAgent &agent = *m_agents[i];
        if (agent.registered && agent.heartbeating())
            postNodeStatus(agent);
    }
}

void NodeManagerPrivate::onNodeEvent(const client::InformerEvent &event)
{
    const Json &node = *event.object;
    NodeAgent *agent = this->agent(str(node, {"metadata", "name"}));
    if (!agent)
        return;
    const std::string uid = str(node, {"metadata", "uid"});
    if (event.deleted()) {
        if (agent->registered && (agent->uid.empty() || agent->uid == uid)) {
            // Like a kubelet whose Node was deleted: it stops reporting (its pods go with the
            // pod garbage collector).
            agent->deleted = true;
        }
        return;
    }
    if (agent->registered && !agent->uid.empty() && uid != agent->uid)
        return;  // someone else's Node of that name
    const bool wasReachable = agent->reachable();
    agent->stoppedByAnnotation =
        str(node, {"metadata", "annotations", kHeartbeatAnnotation}) == "stopped";
    std::string ready;
    if (const Json *conditions = find(node, {"status", "conditions"}); conditions && conditions->is_array())
        for (const Json &c : *conditions)
            if (str(c, {"type"}) == "Ready")
                ready = str(c, {"status"});
    agent->observedReady = ready;
    if (wasReachable != agent->reachable())
        heartbeatChanged(*agent, wasReachable);
    else if (ready != (runtimeDownReason(*agent).empty() ? "True" : "False") && agent->registered && agent->heartbeating())
        postNodeStatus(*agent);  // the API says otherwise than the node knows: correct it
}

} // namespace cd::node
