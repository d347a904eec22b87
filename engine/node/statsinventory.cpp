// The node agents' side of resource statistics: what runs where for the collector's sampling
// rounds (engine/node/stats), and the kubelet server's /stats routes.
#include "engine/node/nodemanagerprivate.h"

#include "engine/node/stats/statscollector.h"
#include "engine/node/stats/statsroutes.h"

namespace cd::node {
namespace {

// Init containers come first in a PodState, then the others (as in podworker.cpp).
std::string containerName(const Json &pod, const PodState &state, size_t index)
{
    const bool init = index < state.initCount;
    const Json *list = find(pod, {"spec", init ? "initContainers" : "containers"});
    const size_t at = init ? index : index - state.initCount;
    return list && list->is_array() && at < list->size() ? str((*list)[at], {"name"}) : std::string();
}

std::int64_t msSinceEpoch(TimePoint t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

} // namespace

void NodeManagerPrivate::startStats()
{
    if (m_process || m_docker) {
        stats::StatsOptions options;
        options.interval = m_options.statsInterval;
        m_stats = std::make_unique<stats::StatsCollector>(
            options, [this] { return statsInventory(); }, std::make_unique<stats::ProcUsageReader>());
        m_stats->start();
    }
    if (m_kubelet)
        m_kubelet->addRoute("stats", [this](const api::ApiRequest &request, const api::SinkPtr &sink) {
            stats::serveStats(m_stats.get(), request, sink);
        });
}

std::vector<stats::NodeRef> NodeManagerPrivate::statsInventory() const
{
    std::vector<stats::NodeRef> nodes;
    std::unordered_map<std::uint32_t, size_t> slotOf;  // agent index -> position in nodes
    for (const auto &agent : m_agents) {
        if ((agent->spec.kind != "process" && agent->spec.kind != "container") || agent->deleted)
            continue;
        slotOf.emplace(agent->index, nodes.size());
        nodes.push_back({agent->spec.name, {}});
    }
    if (nodes.empty())
        return nodes;
    for (const auto &[key, state] : m_podStates) {
        auto slot = slotOf.find(state->node);
        if (slot == slotOf.end())
            continue;
        stats::PodRef pod{state->ns(), state->name(), state->uid, state->startTimeMs, {}};
        client::ObjectPtr object;  // looked up once a container of the pod runs
        for (size_t i = 0; i < state->containers.size(); ++i) {
            const ContainerSlot &container = state->containers[i];
            const runtime::Runtime &rt = *m_agents[state->node]->runtime;
            const int pid = container.handle ? rt.containerPid(container.handle) : 0;
            if (pid <= 0)
                continue;
            if (!object && !(object = cachedPod(*state)))
                break;
            const std::optional<runtime::ContainerStatus> status = rt.status(container.handle);
            pod.containers.push_back({containerName(*object, *state, i), pid, container.handle,
                                      status ? msSinceEpoch(status->startedAt) : 0});
        }
        if (!pod.containers.empty())
            nodes[slot->second].pods.push_back(std::move(pod));
    }
    return nodes;
}

} // namespace cd::node
