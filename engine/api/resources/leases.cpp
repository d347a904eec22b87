#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {

void registerLeases(Registry &registry)
{
    {
        ResourceType t;
        t.group = "coordination.k8s.io";
        t.kind = "Lease";
        t.plural = "leases";
        t.singular = "lease";
        t.allowCreateOnUpdate = true;
        t.generation = false;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
