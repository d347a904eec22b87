#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {

void registerJobs(Registry &registry)
{
    {
        ResourceType t;
        t.group = "batch";
        t.kind = "Job";
        t.plural = "jobs";
        t.singular = "job";
        t.categories = {"all"};
        t.statusSubresource = true;
        t.generation = true;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
