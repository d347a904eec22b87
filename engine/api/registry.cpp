#include "engine/api/registry.h"

#include "engine/api/printers/printers.h"

#include <algorithm>

namespace cd::api {

const Registry &Registry::builtin()
{
    static const Registry registry = [] {
        Registry r;
        registerCoreResources(r);
        registerAppsResources(r);
        registerBatchResources(r);
        registerOtherResources(r);
        attachPrinters(r);
        return r;
    }();
    return registry;
}

void Registry::add(ResourceType type) { m_types.push_back(std::make_unique<ResourceType>(std::move(type))); }

const ResourceType *Registry::find(const std::string &group, const std::string &version,
                                   const std::string &plural) const
{
    for (const auto &t : m_types)
        if (t->plural == plural && t->group == group && t->version == version)
            return t.get();
    return nullptr;
}

const ResourceType *Registry::findKind(const std::string &group, const std::string &kind) const
{
    for (const auto &t : m_types)
        if (t->kind == kind && t->group == group)
            return t.get();
    return nullptr;
}

const ResourceType *Registry::forObject(const std::string &apiVersion, const std::string &kind) const
{
    const size_t slash = apiVersion.find('/');
    const std::string group = slash == std::string::npos ? "" : apiVersion.substr(0, slash);
    const std::string version = slash == std::string::npos ? apiVersion : apiVersion.substr(slash + 1);
    for (const auto &t : m_types)
        if (t->kind == kind && t->group == group && t->version == version)
            return t.get();
    return nullptr;
}

std::vector<std::string> Registry::groupVersions() const
{
    std::vector<std::string> out;
    for (const auto &t : m_types) {
        const std::string gv = t->groupVersion();
        if (std::find(out.begin(), out.end(), gv) == out.end())
            out.push_back(gv);
    }
    return out;
}

bool Registry::servesGroupVersion(const std::string &group, const std::string &version) const
{
    for (const auto &t : m_types)
        if (t->group == group && t->version == version)
            return true;
    return false;
}

std::string Registry::pluralsIn(const std::string &group, const std::string &version) const
{
    std::string out;
    for (const auto &t : m_types)
        if (t->group == group && t->version == version)
            out += (out.empty() ? "" : ", ") + t->plural;
    return out;
}

Json Registry::apiVersions(const std::string &serverAddress) const
{
    return Json{{"kind", "APIVersions"},
                {"versions", Json::array({"v1"})},
                {"serverAddressByClientCIDRs",
                 Json::array({Json{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", serverAddress}}})}};
}

Json Registry::apiGroupList() const
{
    Json groups = Json::array();
    std::vector<std::string> seen;
    for (const auto &t : m_types) {
        if (t->group.empty() || std::find(seen.begin(), seen.end(), t->group) != seen.end())
            continue;
        seen.push_back(t->group);
        const Json gv = {{"groupVersion", t->groupVersion()}, {"version", t->version}};
        groups.push_back({{"name", t->group}, {"versions", Json::array({gv})}, {"preferredVersion", gv}});
    }
    return Json{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

Json Registry::apiResourceList(const std::string &group, const std::string &version) const
{
    Json resources = Json::array();
    for (const auto &t : m_types) {
        if (t->group != group || t->version != version)
            continue;
        Json r = {{"name", t->plural},
                  {"singularName", t->singular},
                  {"namespaced", t->namespaced},
                  {"kind", t->kind},
                  {"verbs", t->verbs}};
        if (!t->shortNames.empty())
            r["shortNames"] = t->shortNames;
        if (!t->categories.empty())
            r["categories"] = t->categories;
        resources.push_back(r);
        auto sub = [&](const std::string &name, const std::string &kind, Json verbs) {
            resources.push_back({{"name", t->plural + "/" + name},
                                 {"singularName", ""},
                                 {"namespaced", t->namespaced},
                                 {"kind", kind},
                                 {"verbs", std::move(verbs)}});
        };
        if (t->statusSubresource)
            sub("status", t->kind, {"get", "patch", "update"});
        if (t->scaleSubresource) {
            resources.push_back({{"name", t->plural + "/scale"},
                                 {"singularName", ""},
                                 {"namespaced", t->namespaced},
                                 {"group", "autoscaling"},
                                 {"version", "v1"},
                                 {"kind", "Scale"},
                                 {"verbs", {"get", "patch", "update"}}});
        }
        for (const std::string &name : t->otherSubresources) {
            if (name == "binding")
                sub(name, "Binding", {"create"});
            else if (name == "eviction")
                resources.push_back({{"name", t->plural + "/eviction"},
                                     {"singularName", ""},
                                     {"namespaced", t->namespaced},
                                     {"group", "policy"},
                                     {"version", "v1"},
                                     {"kind", "Eviction"},
                                     {"verbs", {"create"}}});
            else if (name == "log")
                sub(name, t->kind, {"get"});
            else if (name == "exec")
                sub(name, "PodExecOptions", {"create", "get"});
            else if (name == "portforward")
                sub(name, "PodPortForwardOptions", {"create", "get"});
            else if (name == "attach")
                sub(name, "PodAttachOptions", {"create", "get"});
            else if (name == "finalize")
                sub(name, t->kind, {"update"});
        }
    }
    return Json{{"kind", "APIResourceList"},
                {"apiVersion", "v1"},
                {"groupVersion", group.empty() ? version : group + "/" + version},
                {"resources", resources}};
}

} // namespace cd::api
