#pragma once
// The inside of the node manager: the compact state of every node agent and pod, the shared
// informers and timers. Split over files by responsibility: nodeagent.cpp (registration, lease,
// node status), podworker.cpp (pod lifecycle), imagepulls.cpp (images and pulls), podstatus.cpp
// (the status kubectl prints), nodeobject.cpp (the Node and Lease objects, addresses and pod CIDRs).

#include "engine/client/eventrecorder.h"
#include "engine/client/informer.h"
#include "engine/node/kubeletserver.h"
#include "engine/node/nodemanager.h"
#include "engine/node/containerhooks.h"
#include "engine/node/podcontext.h"
#include "engine/node/prober.h"
#include "engine/node/podvolumes.h"
#include "engine/proxy/serviceproxy.h"
#include "engine/node/stats/statscollector.h"
#include "engine/runtime/docker/dockerruntime.h"
#include "engine/runtime/network/clusternetwork.h"
#include "engine/runtime/process/processruntime.h"
#include "engine/runtime/simulated/simulatedruntime.h"

#include <QTimer>

#include <deque>
#include <map>
#include <functional>
#include <queue>
#include <unordered_map>

namespace cd::node {

// Limits the API requests in flight; the rest wait their turn in order. Background requests
// (leases and node events while thousands of nodes register) start only when no other request
// waits, as a kubelet's event broadcaster and lease controller trail its registration.
class RequestLimiter {
public:
    using Finished = std::function<void()>;
    using Starter = std::function<void(Finished finished)>;
    enum class Lane { Normal, Background };
    explicit RequestLimiter(int limit) : m_limit(limit) {}
    void submit(Starter starter, Lane lane = Lane::Normal);
    int inFlight() const { return m_inFlight; }
    size_t waiting() const { return m_waiting.size() + m_background.size(); }

private:
    void pump();
    int m_limit;
    int m_inFlight = 0;
    std::deque<Starter> m_waiting;
    std::deque<Starter> m_background;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

// Pod IPs of one node: a block of the cluster's pod network, handed out round robin (as
// host-local IPAM does) so a freed address is not reused at once.
struct PodCidr {
    std::uint32_t base = 0;  // network address
    int prefix = 24;
    std::vector<std::uint64_t> used;
    std::uint32_t next = 2;  // offsets .0 (network) and .1 (gateway) are never handed out

    std::uint32_t size() const { return std::uint32_t(1) << (32 - prefix); }
    std::uint32_t allocate();            // an address, or 0 when full
    void reserve(std::uint32_t address);  // an address already in use (after a restart)
    void release(std::uint32_t address);
    std::string cidr() const;
};

std::string ipString(std::uint32_t address);
std::uint32_t parseIp(const std::string &text);  // 0 when not IPv4

struct NodeAgent {
    NodeSpec spec;
    std::uint32_t index = 0;
    std::string uid;          // the Node object's, once registered
    std::string internalIp;
    std::string machineId, systemUuid, bootId;
    PodCidr cidr;
    bool registering = false;
    bool registered = false;
    bool deleted = false;           // the Node object was deleted: the agent stops reporting
    bool stoppedByCall = false;     // stopHeartbeat()
    bool stoppedByAnnotation = false;
    bool statusPending = false;     // a status post is queued or in flight
    bool leasePending = false;
    std::string observedReady;      // the Ready status the API shows (from the node informer)
    std::int64_t conditionsSinceMs = 0;  // when the kubelet-owned conditions last changed
    size_t pods = 0;
    runtime::Runtime *runtime = nullptr;  // of the node's kind, shared by the nodes of that kind
    std::unique_ptr<client::EventRecorder> recorder;

