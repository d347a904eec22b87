#pragma once
// Which pods each Service selects, kept up to date from the pod and Service informers for the
// Endpoints and EndpointSlice controllers (GetServicesToUpdateOnPodChange): a pod change wakes
// only the Services whose selector matched the pod before or after it. Only the facts endpoints
// are made of are kept per pod; pods sharing a label set share one copy of it.

#include "engine/client/sharedinformers.h"
#include "engine/core/clock.h"
#include "engine/core/labels.h"

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace cd::controllers::endpoints {

struct NamedPort {
    std::string name, protocol;
    int port = 0;
    bool operator==(const NamedPort &) const = default;
};

struct EndpointPod {
    std::string ns, name, uid;
    std::shared_ptr<const Labels> labels;
    std::string ip;        // status.podIP
    std::string nodeName;  // spec.nodeName
    std::string hostname, subdomain;
    bool ready = false;     // condition Ready is True
    bool terminal = false;  // phase Succeeded or Failed
    bool deleting = false;  // metadata.deletionTimestamp is set
    std::vector<NamedPort> namedPorts;  // named container ports (and those of sidecar init containers)

    bool operator==(const EndpointPod &other) const;
    // Whether the pod's address belongs in Endpoints (ShouldPodBeInEndpoints).
    bool inEndpoints(bool includeTerminating) const { return !terminal && !ip.empty() && (includeTerminating || !deleting); }
};

class ServicePods : public QObject {
    Q_OBJECT
public:
    // Told the key ("ns/name") of a Service whose endpoints may have changed, and when the change
    // that caused it happened (for endpoints.kubernetes.io/last-change-trigger-time).
    using Listener = std::function<void(const std::string &serviceKey, TimePoint trigger)>;

    explicit ServicePods(client::SharedInformers *informers, QObject *parent = nullptr);

    void addListener(Listener listener) { m_listeners.push_back(std::move(listener)); }
    bool synced() const { return m_podInformer->hasSynced() && m_serviceInformer->hasSynced(); }
    // The pods a Service's selector picks, in name order (none for a Service without selector).
    std::vector<const EndpointPod *> podsOf(const std::string &serviceKey) const;
    bool hasSelector(const std::string &serviceKey) const { return m_selectors.count(serviceKey) > 0; }

private:
    void onPod(const client::InformerEvent &event);
    void onService(const client::InformerEvent &event);
    void notify(const std::string &serviceKey, TimePoint trigger);
    std::shared_ptr<const Labels> intern(Labels labels);

    client::Informer *m_podInformer;
    client::Informer *m_serviceInformer;
    std::vector<Listener> m_listeners;
    std::map<std::string, EndpointPod> m_pods;                  // by "ns/name"
    std::map<std::string, Labels> m_selectors;                  // Service key -> its non-empty selector
    std::map<std::string, std::set<std::string>> m_members;     // Service key -> pod keys
    std::map<Labels, std::weak_ptr<const Labels>> m_labelPool;
    size_t m_poolSweepAt = 1024;
};

} // namespace cd::controllers::endpoints
