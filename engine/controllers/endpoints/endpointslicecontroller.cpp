#include "engine/controllers/endpoints/endpointslicecontroller.h"

#include "engine/client/resources.h"
#include "engine/controllers/endpoints/serviceports.h"
#include "engine/controllers/endpoints/slicereconciler.h"
#include "engine/controllers/requestgroup.h"

#include <QPointer>

namespace cd::controllers::endpoints {
namespace {

constexpr const char *kServiceNameLabel = "kubernetes.io/service-name";
constexpr const char *kManagedByLabel = "endpointslice.kubernetes.io/managed-by";
constexpr const char *kControllerName = "endpointslice-controller.k8s.io";
constexpr const char *kHeadlessLabel = "service.kubernetes.io/headless";
constexpr const char *kTriggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time";
constexpr const char *kZoneLabel = "topology.kubernetes.io/zone";
constexpr long long kDeletionExpected = -1;

const client::Resource &slicesResource() { return *client::builtinResource("endpointslices", "discovery.k8s.io"); }

// The Service a slice belongs to, when this controller manages it.
std::string serviceKeyOf(const Json &slice)
{
    if (str(slice, {"metadata", "labels", kManagedByLabel}) != kControllerName)
        return {};
    const std::string service = str(slice, {"metadata", "labels", kServiceNameLabel});
    return service.empty() ? std::string() : str(slice, {"metadata", "namespace"}) + "/" + service;
}

} // namespace

EndpointSliceController::EndpointSliceController(client::Client *client, client::SharedInformers *informers,
                                                 ServicePods *pods, int maxEndpointsPerSlice, QObject *parent)
    : QObject(parent), m_client(client), m_pods(pods),
      m_services(informers->informer(*client::builtinResource("services"))),
      m_slices(informers->informer(slicesResource())), m_nodes(informers->informer(*client::builtinResource("nodes"))),
      m_recorder(client, "endpoint-slice-controller", {}, this),
      m_queue([this](const std::string &key, std::function<void(bool)> done) { reconcile(key, std::move(done)); },
              this),
      m_maxEndpointsPerSlice(maxEndpointsPerSlice)
{
    m_queue.baseDelayMs = 100;
    m_pods->addListener([this](const std::string &key, TimePoint trigger) {
        auto [it, inserted] = m_triggers.try_emplace(key, trigger);
        if (!inserted && trigger < it->second)
            it->second = trigger;
        m_queue.add(key);
    });
    m_slices->addHandler([this](const client::InformerEvent &event) { onSlice(event); });
    m_nodes->addHandler([this](const client::InformerEvent &event) { onNode(event); });
}

void EndpointSliceController::onNode(const client::InformerEvent &event)
{
    const std::string name = str(*event.object, {"metadata", "name"});
    if (event.deleted())
        m_nodeZones.erase(name);
    else
        m_nodeZones[name] = str(*event.object, {"metadata", "labels", kZoneLabel});
}

void EndpointSliceController::onSlice(const client::InformerEvent &event)
{
    const Json &slice = *event.object;
    const std::string name = str(slice, {"metadata", "name"});
    const std::string uid = str(slice, {"metadata", "uid"});
    std::string key = serviceKeyOf(slice);
    if (event.kind == client::InformerEvent::Kind::Updated && key.empty()) {
        // Labels changed away from this controller: the Service it was for must look again.
        if (auto previous = event.parsePrevious())
            key = serviceKeyOf(*previous);
        if (!key.empty()) {
            if (auto it = m_slicesByService.find(key); it != m_slicesByService.end())
                it->second.erase(name);
            m_queue.add(key);
        }
        return;
    }
    if (key.empty())
        return;
    auto &written = m_written[key];
    auto tracked = written.find(uid);
    if (event.deleted()) {
        if (auto it = m_slicesByService.find(key); it != m_slicesByService.end())
            it->second.erase(name);
        const bool expected = tracked != written.end() && tracked->second == kDeletionExpected;
        if (tracked != written.end())
            written.erase(tracked);
        if (!expected)
            m_queue.add(key);  // someone else deleted it: it is made again
        return;
    }
    m_slicesByService[key].insert(name);
    const long long generation = integer(slice, {"metadata", "generation"});
    // A change this controller did not write (or one it has not recorded) needs a look.
    if (tracked == written.end() || (tracked->second != kDeletionExpected && generation > tracked->second))
        m_queue.add(key);
}

bool EndpointSliceController::stale(const std::string &serviceKey, const std::vector<Json> &slices) const
{
    auto written = m_written.find(serviceKey);
    if (written == m_written.end())
        return false;
    std::set<std::string> seen;
    for (const Json &slice : slices) {
        const std::string uid = str(slice, {"metadata", "uid"});
        seen.insert(uid);
        auto it = written->second.find(uid);
        if (it != written->second.end() &&
            (it->second == kDeletionExpected || it->second > integer(slice, {"metadata", "generation"})))
            return true;
    }
    for (const auto &[uid, generation] : written->second)
        if (generation != kDeletionExpected && !seen.count(uid))
            return true;
    return false;
}

void EndpointSliceController::reconcile(const std::string &key, std::function<void(bool)> done)
{
    if (!m_pods->synced() || !m_slices->hasSynced() || !m_nodes->hasSynced()) {
        m_queue.addAfter(key, 200);
        done(false);
        return;
    }
    const size_t slash = key.find('/');
    const std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
    client::ObjectPtr service = m_services->get(ns, name);
    if (!service) {
        // Its slices are owned by it: the garbage collector removes them.
        m_written.erase(key);
        m_triggers.erase(key);
        done(false);
        return;
    }
    const ServiceFacts facts = ServiceFacts::of(*service);
    if (facts.externalName || !m_pods->hasSelector(key)) {
        m_triggers.erase(key);
        done(false);
        return;
    }
    std::vector<Json> slices;
    if (auto names = m_slicesByService.find(key); names != m_slicesByService.end())
        for (const std::string &sliceName : names->second)
            if (client::ObjectPtr slice = m_slices->get(ns, sliceName);
                slice && !find(*slice, {"metadata", "deletionTimestamp"}))
                slices.push_back(*slice);
    if (stale(key, slices)) {
        m_queue.addAfter(key, 50);  // the informer has not shown what this controller wrote
        done(false);
        return;
    }

    std::map<std::string, DesiredGroup> desired;
    bool missingNode = false;
    for (const EndpointPod *pod : m_pods->podsOf(key)) {
        if (!pod->inEndpoints(true))
            continue;
        Json ports = Json::array();
        for (const ServicePort &port : facts.ports) {
            const auto number = findPort(*pod, port);
            if (!number)
                continue;
            Json p = {{"name", port.name}, {"port", *number}, {"protocol", port.protocol}};
            if (!port.appProtocol.empty())
                p["appProtocol"] = port.appProtocol;
            ports.push_back(std::move(p));
        }
        std::string zone;
        if (!pod->nodeName.empty()) {
            auto node = m_nodeZones.find(pod->nodeName);
            if (node == m_nodeZones.end() && !facts.publishNotReady) {
                // A pod on a node that does not exist is left out, and looked at again later.
                missingNode = true;
                continue;
            }
            if (node != m_nodeZones.end())
                zone = node->second;
        }
        const bool serving = pod->ready;
        const bool terminating = pod->deleting;
        const bool ready = facts.publishNotReady || (pod->ready && !terminating);
        Json endpoint = {{"addresses", Json::array({pod->ip})},
                         {"conditions", {{"ready", ready}, {"serving", serving}, {"terminating", terminating}}},
                         {"targetRef", {{"kind", "Pod"}, {"namespace", pod->ns}, {"name", pod->name}, {"uid", pod->uid}}}};
        if (!pod->nodeName.empty())
            endpoint["nodeName"] = pod->nodeName;
        if (!zone.empty())
            endpoint["zone"] = zone;
        if (facts.setsHostname(*pod))
            endpoint["hostname"] = pod->hostname;
        Json sorted = sortedPorts(std::move(ports));
        DesiredGroup &group = desired[portsKey(sorted)];
        group.ports = std::move(sorted);
        // The key first: nlohmann's by-value operator= may move the endpoint out before the key is read.
        std::string endpointId = endpointKey(endpoint);
        group.endpoints[std::move(endpointId)] = std::move(endpoint);
    }

    SliceTemplate tmpl{ns, name, facts.uid, Json::object()};
    for (auto &[label, value] : facts.labels.items())
        if (label != kServiceNameLabel && label != kManagedByLabel && label != kHeadlessLabel)
            tmpl.labels[label] = value;
    const std::string clusterIP = str(*service, {"spec", "clusterIP"});
    if (clusterIP.empty() || clusterIP == "None")
        tmpl.labels[kHeadlessLabel] = "";
    tmpl.labels[kServiceNameLabel] = name;
    tmpl.labels[kManagedByLabel] = kControllerName;

    SlicePlan plan = planSlices(tmpl, desired, slices, size_t(m_maxEndpointsPerSlice));
    TimePoint trigger{};
    if (auto it = m_triggers.find(key); it != m_triggers.end()) {
        trigger = it->second;
        m_triggers.erase(it);
    }
    if (plan.create.empty() && plan.update.empty() && plan.remove.empty()) {
        done(missingNode);
        return;
    }
    if (trigger != TimePoint{})
        for (auto *list : {&plan.create, &plan.update})
            for (Json &slice : *list)
                slice["metadata"]["annotations"][kTriggerTimeAnnotation] = rfc3339Nano(trigger);

    QPointer<EndpointSliceController> self(this);
    auto firstError = std::make_shared<std::string>();
    const Json serviceObject = *service;
    RequestGroup group(
        [self, serviceObject, ns, name, firstError, missingNode, done](bool failed) {
            if (self && failed && !firstError->empty())
                self->m_recorder.warning(serviceObject, "FailedToUpdateEndpointSlices",
                                         "Error updating Endpoint Slices for Service " + ns + "/" + name + ": " +
                                             *firstError);
            done(failed || missingNode);
        },
        {404});
    auto record = [self, key, firstError](const client::Response &r, bool deleted, const std::string &uid) {
        if (!self)
            return;
        if (r.ok()) {
            const Json object = deleted ? Json() : r.json();
            self->m_written[key][deleted ? uid : str(object, {"metadata", "uid"})] =
                deleted ? kDeletionExpected : integer(object, {"metadata", "generation"});
        } else if (r.status != 404 && firstError->empty()) {
            *firstError = r.message();
        }
    };
    // Creates, then updates, then deletes: a Service is never left with fewer endpoints than
    // it has in between.
    for (const Json &slice : plan.create) {
        auto counted = group.add();
        m_client->create(slicesResource(), ns, slice, [record, counted](const client::Response &r) {
            record(r, false, {});
            counted(r);
        });
    }
    for (const Json &slice : plan.update) {
        auto counted = group.add();
        m_client->update(slicesResource(), slice, [record, counted](const client::Response &r) {
            record(r, false, {});
            counted(r);
        });
    }
    for (const Json &slice : plan.remove) {
        auto counted = group.add();
        const std::string uid = str(slice, {"metadata", "uid"});
        const Json options = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"preconditions", {{"uid", uid}}}};
        m_client->remove(
            slicesResource(), ns, str(slice, {"metadata", "name"}),
            [record, counted, uid](const client::Response &r) {
                record(r, true, uid);
                counted(r);
            },
            options);
    }
    group.seal();
}

} // namespace cd::controllers::endpoints
