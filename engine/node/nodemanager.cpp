#include "engine/node/nodemanager.h"

#include "engine/client/resources.h"
#include "engine/core/threadaffinity.h"
#include "engine/node/nodemanagerprivate.h"
#include "engine/node/portforwardroute.h"

#include <algorithm>

namespace cd::node {

void RequestLimiter::submit(Starter starter, Lane lane)
{
    (lane == Lane::Background ? m_background : m_waiting).push_back(std::move(starter));
    pump();
}

void RequestLimiter::pump()
{
    while (m_inFlight < m_limit && (!m_waiting.empty() || !m_background.empty())) {
        std::deque<Starter> &queue = m_waiting.empty() ? m_background : m_waiting;
        Starter starter = std::move(queue.front());
        queue.pop_front();
        ++m_inFlight;
        std::weak_ptr<bool> alive = m_alive;
        auto called = std::make_shared<bool>(false);
        starter([this, alive, called] {
            if (alive.expired() || *called)
                return;
            *called = true;
            --m_inFlight;
            pump();
        });
    }
}

NodeManagerPrivate::NodeManagerPrivate(NodeManager *q, client::Client *client, NodeManagerOptions options)
    : QObject(q), q(q), m_client(client), m_options(std::move(options)), m_limiter(std::max(1, m_options.maxInFlight)),
      m_heartbeat(this), m_wakeTimer(this)
{
    runtime::SimulatedRuntimeOptions runtimeOptions;
    runtimeOptions.startLatency = m_options.startLatency;
    runtimeOptions.stopDelay = m_options.stopDelay;
    const auto listener = [this](runtime::ContainerHandle handle, std::uint64_t cookie,
                                 const runtime::ContainerStatus &status) { onContainerState(handle, cookie, status); };
    // Children, so that they move to the node thread with the manager (their timers run there).
    m_simulated = std::make_unique<runtime::SimulatedRuntime>(runtimeOptions, this);
    m_simulated->setStateListener(listener);
    const auto planHas = [this](const char *kind) {
        return std::any_of(m_options.nodes.begin(), m_options.nodes.end(), [kind](const NodeSpec &n) { return n.kind == kind; });
    };
    if (planHas("process") || planHas("container")) {
        // Process and container pods share one cluster network (pod IPs, Services, NodePorts).
        runtime::network::ClusterNetworkOptions networkOptions;
        networkOptions.stateDir = m_options.dataDir + QStringLiteral("/network");
        if (auto network = runtime::network::ClusterNetwork::open(networkOptions); network.ok())
            m_network = std::move(*network);
        else
            qWarning("pods share the host's network: %s", network.error().message.c_str());
    }
    if (planHas("process")) {
        runtime::process::ProcessRuntimeOptions processOptions;
        processOptions.stateDir = m_options.dataDir + QStringLiteral("/runtime/process");
        processOptions.hiddenPaths = m_options.hiddenPaths;
        processOptions.resolveImage = runtime::process::imageStoreResolver(m_options.dataDir + QStringLiteral("/images"));
        if (m_network) {
            processOptions.network = m_network.get();
            if (m_network->isolated())
                processOptions.clusterDns = proxy::ServiceProxyOptions().dnsIp;  // served by m_proxy
        }
        m_process = std::make_unique<runtime::process::ProcessRuntime>(processOptions, this);
        m_process->setStateListener(listener);
        m_process->setPullListener([this](const std::string &image, const Result<std::string> &outcome) {
            onImagePulled(m_process.get(), image, outcome);
        });
    }
    if (planHas("container")) {
        runtime::docker::DockerRuntimeOptions dockerOptions;
        dockerOptions.host = m_options.dockerHost;
        dockerOptions.stateDir = m_options.dataDir + QStringLiteral("/runtime/docker");
        if (m_network) {
            dockerOptions.network = m_network.get();
            if (m_network->isolated())
                dockerOptions.clusterDns = proxy::ServiceProxyOptions().dnsIp;
        }
        m_docker = std::make_unique<runtime::docker::DockerRuntime>(dockerOptions, this);
        m_docker->setStateListener(listener);
        m_docker->setPullListener([this](const std::string &image, const Result<std::string> &outcome) {
            onImagePulled(m_docker.get(), image, outcome);
        });
        if (const std::string why = m_docker->unreachableReason(); !why.empty())
            qWarning("container nodes are not ready: %s", why.c_str());
        // Ready follows the engine: a new status at once when it goes or comes back.
        connect(m_docker.get(), &runtime::docker::DockerRuntime::reachabilityChanged, this, [this] {
            for (auto &agent : m_agents)
                if (agent->runtime == m_docker.get() && agent->registered && agent->heartbeating()) {
                    agent->conditionsSinceMs = wallNowMs();
                    postNodeStatus(*agent);
                }
        });
    }

    long long maxPods = 0;
    for (const NodeSpec &spec : m_options.nodes)
        maxPods = std::max(maxPods, spec.pods);
    m_agents.reserve(m_options.nodes.size());
    for (const NodeSpec &spec : m_options.nodes) {
        if (m_agentIndex.count(spec.name))
            continue;  // checkNodePlan refuses duplicates; never run one node twice
        auto agent = std::make_unique<NodeAgent>();
        agent->spec = spec;
        agent->index = static_cast<std::uint32_t>(m_agents.size());
        agent->runtime = spec.kind == "process" && m_process     ? static_cast<runtime::Runtime *>(m_process.get())
                         : spec.kind == "container" && m_docker ? static_cast<runtime::Runtime *>(m_docker.get())
                                                                : m_simulated.get();
        assignAddresses(*agent, m_options.nodes.size(), maxPods);
        m_agentIndex.emplace(spec.name, agent->index);
        m_agents.push_back(std::move(agent));
    }

    m_heartbeat.setTimerType(Qt::CoarseTimer);
    connect(&m_heartbeat, &QTimer::timeout, this, &NodeManagerPrivate::onHeartbeatTick);
    m_wakeTimer.setSingleShot(true);
    connect(&m_wakeTimer, &QTimer::timeout, this, &NodeManagerPrivate::onWakeTimer);
}

NodeManagerPrivate::~NodeManagerPrivate()
{
    // The runtime reports nothing more once the manager goes.
    m_simulated->setStateListener({});
    if (m_process) {
        m_process->setStateListener({});
        m_process->setPullListener({});
    }
    if (m_docker) {
        m_docker->setStateListener({});
        m_docker->setPullListener({});
    }
}

NodeAgent *NodeManagerPrivate::agent(const std::string &name)
{
    auto it = m_agentIndex.find(name);
    return it == m_agentIndex.end() ? nullptr : m_agents[it->second].get();
}

const NodeAgent *NodeManagerPrivate::agent(const std::string &name) const
{
    auto it = m_agentIndex.find(name);
    return it == m_agentIndex.end() ? nullptr : m_agents[it->second].get();
}

void NodeManagerPrivate::start()
{
    static const client::Resource *pods = client::builtinResource("pods");
    static const client::Resource *nodes = client::builtinResource("nodes");
    if (m_agents.empty())
        return;
    if (!m_options.kubeletToken.isEmpty()) {
        m_kubelet = std::make_unique<KubeletServer>(
            m_options.kubeletToken,
            [this](const std::string &ns, const std::string &name, const std::string &container, bool previous) {
                return containerLog(ns, name, container, previous);
            },
            this);
        for (const char *verb : {"exec", "attach"})
            m_kubelet->addRoute(verb, [this](const api::ApiRequest &request, const api::SinkPtr &sink) {
                serveContainerStream(request, sink);
            });
        m_kubelet->addRoute("portForward", [this](const api::ApiRequest &request, const api::SinkPtr &sink) {
            servePortForward(*this, request, sink);
        });
        if (Status listening = m_kubelet->listen(); listening.ok())
            m_kubeletPort = m_kubelet->port();
        else
            qWarning("the kubelet server does not listen: %s", listening.error().message.c_str());
    }
    startStats();
    // One pod informer for every agent: only bound pods, each event dispatched by node name.
    m_pods = new client::Informer(m_client, *pods, {}, {{"fieldSelector", "spec.nodeName!="}}, this);
    m_pods->addHandler([this](const client::InformerEvent &event) { onPodEvent(event); });
    if (m_process || m_docker) {
        // What process pods read besides themselves: env sources, volume sources, Service links.
        for (const char *plural : {"configmaps", "secrets", "services", "persistentvolumeclaims", "persistentvolumes"}) {
            auto *informer = new client::Informer(m_client, *client::builtinResource(plural), {}, {}, this);
            m_podInputs[plural] = informer;
            informer->start();
        }
    }
    if (m_network && m_network->isolated()) {
        // The service proxy of the process nodes' network: ClusterIPs, NodePorts, cluster DNS.
        m_proxy = std::make_unique<proxy::ServiceProxy>(m_client, m_network.get());
        if (Status started = m_proxy->start(); !started.ok()) {
            qWarning("the service proxy does not run: %s", started.error().message.c_str());
            m_proxy.reset();
        }
    }
    m_nodes = new client::Informer(m_client, *nodes, {}, {}, this);
    m_nodes->addHandler([this](const client::InformerEvent &event) { onNodeEvent(event); });
    m_nodes->start();
    m_pods->start();
    m_registrationBurstEndMs = steadyNowMs() + 10000;
    for (auto &agent : m_agents)
        registerNode(*agent);
    m_heartbeat.start(m_tickMs);
}

void NodeManagerPrivate::heartbeatChanged(NodeAgent &agent, bool wasReachable)
{
    if (!wasReachable && agent.reachable()) {
        // Back in touch: renew at once, say how the node is, and catch up with its pods.
        if (agent.registered && agent.heartbeating()) {
            renewLease(agent);
            postNodeStatus(agent);
        }
        syncAgentPods(agent);
    }
}

NodeManager::NodeManager(client::Client *client, NodeManagerOptions options, QObject *parent)
    : QObject(parent), d(std::make_unique<NodeManagerPrivate>(this, client, std::move(options)))
{
}

NodeManager::~NodeManager()
{
    // Children (informers, timers) go with d before the client they use.
    d.reset();
}

void NodeManager::start()
{
    CD_ASSERT_THREAD(this);
    d->start();
}

bool NodeManager::stopHeartbeat(const std::string &node)
{
    NodeAgent *agent = d->agent(node);
    if (!agent)
        return false;
    const bool was = agent->reachable();
    agent->stoppedByCall = true;
    d->heartbeatChanged(*agent, was);
    return true;
}

bool NodeManager::resume(const std::string &node)
{
    NodeAgent *agent = d->agent(node);
    if (!agent)
        return false;
    const bool was = agent->reachable();
    agent->stoppedByCall = false;
    d->heartbeatChanged(*agent, was);
    return true;
}

bool NodeManager::heartbeating(const std::string &node) const
{
    const NodeAgent *agent = d->agent(node);
    return agent && agent->heartbeating();
}

size_t NodeManager::nodeCount() const { return d->m_agents.size(); }
size_t NodeManager::registeredCount() const { return d->m_registered; }
size_t NodeManager::podCount() const { return d->m_podStates.size(); }
const NodeManagerOptions &NodeManager::options() const { return d->m_options; }

} // namespace cd::node
