#include "engine/controllers/nodelifecycle/tainteviction.h"

#include "engine/client/resources.h"
#include "engine/core/clock.h"

#include <QPointer>

#include <limits>

namespace cd::controllers {
namespace {

std::int64_t steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::vector<Taint> noExecuteTaints(const Json &node)
{
    std::vector<Taint> out;
    if (const Json *taints = find(node, {"spec", "taints"}); taints && taints->is_array())
        for (const Json &t : *taints)
            if (Taint taint = taintFrom(t); taint.effect == TaintEffect::NoExecute)
                out.push_back(std::move(taint));
    return out;
}

} // namespace

TaintEvictionController::TaintEvictionController(client::Client *client, client::SharedInformers *informers,
                                                 NodePods *pods, QObject *parent)
    : QObject(parent), m_client(client), m_pods(pods), m_recorder(client, "taint-eviction-controller", {}, this),
      m_timer(this)
{
    m_podInformer = informers->informer(*client::builtinResource("pods"));
    informers->informer(*client::builtinResource("nodes"))->addHandler([this](const client::InformerEvent &event) {
        onNode(event);
    });
    m_pods->addListener([this](const std::string &key, const NodePodFacts *before, const NodePodFacts *after) {
        onPod(key, before, after);
    });
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &TaintEvictionController::onTimer);
}

void TaintEvictionController::emitEvent(const std::string &key, const std::string &message)
{
    const size_t slash = key.find('/');
    const Json reference = {{"kind", "Pod"},
                            {"apiVersion", "v1"},
                            {"metadata", {{"name", key.substr(slash + 1)}, {"namespace", key.substr(0, slash)}}}};
    m_recorder.normal(reference, "TaintManagerEviction", message);
}

void TaintEvictionController::onNode(const client::InformerEvent &event)
{
    const std::string name = str(*event.object, {"metadata", "name"});
    std::vector<Taint> taints = event.deleted() ? std::vector<Taint>{} : noExecuteTaints(*event.object);
    auto it = m_taints.find(name);
    const bool had = it != m_taints.end();
    if (had && it->second == taints)
        return;
    if (!had && taints.empty())
        return;
    if (taints.empty())
        m_taints.erase(name);
    else
        m_taints[name] = std::move(taints);
    handleNode(name);
}

void TaintEvictionController::onPod(const std::string &key, const NodePodFacts *before, const NodePodFacts *after)
{
    if (!after) {
        cancel(key, m_scheduled.count(key) > 0);
        return;
    }
    // Only a new binding or new tolerations change the verdict (PodUpdated).
    if (before && before->node == after->node && before->tolerations == after->tolerations &&
        before->uid == after->uid && before->deleting == after->deleting)
        return;
    if (after->node.empty())
        return;
    auto taints = m_taints.find(after->node);
    if (taints == m_taints.end())
        return;
    processPod(key, *after, taints->second, steadyMs());
}

void TaintEvictionController::handleNode(const std::string &node)
{
    const std::set<std::string> keys = m_pods->onNode(node);
    auto taints = m_taints.find(node);
    const std::int64_t now = steadyMs();
    for (const std::string &key : keys) {
        if (taints == m_taints.end()) {
            cancel(key, m_scheduled.count(key) > 0);
            continue;
        }
        if (const NodePodFacts *pod = m_pods->pod(key))
            processPod(key, *pod, taints->second, now);
    }
}

void TaintEvictionController::processPod(const std::string &key, const NodePodFacts &pod, const std::vector<Taint> &taints,
                                         std::int64_t now)
{
    if (pod.deleting) {
        cancel(key, false);  // already on its way out
        return;
    }
    if (taints.empty()) {
        cancel(key, m_scheduled.count(key) > 0);
        return;
    }
    // GetMatchingTolerations: every taint needs a toleration; the shortest time among those used wins.
    bool allTolerated = true;
    bool anyLimited = false;
    long long minSeconds = std::numeric_limits<long long>::max();
    for (const Taint &taint : taints) {
        const Toleration *used = nullptr;
        if (pod.tolerations)
            for (const Toleration &t : *pod.tolerations)
                if (t.tolerates(taint)) {
                    used = &t;
                    break;
                }
        if (!used) {
            allTolerated = false;
            break;
        }
        if (used->seconds) {
            anyLimited = true;
            minSeconds = std::min(minSeconds, std::max<long long>(0, *used->seconds));
        }
    }
    if (!allTolerated) {
        cancel(key, m_scheduled.count(key) > 0);
        schedule(key, now, now);
        return;
    }
    if (!anyLimited) {
        cancel(key, m_scheduled.count(key) > 0);  // tolerated forever
        return;
    }
    // A planned eviction keeps its time (counted from when it was planned).
    if (m_scheduled.count(key))
        return;
    schedule(key, now, now + minSeconds * 1000);
}

void TaintEvictionController::schedule(const std::string &key, std::int64_t createdMs, std::int64_t dueMs)
{
    m_scheduled[key] = Scheduled{createdMs, dueMs};
    m_queue.push(Due{dueMs, key});
    const std::int64_t first = m_queue.top().dueMs;
    m_timer.start(static_cast<int>(std::clamp<std::int64_t>(first - steadyMs(), 0, 3600 * 1000)));
}

void TaintEvictionController::cancel(const std::string &key, bool withEvent)
{
    if (m_scheduled.erase(key) && withEvent)
        emitEvent(key, "Cancelling deletion of Pod " + key);
}

void TaintEvictionController::onTimer()
{
    const std::int64_t now = steadyMs();
    while (!m_queue.empty() && m_queue.top().dueMs <= now) {
        const Due due = m_queue.top();
        m_queue.pop();
        auto it = m_scheduled.find(due.key);
        if (it == m_scheduled.end() || it->second.dueMs != due.dueMs)
            continue;  // cancelled or moved
        m_scheduled.erase(it);
        evict(due.key);
    }
    if (!m_queue.empty())
        m_timer.start(static_cast<int>(std::clamp<std::int64_t>(m_queue.top().dueMs - now, 0, 3600 * 1000)));
}

void TaintEvictionController::evict(const std::string &key)
{
    const NodePodFacts *facts = m_pods->pod(key);
    if (!facts || facts->deleting)
        return;
    const size_t slash = key.find('/');
    const std::string ns = key.substr(0, slash), name = key.substr(slash + 1), uid = facts->uid;
    client::ObjectPtr pod = m_podInformer->get(ns, name);
    if (!pod)
        return;
    emitEvent(key, "Marking for deletion Pod " + key);
    Json conditions = Json::array();
    if (const Json *existing = find(*pod, {"status", "conditions"}); existing && existing->is_array())
        for (const Json &c : *existing)
            if (str(c, {"type"}) != "DisruptionTarget")
                conditions.push_back(c);
    conditions.push_back({{"type", "DisruptionTarget"},
                          {"status", "True"},
                          {"reason", "DeletionByTaintManager"},
                          {"message", "Taint manager: deleting due to NoExecute taint"},
                          {"lastProbeTime", nullptr},
                          {"lastTransitionTime", nowRfc3339()}});
    const Json patch = {{"status", {{"conditions", conditions}}}};
    QPointer<TaintEvictionController> self(this);
    const client::Resource &pods = *client::builtinResource("pods");
    m_client->patch(
        pods, ns, name, "application/merge-patch+json", patch,
        [self, ns, name, uid](const client::Response &) {
            if (!self)
                return;
            const Json options = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"preconditions", {{"uid", uid}}}};
            self->m_client->remove(*client::builtinResource("pods"), ns, name, {}, options);
        },
        "status");
}

} // namespace cd::controllers
