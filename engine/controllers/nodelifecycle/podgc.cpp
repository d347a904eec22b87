#include "engine/controllers/nodelifecycle/podgc.h"

#include "engine/client/resources.h"
#include "engine/core/clock.h"

#include <QPointer>

namespace cd::controllers {
namespace {

std::int64_t steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

PodGarbageCollector::PodGarbageCollector(client::Client *client, client::SharedInformers *informers, NodePods *pods,
                                         std::chrono::milliseconds period, QObject *parent)
    : QObject(parent), m_client(client), m_informers(informers), m_pods(pods), m_quarantine(2 * period), m_timer(this)
{
    informers->informer(*client::builtinResource("nodes"))->addHandler([this](const client::InformerEvent &event) {
        onNode(event);
    });
    connect(&m_timer, &QTimer::timeout, this, &PodGarbageCollector::collect);
    m_timer.start(static_cast<int>(std::max<long long>(100, period.count())));
}

void PodGarbageCollector::onNode(const client::InformerEvent &event)
{
    const Json &node = *event.object;
    const std::string name = str(node, {"metadata", "name"});
    if (event.deleted()) {
        m_nodes.erase(name);
        m_outOfService.erase(name);
        return;
    }
    m_nodes.insert(name);
    m_missingSince.erase(name);
    bool ready = false, outOfService = false;
    if (const Json *conditions = find(node, {"status", "conditions"}); conditions && conditions->is_array())
        for (const Json &c : *conditions)
            if (str(c, {"type"}) == "Ready")
                ready = str(c, {"status"}) == "True";
    if (const Json *taints = find(node, {"spec", "taints"}); taints && taints->is_array())
        for (const Json &t : *taints)
            outOfService = outOfService || str(t, {"key"}) == "node.kubernetes.io/out-of-service";
    if (!ready && outOfService)
        m_outOfService.insert(name);
    else
        m_outOfService.erase(name);
}

void PodGarbageCollector::collect()
{
    if (!m_informers->allSynced())
        return;
    const std::int64_t now = steadyMs();
    std::set<std::string> missing;
    for (const auto &[node, keys] : m_pods->byNode()) {
        if (m_nodes.count(node) || keys.empty())
            continue;
        missing.insert(node);
        m_missingSince.try_emplace(node, now);
    }
    for (auto it = m_missingSince.begin(); it != m_missingSince.end();)
        it = missing.count(it->first) ? std::next(it) : m_missingSince.erase(it);
    for (const auto &[node, since] : m_missingSince) {
        if (now - since < m_quarantine.count() || m_checking.count(node))
            continue;
        // The cache may lag: ask before acting on a node's absence.
        m_checking.insert(node);
        QPointer<PodGarbageCollector> self(this);
        const std::string name = node;
        m_client->get(*client::builtinResource("nodes"), {}, name, [self, name](const client::Response &r) {
            if (!self)
                return;
            self->m_checking.erase(name);
            if (r.status == 404)
                self->deleteOrphans(name);
        });
    }
    // Terminating pods on nodes declared out of service go at once (gcTerminating).
    for (const std::string &node : m_outOfService)
        for (const std::string &key : m_pods->onNode(node))
            if (const NodePodFacts *pod = m_pods->pod(key); pod && pod->deleting)
                forceDelete(key, nullptr);
}

void PodGarbageCollector::deleteOrphans(const std::string &node)
{
    const Json condition = {{"type", "DisruptionTarget"},
                            {"status", "True"},
                            {"reason", "DeletionByPodGC"},
                            {"message", "PodGC: node no longer exists"},
                            {"lastProbeTime", nullptr},
                            {"lastTransitionTime", nowRfc3339()}};
    const std::set<std::string> keys = m_pods->onNode(node);
    for (const std::string &key : keys)
        forceDelete(key, &condition);
}

void PodGarbageCollector::forceDelete(const std::string &key, const Json *condition)
{
    const NodePodFacts *facts = m_pods->pod(key);
    if (!facts || !m_deleting.insert(key).second)
        return;
    const size_t slash = key.find('/');
    const std::string ns = key.substr(0, slash), name = key.substr(slash + 1), uid = facts->uid;
    QPointer<PodGarbageCollector> self(this);
    const auto remove = [self, ns, name, uid, key] {
        if (!self)
            return;
        const Json options = {{"kind", "DeleteOptions"},
                              {"apiVersion", "v1"},
                              {"gracePeriodSeconds", 0},
                              {"preconditions", {{"uid", uid}}}};
        self->m_client->remove(*client::builtinResource("pods"), ns, name,
                               [self, key](const client::Response &) {
                                   if (self)
                                       self->m_deleting.erase(key);
                               },
                               options);
    };
    if (facts->terminal) {
        remove();
        return;
    }
    // Failed first: a pod whose node is gone would otherwise stay Running for ever in the records.
    client::ObjectPtr pod = m_informers->informer(*client::builtinResource("pods"))->get(ns, name);
    Json status = {{"phase", "Failed"}};
    if (pod && condition) {
        Json conditions = Json::array();
        if (const Json *existing = find(*pod, {"status", "conditions"}); existing && existing->is_array())
            for (const Json &c : *existing)
                if (str(c, {"type"}) != "DisruptionTarget")
                    conditions.push_back(c);
        conditions.push_back(*condition);
        status["conditions"] = std::move(conditions);
    }
    m_client->patch(*client::builtinResource("pods"), ns, name, "application/merge-patch+json", {{"status", status}},
                    [remove](const client::Response &) { remove(); }, "status");
}

} // namespace cd::controllers
