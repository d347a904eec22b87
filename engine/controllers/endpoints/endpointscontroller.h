#pragma once
// The Endpoints controller (v1.32's endpoint controller): for every Service with a selector, an
// Endpoints object of the same name listing the selected pods' addresses — ready ones in
// addresses, the others in notReadyAddresses — on the ports the Service's targetPorts resolve
// to in each pod. Written only when its subsets or labels change; deleted with its Service.

#include "engine/client/eventrecorder.h"
#include "engine/client/workqueue.h"
#include "engine/controllers/endpoints/servicepods.h"

#include <map>

namespace cd::controllers::endpoints {

class EndpointsController : public QObject {
    Q_OBJECT
public:
    EndpointsController(client::Client *client, client::SharedInformers *informers, ServicePods *pods,
                        QObject *parent = nullptr);

private:
    void reconcile(const std::string &key, std::function<void(bool)> done);

    client::Client *m_client;
    ServicePods *m_pods;
    client::Informer *m_services;
    client::Informer *m_endpoints;
    client::EventRecorder m_recorder;
    client::WorkQueue m_queue;
    std::map<std::string, TimePoint> m_triggers;  // Service key -> earliest change not yet written
};

} // namespace cd::controllers::endpoints
