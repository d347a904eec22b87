// The pod lifecycle, as the kubelet walks it: a bound pod gets an IP and a sandbox, its init
// containers run in order, then its containers; exits restart by the restart policy with the
// kubelet's back-off (CrashLoopBackOff), or end the pod Succeeded or Failed; a pod marked for
// deletion is stopped, its final status written, and then deleted for good (grace period 0).
//
// Simulated containers exit as annotations say: sim.clusterdeck.io/exit-after ("5s", "never")
// and sim.clusterdeck.io/exit-code ("1") on the pod apply to its containers; the same keys with
// ".<container>" appended apply to one container, init containers included. Without them,
// containers of pods with restartPolicy Never or OnFailure exit 0 after a short run (Jobs
// complete), init containers after a shorter one, and the others run until stopped.
#include "engine/node/nodemanagerprivate.h"

#include "engine/client/resources.h"
#include "engine/core/quantity.h"

#include <QPointer>

namespace cd::node {
namespace {

const client::Resource &podsResource()
{
    static const client::Resource *r = client::builtinResource("pods");
    return *r;
}


} // namespace

const Json &containerAt(const Json &pod, const PodState &state, size_t index)
{
    static const Json kNone = Json::object();
    const bool init = index < state.initCount;
    const Json *list = find(pod, {"spec", init ? "initContainers" : "containers"});
    const size_t at = init ? index : index - state.initCount;
    if (!list || !list->is_array() || at >= list->size())
        return kNone;
    return (*list)[at];
}

namespace {

std::vector<std::string> stringList(const Json &container, const char *field)
{
    std::vector<std::string> out;
    if (const Json *list = find(container, {field}); list && list->is_array())
        for (const Json &item : *list)
            if (item.is_string())
                out.push_back(item.get<std::string>());
    return out;
}

} // namespace

std::uint64_t containerCookie(std::uint64_t serial, size_t index) { return (serial << 8) | (index & 0xff); }
static std::uint64_t cookieOf(std::uint64_t serial, size_t index) { return containerCookie(serial, index); }

client::ObjectPtr NodeManagerPrivate::cachedPod(const PodState &pod) const
{
    const size_t slash = pod.key.find('/');
    client::ObjectPtr object = m_pods->get(pod.key.substr(0, slash), pod.key.substr(slash + 1));
    if (!object || str(*object, {"metadata", "uid"}) != pod.uid)
        return nullptr;
    return object;
}

void NodeManagerPrivate::onPodEvent(const client::InformerEvent &event)
{
    const Json &pod = *event.object;
    const std::string key = client::Informer::keyOf(pod);
    const std::string uid = str(pod, {"metadata", "uid"});
    auto it = m_podStates.find(key);
    if (event.deleted()) {
        if (it != m_podStates.end() && it->second->uid == uid)
            forget(*it->second);
        return;
    }
    NodeAgent *agent = this->agent(str(pod, {"spec", "nodeName"}));
    if (it != m_podStates.end() && (it->second->uid != uid || !agent)) {
        forget(*it->second);  // a new pod under an old name
        it = m_podStates.end();
    }
    if (!agent)
        return;
    if (it == m_podStates.end()) {
        adopt(*agent, pod);
        return;
    }
    PodState &state = *it->second;
    if (!state.deleting && find(pod, {"metadata", "deletionTimestamp"})) {
        state.deleting = true;
        state.graceSeconds = integer(pod, {"metadata", "deletionGracePeriodSeconds"}, state.graceSeconds);
        sync(state);
    }
}

void NodeManagerPrivate::adopt(NodeAgent &agent, const Json &pod)
{
    auto owned = std::make_unique<PodState>();
    PodState &p = *owned;
    p.serial = m_nextSerial++;
    p.key = client::Informer::keyOf(pod);
    p.uid = str(pod, {"metadata", "uid"});
    p.node = agent.index;
    const std::string policy = str(pod, {"spec", "restartPolicy"}, "Always");
    p.restartPolicy = policy == "Never"       ? runtime::RestartPolicy::Never
                      : policy == "OnFailure" ? runtime::RestartPolicy::OnFailure
                                              : runtime::RestartPolicy::Always;
    p.graceSeconds = integer(pod, {"spec", "terminationGracePeriodSeconds"}, 30);
    const Json *inits = find(pod, {"spec", "initContainers"});
    const Json *mains = find(pod, {"spec", "containers"});
    const size_t initCount = inits && inits->is_array() ? std::min<size_t>(inits->size(), 64) : 0;
    const size_t mainCount = mains && mains->is_array() ? std::min<size_t>(mains->size(), 190) : 0;
    p.initCount = static_cast<std::uint8_t>(initCount);
    p.containers.resize(initCount + mainCount);
    for (size_t i = 0; i < initCount; ++i) {
        p.containers[i].sidecar = str((*inits)[i], {"restartPolicy"}) == "Always";
        p.containers[i].waiting = Waiting::PodInitializing;
    }
    for (size_t i = initCount; i < p.containers.size(); ++i)
        p.containers[i].waiting = initCount ? Waiting::PodInitializing : Waiting::ContainerCreating;

    const std::string phase = str(pod, {"status", "phase"});
    if (phase == "Succeeded" || phase == "Failed") {
        // Finished before: nothing runs, nothing to report.
        p.stage = Stage::Terminated;
        p.terminalWritten = true;
        for (ContainerSlot &c : p.containers)
            c.state = runtime::ContainerState::Exited;
    } else if (const std::uint32_t ip = parseIp(str(pod, {"status", "podIP"})); ip && (phase == "Running" || phase == "Pending")) {
        // Started when the engine stopped: its containers outlived it (simulated ones, and the
        // process runtime's under their shims); take them back.
        p.ip = ip;
        agent.cidr.reserve(ip);
        if (auto t = parseRfc3339(str(pod, {"status", "startTime"})))
            p.startTimeMs = std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
        runtime::SandboxSpec sandbox{p.uid, p.ns(), p.name(), p.name(), ipString(ip), logDirectory(p)};
        if (auto handle = agent.runtime->runSandbox(sandbox); handle.ok())
            p.sandbox = *handle;
        p.stage = Stage::Running;
        p.nextInit = p.initCount;
        for (size_t i = 0; i < p.containers.size(); ++i) {
            ContainerSlot &c = p.containers[i];
            const bool init = i < p.initCount;
            const std::string name = str(containerAt(pod, p, i), {"name"});
            const Json *statuses = find(pod, {"status", init ? "initContainerStatuses" : "containerStatuses"});
            const Json *previous = nullptr;
            if (statuses && statuses->is_array())
                for (const Json &s : *statuses)
                    if (str(s, {"name"}) == name)
                        previous = &s;
            if (!previous)
                continue;
            c.restartCount = static_cast<int>(integer(*previous, {"restartCount"}));
            runtime::ContainerStatus before;
            before.containerId = str(*previous, {"containerID"});
            before.image = str(*previous, {"image"});
            before.imageRef = str(*previous, {"imageID"});
            if (const Json *running = find(*previous, {"state", "running"})) {
                before.state = runtime::ContainerState::Running;
                if (auto t = parseRfc3339(str(*running, {"startedAt"})))
                    before.startedAt = *t;
                if (auto handle = agent.runtime->recover(p.sandbox, containerSpec(p, i, pod), before, cookieOf(p.serial, i))) {
                    c.handle = *handle;
                    c.state = runtime::ContainerState::Running;
                    c.waiting = Waiting::None;
                    continue;
                }
            }
            if (init && find(*previous, {"state", "terminated"})) {
                c.recovered = true;  // a finished init container: its status is carried over
                c.state = runtime::ContainerState::Exited;
                c.waiting = Waiting::None;
            }
        }
    }
    if (find(pod, {"metadata", "deletionTimestamp"})) {
        p.deleting = true;
        p.graceSeconds = integer(pod, {"metadata", "deletionGracePeriodSeconds"}, p.graceSeconds);
    }
    ++agent.pods;
    m_bySerial[p.serial] = &p;
    PodState *raw = owned.get();
    m_podStates[p.key] = std::move(owned);
    for (size_t i = 0; i < raw->containers.size(); ++i)
        if (raw->containers[i].handle && raw->containers[i].state == runtime::ContainerState::Running)
            containerStarted(*raw, i, false);  // taken back after a restart: probed again
    sync(*raw);
}

void NodeManagerPrivate::forget(PodState &pod)
{
    NodeAgent &agent = *m_agents[pod.node];
    for (ContainerSlot &c : pod.containers) {
        if (c.handle)
            agent.runtime->destroy(c.handle);
        if (c.previous)
            agent.runtime->destroy(c.previous);
    }
    for (size_t i = 0; i < pod.containers.size(); ++i) {
        m_waitingMessages.erase(cookieOf(pod.serial, i));
        containerGone(pod, i);
    }
    removePodFiles(pod);
    if (pod.sandbox)
        agent.runtime->removeSandbox(pod.sandbox);
    if (pod.ip && pod.stage != Stage::Terminated)
        agent.cidr.release(pod.ip);
    if (agent.pods > 0)
        --agent.pods;
    m_bySerial.erase(pod.serial);
    const std::string key = pod.key;
    m_podStates.erase(key);  // `pod` is gone from here on
}

void NodeManagerPrivate::syncAgentPods(NodeAgent &agent)
{
    std::vector<PodState *> pods;
    for (auto &[key, state] : m_podStates)
        if (state->node == agent.index)
            pods.push_back(state.get());
    for (PodState *p : pods) {
        const std::uint64_t serial = p->serial;
        if (p->dirty && !p->queued && !p->writing)
            markDirty(*p);
        if (m_bySerial.count(serial))
            sync(*p);
    }
}

runtime::ContainerSpec NodeManagerPrivate::containerSpec(const PodState &pod, size_t index, const Json &podObject) const
{
    const Json &container = containerAt(podObject, pod, index);
    const bool init = index < pod.initCount;
    runtime::ContainerSpec spec;
    spec.name = str(container, {"name"});
    spec.image = str(container, {"image"});
    spec.command = stringList(container, "command");
    spec.args = stringList(container, "args");
    if (const Json *env = find(container, {"env"}); env && env->is_array())
        for (const Json &e : *env)
            spec.env.push_back({str(e, {"name"}), str(e, {"value"})});
    if (const Json *ports = find(container, {"ports"}); ports && ports->is_array())
        for (const Json &port : *ports)
            spec.ports.push_back({str(port, {"name"}), static_cast<int>(integer(port, {"containerPort"})),
                                  str(port, {"protocol"}, "TCP"), static_cast<int>(integer(port, {"hostPort"}))});
    spec.restartPolicy = pod.restartPolicy;
    spec.attempt = pod.containers[index].restartCount;
    spec.workingDir = str(container, {"workingDir"});
    spec.logPath = spec.name + "/" + std::to_string(spec.attempt) + ".log";
    if (const Json *memory = find(container, {"resources", "limits", "memory"}))
        if (auto q = Quantity::fromJson(*memory); q.ok())
            spec.memoryLimitBytes = q->value();
    if (const Json *cpu = find(container, {"resources", "limits", "cpu"}))
        if (auto q = Quantity::fromJson(*cpu); q.ok())
            spec.cpuLimitMillis = q->milliValue();

    // How the simulated process ends: per-container annotations first, then (for regular
    // containers) the pod's, then the defaults.
    const bool sidecar = pod.containers[index].sidecar;
    const auto annotation = [&](const char *base) -> const Json * {
        if (const Json *v = find(podObject, {"metadata", "annotations", std::string(base) + "." + spec.name}))
            return v;
        return init ? nullptr : find(podObject, {"metadata", "annotations", base});
    };
    const Json *exitAfter = annotation(kExitAfterAnnotation);
    const Json *exitCode = annotation(kExitCodeAnnotation);
    if (exitCode && exitCode->is_string())
        spec.simulation.exitCode = std::atoi(exitCode->get<std::string>().c_str());
    const std::chrono::milliseconds runTime = init ? m_options.initRunTime : m_options.defaultRunTime;
    if (exitAfter && exitAfter->is_string()) {
        const std::string text = exitAfter->get<std::string>();
        if (text != "never") {
            if (auto ms = parseGoDuration(text))
                spec.simulation.exitAfter = std::chrono::milliseconds(*ms);
            else
                spec.simulation.exitAfter = runTime;
        }
    } else if (exitCode) {
        spec.simulation.exitAfter = runTime;
    } else if (!sidecar && (init || pod.restartPolicy != runtime::RestartPolicy::Always)) {
        spec.simulation.exitAfter = runTime;
    }
    return spec;
}

void NodeManagerPrivate::sync(PodState &pod)
{
    NodeAgent &agent = *m_agents[pod.node];
    if (!agent.reachable())
        return;  // a node cut off acts on nothing until it is back
    if (pod.deleting) {
        stopContainers(pod);
        for (const ContainerSlot &c : pod.containers)
            if (c.handle && c.state != runtime::ContainerState::Exited)
                return;  // the stop callbacks come back here
        if (pod.stage != Stage::New && !pod.terminalWritten) {
            if (pod.stage != Stage::Terminated)
                finishPod(pod);
            else
                markDirty(pod);
            return;  // the final status first; the write's answer comes back here
        }
        deletePod(pod);
        return;
    }
    if (pod.stage == Stage::Terminated)
        return;
    if (!agent.registered)
        return;  // registration completes, then syncAgentPods
    if (pod.stage == Stage::New) {
        if (runsProcesses(pod)) {
            client::ObjectPtr object = cachedPod(pod);
            if (!object || !prepareVolumes(pod, *object))
                return;
        }
        const std::uint32_t ip = agent.cidr.allocate();
        if (!ip) {
            recordPodEvent(pod, "Warning", "FailedCreatePodSandBox",
                           "Failed to create pod sandbox: no IP addresses available in range set: " +
                               agent.cidr.cidr());
            wakeAt(pod, steadyNowMs() + 5000);
            return;
        }
        pod.ip = ip;
        pod.startTimeMs = wallNowMs();
        runtime::SandboxSpec sandbox{pod.uid, pod.ns(), pod.name(), pod.name(), ipString(ip), logDirectory(pod)};
        auto handle = agent.runtime->runSandbox(sandbox);
        if (!handle.ok()) {
            agent.cidr.release(ip);
            pod.ip = 0;
            wakeAt(pod, steadyNowMs() + 5000);
            return;
        }
        pod.sandbox = *handle;
        pod.stage = pod.initCount ? Stage::Initializing : Stage::Running;
        markDirty(pod);
    }
    client::ObjectPtr object;
    const auto podObject = [&]() -> const Json * {
        if (!object)
            object = cachedPod(pod);
        return object.get();
    };
    const std::int64_t now = steadyNowMs();
    const auto due = [now](const ContainerSlot &c) {
        return (c.handle == 0 && c.restartAtMs <= now) ||
               (c.state == runtime::ContainerState::Exited && c.restartAtMs > 0 && c.restartAtMs <= now);
    };
    // An image that could not be pulled: after the first failure the kubelet shows the back-off.
    for (size_t i = 0; i < pod.containers.size(); ++i) {
        ContainerSlot &c = pod.containers[i];
        if (c.waiting == Waiting::ErrImagePull && c.handle == 0 && c.restartAtMs > now) {
            c.waiting = Waiting::ImagePullBackOff;
            if (const Json *o = podObject()) {
                const std::string image = str(containerAt(*o, pod, i), {"image"});
                recordPodEvent(pod, "Normal", "BackOff", "Back-off pulling image \"" + image + "\"");
                recordPodEvent(pod, "Warning", "Failed", "Error: ImagePullBackOff");
            }
            markDirty(pod);
        }
    }
    if (pod.stage == Stage::Initializing) {
        while (pod.nextInit < pod.initCount) {
            ContainerSlot &c = pod.containers[pod.nextInit];
            if (c.recovered) {
                ++pod.nextInit;
                continue;
            }
            if (due(c) && !c.recovered) {
                if (const Json *o = podObject())
                    startContainer(pod, pod.nextInit, *o);
                return;
            }
            if (c.sidecar && c.state == runtime::ContainerState::Running) {
                ++pod.nextInit;
                continue;
            }
            if (!c.sidecar && c.state == runtime::ContainerState::Exited && c.exitCode == 0 && c.restartAtMs == 0) {
                ++pod.nextInit;
                continue;
            }
            return;  // being created, running, or in back-off
        }
        pod.stage = Stage::Running;
        markDirty(pod);
    }
    bool allFinished = true;
    for (size_t i = pod.initCount; i < pod.containers.size(); ++i) {
        ContainerSlot &c = pod.containers[i];
        if (due(c)) {
            if (const Json *o = podObject())
                startContainer(pod, i, *o);
        }
        if (c.state != runtime::ContainerState::Exited || c.restartAtMs > 0)
            allFinished = false;
    }
    // Sidecars that exited restart whatever the pod's policy.
    for (size_t i = 0; i < pod.initCount; ++i) {
        ContainerSlot &c = pod.containers[i];
        if (c.sidecar && c.handle && due(c))
            if (const Json *o = podObject())
                startContainer(pod, i, *o);
    }
    if (allFinished && pod.containers.size() > pod.initCount)
        finishPod(pod);
}

void NodeManagerPrivate::startContainer(PodState &pod, size_t index, const Json &podObject)
{
    ContainerSlot &c = pod.containers[index];
    if (c.handle) {
        // A restart: the exited container becomes the last state; the one before goes.
        if (c.previous)
            runtimeOf(pod).destroy(c.previous);
        c.previous = c.handle;
        c.handle = 0;
        ++c.restartCount;
        const std::int64_t now = steadyNowMs();
        if (c.waiting == Waiting::CrashLoopBackOff) {
            c.backoffMs = std::min<std::int64_t>(c.backoffMs * 2, m_options.backoffMax.count());
            c.backoffUpdatedMs = now;
        }
    }
    if (!pullImage(pod, index, podObject))
        return;
    runtime::ContainerSpec spec = containerSpec(pod, index, podObject);
    if (!prepareContainer(pod, index, podObject, spec))
        return;
    const Json &container = containerAt(podObject, pod, index);
    std::int64_t readyDelay = 0;
    // Simulated readiness: ready after the probe's initial delay (process nodes really probe).
    if (const Json *probe = find(container, {"readinessProbe"}); probe && probe->is_object() && !runsProcesses(pod))
        readyDelay = integer(*probe, {"initialDelaySeconds"}) * 1000;
    auto handle = runtimeOf(pod).start(pod.sandbox, spec, cookieOf(pod.serial, index));
    c.restartAtMs = 0;
    c.stopping = false;
    c.state = runtime::ContainerState::Waiting;
    c.waiting = Waiting::ContainerCreating;
    if (!handle.ok()) {
        recordPodEvent(pod, "Warning", "Failed", "Error: " + handle.error().message);
        c.state = runtime::ContainerState::Exited;
        c.exitCode = 128;
        c.restartAtMs = steadyNowMs() + 10000;
        wakeAt(pod, c.restartAtMs);
        return;
    }
    c.handle = *handle;
    c.readyAtMs = readyDelay;  // made absolute when it runs
    markDirty(pod);
}

std::string NodeManagerPrivate::logDirectory(const PodState &pod) const
{
    if (m_options.dataDir.isEmpty())
        return {};
    return m_options.dataDir.toStdString() + "/pods/" + pod.ns() + "_" + pod.name() + "_" + pod.uid;
}

Result<LogSource> NodeManagerPrivate::containerLog(const std::string &ns, const std::string &name,
                                                  const std::string &container, bool previous)
{
    const std::string key = ns + "/" + name;
    auto it = m_podStates.find(key);
    if (it == m_podStates.end())
        return Error::notFound("pod \"" + key + "\" is not on any node of this engine");
    PodState &pod = *it->second;
    const NodeAgent &agent = *m_agents[pod.node];
    if (agent.spec.kind == "simulated")
        return Error::badRequest("pod \"" + name + "\" runs on the simulated node " + agent.spec.name +
                                 ": simulated containers run no process and write no logs");
    client::ObjectPtr object = cachedPod(pod);
    if (!object)
        return Error::notFound("pod \"" + key + "\" is not on any node of this engine");
    CD_TRY(const int attempt, logAttempt(*object, container, previous));
    LogSource source;
    source.path = QString::fromStdString(logDirectory(pod) + "/" + container + "/" + std::to_string(attempt) + ".log");
    // Still writing while that attempt of the container runs.
    const std::string uid = pod.uid;
    QPointer<NodeManagerPrivate> self(this);
    source.writing = [self, key, uid, container, attempt]() {
        if (!self)
            return false;
        auto found = self->m_podStates.find(key);
        if (found == self->m_podStates.end() || found->second->uid != uid)
            return false;
        const PodState &state = *found->second;
        client::ObjectPtr current = self->cachedPod(state);
        if (!current)
            return false;
        for (size_t i = 0; i < state.containers.size(); ++i)
            if (str(containerAt(*current, state, i), {"name"}) == container)
                return state.containers[i].restartCount == attempt &&
                       state.containers[i].state != runtime::ContainerState::Exited;
        return false;
    };
    return source;
}

void NodeManagerPrivate::onContainerState(runtime::ContainerHandle handle, std::uint64_t cookie,
                                          const runtime::ContainerStatus &status)
{
    auto it = m_bySerial.find(cookie >> 8);
    if (it == m_bySerial.end())
        return;
    PodState &pod = *it->second;
    const size_t index = cookie & 0xff;
    if (index >= pod.containers.size() || pod.containers[index].handle != handle)
        return;
    ContainerSlot &c = pod.containers[index];
    if (status.state == runtime::ContainerState::Running) {
        c.state = runtime::ContainerState::Running;
        c.waiting = Waiting::None;
        c.readyAtMs += wallNowMs();
        if (c.readyAtMs > wallNowMs())
            wakeAt(pod, steadyNowMs() + (c.readyAtMs - wallNowMs()));
        if (m_options.events) {
            if (client::ObjectPtr object = cachedPod(pod)) {
                const Json &container = containerAt(*object, pod, index);
                const std::string name = str(container, {"name"});
                if (!c.imagePulled)
                    recordPodEvent(pod, "Normal", "Pulled",
                                   "Container image \"" + str(container, {"image"}) + "\" already present on machine");
                recordPodEvent(pod, "Normal", "Created", "Created container: " + name);
                recordPodEvent(pod, "Normal", "Started", "Started container " + name);
            }
        }
        c.imagePulled = false;
        containerStarted(pod, index);
        markDirty(pod);
        sync(pod);
        return;
    }
    if (status.state != runtime::ContainerState::Exited)
        return;
    c.state = runtime::ContainerState::Exited;
    c.exitCode = status.exitCode;
    containerGone(pod, index);
    const bool stopped = c.stopping || pod.deleting;
    c.stopping = false;
    markDirty(pod);
    if (pod.stage == Stage::Terminated && pod.sandbox &&
        std::all_of(pod.containers.begin(), pod.containers.end(),
                    [](const ContainerSlot &s) { return !s.handle || s.state == runtime::ContainerState::Exited; })) {
        runtimeOf(pod).removeSandbox(pod.sandbox);  // the last container of a finished pod is gone
        pod.sandbox = 0;
    }
    if (stopped) {
        sync(pod);
        return;
    }
    containerExited(pod, index);
}

void NodeManagerPrivate::containerExited(PodState &pod, size_t index)
{
    ContainerSlot &c = pod.containers[index];
    const bool init = index < pod.initCount;
    bool restart = false;
    if (c.sidecar)
        restart = true;
    else if (init)
        restart = c.exitCode != 0 && pod.restartPolicy != runtime::RestartPolicy::Never;
    else
        restart = pod.restartPolicy == runtime::RestartPolicy::Always ||
                  (pod.restartPolicy == runtime::RestartPolicy::OnFailure && c.exitCode != 0);
    if (init && !c.sidecar && c.exitCode != 0 && !restart) {
        finishPod(pod);  // an init container failed and may not retry: the pod fails
        return;
    }
    if (restart) {
        // The kubelet's back-off: the first restart is immediate; each later one waits the
        // current delay (CrashLoopBackOff), which doubles up to the maximum. A container that
        // ran long enough (twice the maximum) starts over.
        const std::int64_t now = steadyNowMs();
        if (c.backoffMs == 0 || now - c.backoffUpdatedMs > 2 * m_options.backoffMax.count()) {
            c.backoffMs = m_options.backoffBase.count();
            c.backoffUpdatedMs = now;
            c.restartAtMs = now;
            c.waiting = Waiting::None;
        } else {
            c.restartAtMs = now + c.backoffMs;
            c.waiting = Waiting::CrashLoopBackOff;
            if (client::ObjectPtr object = m_options.events ? cachedPod(pod) : nullptr)
                recordPodEvent(pod, "Warning", "BackOff",
                               "Back-off restarting failed container " + str(containerAt(*object, pod, index), {"name"}) +
                                   " in pod " + pod.name() + "_" + pod.ns() + "(" + pod.uid + ")");
            wakeAt(pod, c.restartAtMs);
        }
    }
    sync(pod);
}

void NodeManagerPrivate::stopContainers(PodState &pod)
{
    client::ObjectPtr object;
    for (size_t i = 0; i < pod.containers.size(); ++i) {
        ContainerSlot &c = pod.containers[i];
        c.restartAtMs = 0;
        if (!c.handle || c.state == runtime::ContainerState::Exited || c.stopping)
            continue;
        if (c.state == runtime::ContainerState::Running && m_options.events) {
            if (!object)
                object = cachedPod(pod);
            if (object)
                recordPodEvent(pod, "Normal", "Killing",
                               "Stopping container " + str(containerAt(*object, pod, i), {"name"}));
        }
        c.stopping = true;
        killContainer(pod, i, pod.graceSeconds);
    }
}

void NodeManagerPrivate::finishPod(PodState &pod)
{
    if (pod.stage == Stage::Terminated)
        return;
    for (size_t i = 0; i < pod.containers.size(); ++i) {
        ContainerSlot &c = pod.containers[i];
        c.restartAtMs = 0;
        // Sidecars (and anything else still up) end with the pod.
        if (c.handle && c.state != runtime::ContainerState::Exited && !c.stopping) {
            c.stopping = true;
            killContainer(pod, i, pod.graceSeconds);
        }
    }
    pod.stage = Stage::Terminated;
    const bool stillRunning = std::any_of(pod.containers.begin(), pod.containers.end(), [](const ContainerSlot &c) {
        return c.handle && c.state != runtime::ContainerState::Exited;
    });
    if (pod.sandbox && !stillRunning) {
        runtimeOf(pod).removeSandbox(pod.sandbox);
        pod.sandbox = 0;
    }
    // The address goes back to the node's range; the status keeps showing it, as Kubernetes does.
    if (pod.ip)
        m_agents[pod.node]->cidr.release(pod.ip);
    markDirty(pod);
}

// A pod's first status waits a little while its containers are being created: most start within
// milliseconds, and one write that says Running then replaces two (ContainerCreating, Running)
// behind each other. A container slower than the hold shows ContainerCreating as before.
bool NodeManagerPrivate::holdsFirstStatus(PodState &pod)
{
    constexpr std::int64_t kHoldMs = 100;
    if (pod.firstStatusHeldUntilMs < 0 || pod.deleting || pod.stage == Stage::Terminated)
        return false;
    const bool creating = std::any_of(pod.containers.begin(), pod.containers.end(), [](const ContainerSlot &c) {
        return c.handle && c.state == runtime::ContainerState::Waiting && c.waiting == Waiting::ContainerCreating;
    });
    const std::int64_t now = steadyNowMs();
    if (!creating || (pod.firstStatusHeldUntilMs && now >= pod.firstStatusHeldUntilMs)) {
        pod.firstStatusHeldUntilMs = -1;  // held once at most
        return false;
    }
    if (!pod.firstStatusHeldUntilMs) {
        pod.firstStatusHeldUntilMs = now + kHoldMs;
        wakeAt(pod, pod.firstStatusHeldUntilMs);
    }
    return true;
}

void NodeManagerPrivate::markDirty(PodState &pod)
{
    pod.dirty = true;
    if (pod.queued || pod.writing)
        return;
    pod.queued = true;
    m_dirty.push_back(pod.serial);
    if (!m_flushScheduled) {
        m_flushScheduled = true;
        // Zero-delay: changes made in this turn of the event loop coalesce into one write.
        QMetaObject::invokeMethod(this, &NodeManagerPrivate::flushStatuses, Qt::QueuedConnection);
    }
}

void NodeManagerPrivate::flushStatuses()
{
    m_flushScheduled = false;
    while (!m_dirty.empty() && m_limiter.inFlight() < m_options.maxInFlight && m_limiter.waiting() == 0) {
        const std::uint64_t serial = m_dirty.front();
        m_dirty.pop_front();
        auto it = m_bySerial.find(serial);
        if (it == m_bySerial.end())
            continue;
        PodState &pod = *it->second;
        pod.queued = false;
        if (!pod.dirty || pod.writing)
            continue;
        if (!m_agents[pod.node]->reachable())
            continue;  // stays dirty; written when the node is back
        if (holdsFirstStatus(pod))
            continue;  // stays dirty; queued again when a container starts or the hold ends
        writeStatus(pod);
    }
}

void NodeManagerPrivate::writeStatus(PodState &pod)
{
    client::ObjectPtr object = cachedPod(pod);
    if (!object) {
        pod.dirty = false;
        return;
    }
    const NodeAgent &agent = *m_agents[pod.node];
    Json status = buildPodStatus(pod, agent, *object, *agent.runtime, wallNowMs(), m_waitingMessages);
    pod.dirty = false;
    pod.writing = true;
    const bool terminal = pod.stage == Stage::Terminated;
    const std::uint64_t serial = pod.serial;
    const std::string ns = pod.ns(), name = pod.name();
    QPointer<NodeManagerPrivate> self(this);
    Json patch = {{"status", std::move(status)}};
    m_limiter.submit([self, serial, ns, name, terminal, patch = std::move(patch)](RequestLimiter::Finished finished) {
        if (!self)
            return;
        self->m_client->patch(
            podsResource(), ns, name, "application/merge-patch+json", patch,
            [self, serial, terminal, finished](const client::Response &r) {
                finished();
                if (!self)
                    return;
                auto it = self->m_bySerial.find(serial);
                if (it != self->m_bySerial.end()) {
                    PodState &pod = *it->second;
                    pod.writing = false;
                    if (r.ok() && terminal && !pod.dirty) {
                        pod.terminalWritten = true;
                        // Nothing of a finished pod runs or is reported again: free the runtime's records.
                        for (ContainerSlot &c : pod.containers) {
                            if (c.handle)
                                self->runtimeOf(pod).destroy(c.handle);
                            if (c.previous)
                                self->runtimeOf(pod).destroy(c.previous);
                            c.handle = c.previous = 0;
                            c.state = runtime::ContainerState::Exited;
                        }
                        if (pod.deleting)
                            self->sync(pod);
                    } else if (!r.ok() && r.status != 404) {
                        pod.dirty = true;
                        self->wakeAt(pod, steadyNowMs() + 1000);
                    }
                    if (pod.dirty && self->m_bySerial.count(serial))
                        self->markDirty(pod);
                }
                if (!self->m_dirty.empty() && !self->m_flushScheduled) {
                    self->m_flushScheduled = true;
                    QMetaObject::invokeMethod(self, &NodeManagerPrivate::flushStatuses, Qt::QueuedConnection);
                }
            },
            "status");
    });
}

void NodeManagerPrivate::deletePod(PodState &pod)
{
    if (pod.deleteSent)
        return;
    pod.deleteSent = true;
    const std::uint64_t serial = pod.serial;
    const std::string ns = pod.ns(), name = pod.name(), uid = pod.uid;
    QPointer<NodeManagerPrivate> self(this);
    m_limiter.submit([self, serial, ns, name, uid](RequestLimiter::Finished finished) {
        if (!self)
            return;
        const Json options = {{"kind", "DeleteOptions"},
                              {"apiVersion", "v1"},
                              {"gracePeriodSeconds", 0},
                              {"preconditions", {{"uid", uid}}}};
        self->m_client->remove(
            podsResource(), ns, name,
            [self, serial, finished](const client::Response &r) {
                finished();
                if (!self || r.ok() || r.status == 404 || r.status == 409)
                    return;
                auto it = self->m_bySerial.find(serial);
                if (it == self->m_bySerial.end())
                    return;
                it->second->deleteSent = false;
                self->wakeAt(*it->second, steadyNowMs() + 1000);
            },
            options);
    });
}

void NodeManagerPrivate::wakeAt(PodState &pod, std::int64_t dueMs)
{
    m_wakes.push(Wake{dueMs, pod.serial});
    const std::int64_t first = m_wakes.top().dueMs;
    if (m_wakeTimer.isActive() && m_wakeArmedFor <= first)
        return;
    m_wakeArmedFor = first;
    m_wakeTimer.start(static_cast<int>(std::clamp<std::int64_t>(first - steadyNowMs(), 0, 3600 * 1000)));
}

void NodeManagerPrivate::onWakeTimer()
{
    m_wakeArmedFor = -1;
    const std::int64_t now = steadyNowMs();
    std::vector<std::uint64_t> due;
    while (!m_wakes.empty() && m_wakes.top().dueMs <= now) {
        due.push_back(m_wakes.top().serial);
        m_wakes.pop();
    }
    for (std::uint64_t serial : due) {
        auto it = m_bySerial.find(serial);
        if (it == m_bySerial.end())
            continue;
        markDirty(*it->second);  // readiness may have changed with time alone
        if (m_bySerial.count(serial))
            sync(*it->second);
    }
    if (!m_wakes.empty()) {
        m_wakeArmedFor = m_wakes.top().dueMs;
        m_wakeTimer.start(static_cast<int>(std::clamp<std::int64_t>(m_wakeArmedFor - now, 0, 3600 * 1000)));
    }
}

void NodeManagerPrivate::recordPodEvent(PodState &pod, const std::string &type, const std::string &reason,
                                        const std::string &message)
{
    NodeAgent &agent = *m_agents[pod.node];
    if (!m_options.events || !agent.reachable())
        return;
    if (!agent.recorder)
        agent.recorder = std::make_unique<client::EventRecorder>(m_client, "kubelet", agent.spec.name, nullptr,
                                                                 m_recentEvents);
    const Json reference = {{"kind", "Pod"},
                            {"apiVersion", "v1"},
                            {"metadata", {{"name", pod.name()}, {"namespace", pod.ns()}, {"uid", pod.uid}}}};
    agent.recorder->record(reference, type, reason, message);
}

} // namespace cd::node
