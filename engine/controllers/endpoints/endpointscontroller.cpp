#include "engine/controllers/endpoints/endpointscontroller.h"

#include "engine/client/resources.h"
#include "engine/controllers/endpoints/serviceports.h"
#include "engine/controllers/endpoints/subsets.h"

#include <QPointer>

namespace cd::controllers::endpoints {
namespace {

constexpr const char *kHeadlessLabel = "service.kubernetes.io/headless";
constexpr const char *kTriggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time";
constexpr const char *kOverCapacityAnnotation = "endpoints.kubernetes.io/over-capacity";
constexpr size_t kMaxCapacity = 1000;

const client::Resource &endpointsResource() { return *client::builtinResource("endpoints"); }

size_t countAddresses(const Json &subsets)
{
    size_t n = 0;
    if (subsets.is_array())
        for (const Json &s : subsets)
            for (const char *list : {"addresses", "notReadyAddresses"})
                if (const Json *a = find(s, {list}); a && a->is_array())
                    n += a->size();
    return n;
}

// truncateEndpoints: above 1000 addresses, keep ready ones first, spread over the subsets in
// proportion to their size.
bool truncate(Json &subsets)
{
    size_t ready = 0, notReady = 0;
    for (const Json &s : subsets) {
        if (const Json *a = find(s, {"addresses"}))
            ready += a->size();
        if (const Json *a = find(s, {"notReadyAddresses"}))
            notReady += a->size();
    }
    if (ready + notReady <= kMaxCapacity)
        return false;
    const bool truncateReady = ready > kMaxCapacity;
    const size_t max = truncateReady ? kMaxCapacity : kMaxCapacity - ready;
    const size_t total = truncateReady ? ready : notReady;
    size_t canBeAdded = max;
    for (Json &s : subsets) {
        const char *list = truncateReady ? "addresses" : "notReadyAddresses";
        Json *addresses = find(s, {list});
        const size_t inSubset = addresses ? addresses->size() : 0;
        size_t keep = total == 0 ? 0 : (inSubset * max + total - 1) / total;  // rounded up
        keep = std::min({keep, canBeAdded, inSubset});
        if (addresses)
            addresses->erase(addresses->begin() + long(keep), addresses->end());
        canBeAdded -= keep;
        if (truncateReady)
            s.erase("notReadyAddresses");
    }
    return true;
}

} // namespace

EndpointsController::EndpointsController(client::Client *client, client::SharedInformers *informers,
                                         ServicePods *pods, QObject *parent)
    : QObject(parent), m_client(client), m_pods(pods),
      m_services(informers->informer(*client::builtinResource("services"))),
      m_endpoints(informers->informer(endpointsResource())), m_recorder(client, "endpoint-controller", {}, this),
      m_queue([this](const std::string &key, std::function<void(bool)> done) { reconcile(key, std::move(done)); },
              this)
{
    m_queue.baseDelayMs = 100;
    m_pods->addListener([this](const std::string &key, TimePoint trigger) {
        auto [it, inserted] = m_triggers.try_emplace(key, trigger);
        if (!inserted && trigger < it->second)
            it->second = trigger;
        m_queue.add(key);
    });
    // Endpoints left from Services deleted while nobody watched go (checkLeftoverEndpoints, at
    // the first list); deleted ones are made again. Others' Endpoints written before their
    // Service exists are left alone.
    m_endpoints->addHandler([this](const client::InformerEvent &event) {
        if (event.deleted() || !m_endpoints->hasSynced())
            m_queue.add(str(*event.object, {"metadata", "namespace"}) + "/" +
                        str(*event.object, {"metadata", "name"}));
    });
}

void EndpointsController::reconcile(const std::string &key, std::function<void(bool)> done)
{
    if (!m_pods->synced() || !m_endpoints->hasSynced()) {
        m_queue.addAfter(key, 200);
        done(false);
        return;
    }
    const size_t slash = key.find('/');
    const std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
    client::ObjectPtr service = m_services->get(ns, name);
    client::ObjectPtr current = m_endpoints->get(ns, name);
    if (!service) {
        m_triggers.erase(key);
        if (!current || find(*current, {"metadata", "annotations", "control-plane.alpha.kubernetes.io/leader"})) {
            done(false);
            return;
        }
        m_client->remove(endpointsResource(), ns, name,
                         [done](const client::Response &r) { done(!r.ok() && r.status != 404); });
        return;
    }
    const ServiceFacts facts = ServiceFacts::of(*service);
    // ExternalName Services and Services without a selector get no endpoints from here
    // (those without a selector are given theirs by hand).
    if (facts.externalName || !m_pods->hasSelector(key)) {
        m_triggers.erase(key);
        done(false);
        return;
    }
    SubsetBuilder builder;
    for (const EndpointPod *pod : m_pods->podsOf(key)) {
        if (!pod->inEndpoints(facts.publishNotReady))
            continue;
        EndpointAddress address{pod->ip, facts.setsHostname(*pod) ? pod->hostname : std::string(), pod->nodeName,
                                pod->ns, pod->name, pod->uid};
        const bool ready = facts.publishNotReady || pod->ready;
        if (facts.ports.empty()) {
            // Only a headless Service may have no ports.
            if (facts.headless)
                builder.add(address, EndpointPort{}, ready);
            continue;
        }
        for (const ServicePort &port : facts.ports) {
            const auto number = findPort(*pod, port);
            if (!number)
                continue;  // a named targetPort this pod does not have
            builder.add(address, EndpointPort{port.name, port.protocol, port.appProtocol, *number}, ready);
        }
    }
    Json subsets = builder.subsets();

    TimePoint trigger{};
    if (auto it = m_triggers.find(key); it != m_triggers.end()) {
        trigger = it->second;
        m_triggers.erase(it);
    }
    Json labels = facts.labels;
    if (current) {
        Json compareLabels = Json::object();
        if (const Json *l = find(*current, {"metadata", "labels"}); l && l->is_object())
            compareLabels = *l;
        compareLabels.erase(kHeadlessLabel);
        const Json *currentSubsets = find(*current, {"subsets"});
        const Json existing = currentSubsets && currentSubsets->is_array() ? *currentSubsets : Json::array();
        const bool overCapacity = countAddresses(existing) > kMaxCapacity;
        const bool annotated = find(*current, {"metadata", "annotations", kOverCapacityAnnotation}) != nullptr;
        if (existing == subsets && compareLabels == labels && !overCapacity && !annotated) {
            done(false);
            return;
        }
    }
    Json endpoints = current ? *current
                             : Json{{"apiVersion", "v1"},
                                    {"kind", "Endpoints"},
                                    {"metadata", {{"name", name}, {"namespace", ns}}}};
    Json &metadata = endpoints["metadata"];
    Json &annotations = metadata["annotations"];
    if (!annotations.is_object())
        annotations = Json::object();
    if (trigger != TimePoint{})
        annotations[kTriggerTimeAnnotation] = rfc3339Nano(trigger);
    else
        annotations.erase(kTriggerTimeAnnotation);
    if (truncate(subsets))
        annotations[kOverCapacityAnnotation] = "truncated";
    else
        annotations.erase(kOverCapacityAnnotation);
    if (annotations.empty())
        metadata.erase("annotations");
    // Not a headless Service's label: Endpoints of a Service without a cluster IP carry it.
    const std::string clusterIP = str(*service, {"spec", "clusterIP"});
    if (clusterIP.empty() || clusterIP == "None")
        labels[kHeadlessLabel] = "";
    if (labels.empty())
        metadata.erase("labels");
    else
        metadata["labels"] = labels;
    if (subsets.empty())
        endpoints.erase("subsets");
    else
        endpoints["subsets"] = std::move(subsets);

    QPointer<EndpointsController> self(this);
    const bool create = !current;
    auto answered = [self, endpoints, create, ns, name, done](const client::Response &r) {
        if (!self || r.ok()) {
            done(false);
            return;
        }
        if (create && r.status == 403 && r.body.find("NamespaceTerminating") != std::string::npos) {
            done(false);  // the namespace goes away: so will this Service
            return;
        }
        if (r.status == 409) {
            done(true);  // the cache was behind; look again
            return;
        }
        if (create)
            self->m_recorder.warning(endpoints, "FailedToCreateEndpoint",
                                     "Failed to create endpoint for service " + ns + "/" + name + ": " + r.message());
        else
            self->m_recorder.warning(endpoints, "FailedToUpdateEndpoint",
                                     "Failed to update endpoint " + ns + "/" + name + ": " + r.message());
        done(true);
    };
    if (create)
        m_client->create(endpointsResource(), ns, endpoints, answered);
    else
        m_client->update(endpointsResource(), endpoints, answered);
}

} // namespace cd::controllers::endpoints
