#include "engine/api/resources/resources.h"

namespace cd::api {

// Discovery lists resources in this order, as a Kubernetes server does (core first).
void registerCoreResources(Registry &registry)
{
    registerNamespaces(registry);
    registerPods(registry);
    registerServices(registry);
    registerNodes(registry);
    registerConfig(registry);
    registerVolumes(registry);
    registerPolicy(registry);
    registerEvents(registry);
}

void registerAppsResources(Registry &registry) { registerWorkloads(registry); }
void registerBatchResources(Registry &registry) { registerJobs(registry); }

void registerOtherResources(Registry &registry)
{
    registerStorageClasses(registry);
    registerLeases(registry);
    registerEndpointSlices(registry);
}

} // namespace cd::api
