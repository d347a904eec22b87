#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {

void registerWorkloads(Registry &registry)
{
    {
        ResourceType t;
        t.group = "apps";
        t.kind = "Deployment";
        t.plural = "deployments";
        t.singular = "deployment";
        t.shortNames = {"deploy"};
        t.categories = {"all"};
        t.statusSubresource = true;
        t.scaleSubresource = true;
        t.generation = true;
        registry.add(std::move(t));
    }
    {
        ResourceType t;
        t.group = "apps";
        t.kind = "ReplicaSet";
        t.plural = "replicasets";
        t.singular = "replicaset";
        t.shortNames = {"rs"};
        t.categories = {"all"};
        t.statusSubresource = true;
        t.scaleSubresource = true;
        t.generation = true;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
