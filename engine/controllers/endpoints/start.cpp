#include "engine/controllers/controllermanager.h"
#include "engine/controllers/endpoints/endpointscontroller.h"
#include "engine/controllers/endpoints/endpointslicecontroller.h"

namespace cd::controllers {

// The endpoint and endpointslice controllers of kube-controller-manager, sharing one view of
// which pods each Service selects.
void startEndpointsController(ControllerContext &context)
{
    auto *pods = new endpoints::ServicePods(context.informers, context.parent);
    new endpoints::EndpointsController(context.client, context.informers, pods, context.parent);
    new endpoints::EndpointSliceController(context.client, context.informers, pods,
                                           context.options.maxEndpointsPerSlice, context.parent);
}

} // namespace cd::controllers
