#include "engine/controllers/controllermanager.h"
#include "engine/controllers/replicaset/replicasetcontroller.h"

namespace cd::controllers {

void startReplicaSetController(ControllerContext &context)
{
    new ReplicaSetController(context, context.parent);
}

} // namespace cd::controllers
