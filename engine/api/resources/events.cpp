#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {

void registerEvents(Registry &registry)
{
    {
        ResourceType t;
        t.kind = "Event";
        t.plural = "events";
        t.singular = "event";
        t.shortNames = {"ev"};
        t.generation = false;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
