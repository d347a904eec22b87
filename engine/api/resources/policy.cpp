#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {

void registerPolicy(Registry &registry)
{
    {
        ResourceType t;
        t.kind = "ResourceQuota";
        t.plural = "resourcequotas";
        t.singular = "resourcequota";
        t.shortNames = {"quota"};
        t.statusSubresource = true;
        t.generation = false;
        registry.add(std::move(t));
    }
    {
        ResourceType t;
        t.kind = "LimitRange";
        t.plural = "limitranges";
        t.singular = "limitrange";
        t.shortNames = {"limits"};
        t.generation = false;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
