#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {

void registerServices(Registry &registry)
{
    {
        ResourceType t;
        t.kind = "Service";
        t.plural = "services";
        t.singular = "service";
        t.shortNames = {"svc"};
        t.categories = {"all"};
        t.statusSubresource = true;
        t.generation = false;
        t.nameRule = names::dns1035Label;
        registry.add(std::move(t));
    }
    {
        ResourceType t;
        t.kind = "Endpoints";
        t.plural = "endpoints";
        t.singular = "endpoints";
        t.shortNames = {"ep"};
        t.allowCreateOnUpdate = true;
        t.generation = false;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
