// Pods: printPod, the most involved printer. Its Status cell is what `kubectl get pods` is read
// for, so the order of the checks below follows Kubernetes v1.32 exactly: the pod's reason, then
// the first init container that has not finished, then the app containers (last one wins), then
// deletion.

#include "engine/api/printers/cells.h"
#include "engine/api/printers/printer.h"

#include <map>

namespace cd::api::printing {
namespace {

// A sidecar: an init container that keeps running beside the app containers.
bool isRestartable(const Json *container)
{
    return container && str(*container, {"restartPolicy"}) == "Always";
}

// The latest lastState.terminated.finishedAt seen: when a container last restarted.
struct LastRestart {
    std::optional<TimePoint> time;
    void consider(const Json &containerStatus)
    {
        if (!has(containerStatus, {"lastState", "terminated"}))
            return;
        const auto finished = timeAt(containerStatus, {"lastState", "terminated", "finishedAt"});
        if (finished && (!time || *time < *finished))
            time = finished;
    }
};

// "ExitCode:1" / "Signal:9" when a terminated container gives no reason.
std::string terminatedReason(const Json &terminated, const std::string &prefix)
{
    const std::string reason = str(terminated, {"reason"});
    if (!reason.empty())
        return prefix + reason;
    const long long signal = integer(terminated, {"signal"});
    if (signal != 0)
        return prefix + "Signal:" + std::to_string(signal);
    return prefix + "ExitCode:" + std::to_string(integer(terminated, {"exitCode"}));
}

std::string readinessGates(const Json &pod)
{
    const Json &gates = listAt(pod, {"spec", "readinessGates"});
    if (gates.empty())
        return "<none>";
    long long trueConditions = 0;
    for (const Json &gate : gates) {
        const std::string type = str(gate, {"conditionType"});
        for (const Json &condition : listAt(pod, {"status", "conditions"}))
            if (str(condition, {"type"}) == type) {
                if (str(condition, {"status"}) == "True")
                    ++trueConditions;
                break;
            }
    }
    return std::to_string(trueConditions) + "/" + std::to_string(gates.size());
}

std::string podIP(const Json &pod)
{
    const Json &ips = listAt(pod, {"status", "podIPs"});
    // A kubelet sets podIPs and podIP together; podIP is only read when podIPs is missing.
    const std::string ip = ips.empty() ? str(pod, {"status", "podIP"}) : str(ips[0], {"ip"});
    return orNone(ip);
}

Json podCells(const Json &pod)
{
    long long restarts = 0;
    long long sidecarRestarts = 0;
    size_t totalContainers = listAt(pod, {"spec", "containers"}).size();
    long long readyContainers = 0;
    LastRestart lastRestart, lastSidecarRestart;

    const std::string phase = str(pod, {"status", "phase"});
    std::string reason = phase;
    if (const std::string podReason = str(pod, {"status", "reason"}); !podReason.empty())
        reason = podReason;

    for (const Json &condition : listAt(pod, {"status", "conditions"}))
        if (str(condition, {"type"}) == "PodScheduled" && str(condition, {"reason"}) == "SchedulingGated")
            reason = "SchedulingGated";

    const Json &initSpecs = listAt(pod, {"spec", "initContainers"});
    std::map<std::string, const Json *> initContainers;
    for (const Json &container : initSpecs) {
        initContainers[str(container, {"name"})] = &container;
        if (isRestartable(&container))
            ++totalContainers;
    }
    auto initContainer = [&](const Json &status) -> const Json * {
        auto it = initContainers.find(str(status, {"name"}));
        return it == initContainers.end() ? nullptr : it->second;
    };

    bool initializing = false;
    const Json &initStatuses = listAt(pod, {"status", "initContainerStatuses"});
    for (size_t i = 0; i < initStatuses.size(); ++i) {
        const Json &status = initStatuses[i];
        restarts += integer(status, {"restartCount"});
        lastRestart.consider(status);
        const bool sidecar = isRestartable(initContainer(status));
        if (sidecar) {
            sidecarRestarts += integer(status, {"restartCount"});
            lastSidecarRestart.consider(status);
        }
        const Json *terminated = find(status, {"state", "terminated"});
        if (terminated && terminated->is_null())
            terminated = nullptr;
        const std::string waitingReason = str(status, {"state", "waiting", "reason"});
        if (terminated && integer(*terminated, {"exitCode"}) == 0)
            continue;
        if (sidecar && boolean(status, {"started"})) {
            if (boolean(status, {"ready"}))
                ++readyContainers;
            continue;
        }
        if (terminated)
            reason = terminatedReason(*terminated, "Init:");
        else if (!waitingReason.empty() && waitingReason != "PodInitializing")
            reason = "Init:" + waitingReason;
        else
            reason = "Init:" + std::to_string(i) + "/" + std::to_string(initSpecs.size());
        initializing = true;
        break;
    }

    if (!initializing || conditionTrue(pod, "Initialized")) {
        // Finished init containers no longer count; sidecars keep theirs.
        restarts = sidecarRestarts;
        lastRestart = lastSidecarRestart;
        bool hasRunning = false;
        const Json &statuses = listAt(pod, {"status", "containerStatuses"});
        for (size_t i = statuses.size(); i-- > 0;) {
            const Json &status = statuses[i];
            restarts += integer(status, {"restartCount"});
            lastRestart.consider(status);
            const std::string waitingReason = str(status, {"state", "waiting", "reason"});
            if (!waitingReason.empty())
                reason = waitingReason;
            else if (has(status, {"state", "terminated"}))
                reason = terminatedReason(*find(status, {"state", "terminated"}), "");
            else if (boolean(status, {"ready"}) && has(status, {"state", "running"})) {
                hasRunning = true;
                ++readyContainers;
            }
        }
        // A pod whose last container completed while another still runs is not "Completed".
        if (reason == "Completed" && hasRunning)
            reason = conditionTrue(pod, "Ready") ? "Running" : "NotReady";
    }

    const bool deleting = has(pod, {"metadata", "deletionTimestamp"});
    if (deleting && str(pod, {"status", "reason"}) == "NodeLost")
        reason = "Unknown";
    else if (deleting && phase != "Succeeded" && phase != "Failed")
        reason = "Terminating";

    Json restartsText = std::to_string(restarts);
    if (restarts != 0 && lastRestart.time)
        restartsText = sinceCell(lastRestart.time, std::to_string(restarts) + " (", " ago)");

    return Json::array({str(pod, {"metadata", "name"}),
                        std::to_string(readyContainers) + "/" + std::to_string(totalContainers),
                        reason,
                        restartsText,
                        age(pod),
                        podIP(pod),
                        orNone(str(pod, {"spec", "nodeName"})),
                        orNone(str(pod, {"status", "nominatedNodeName"})),
                        readinessGates(pod)});
}

} // namespace

Printers podPrinters()
{
    return {{"",
             "Pod",
             {nameColumn(),
              column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
              column("Status", "string", "The aggregate status of the containers in this pod."),
              column("Restarts", "string",
                     "The number of times the containers in this pod have been restarted and when the last "
                     "container in this pod has restarted."),
              ageColumn(),
              wideColumn("IP", "string", "IP address allocated to the pod."),
              wideColumn("Node", "string", "The node the pod is scheduled to."),
              wideColumn("Nominated Node", "string", "The node the pod is nominated to after preemption."),
              wideColumn("Readiness Gates", "string", "How many of the pod's readiness gates are true.")},
             podCells}};
}

} // namespace cd::api::printing
