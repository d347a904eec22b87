// Images for containers, as the kubelet's image manager: the runtime provides an image, pulls
// it (the containers wait in ContainerCreating meanwhile, one pull for all of them), or says why
// it cannot, and then the container waits in ErrImagePull and ImagePullBackOff.
#include "engine/node/nodemanagerprivate.h"

#include <cstdio>

namespace cd::node {

// The kubelet's EnsureImageExists: a container whose image the node cannot provide waits in
// ErrImagePull, then ImagePullBackOff, and is retried with the same back-off as restarts. While
// the runtime pulls, the container waits in ContainerCreating (onImagePulled goes on from there).
bool NodeManagerPrivate::pullImage(PodState &pod, size_t index, const Json &podObject)
{
    const Json &container = containerAt(podObject, pod, index);
    const std::string image = str(container, {"image"});
    runtime::Runtime &rt = runtimeOf(pod);
    // Just pulled for this start: the image is there, whatever the policy (Always pulls once).
    const runtime::PullPolicy policy = pod.containers[index].imagePulled
                                           ? runtime::PullPolicy::IfNotPresent
                                           : runtime::pullPolicyFromString(str(container, {"imagePullPolicy"}));
    Result<runtime::ImageReady> ready = rt.ensureImage(image, policy);
    const std::uint64_t cookie = containerCookie(pod.serial, index);
    if (!ready.ok()) {
        recordPodEvent(pod, "Normal", "Pulling", "Pulling image \"" + image + "\"");
        imagePullFailed(pod, index, image, ready.error().message);
        return false;
    }
    if (!ready->pulling) {
        m_waitingMessages.erase(cookie);
        return true;
    }
    ContainerSlot &c = pod.containers[index];
    c.state = runtime::ContainerState::Waiting;
    c.waiting = Waiting::ContainerCreating;
    std::vector<PullWaiter> &waiters = m_pullWaiters[{&rt, image}];
    if (std::none_of(waiters.begin(), waiters.end(), [cookie](const PullWaiter &w) { return w.cookie == cookie; })) {
        waiters.push_back({cookie, steadyNowMs()});
        recordPodEvent(pod, "Normal", "Pulling", "Pulling image \"" + image + "\"");
        markDirty(pod);
    }
    return false;
}

void NodeManagerPrivate::onImagePulled(const runtime::Runtime *rt, const std::string &image,
                                       const Result<std::string> &outcome)
{
    auto found = m_pullWaiters.find({rt, image});
    if (found == m_pullWaiters.end())
        return;
    const std::vector<PullWaiter> waiters = std::move(found->second);
    m_pullWaiters.erase(found);
    for (const PullWaiter &waiter : waiters) {
        auto it = m_bySerial.find(waiter.cookie >> 8);
        const size_t index = waiter.cookie & 0xff;
        if (it == m_bySerial.end() || index >= it->second->containers.size())
            continue;  // the pod went meanwhile
        PodState &pod = *it->second;
        ContainerSlot &c = pod.containers[index];
        if (c.handle || pod.stage == Stage::Terminated)
            continue;
        if (!outcome.ok()) {
            imagePullFailed(pod, index, image, outcome.error().message);
            continue;
        }
        char took[32];
        std::snprintf(took, sizeof took, "%.3fs", static_cast<double>(steadyNowMs() - waiter.sinceMs) / 1000.0);
        recordPodEvent(pod, "Normal", "Pulled",
                       "Successfully pulled image \"" + image + "\" in " + took + " (" + took + " including waiting)");
        c.imagePulled = true;
        sync(pod);
    }
}

void NodeManagerPrivate::imagePullFailed(PodState &pod, size_t index, const std::string &image, const std::string &why)
{
    const std::uint64_t cookie = containerCookie(pod.serial, index);
    ContainerSlot &c = pod.containers[index];
    const std::int64_t now = steadyNowMs();
    const bool again = c.waiting == Waiting::ErrImagePull || c.waiting == Waiting::ImagePullBackOff;
    c.backoffMs = again ? std::min<std::int64_t>(c.backoffMs * 2, m_options.backoffMax.count())
                        : m_options.backoffBase.count();
    c.backoffUpdatedMs = now;
    c.restartAtMs = now + c.backoffMs;
    c.state = runtime::ContainerState::Waiting;
    c.waiting = Waiting::ErrImagePull;
    const std::string message = "Failed to pull image \"" + image + "\": " + why;
    m_waitingMessages[cookie] = message;
    recordPodEvent(pod, "Warning", "Failed", message);
    recordPodEvent(pod, "Warning", "Failed", "Error: ErrImagePull");
    markDirty(pod);
    wakeAt(pod, now + std::min<std::int64_t>(1000, c.backoffMs));  // then ImagePullBackOff
    wakeAt(pod, c.restartAtMs);
}

} // namespace cd::node
