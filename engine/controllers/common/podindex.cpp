#include "engine/controllers/common/podindex.h"

#include "engine/client/resources.h"
#include "engine/controllers/common/ownerrefs.h"
#include "engine/controllers/controllercontext.h"

#include <algorithm>

namespace cd::controllers {
namespace {

PodFacts::Phase phaseOf(const std::string &phase)
{
    if (phase == "Running")
        return PodFacts::Phase::Running;
    if (phase == "Succeeded")
        return PodFacts::Phase::Succeeded;
    if (phase == "Failed")
        return PodFacts::Phase::Failed;
    if (phase == "Unknown")
        return PodFacts::Phase::Unknown;
    return PodFacts::Phase::Pending;
}

TimePoint timeAt(const Json &object, std::initializer_list<std::string_view> path)
{
    return parseRfc3339(str(object, path)).value_or(TimePoint{});
}

} // namespace

PodFacts PodFacts::from(const Json &pod)
{
    PodFacts f;
    f.ns = str(pod, {"metadata", "namespace"});
    f.name = str(pod, {"metadata", "name"});
    f.uid = str(pod, {"metadata", "uid"});
    f.labels = stringMap(pod, {"metadata", "labels"});
    if (const Json *ref = controllerRefOf(pod)) {
        f.controllerUid = str(*ref, {"uid"});
        f.controllerKind = str(*ref, {"kind"});
    }
    f.nodeName = str(pod, {"spec", "nodeName"});
    f.phase = phaseOf(str(pod, {"status", "phase"}));
    f.deleting = find(pod, {"metadata", "deletionTimestamp"}) != nullptr;
    f.created = timeAt(pod, {"metadata", "creationTimestamp"});
    if (const Json *conditions = find(pod, {"status", "conditions"}); conditions && conditions->is_array())
        for (const Json &c : *conditions)
            if (str(c, {"type"}) == "Ready") {
                f.ready = str(c, {"status"}) == "True";
                if (f.ready)
                    f.readySince = timeAt(c, {"lastTransitionTime"});
            }
    if (const Json *statuses = find(pod, {"status", "containerStatuses"}); statuses && statuses->is_array())
        for (const Json &s : *statuses)
            f.restarts = std::max<int>(f.restarts, static_cast<int>(integer(s, {"restartCount"})));
    // An annotation that is not a 32-bit integer counts as no cost (GetDeletionCostFromPodAnnotations).
    const std::string cost = str(pod, {"metadata", "annotations", "controller.kubernetes.io/pod-deletion-cost"});
    if (!cost.empty()) {
        char *end = nullptr;
        const long long value = std::strtoll(cost.c_str(), &end, 10);
        if (end && *end == '\0' && value >= INT32_MIN && value <= INT32_MAX)
            f.deletionCost = value;
    }
    return f;
}

bool PodFacts::available(long long minReadySeconds, TimePoint now) const
{
    if (!ready)
        return false;
    if (minReadySeconds == 0)
        return true;
    return readySince != TimePoint{} && readySince + std::chrono::seconds(minReadySeconds) < now;
}

PodIndex::PodIndex(client::Informer *pods, QObject *parent) : QObject(parent), m_informer(pods)
{
    m_informer->addHandler([this](const client::InformerEvent &event) { observe(event); });
}

PodIndex *PodIndex::shared(ControllerContext &context)
{
    static const char *kName = "cd-shared-pod-index";
    if (auto *existing = context.parent->findChild<PodIndex *>(kName, Qt::FindDirectChildrenOnly))
        return existing;
    auto *index = new PodIndex(context.informers->informer(*client::builtinResource("pods")), context.parent);
    index->setObjectName(kName);
    return index;
}

const PodFacts *PodIndex::find(const std::string &key) const
{
    auto it = m_pods.find(key);
    return it == m_pods.end() ? nullptr : &it->second;
}

std::vector<const PodFacts *> PodIndex::controlledBy(const std::string &controllerUid) const
{
    std::vector<const PodFacts *> out;
    auto it = m_byController.find(controllerUid);
    if (it == m_byController.end())
        return out;
    out.reserve(it->second.size());
    for (const std::string &key : it->second)
        if (const PodFacts *f = find(key))
            out.push_back(f);
    return out;
}

std::vector<const PodFacts *> PodIndex::orphans(const std::string &ns) const
{
    std::vector<const PodFacts *> out;
    auto it = m_orphans.find(ns);
    if (it == m_orphans.end())
        return out;
    for (const std::string &key : it->second)
        if (const PodFacts *f = find(key))
            out.push_back(f);
    return out;
}

void PodIndex::link(const PodFacts &facts)
{
    if (facts.controllerUid.empty())
        m_orphans[facts.ns].insert(facts.key());
    else
        m_byController[facts.controllerUid].insert(facts.key());
}

void PodIndex::unlink(const PodFacts &facts)
{
    auto &index = facts.controllerUid.empty() ? m_orphans : m_byController;
    const std::string &bucket = facts.controllerUid.empty() ? facts.ns : facts.controllerUid;
    auto it = index.find(bucket);
    if (it == index.end())
        return;
    it->second.erase(facts.key());
    if (it->second.empty())
        index.erase(it);
}

void PodIndex::observe(const client::InformerEvent &event)
{
    if (!event.object)
        return;
    const std::string key = client::Informer::keyOf(*event.object);
    std::optional<PodFacts> before;
    if (auto it = m_pods.find(key); it != m_pods.end()) {
        before = std::move(it->second);
        unlink(*before);
        m_pods.erase(it);
    }
    const PodFacts *after = nullptr;
    if (!event.deleted()) {
        PodFacts facts = PodFacts::from(*event.object);
        link(facts);
        after = &m_pods.emplace(key, std::move(facts)).first->second;
    }
    for (const Listener &listener : m_listeners)
        listener(before ? &*before : nullptr, after);
}

} // namespace cd::controllers
