#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {

void registerVolumes(Registry &registry)
{
    {
        ResourceType t;
        t.kind = "PersistentVolume";
        t.plural = "persistentvolumes";
        t.singular = "persistentvolume";
        t.shortNames = {"pv"};
        t.namespaced = false;
        t.statusSubresource = true;
        t.generation = false;
        registry.add(std::move(t));
    }
    {
        ResourceType t;
        t.kind = "PersistentVolumeClaim";
        t.plural = "persistentvolumeclaims";
        t.singular = "persistentvolumeclaim";
        t.shortNames = {"pvc"};
        t.statusSubresource = true;
        t.generation = false;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
