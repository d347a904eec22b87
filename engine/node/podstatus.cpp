// The pod status a kubelet posts (pkg/kubelet/kubelet_pods.go generateAPIPodStatus, v1.32):
// phase by the kubelet's getPhase rules, the five conditions with their reasons and messages,
// container statuses with state, lastState, ready, started and restartCount, and the pod's IPs.
#include "engine/node/nodemanagerprivate.h"

#include "engine/core/clock.h"

#include <cstdio>

namespace cd::node {
namespace {

std::string timeOf(TimePoint t) { return rfc3339(t); }
std::string timeOfMs(std::int64_t ms) { return rfc3339(TimePoint(std::chrono::milliseconds(ms))); }

Json terminated(const runtime::ContainerStatus &s)
{
    Json t = {{"exitCode", s.exitCode},
              {"reason", s.reason.empty() ? (s.exitCode == 0 ? "Completed" : "Error") : s.reason},
              {"finishedAt", timeOf(s.finishedAt)},
              {"containerID", s.containerId}};
    t["startedAt"] = s.startedAt.time_since_epoch().count() ? Json(timeOf(s.startedAt)) : Json(nullptr);
    if (!s.message.empty())
        t["message"] = s.message;
    return t;
}

// "[a b]", as Go prints a []string.
std::string bracketed(const std::vector<std::string> &names)
{
    std::string out = "[";
    for (size_t i = 0; i < names.size(); ++i)
        out += (i ? " " : "") + names[i];
    return out + "]";
}

const Json *existingStatus(const Json &pod, bool init, const std::string &name)
{
    const Json *list = find(pod, {"status", init ? "initContainerStatuses" : "containerStatuses"});
    if (list && list->is_array())
        for (const Json &s : *list)
            if (str(s, {"name"}) == name)
                return &s;
    return nullptr;
}

struct Tally {
    int running = 0, waiting = 0, stopped = 0, succeeded = 0;
};

} // namespace

std::string goDuration(std::int64_t ms)
{
    if (ms == 0)
        return "0s";
    if (ms < 1000)
        return std::to_string(ms) + "ms";
    std::string out;
    const std::int64_t hours = ms / 3600000, minutes = (ms / 60000) % 60;
    const std::int64_t millis = ms % 60000;
    if (hours)
        out += std::to_string(hours) + "h";
    if (hours || minutes)
        out += std::to_string(minutes) + "m";
    char seconds[32];
    if (millis % 1000 == 0)
        std::snprintf(seconds, sizeof seconds, "%llds", static_cast<long long>(millis / 1000));
    else {
        std::snprintf(seconds, sizeof seconds, "%lld.%03lld", static_cast<long long>(millis / 1000),
                      static_cast<long long>(millis % 1000));
        std::string s = seconds;
        while (s.back() == '0')
            s.pop_back();
        std::snprintf(seconds, sizeof seconds, "%ss", s.c_str());
    }
    return out + seconds;
}

std::optional<std::int64_t> parseGoDuration(const std::string &text)
{
    if (text.empty())
        return std::nullopt;
    double total = 0;
    size_t i = 0;
    while (i < text.size()) {
        size_t end = i;
        while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.'))
            ++end;
        if (end == i)
            return std::nullopt;
        const double value = std::atof(text.substr(i, end - i).c_str());
        size_t unitEnd = end;
        while (unitEnd < text.size() && std::isalpha(static_cast<unsigned char>(text[unitEnd])))
            ++unitEnd;
        const std::string unit = text.substr(end, unitEnd - end);
        double factor;
        if (unit == "ms")
            factor = 1;
        else if (unit == "s")
            factor = 1000;
        else if (unit == "m")
            factor = 60000;
        else if (unit == "h")
            factor = 3600000;
        else
            return std::nullopt;
        total += value * factor;
        i = unitEnd;
    }
    return static_cast<std::int64_t>(total);
}

Json buildPodStatus(const PodState &p, const NodeAgent &agent, const Json &pod, const runtime::Runtime &rt,
                    std::int64_t nowMs, const std::unordered_map<std::uint64_t, std::string> &waitingMessages)
{
    const bool hasInit = p.initCount > 0;
    const bool terminal = p.stage == Stage::Terminated;
    Json initStatuses = Json::array();
    Json statuses = Json::array();
    std::vector<std::string> incompleteInit, unready;
    Tally tally;
    bool failedInit = false;

    for (size_t i = 0; i < p.containers.size(); ++i) {
        const ContainerSlot &c = p.containers[i];
        const bool init = i < p.initCount;
        const Json *list = find(pod, {"spec", init ? "initContainers" : "containers"});
        const size_t at = init ? i : i - p.initCount;
        if (!list || !list->is_array() || at >= list->size())
            continue;
        const Json &container = (*list)[at];
        const std::string name = str(container, {"name"});
        if (c.recovered) {
            // Finished before the engine restarted: reported as it was.
            if (const Json *before = existingStatus(pod, init, name))
                initStatuses.push_back(*before);
            continue;
        }
        const auto current = c.handle ? rt.status(c.handle) : std::nullopt;
        const auto previous = c.previous ? rt.status(c.previous) : std::nullopt;
        Json s = {{"name", name}, {"restartCount", c.restartCount}, {"lastState", Json::object()}};
        s["image"] = current ? current->image : previous ? previous->image : str(container, {"image"});
        s["imageID"] = current ? current->imageRef : previous ? previous->imageRef : std::string();
        bool running = false, ready = false, exited = false;
        if (current && current->state == runtime::ContainerState::Exited && c.waiting == Waiting::CrashLoopBackOff &&
            c.restartAtMs > 0) {
            char message[512];
            std::snprintf(message, sizeof message, "back-off %s restarting failed container=%s pod=%s_%s(%s)",
                          goDuration(c.backoffMs).c_str(), name.c_str(), p.name().c_str(), p.ns().c_str(),
                          p.uid.c_str());
            s["state"] = {{"waiting", {{"reason", "CrashLoopBackOff"}, {"message", message}}}};
            s["lastState"] = {{"terminated", terminated(*current)}};
            s["containerID"] = current->containerId;
        } else if (current && current->state == runtime::ContainerState::Running) {
            running = true;
            ready = nowMs >= c.readyAtMs && !c.probeNotReady && !c.probeNotStarted;
            s["state"] = {{"running", {{"startedAt", timeOf(current->startedAt)}}}};
            s["containerID"] = current->containerId;
            if (previous)
                s["lastState"] = {{"terminated", terminated(*previous)}};
        } else if (current && current->state == runtime::ContainerState::Exited) {
            exited = true;
            s["state"] = {{"terminated", terminated(*current)}};
            s["containerID"] = current->containerId;
            if (previous)
                s["lastState"] = {{"terminated", terminated(*previous)}};
        } else if (!current && c.state == runtime::ContainerState::Exited && terminal) {
            // Finished and already forgotten by the runtime: keep what the API shows.
            if (const Json *before = existingStatus(pod, init, name)) {
                Json kept = *before;
                kept["ready"] = false;
                kept["started"] = false;
                (init ? initStatuses : statuses).push_back(kept);
                exited = true;
                if (!init) {
                    ++tally.stopped;
                    if (integer(kept, {"state", "terminated", "exitCode"}, 1) == 0)
                        ++tally.succeeded;
                }
                continue;
            }
            s["state"] = {{"waiting", {{"reason", hasInit ? "PodInitializing" : "ContainerCreating"}}}};
        } else if (c.waiting == Waiting::CreateContainerConfigError) {
            auto error = waitingMessages.find(containerCookie(p.serial, i));
            s["state"] = {{"waiting",
                           {{"reason", "CreateContainerConfigError"},
                            {"message", error == waitingMessages.end() ? std::string() : error->second}}}};
            if (previous)
                s["lastState"] = {{"terminated", terminated(*previous)}};
        } else if (c.waiting == Waiting::ErrImagePull || c.waiting == Waiting::ImagePullBackOff) {
            auto error = waitingMessages.find(containerCookie(p.serial, i));
            const std::string why = error == waitingMessages.end() ? std::string() : error->second;
            if (c.waiting == Waiting::ErrImagePull)
                s["state"] = {{"waiting", {{"reason", "ErrImagePull"}, {"message", why}}}};
            else
                s["state"] = {{"waiting",
                               {{"reason", "ImagePullBackOff"},
                                {"message", "Back-off pulling image \"" + str(container, {"image"}) + "\": ErrImagePull: " + why}}}};
            if (previous)
                s["lastState"] = {{"terminated", terminated(*previous)}};
            s["image"] = str(container, {"image"});
            s["imageID"] = "";
        } else {
            const bool restarting = c.restartCount > 0;
            s["state"] = {{"waiting", {{"reason", restarting ? "ContainerCreating"
                                                  : hasInit  ? "PodInitializing"
                                                             : "ContainerCreating"}}}};
            if (previous)
                s["lastState"] = {{"terminated", terminated(*previous)}};
            else {
                // Still being created (image pull, sandbox): the kubelet shows the image as written.
                s["image"] = str(container, {"image"});
                s["imageID"] = "";
            }
        }
        if (init && !c.sidecar) {
            // A finished init container counts as ready (the kubelet's prober manager).
            ready = exited && current && current->exitCode == 0;
            if (!ready)
                incompleteInit.push_back(name);
            if (exited && current && current->exitCode != 0 && p.restartPolicy == runtime::RestartPolicy::Never)
                failedInit = true;
        } else if (init) {
            if (!running)
                incompleteInit.push_back(name);
            if (!ready)
                unready.push_back(name);
        } else {
            if (!ready)
                unready.push_back(name);
            const bool waitingAfterExit = s["state"].contains("waiting") && s["lastState"].contains("terminated");
            if (running)
                ++tally.running;
            else if (exited) {
                ++tally.stopped;
                if (current && current->exitCode == 0)
                    ++tally.succeeded;
            } else if (waitingAfterExit)
                ++tally.stopped;
            else
                ++tally.waiting;
        }
        s["ready"] = ready;
        s["started"] = running && !c.probeNotStarted;
        (init ? initStatuses : statuses).push_back(std::move(s));
    }

    // getPhase (pkg/kubelet/kubelet_pods.go).
    std::string phase;
    const bool pendingInit = p.stage == Stage::New || p.stage == Stage::Initializing;
    if (failedInit)
        phase = "Failed";
    else if (pendingInit || tally.waiting > 0)
        phase = terminal ? "Failed" : "Pending";
    else if (tally.running > 0)
        phase = "Running";
    else if (tally.stopped > 0) {
        if (terminal)
            phase = tally.stopped == tally.succeeded ? "Succeeded" : "Failed";
        else if (p.restartPolicy == runtime::RestartPolicy::Always)
            phase = "Running";
        else if (tally.stopped == tally.succeeded)
            phase = "Succeeded";
        else if (p.restartPolicy == runtime::RestartPolicy::Never)
            phase = "Failed";
        else
            phase = "Running";
    } else {
        phase = "Pending";
    }
    const bool succeeded = phase == "Succeeded";

    // Conditions, keeping each one's lastTransitionTime while its status holds.
    const std::string now = timeOfMs(nowMs);
    const Json *existing = find(pod, {"status", "conditions"});
    const auto condition = [&](const std::string &type, bool status, const std::string &reason,
                               const std::string &message) {
        const std::string value = status ? "True" : "False";
        Json c = {{"type", type}, {"status", value}, {"lastProbeTime", nullptr}, {"lastTransitionTime", now}};
        if (existing && existing->is_array())
            for (const Json &old : *existing)
                if (str(old, {"type"}) == type && str(old, {"status"}) == value && old.contains("lastTransitionTime"))
                    c["lastTransitionTime"] = old["lastTransitionTime"];
        if (!reason.empty())
            c["reason"] = reason;
        if (!message.empty())
            c["message"] = message;
        return c;
    };
    Json conditions = Json::array();
    conditions.push_back(condition("PodReadyToStartContainers", p.sandbox != 0 && !terminal, "", ""));
    if (incompleteInit.empty())
        conditions.push_back(condition("Initialized", true, succeeded && hasInit ? "PodCompleted" : "", ""));
    else
        conditions.push_back(condition("Initialized", false, "ContainersNotInitialized",
                                       "containers with incomplete status: " + bracketed(incompleteInit)));
    if (succeeded) {
        conditions.push_back(condition("Ready", false, "PodCompleted", ""));
        conditions.push_back(condition("ContainersReady", false, "PodCompleted", ""));
    } else if (!unready.empty()) {
        const std::string message = "containers with unready status: " + bracketed(unready);
        conditions.push_back(condition("Ready", false, "ContainersNotReady", message));
        conditions.push_back(condition("ContainersReady", false, "ContainersNotReady", message));
    } else {
        conditions.push_back(condition("Ready", true, "", ""));
        conditions.push_back(condition("ContainersReady", true, "", ""));
    }
    bool scheduled = false;
    if (existing && existing->is_array())
        for (const Json &old : *existing) {
            const std::string type = str(old, {"type"});
            if (type == "PodScheduled")
                scheduled = true;
            // The scheduler's condition and any other writer's stay as they are.
            if (type != "PodReadyToStartContainers" && type != "Initialized" && type != "Ready" &&
                type != "ContainersReady")
                conditions.push_back(old);
        }
    if (!scheduled)
        conditions.push_back(condition("PodScheduled", true, "", ""));

    Json status = {{"phase", phase}, {"conditions", std::move(conditions)}, {"hostIP", agent.internalIp},
                   {"hostIPs", Json::array({{{"ip", agent.internalIp}}})}};
    if (p.ip) {
        const std::string ip = ipString(p.ip);
        status["podIP"] = ip;
        status["podIPs"] = Json::array({{{"ip", ip}}});
    }
    if (p.startTimeMs)
        status["startTime"] = timeOfMs(p.startTimeMs);
    if (!initStatuses.empty())
        status["initContainerStatuses"] = std::move(initStatuses);
    status["containerStatuses"] = std::move(statuses);
    if (const Json *qos = find(pod, {"status", "qosClass"}))
        status["qosClass"] = *qos;
    return status;
}

} // namespace cd::node
