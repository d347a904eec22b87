#include "engine/controllers/controllermanager.h"
#include "engine/controllers/deployment/deploymentcontroller.h"

namespace cd::controllers {

void startDeploymentController(ControllerContext &context)
{
    new deployment::DeploymentController(context, context.parent);
}

} // namespace cd::controllers
