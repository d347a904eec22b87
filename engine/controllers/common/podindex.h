#pragma once
// What the workload controllers know about pods: a few facts per pod, kept up to date from the
// shared pod informer and indexed by controller. A parsed pod costs about 14 KB and a cluster may
// hold 150,000 of them, so controllers never keep or re-parse pods: they read these facts.

#include "engine/client/informer.h"
#include "engine/core/clock.h"
#include "engine/core/labels.h"

#include <QObject>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace cd::controllers {

struct ControllerContext;

struct PodFacts {
    enum class Phase : std::uint8_t { Pending, Running, Succeeded, Failed, Unknown };

    std::string ns;
    std::string name;
    std::string uid;
    Labels labels;
    std::string controllerUid;   // the ownerReference with controller: true; empty for an orphan
    std::string controllerKind;  // "ReplicaSet", "Job", ...
    std::string nodeName;
    Phase phase = Phase::Pending;
    bool ready = false;     // condition Ready is True
    bool deleting = false;  // metadata.deletionTimestamp is set
    int restarts = 0;       // the highest restart count among its containers
    long long deletionCost = 0;  // controller.kubernetes.io/pod-deletion-cost
    TimePoint created{};
    TimePoint readySince{};  // lastTransitionTime of the Ready condition, when ready

    static PodFacts from(const Json &pod);
    std::string key() const { return ns + "/" + name; }
    // Kubernetes' IsPodActive: not finished and not being deleted.
    bool active() const { return phase != Phase::Succeeded && phase != Phase::Failed && !deleting; }
    // Kubernetes' IsPodAvailable: ready for at least minReadySeconds.
    bool available(long long minReadySeconds, TimePoint now) const;
};

class PodIndex : public QObject {
    Q_OBJECT
public:
    // Called after the index changed: before is null for a new pod, after is null for a deleted one.
    using Listener = std::function<void(const PodFacts *before, const PodFacts *after)>;

    explicit PodIndex(client::Informer *pods, QObject *parent = nullptr);

    // The one index the controllers of a manager share, made on first use (before the informers
    // start).
    static PodIndex *shared(ControllerContext &context);

    void addListener(Listener listener) { m_listeners.push_back(std::move(listener)); }
    bool hasSynced() const { return m_informer->hasSynced(); }

    const PodFacts *find(const std::string &key) const;
    // Pods whose controller is the object with this uid.
    std::vector<const PodFacts *> controlledBy(const std::string &controllerUid) const;
    // Pods of a namespace that have no controller.
    std::vector<const PodFacts *> orphans(const std::string &ns) const;
    size_t size() const { return m_pods.size(); }

private:
    void observe(const client::InformerEvent &event);
    void link(const PodFacts &facts);
    void unlink(const PodFacts &facts);

    client::Informer *m_informer;
    std::unordered_map<std::string, PodFacts> m_pods;  // by "ns/name"
    std::unordered_map<std::string, std::unordered_set<std::string>> m_byController;  // uid -> keys
    std::unordered_map<std::string, std::unordered_set<std::string>> m_orphans;       // ns -> keys
    std::vector<Listener> m_listeners;
};

} // namespace cd::controllers