    bool heartbeating() const { return !stoppedByCall && !stoppedByAnnotation && !deleted; }
    // A node cut off from the API writes nothing at all.
    bool reachable() const { return !stoppedByCall && !stoppedByAnnotation; }
};

enum class Waiting : std::uint8_t {
    None,
    CreateContainerConfigError,
    ContainerCreating,
    PodInitializing,
    CrashLoopBackOff,
    ErrImagePull,
    ImagePullBackOff
};

struct ContainerSlot {
    runtime::ContainerHandle handle = 0;    // the current container, 0 before the first start
    runtime::ContainerHandle previous = 0;  // the last terminated one (lastState)
    runtime::ContainerState state = runtime::ContainerState::Waiting;
    Waiting waiting = Waiting::ContainerCreating;
    int restartCount = 0;
    int exitCode = 0;
    bool sidecar = false;       // an init container with restartPolicy Always
    bool recovered = false;     // carried over from before an engine restart (no handle)
    bool stopping = false;
    std::int64_t readyAtMs = 0;       // wall ms; running and past this: ready
    // Process nodes' probes (probing.cpp): startup not passed yet; readiness not passed.
    bool probeNotStarted = false;
    bool probeNotReady = false;
    bool killing = false;  // killed for a failed probe or postStart hook: restarts by policy
    bool imagePulled = false;  // this start pulled the image (the Pulled event says so, not "already present")
    std::int64_t backoffMs = 0;       // current CrashLoopBackOff delay
    std::int64_t backoffUpdatedMs = 0;  // steady ms
    std::int64_t restartAtMs = 0;     // steady ms; >0: waiting in back-off until then
};

enum class Stage : std::uint8_t { New, Initializing, Running, Terminated };

struct PodState {
    std::uint64_t serial = 0;
    std::string key;  // namespace/name
    std::string uid;
    std::uint32_t node = 0;
    std::uint32_t ip = 0;
    std::int64_t startTimeMs = 0;
    runtime::SandboxHandle sandbox = 0;
    runtime::RestartPolicy restartPolicy = runtime::RestartPolicy::Always;
    Stage stage = Stage::New;
    std::uint8_t initCount = 0;
    std::uint8_t nextInit = 0;
    bool deleting = false;
    bool deleteSent = false;
    bool dirty = false;
    bool queued = false;   // in the status write queue
    bool writing = false;  // a status write is in flight
    bool terminalWritten = false;
    long long graceSeconds = 30;
    std::int64_t firstStatusHeldUntilMs = 0;  // steady ms; see NodeManagerPrivate::holdsFirstStatus
    std::vector<ContainerSlot> containers;  // init containers first, then the others

    std::string ns() const { return key.substr(0, key.find('/')); }
    std::string name() const { return key.substr(key.find('/') + 1); }
};

class NodeManagerPrivate : public QObject {
    Q_OBJECT
public:
    NodeManagerPrivate(NodeManager *q, client::Client *client, NodeManagerOptions options);
    ~NodeManagerPrivate() override;

    void start();
    NodeAgent *agent(const std::string &name);
    const NodeAgent *agent(const std::string &name) const;
    void heartbeatChanged(NodeAgent &agent, bool wasReachable);

    // nodeagent.cpp
    void registerNode(NodeAgent &agent);
    void createLease(NodeAgent &agent);
    void renewLease(NodeAgent &agent);
    void postNodeStatus(NodeAgent &agent);
    void onNodeEvent(const client::InformerEvent &event);
    void onHeartbeatTick();
    void recordNodeEvent(NodeAgent &agent, const std::string &reason, const std::string &message);
    RequestLimiter::Lane registrationLane() const;

