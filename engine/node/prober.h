#pragma once
// The probes of one running container (the kubelet's pkg/kubelet/prober: one worker per probe,
// results by the thresholds). Readiness gives the container's `ready`; a startup probe holds
// liveness and readiness back until it succeeds; a liveness or startup probe that fails its
// threshold asks for the container to be killed (and then holds until the container is new —
// here the prober goes with the container, and the next one starts fresh).
//
// Lives on the node thread; probes run on QTimers, never blocking it.

#include "engine/node/probeaction.h"

#include <QObject>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace cd::node {

enum class ProbeType { Liveness, Readiness, Startup };
const char *probeTypeName(ProbeType type); // "Liveness", as the kubelet's events say it

// A probe's fields with the API's defaults.
struct ProbeSettings {
    Json handler; // the probe object (exec, httpGet, tcpSocket or grpc inside)
    int initialDelayMs = 0;
    int periodMs = 10000;
    int timeoutMs = 1000;
    int successThreshold = 1; // always 1 for liveness and startup
    int failureThreshold = 3;
    std::optional<long long> terminationGracePeriodSeconds;

    static ProbeSettings from(const Json &probe, ProbeType type);
};

class ContainerProber : public QObject {
    Q_OBJECT
public:
    struct Callbacks {
        std::function<void()> changed; // started() or ready() changed
        // A liveness or startup probe failed its threshold: the container is to be killed with
        // the grace period given (the probe's own, or unset for the pod's) and restarted by policy.
        std::function<void(ProbeType type, std::optional<long long> graceSeconds)> failed;
        std::function<void(const std::string &type, const std::string &reason, const std::string &message)> event;
    };

    // Probes the container that just started running, as `container` (its spec) describes.
    ContainerProber(const Json &container, ActionTarget target, Callbacks callbacks, QObject *parent = nullptr);
    ~ContainerProber() override;

    static bool hasProbes(const Json &container);

    // Startup passed (or there is no startup probe).
    bool started() const;
    // Started, and readiness passed (or there is no readiness probe).
    bool ready() const;
    // While the container terminates only readiness goes on (the kubelet's StopLivenessAndStartup).
    void stopLivenessAndStartup();

private:
    class Worker;
    friend class Worker;
    Worker *worker(ProbeType type) const { return m_workers[static_cast<size_t>(type)].get(); }

    ActionTarget m_target;
    Callbacks m_callbacks;
    std::array<std::unique_ptr<Worker>, 3> m_workers;
};

} // namespace cd::node
