#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {

void registerNodes(Registry &registry)
{
    {
        ResourceType t;
        t.kind = "Node";
        t.plural = "nodes";
        t.singular = "node";
        t.shortNames = {"no"};
        t.namespaced = false;
        t.statusSubresource = true;
        t.generation = false;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
