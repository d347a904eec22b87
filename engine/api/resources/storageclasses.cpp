#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {

void registerStorageClasses(Registry &registry)
{
    {
        ResourceType t;
        t.group = "storage.k8s.io";
        t.kind = "StorageClass";
        t.plural = "storageclasses";
        t.singular = "storageclass";
        t.shortNames = {"sc"};
        t.namespaced = false;
        t.generation = false;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
