#include "engine/controllers/service/servicecontroller.h"

#include "engine/client/resources.h"

#include <QPointer>

#include <algorithm>

namespace cd::controllers::service {
namespace {

constexpr const char *kFinalizer = "service.kubernetes.io/load-balancer-cleanup";

const client::Resource &servicesResource() { return *client::builtinResource("services"); }

std::string keyOf(const Json &service)
{
    return str(service, {"metadata", "namespace"}) + "/" + str(service, {"metadata", "name"});
}

// A Service this controller gives a load balancer: type LoadBalancer, no other class asked for.
bool wantsLoadBalancer(const Json &service)
{
    const Json *cls = find(service, {"spec", "loadBalancerClass"});
    return str(service, {"spec", "type"}) == "LoadBalancer" && (!cls || cls->is_null());
}

bool hasFinalizer(const Json &service)
{
    const Json *finalizers = find(service, {"metadata", "finalizers"});
    return finalizers && finalizers->is_array() &&
           std::find(finalizers->begin(), finalizers->end(), Json(kFinalizer)) != finalizers->end();
}

bool needsCleanup(const Json &service)
{
    if (!hasFinalizer(service))
        return false;
    const Json *cls = find(service, {"spec", "loadBalancerClass"});
    return find(service, {"metadata", "deletionTimestamp"}) || !wantsLoadBalancer(service) || (cls && !cls->is_null());
}

// The loopback addresses a Service's status shows.
std::set<std::string> statusAddresses(const Json &service)
{
    std::set<std::string> out;
    if (const Json *ingress = find(service, {"status", "loadBalancer", "ingress"}); ingress && ingress->is_array())
        for (const Json &entry : *ingress)
            if (LoopbackAddresses::inRange(str(entry, {"ip"})))
                out.insert(str(entry, {"ip"}));
    return out;
}

const Json &specField(const Json &service, const char *field)
{
    static const Json null;
    const Json *value = find(service, {"spec", field});
    return value ? *value : null;
}

// Go's %v of a string slice: [a b].
std::string goList(const Json &list)
{
    std::string out = "[";
    if (list.is_array())
        for (size_t i = 0; i < list.size(); ++i)
            out += (i ? " " : "") + (list[i].is_string() ? list[i].get<std::string>() : list[i].dump());
    return out + "]";
}

} // namespace

ServiceController::ServiceController(client::Client *client, client::SharedInformers *informers, QObject *parent)
    : QObject(parent), m_client(client), m_services(informers->informer(servicesResource())),
      m_recorder(client, "service-controller", {}, this),
      m_queue([this](const std::string &key, std::function<void(bool)> done) { reconcile(key, std::move(done)); },
              this)
{
    m_queue.baseDelayMs = 500;  // Kubernetes: 5s up to 5 minutes
    m_services->addHandler([this](const client::InformerEvent &event) { onService(event); });
}

void ServiceController::onService(const client::InformerEvent &event)
{
    const Json &service = *event.object;
    const std::string uid = str(service, {"metadata", "uid"});
    if (event.deleted()) {
        m_addresses.release(uid);
        return;
    }
    m_addresses.observe(uid, statusAddresses(service));
    if (event.added()) {
        if (wantsLoadBalancer(service) || needsCleanup(service) || !statusAddresses(service).empty())
            m_queue.add(keyOf(service));
        return;
    }
    auto old = event.parsePrevious();
    // needsUpdate first, as Kubernetes does: it also records the events about the change.
    if ((old && needsUpdate(*old, service)) || needsCleanup(service))
        m_queue.add(keyOf(service));
}

// Whether a change matters to the load balancer (and the events Kubernetes writes about some).
bool ServiceController::needsUpdate(const Json &old, const Json &current)
{
    const bool wantedBefore = wantsLoadBalancer(old), wantsNow = wantsLoadBalancer(current);
    if (!wantedBefore && !wantsNow)
        return false;
    if (wantedBefore != wantsNow) {
        m_recorder.normal(current, "Type", str(old, {"spec", "type"}) + " -> " + str(current, {"spec", "type"}));
        return true;
    }
    if (specField(old, "loadBalancerSourceRanges") != specField(current, "loadBalancerSourceRanges")) {
        m_recorder.normal(current, "LoadBalancerSourceRanges",
                          goList(specField(old, "loadBalancerSourceRanges")) + " -> " +
                              goList(specField(current, "loadBalancerSourceRanges")));
        return true;
    }
    for (const char *field : {"ports", "sessionAffinity", "sessionAffinityConfig"})
        if (specField(old, field) != specField(current, field))
            return true;
    if (str(old, {"spec", "loadBalancerIP"}) != str(current, {"spec", "loadBalancerIP"})) {
        m_recorder.normal(current, "LoadbalancerIP",
                          str(old, {"spec", "loadBalancerIP"}) + " -> " + str(current, {"spec", "loadBalancerIP"}));
        return true;
    }
    if (specField(old, "externalIPs") != specField(current, "externalIPs"))
        return true;
    const Json *oldAnnotations = find(old, {"metadata", "annotations"});
    const Json *annotations = find(current, {"metadata", "annotations"});
    if ((oldAnnotations ? *oldAnnotations : Json()) != (annotations ? *annotations : Json()))
        return true;
    if (str(old, {"metadata", "uid"}) != str(current, {"metadata", "uid"}))
        return true;
    if (str(old, {"spec", "externalTrafficPolicy"}) != str(current, {"spec", "externalTrafficPolicy"})) {
        m_recorder.normal(current, "ExternalTrafficPolicy",
                          str(old, {"spec", "externalTrafficPolicy"}) + " -> " +
                              str(current, {"spec", "externalTrafficPolicy"}));
        return true;
    }
    if (integer(old, {"spec", "healthCheckNodePort"}) != integer(current, {"spec", "healthCheckNodePort"})) {
        m_recorder.normal(current, "HealthCheckNodePort",
                          std::to_string(integer(old, {"spec", "healthCheckNodePort"})) + " -> " +
                              std::to_string(integer(current, {"spec", "healthCheckNodePort"})));
        return true;
    }
    return false;
}

void ServiceController::reconcile(const std::string &key, std::function<void(bool)> done)
{
    if (!m_services->hasSynced()) {
        m_queue.addAfter(key, 200);
        done(false);
        return;
    }
    const size_t slash = key.find('/');
    client::ObjectPtr service = m_services->get(key.substr(0, slash), key.substr(slash + 1));
    if (!service) {
        done(false);
        return;
    }
    if (!wantsLoadBalancer(*service) || needsCleanup(*service))
        cleanup(*service, std::move(done));
    else
        ensure(*service, std::move(done));
}

void ServiceController::ensure(const Json &service, std::function<void(bool)> done)
{
    m_recorder.normal(service, "EnsuringLoadBalancer", "Ensuring load balancer");
    const std::string uid = str(service, {"metadata", "uid"});
    QPointer<ServiceController> self(this);
    auto assign = [self, service, uid, done] {
        if (!self)
            return;
        // Keep the address the Service has; otherwise the one it asks for (the deprecated
        // spec.loadBalancerIP), or the lowest free one.
        std::set<std::string> held = self->m_addresses.heldBy(uid);
        std::string ip;
        const std::set<std::string> shown = statusAddresses(service);
        for (const std::string &address : shown)
            if (held.count(address)) {
                ip = address;
                break;
            }
        if (ip.empty() && !held.empty())
            ip = *held.begin();
        if (ip.empty()) {
            const auto allocated = self->m_addresses.allocate(uid, str(service, {"spec", "loadBalancerIP"}));
            if (!allocated) {
                self->m_recorder.warning(service, "SyncLoadBalancerFailed",
                                         "Error syncing load balancer: failed to ensure load balancer: no free "
                                         "loopback address left");
                done(true);
                return;
            }
            ip = *allocated;
        }
        self->m_recorder.normal(service, "EnsuredLoadBalancer", "Ensured load balancer");
        const Json ingress = Json::array({{{"ip", ip}, {"ipMode", "VIP"}}});
        const Json *current = find(service, {"status", "loadBalancer", "ingress"});
        if (current && *current == ingress) {
            done(false);
            return;
        }
        self->patchStatus(service, ingress, done);
    };
    if (hasFinalizer(service)) {
        assign();
        return;
    }
    // The finalizer comes first: the Service cannot go before its address is given back.
    const Json patch = {{"metadata", {{"finalizers", Json::array({kFinalizer})}}}};
    m_client->patch(servicesResource(), str(service, {"metadata", "namespace"}), str(service, {"metadata", "name"}),
                    "application/strategic-merge-patch+json", patch, [self, service, assign, done](const client::Response &r) {
                        if (!self)
                            return;
                        if (!r.ok()) {
                            if (r.status != 404)
                                self->m_recorder.warning(service, "SyncLoadBalancerFailed",
                                                         "Error syncing load balancer: failed to add load balancer "
                                                         "cleanup finalizer: " + r.message());
                            done(r.status != 404);
                            return;
                        }
                        assign();
                    });
}

void ServiceController::cleanup(const Json &service, std::function<void(bool)> done)
{
    const std::string uid = str(service, {"metadata", "uid"});
    const bool exists = !m_addresses.heldBy(uid).empty() || !statusAddresses(service).empty();
    if (!exists && !hasFinalizer(service)) {
        done(false);
        return;
    }
    if (exists)
        m_recorder.normal(service, "DeletingLoadBalancer", "Deleting load balancer");
    m_addresses.release(uid);
    QPointer<ServiceController> self(this);
    auto clearStatus = [self, service, done] {
        if (!self)
            return;
        self->m_recorder.normal(service, "DeletedLoadBalancer", "Deleted load balancer");
        const Json *ingress = find(service, {"status", "loadBalancer", "ingress"});
        if (!ingress || ingress->empty()) {
            done(false);
            return;
        }
        self->patchStatus(service, Json(), done);
    };
    if (!hasFinalizer(service)) {
        clearStatus();
        return;
    }
    const Json patch = {{"metadata", {{"$deleteFromPrimitiveList/finalizers", Json::array({kFinalizer})}}}};
    m_client->patch(servicesResource(), str(service, {"metadata", "namespace"}), str(service, {"metadata", "name"}),
                    "application/strategic-merge-patch+json", patch, [self, service, clearStatus, done](const client::Response &r) {
                        if (!self)
                            return;
                        if (!r.ok() && r.status != 404) {
                            self->m_recorder.warning(service, "SyncLoadBalancerFailed",
                                                     "Error syncing load balancer: failed to remove load balancer "
                                                     "cleanup finalizer: " + r.message());
                            done(true);
                            return;
                        }
                        clearStatus();
                    });
}

// Writes status.loadBalancer.ingress (null clears it) through services/status.
void ServiceController::patchStatus(const Json &service, const Json &ingress, std::function<void(bool)> done)
{
    const Json patch = {{"status", {{"loadBalancer", {{"ingress", ingress}}}}}};
    QPointer<ServiceController> self(this);
    const std::string uid = str(service, {"metadata", "uid"});
    m_client->patch(servicesResource(), str(service, {"metadata", "namespace"}), str(service, {"metadata", "name"}),
                    "application/merge-patch+json", patch,
                    [self, uid, ingress, done](const client::Response &r) {
                        if (!self)
                            return;
                        if (!r.ok() && !ingress.is_null())
                            self->m_addresses.abandon(uid);
                        // A Service gone right after its finalizer went has no status to clear.
                        done(!r.ok() && r.status != 404);
                    },
                    "status");
}

} // namespace cd::controllers::service
