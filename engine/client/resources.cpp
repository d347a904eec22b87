#include "engine/client/resources.h"

#include "engine/api/registry.h"

namespace cd::client {

const std::vector<Resource> &builtinResources()
{
    static const std::vector<Resource> resources = [] {
        std::vector<Resource> out;
        for (const auto &type : api::Registry::builtin().all())
            out.push_back({type->group, type->version, type->plural, type->kind, type->namespaced});
        return out;
    }();
    return resources;
}

const Resource *builtinResource(const std::string &plural, const std::string &group)
{
    for (const Resource &r : builtinResources())
        if (r.plural == plural && r.group == group)
            return &r;
    return nullptr;
}

const Resource *builtinResourceForKind(const std::string &apiVersion, const std::string &kind)
{
    for (const Resource &r : builtinResources())
        if (r.kind == kind && r.apiVersion() == apiVersion)
            return &r;
    return nullptr;
}

} // namespace cd::client
