// What a process node prepares for a pod besides its sandbox, as the kubelet's volume manager
// and container manager do: the pod's volumes before its containers start (FailedMount events
// and a retry while something is missing), and each container's environment and mounts
// (CreateContainerConfigError while a ConfigMap or Secret it needs is missing). Simulated nodes
// skip all of this: nothing of theirs reads a file or a variable.
#include "engine/node/nodemanagerprivate.h"

#include "engine/client/resources.h"
#include "engine/node/podenv.h"

#include <QDir>

namespace cd::node {

PodContext NodeManagerPrivate::podContext(const PodState &pod) const
{
    PodContext context;
    context.get = [this](const std::string &resource, const std::string &ns, const std::string &name) {
        auto it = m_podInputs.find(resource);
        return it == m_podInputs.end() ? client::ObjectPtr() : it->second->get(ns, name);
    };
    context.services = [this](const std::string &ns) {
        auto it = m_podInputs.find("services");
        return it == m_podInputs.end() ? std::vector<client::ObjectPtr>() : it->second->list(ns);
    };
    const NodeAgent &agent = *m_agents[pod.node];
    context.nodeName = agent.spec.name;
    context.hostIp = agent.internalIp;
    context.podIp = pod.ip ? ipString(pod.ip) : std::string();
    context.allocatable = {{"cpu", agent.spec.cpu}, {"memory", agent.spec.memory},
                           {"ephemeral-storage", agent.spec.ephemeralStorage}};
    return context;
}

std::string NodeManagerPrivate::podDirectory(const PodState &pod) const
{
    return m_options.dataDir.toStdString() + "/kubelet/pods/" + pod.uid;
}

bool NodeManagerPrivate::inputsSynced() const
{
    return std::all_of(m_podInputs.begin(), m_podInputs.end(),
                       [](const auto &entry) { return entry.second->hasSynced(); });
}

bool NodeManagerPrivate::prepareVolumes(PodState &pod, const Json &podObject)
{
    if (!runsProcesses(pod) || m_volumes.count(pod.serial))
        return true;
    if (!inputsSynced()) {
        wakeAt(pod, steadyNowMs() + 100);  // ConfigMaps and Secrets not read yet: not missing
        return false;
    }
    auto volumes = setUpVolumes(podObject, podDirectory(pod), podContext(pod));
    if (!volumes.ok()) {
        recordPodEvent(pod, "Warning", "FailedMount", volumes.error().message);
        wakeAt(pod, steadyNowMs() + 2000);  // the kubelet retries while the pod waits
        return false;
    }
    m_volumes[pod.serial] = std::move(*volumes);
    return true;
}

bool NodeManagerPrivate::prepareContainer(PodState &pod, size_t index, const Json &podObject,
                                          runtime::ContainerSpec &spec)
{
    if (!runsProcesses(pod))
        return true;
    const bool init = index < pod.initCount;
    const Json *list = find(podObject, {"spec", init ? "initContainers" : "containers"});
    const size_t at = init ? index : index - pod.initCount;
    if (!list || !list->is_array() || at >= list->size())
        return false;
    const Json &container = (*list)[at];
    // stdin: true keeps the container's stdin open for kubectl attach; tty: true gives it a terminal.
    spec.stdin = boolean(container, {"stdin"});
    spec.stdinOnce = boolean(container, {"stdinOnce"});
    spec.tty = boolean(container, {"tty"});
    Result<std::vector<runtime::EnvVar>> env = containerEnvironment(podObject, container, podContext(pod));
    Result<std::vector<runtime::Mount>> mounts = env.ok() ? containerMounts(container, m_volumes[pod.serial])
                                                          : Result<std::vector<runtime::Mount>>(env.error());
    const std::uint64_t cookie = containerCookie(pod.serial, index);
    ContainerSlot &c = pod.containers[index];
    if (env.ok() && mounts.ok()) {
        spec.env = std::move(*env);
        spec.mounts = std::move(*mounts);
        // $(VAR) in command and args refers to the container's environment, as in Kubernetes.
        const auto lookup = [&spec](const std::string &name) -> const std::string * {
            for (const runtime::EnvVar &var : spec.env)
                if (var.name == name)
                    return &var.value;
            return nullptr;
        };
        for (std::vector<std::string> *list : {&spec.command, &spec.args})
            for (std::string &word : *list)
                word = expandReferences(word, lookup);
        if (c.waiting == Waiting::CreateContainerConfigError)
            m_waitingMessages.erase(cookie);
        return true;
    }
    const std::string message = env.ok() ? mounts.error().message : env.error().message;
    const bool again = c.waiting == Waiting::CreateContainerConfigError;
    std::string &shown = m_waitingMessages[cookie];
    c.waiting = Waiting::CreateContainerConfigError;
    c.state = runtime::ContainerState::Waiting;
    c.restartAtMs = steadyNowMs() + (again ? 5000 : 1000);
    if (!again || shown != message)
        recordPodEvent(pod, "Warning", "Failed", "Error: " + message);
    shown = message;
    markDirty(pod);
    wakeAt(pod, c.restartAtMs);
    return false;
}

void NodeManagerPrivate::removePodFiles(const PodState &pod)
{
    if (!runsProcesses(pod) || m_options.dataDir.isEmpty())
        return;
    m_volumes.erase(pod.serial);
    QDir(QString::fromStdString(podDirectory(pod))).removeRecursively();
    QDir(QString::fromStdString(logDirectory(pod))).removeRecursively();
}

} // namespace cd::node
