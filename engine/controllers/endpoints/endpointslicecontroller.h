#pragma once
// The EndpointSlice controller (v1.32): for every Service with a selector, discovery.k8s.io/v1
// EndpointSlices named <service>-<random>, owned by the Service, labelled with its name and
// managed-by endpointslice-controller.k8s.io, holding at most maxEndpointsPerSlice endpoints of
// the selected pods (ready, serving, terminating; node, zone, pod), grouped by the ports their
// targetPorts resolve to. It remembers the generation of every slice it wrote and waits for its
// informer to catch up before deciding again, so it never writes from an outdated view.

#include "engine/client/eventrecorder.h"
#include "engine/client/workqueue.h"
#include "engine/controllers/endpoints/servicepods.h"

#include <map>
#include <set>

namespace cd::controllers::endpoints {

class EndpointSliceController : public QObject {
    Q_OBJECT
public:
    EndpointSliceController(client::Client *client, client::SharedInformers *informers, ServicePods *pods,
                            int maxEndpointsPerSlice = 100, QObject *parent = nullptr);

private:
    void onSlice(const client::InformerEvent &event);
    void onNode(const client::InformerEvent &event);
    bool stale(const std::string &serviceKey, const std::vector<Json> &slices) const;
    void reconcile(const std::string &key, std::function<void(bool)> done);

    client::Client *m_client;
    ServicePods *m_pods;
    client::Informer *m_services;
    client::Informer *m_slices;
    client::Informer *m_nodes;
    client::EventRecorder m_recorder;
    client::WorkQueue m_queue;
    int m_maxEndpointsPerSlice;
    std::map<std::string, TimePoint> m_triggers;                   // Service key -> earliest unwritten change
    std::map<std::string, std::set<std::string>> m_slicesByService;  // Service key -> slice names
    std::map<std::string, std::string> m_nodeZones;                  // node name -> zone ("" when none)
    // Service key -> slice uid -> the generation this controller last wrote (-1: deleted).
    std::map<std::string, std::map<std::string, long long>> m_written;
};

} // namespace cd::controllers::endpoints
