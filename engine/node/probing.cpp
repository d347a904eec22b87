// The node agent's side of probes and lifecycle hooks (process nodes; simulated containers
// have nothing to probe and pass): a prober per running container that has probes, postStart
// when a container starts, preStop before one is asked to stop, and the kubelet's answers —
// a container killed when liveness or startup fails (restarted by the pod's policy), or when
// postStart fails.
#include "engine/node/nodemanagerprivate.h"

#include <QPointer>

namespace cd::node {
namespace {

std::string podRef(const PodState &pod)
{
    return pod.name() + "_" + pod.ns() + "(" + pod.uid + ")";
}

// Hooks and probers end from inside their own callbacks: they go once control is back in the loop.
template <typename T>
void dropLater(std::unordered_map<std::uint64_t, std::unique_ptr<T>> &map, std::uint64_t cookie)
{
    auto it = map.find(cookie);
    if (it == map.end())
        return;
    it->second.release()->deleteLater();
    map.erase(it);
}

} // namespace

ActionTarget NodeManagerPrivate::actionTarget(const PodState &pod, size_t index, const Json &container)
{
    ActionTarget target;
    target.runtime = &runtimeOf(pod);
    target.container = pod.containers[index].handle;
    target.containerSpec = container;
    if (m_network && m_network->isolated()) {
        target.podIp = ipString(pod.ip);
        runtime::network::ClusterNetwork *network = m_network.get(); // outlives every prober
        const std::string uid = pod.uid;
        target.openSocket = [network, uid]() {
            return network->podSocket(uid, runtime::network::ClusterNetwork::SocketType::Tcp);
        };
    } else {
        target.podIp = "127.0.0.1"; // pods share the host's network
    }
    return target;
}

void NodeManagerPrivate::containerStarted(PodState &pod, size_t index, bool runPostStart)
{
    if (!runsProcesses(pod))
        return;
    client::ObjectPtr object = cachedPod(pod);
    if (!object)
        return;
    const Json &container = containerAt(*object, pod, index);
    const std::uint64_t cookie = containerCookie(pod.serial, index);
    ContainerSlot &c = pod.containers[index];
    c.killing = false;
    m_probers.erase(cookie);
    if (ContainerProber::hasProbes(container)) {
        ContainerProber::Callbacks callbacks;
        callbacks.changed = [this, cookie]() {
            auto it = m_bySerial.find(cookie >> 8);
            auto prober = m_probers.find(cookie);
            if (it == m_bySerial.end() || prober == m_probers.end())
                return;
            ContainerSlot &slot = it->second->containers[cookie & 0xff];
            slot.probeNotStarted = !prober->second->started();
            slot.probeNotReady = !prober->second->ready();
            markDirty(*it->second);
        };
        callbacks.failed = [this, cookie](ProbeType type, std::optional<long long> grace) {
            // Not from inside the prober: the kill may end it.
            QMetaObject::invokeMethod(
                this, [this, cookie, type, grace]() { probeFailed(cookie, type, grace); }, Qt::QueuedConnection);
        };
        callbacks.event = [this, cookie](const std::string &type, const std::string &reason,
                                         const std::string &message) {
            if (auto it = m_bySerial.find(cookie >> 8); it != m_bySerial.end())
                recordPodEvent(*it->second, type, reason, message);
        };
        auto prober = std::make_unique<ContainerProber>(container, actionTarget(pod, index, container), callbacks);
        c.probeNotStarted = !prober->started();
        c.probeNotReady = !prober->ready();
        m_probers[cookie] = std::move(prober);
    }
    const Json *postStart = runPostStart ? find(container, {"lifecycle", "postStart"}) : nullptr;
    if (!postStart || !postStart->is_object())
        return;
    const runtime::ContainerHandle handle = c.handle;
    const std::string name = str(container, {"name"});
    m_postStartHooks[cookie] = std::make_unique<HookRun>(
        *postStart, actionTarget(pod, index, container), name, podRef(pod), 120000,
        [this, cookie, handle](bool ok, const std::string &message) {
            dropLater(m_postStartHooks, cookie);
            auto it = m_bySerial.find(cookie >> 8);
            if (ok || it == m_bySerial.end())
                return;
            PodState &p = *it->second;
            ContainerSlot &slot = p.containers[cookie & 0xff];
            if (slot.handle != handle || slot.state != runtime::ContainerState::Running || slot.stopping)
                return;
            recordPodEvent(p, "Warning", "FailedPostStartHook", message);
            recordPodEvent(p, "Normal", "Killing", "FailedPostStartHook");
            slot.killing = true;
            killContainer(p, cookie & 0xff, p.graceSeconds);
        });
}

void NodeManagerPrivate::containerGone(PodState &pod, size_t index)
{
    const std::uint64_t cookie = containerCookie(pod.serial, index);
    m_probers.erase(cookie);
    m_postStartHooks.erase(cookie);
    m_preStopHooks.erase(cookie);
    ContainerSlot &c = pod.containers[index];
    c.probeNotStarted = c.probeNotReady = false;
}

void NodeManagerPrivate::probeFailed(std::uint64_t cookie, ProbeType type, std::optional<long long> graceSeconds)
{
    auto it = m_bySerial.find(cookie >> 8);
    if (it == m_bySerial.end() || !m_probers.count(cookie))
        return;
    PodState &pod = *it->second;
    const size_t index = cookie & 0xff;
    ContainerSlot &c = pod.containers[index];
    if (c.killing || c.stopping || pod.deleting || c.state != runtime::ContainerState::Running)
        return;
    client::ObjectPtr object = cachedPod(pod);
    const std::string name = object ? str(containerAt(*object, pod, index), {"name"}) : std::string();
    recordPodEvent(pod, "Normal", "Killing",
                   "Container " + name + " failed " + (type == ProbeType::Startup ? "startup" : "liveness") +
                       " probe, will be restarted");
    c.killing = true;
    killContainer(pod, index, graceSeconds.value_or(pod.graceSeconds));
}

void NodeManagerPrivate::killContainer(PodState &pod, size_t index, long long graceSeconds)
{
    ContainerSlot &c = pod.containers[index];
    if (!c.handle || c.state == runtime::ContainerState::Exited)
        return;
    const std::uint64_t cookie = containerCookie(pod.serial, index);
    if (m_preStopHooks.count(cookie))
        return; // the hook runs; the stop follows it
    if (auto prober = m_probers.find(cookie); prober != m_probers.end())
        prober->second->stopLivenessAndStartup();
    client::ObjectPtr object;
    const Json *preStop = nullptr;
    if (runsProcesses(pod) && graceSeconds > 0 && c.state == runtime::ContainerState::Running) {
        object = cachedPod(pod);
        if (object)
            preStop = find(containerAt(*object, pod, index), {"lifecycle", "preStop"});
    }
    if (!preStop || !preStop->is_object()) {
        runtimeOf(pod).stop(c.handle, std::chrono::seconds(std::max<long long>(graceSeconds, 0)));
        return;
    }
    // The kubelet's killContainer: the hook has the grace period; what is left of it (at least
    // two seconds) is the stop's.
    const runtime::ContainerHandle handle = c.handle;
    const std::int64_t began = steadyNowMs();
    const Json &container = containerAt(*object, pod, index);
    m_preStopHooks[cookie] = std::make_unique<HookRun>(
        *preStop, actionTarget(pod, index, container), str(container, {"name"}), podRef(pod),
        static_cast<int>(std::min<long long>(graceSeconds, 3600) * 1000),
        [this, cookie, handle, graceSeconds, began](bool ok, const std::string &message) {
            dropLater(m_preStopHooks, cookie);
            auto it = m_bySerial.find(cookie >> 8);
            if (it == m_bySerial.end())
                return;
            PodState &p = *it->second;
            ContainerSlot &slot = p.containers[cookie & 0xff];
            if (slot.handle != handle || slot.state == runtime::ContainerState::Exited)
                return;
            if (!ok)
                recordPodEvent(p, "Warning", "FailedPreStopHook", message);
            const long long spent = (steadyNowMs() - began) / 1000;
            runtimeOf(p).stop(handle, std::chrono::seconds(std::max<long long>(graceSeconds - spent, 2)));
        });
}

} // namespace cd::node
