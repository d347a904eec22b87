#include "engine/controllers/controllermanager.h"

namespace cd::controllers {

ControllerManager::ControllerManager(client::Client *client, client::SharedInformers *informers, ControllerOptions options,
                                     QObject *parent)
    : QObject(parent)
{
    ControllerContext context{client, informers, options, this};
    startGarbageCollector(context);
    startNamespaceController(context);
    startReplicaSetController(context);
    startDeploymentController(context);
    startJobController(context);
    startEndpointsController(context);
    startServiceController(context);
    startServiceAccountController(context);
    startResourceQuotaController(context);
    startVolumeBindingController(context);
    startNodeLifecycleController(context);
}

ControllerManager::~ControllerManager() = default;

} // namespace cd::controllers
