#pragma once
// One registration function per resource family; each file fills in a ResourceType with
// Kubernetes' defaults, validation, table columns and field selectors for its kinds.

#include "engine/api/registry.h"

namespace cd::api {

void registerNamespaces(Registry &registry);
void registerPods(Registry &registry);
void registerServices(Registry &registry);   // Service, Endpoints
void registerNodes(Registry &registry);
void registerConfig(Registry &registry);     // ConfigMap, Secret, ServiceAccount
void registerVolumes(Registry &registry);    // PersistentVolume, PersistentVolumeClaim
void registerPolicy(Registry &registry);     // ResourceQuota, LimitRange
void registerEvents(Registry &registry);
void registerWorkloads(Registry &registry);  // apps/v1 Deployment, ReplicaSet
void registerJobs(Registry &registry);       // batch/v1 Job
void registerStorageClasses(Registry &registry);
void registerLeases(Registry &registry);
void registerEndpointSlices(Registry &registry);

} // namespace cd::api
