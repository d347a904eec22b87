// The volume controllers: the PV binder and the local provisioner (with its default StorageClass).
#include "engine/controllers/controllermanager.h"
#include "engine/controllers/volumebinding/localprovisioner.h"
#include "engine/controllers/volumebinding/pvcontroller.h"

namespace cd::controllers {

void startVolumeBindingController(ControllerContext &context)
{
    new PersistentVolumeController(context.client, context.informers, context.parent);
    new LocalProvisioner(context.client, context.informers, context.options.localVolumeRoot,
                         context.options.defaultStorageClass, context.parent);
}

} // namespace cd::controllers