    // podworker.cpp
    void onPodEvent(const client::InformerEvent &event);
    void adopt(NodeAgent &agent, const Json &pod);
    void forget(PodState &pod);
    void sync(PodState &pod);
    void syncAgentPods(NodeAgent &agent);
    void onContainerState(runtime::ContainerHandle handle, std::uint64_t cookie, const runtime::ContainerStatus &status);
    void startContainer(PodState &pod, size_t index, const Json &podObject);
    void containerExited(PodState &pod, size_t index);
    void stopContainers(PodState &pod);
    void finishPod(PodState &pod);
    void markDirty(PodState &pod);
    void flushStatuses();
    void writeStatus(PodState &pod);
    void deletePod(PodState &pod);
    void wakeAt(PodState &pod, std::int64_t steadyDueMs);
    bool holdsFirstStatus(PodState &pod);
    void onWakeTimer();
    void recordPodEvent(PodState &pod, const std::string &type, const std::string &reason, const std::string &message);
    runtime::ContainerSpec containerSpec(const PodState &pod, size_t index, const Json &podObject) const;
    client::ObjectPtr cachedPod(const PodState &pod) const;
    runtime::Runtime &runtimeOf(const PodState &pod) const { return *m_agents[pod.node]->runtime; }
    // imagepulls.cpp
    bool pullImage(PodState &pod, size_t index, const Json &podObject);
    void onImagePulled(const runtime::Runtime *rt, const std::string &image, const Result<std::string> &outcome);
    void imagePullFailed(PodState &pod, size_t index, const std::string &image, const std::string &why);
    // podsetup.cpp: what a process node prepares besides the sandbox (volumes, environment).
    // Container nodes run real processes too (through the container engine): same preparations.
    bool runsProcesses(const PodState &pod) const
    {
        const std::string &kind = m_agents[pod.node]->spec.kind;
        return kind == "process" || kind == "container";
    }
    PodContext podContext(const PodState &pod) const;
    bool inputsSynced() const;
    std::string podDirectory(const PodState &pod) const;  // DATA_DIR/kubelet/pods/<uid>
    bool prepareVolumes(PodState &pod, const Json &podObject);
    bool prepareContainer(PodState &pod, size_t index, const Json &podObject, runtime::ContainerSpec &spec);
    void removePodFiles(const PodState &pod);
    // execroute.cpp: the kubelet routes exec and attach.
    void serveContainerStream(const api::ApiRequest &request, const api::SinkPtr &sink);
    Result<LogSource> containerLog(const std::string &ns, const std::string &name, const std::string &container,
                                   bool previous);
    std::string logDirectory(const PodState &pod) const;
    // probing.cpp: probes and lifecycle hooks of process containers (simulated ones pass).
    ActionTarget actionTarget(const PodState &pod, size_t index, const Json &container);
    // Probes, and postStart unless the container was only found again after an engine restart.
    void containerStarted(PodState &pod, size_t index, bool runPostStart = true);
    void containerGone(PodState &pod, size_t index);     // its probes and hooks end
    // Asks the container to stop within graceSeconds, after its preStop hook (process nodes).
    void killContainer(PodState &pod, size_t index, long long graceSeconds);
    void probeFailed(std::uint64_t cookie, ProbeType type, std::optional<long long> graceSeconds);
    // statsinventory.cpp: resource statistics of the process nodes, served under /stats.
    void startStats();
    std::vector<stats::NodeRef> statsInventory() const;

