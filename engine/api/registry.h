#pragma once
// The resources the API server serves, and discovery documents made from them.

#include "engine/api/resourcetype.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cd::api {

class Registry {
public:
    // The registry of every resource Clusterdeck serves (built once, shared, read-only).
    static const Registry &builtin();

    void add(ResourceType type);

    const ResourceType *find(const std::string &group, const std::string &version, const std::string &plural) const;
    const ResourceType *findKind(const std::string &group, const std::string &kind) const;
    // By apiVersion ("apps/v1") and kind, as in an object.
    const ResourceType *forObject(const std::string &apiVersion, const std::string &kind) const;
    const std::vector<std::unique_ptr<ResourceType>> &all() const { return m_types; }

    // Group versions served, "v1" first, then "apps/v1", ... in registration order.
    std::vector<std::string> groupVersions() const;
    bool servesGroupVersion(const std::string &group, const std::string &version) const;
    // "deployments, replicasets" — used when telling a client what a group version offers.
    std::string pluralsIn(const std::string &group, const std::string &version) const;

    Json apiVersions(const std::string &serverAddress) const;  // GET /api
    Json apiGroupList() const;                                 // GET /apis
    Json apiResourceList(const std::string &group, const std::string &version) const;

private:
    std::vector<std::unique_ptr<ResourceType>> m_types;
};

// Registration functions, one per resource family (resources/*.cpp).
void registerCoreResources(Registry &registry);
void registerAppsResources(Registry &registry);
void registerBatchResources(Registry &registry);
void registerOtherResources(Registry &registry);

} // namespace cd::api
