#pragma once
// The service controller (the cloud provider's service controller, v1.32) with loopback load
// balancers: a LoadBalancer Service gets the service.kubernetes.io/load-balancer-cleanup
// finalizer, an address of host loopback in status.loadBalancer.ingress (through
// services/status) and the events EnsuringLoadBalancer / EnsuredLoadBalancer; once it no longer
// wants one (its type changed, or it is being deleted) the address is given back, the status
// cleared and the finalizer removed (DeletingLoadBalancer / DeletedLoadBalancer). The relaying
// of traffic to the address belongs to the service proxy.

#include "engine/client/eventrecorder.h"
#include "engine/client/sharedinformers.h"
#include "engine/client/workqueue.h"
#include "engine/controllers/service/loopbackaddresses.h"

namespace cd::controllers::service {

class ServiceController : public QObject {
    Q_OBJECT
public:
    ServiceController(client::Client *client, client::SharedInformers *informers, QObject *parent = nullptr);

private:
    void onService(const client::InformerEvent &event);
    bool needsUpdate(const Json &old, const Json &current);
    void reconcile(const std::string &key, std::function<void(bool)> done);
    void ensure(const Json &service, std::function<void(bool)> done);
    void cleanup(const Json &service, std::function<void(bool)> done);
    void patchStatus(const Json &service, const Json &ingress, std::function<void(bool)> done);

    client::Client *m_client;
    client::Informer *m_services;
    client::EventRecorder m_recorder;
    client::WorkQueue m_queue;
    LoopbackAddresses m_addresses;
};

} // namespace cd::controllers::service
