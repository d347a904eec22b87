#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {

void registerConfig(Registry &registry)
{
    {
        ResourceType t;
        t.kind = "ConfigMap";
        t.plural = "configmaps";
        t.singular = "configmap";
        t.shortNames = {"cm"};
        t.generation = false;
        registry.add(std::move(t));
    }
    {
        ResourceType t;
        t.kind = "Secret";
        t.plural = "secrets";
        t.singular = "secret";
        t.generation = false;
        registry.add(std::move(t));
    }
    {
        ResourceType t;
        t.kind = "ServiceAccount";
        t.plural = "serviceaccounts";
        t.singular = "serviceaccount";
        t.shortNames = {"sa"};
        t.generation = false;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
