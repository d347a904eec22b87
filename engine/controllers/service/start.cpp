#include "engine/controllers/controllermanager.h"
#include "engine/controllers/service/servicecontroller.h"

namespace cd::controllers {

void startServiceController(ControllerContext &context)
{
    new service::ServiceController(context.client, context.informers, context.parent);
}

} // namespace cd::controllers
