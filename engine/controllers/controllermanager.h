#pragma once
// kube-controller-manager's role: every controller of the control plane, each a level-based
// reconcile loop reading shared informers and writing through the API.

#include "engine/controllers/controllercontext.h"

#include <QObject>

namespace cd::controllers {

class ControllerManager : public QObject {
    Q_OBJECT
public:
    // The client and informers must live on the same thread as the manager.
    ControllerManager(client::Client *client, client::SharedInformers *informers, ControllerOptions options = {},
                      QObject *parent = nullptr);
    ~ControllerManager() override;
};

// One function per controller (each in its own folder); each creates its controller as a child
// of context.parent and registers the informers it needs before they start.
void startGarbageCollector(ControllerContext &context);
void startNamespaceController(ControllerContext &context);
void startReplicaSetController(ControllerContext &context);
void startDeploymentController(ControllerContext &context);
void startJobController(ControllerContext &context);
void startEndpointsController(ControllerContext &context);       // Endpoints and EndpointSlices
void startServiceController(ControllerContext &context);         // LoadBalancer status
void startServiceAccountController(ControllerContext &context);  // default accounts, token Secrets
void startResourceQuotaController(ControllerContext &context);   // quota usage in status
void startVolumeBindingController(ControllerContext &context);    // PV binder, local provisioner
void startNodeLifecycleController(ControllerContext &context);    // unreachable nodes, evictions

} // namespace cd::controllers