    NodeManager *q;
    client::Client *m_client;
    NodeManagerOptions m_options;
    std::unique_ptr<runtime::SimulatedRuntime> m_simulated;
    std::unique_ptr<runtime::network::ClusterNetwork> m_network;   // the process pods' network
    std::unique_ptr<runtime::process::ProcessRuntime> m_process;  // when the plan has process nodes
    std::unique_ptr<runtime::docker::DockerRuntime> m_docker;     // when the plan has container nodes
    std::unique_ptr<proxy::ServiceProxy> m_proxy;                  // when m_network is isolated
    // Why an image could not be pulled, by container cookie, while it waits in ErrImagePull.
    std::unordered_map<std::uint64_t, std::string> m_waitingMessages;
    // Containers waiting for a runtime's pull of an image (container cookies, since when).
    struct PullWaiter {
        std::uint64_t cookie = 0;
        std::int64_t sinceMs = 0;  // steady
    };
    std::map<std::pair<const runtime::Runtime *, std::string>, std::vector<PullWaiter>> m_pullWaiters;
    // Process pods' volumes, by pod serial, once set up.
    std::unordered_map<std::uint64_t, PreparedVolumes> m_volumes;
    // What process pods read besides themselves (only when the plan has process nodes).
    std::map<std::string, client::Informer *> m_podInputs;
    std::unique_ptr<KubeletServer> m_kubelet;
    // Running containers' probes and their hooks in flight, by container cookie.
    std::unordered_map<std::uint64_t, std::unique_ptr<ContainerProber>> m_probers;
    std::unordered_map<std::uint64_t, std::unique_ptr<HookRun>> m_postStartHooks;
    std::unordered_map<std::uint64_t, std::unique_ptr<HookRun>> m_preStopHooks;
    std::unique_ptr<stats::StatsCollector> m_stats;  // when the plan has process nodes
    int m_kubeletPort = 10250;  // advertised in every Node; the real one once the server listens
    client::Informer *m_pods = nullptr;
    client::Informer *m_nodes = nullptr;
    RequestLimiter m_limiter;
    std::vector<std::unique_ptr<NodeAgent>> m_agents;
    // The agents' event recorders share one bounded cache of recent events (see RecentEvents).
    std::shared_ptr<client::RecentEvents> m_recentEvents = std::make_shared<client::RecentEvents>(16384);
    std::unordered_map<std::string, std::uint32_t> m_agentIndex;
    size_t m_registered = 0;
    bool m_allRegisteredSignalled = false;
    std::int64_t m_registrationBurstEndMs = 0;  // steady ms; registrationLane() is Normal from then on

    std::unordered_map<std::string, std::unique_ptr<PodState>> m_podStates;  // by key
    std::unordered_map<std::uint64_t, PodState *> m_bySerial;
    std::uint64_t m_nextSerial = 1;
    std::deque<std::uint64_t> m_dirty;
    bool m_flushScheduled = false;

    // Heartbeats: one timer; each tick serves the agents of one bucket.
    QTimer m_heartbeat;
    std::uint64_t m_tick = 0;
    int m_tickMs = 100;

    // Wake-ups (back-off restarts, readiness) for all pods on one timer.
    struct Wake {
        std::int64_t dueMs;
        std::uint64_t serial;
        bool operator>(const Wake &o) const { return dueMs > o.dueMs; }
    };
    std::priority_queue<Wake, std::vector<Wake>, std::greater<Wake>> m_wakes;
    QTimer m_wakeTimer;
    std::int64_t m_wakeArmedFor = -1;
};

// podstatus.cpp: the pod status the kubelet would post, from the compact state and the pod.
Json buildPodStatus(const PodState &pod, const NodeAgent &agent, const Json &podObject,
                    const runtime::Runtime &runtime, std::int64_t nowWallMs,
                    const std::unordered_map<std::uint64_t, std::string> &waitingMessages);
std::uint64_t containerCookie(std::uint64_t serial, size_t index);
// The spec of the pod's container at the agent's index (init containers first); {} when none.
const Json &containerAt(const Json &pod, const PodState &state, size_t index);
// Go's time.Duration: "10s", "1m20s", "500ms"; and its parser ("1m30s", "250ms", "2h").
std::string goDuration(std::int64_t ms);
std::optional<std::int64_t> parseGoDuration(const std::string &text);

// nodeobject.cpp
Json nodeObject(const NodeAgent &agent, const NodeManagerOptions &options, const std::string &runtimeVersion,
               int kubeletPort);
Json nodeConditions(const NodeAgent &agent, const std::string &heartbeat, const std::string &transition);
// Why the node's container runtime cannot run pods (a container node whose engine does not
// answer); empty when it can. The node is NotReady while this says something.
std::string runtimeDownReason(const NodeAgent &agent);
Json leaseObject(const NodeAgent &agent, const NodeManagerOptions &options);
void assignAddresses(NodeAgent &agent, size_t planSize, long long maxPods);
std::int64_t steadyNowMs();
std::int64_t wallNowMs();

} // namespace cd::node
