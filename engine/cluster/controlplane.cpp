#include "engine/cluster/controlplane.h"

#include "engine/client/inprocessclient.h"
#include "engine/client/sharedinformers.h"
#include "engine/controllers/controllermanager.h"

namespace cd::cluster {

ControlPlane::ControlPlane(api::ApiService *api, controllers::ControllerOptions options)
    : m_api(api), m_options(options)
{
}

ControlPlane::~ControlPlane() = default;

void ControlPlane::start()
{
    // Created here, on the control thread, so every timer and informer belongs to it.
    auto *client = new client::InProcessClient(m_api, this);
    auto *informers = new client::SharedInformers(client, this);
    new controllers::ControllerManager(client, informers, m_options, this);
    new scheduler::Scheduler(client, informers, {}, this);
    informers->start();
}

} // namespace cd::cluster
