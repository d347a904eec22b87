#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {

void registerEndpointSlices(Registry &registry)
{
    {
        ResourceType t;
        t.group = "discovery.k8s.io";
        t.kind = "EndpointSlice";
        t.plural = "endpointslices";
        t.singular = "endpointslice";
        t.generation = false;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
