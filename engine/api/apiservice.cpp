#include "engine/api/apiservice.h"

#include "engine/api/admission/defaultstorageclass.h"
#include "engine/api/admission/defaulttolerations.h"
#include "engine/api/admission/limitranger.h"
#include "engine/api/admission/namespacelifecycle.h"
#include "engine/api/admission/resourcequota.h"
#include "engine/api/admission/serviceallocation.h"
#include "engine/api/handlers.h"
#include "engine/api/metrics.h"
#include "engine/api/status.h"

namespace cd::api {
namespace {

// The resource part of a path after its group version: [namespaces/NS/]PLURAL[/NAME[/SUB]].
Result<Target> resolveTarget(const Registry &registry, const std::string &group, const std::string &version,
                             std::vector<std::string> rest)
{
    Target target;
    const std::string gv = group.empty() ? version : group + "/" + version;
    auto lookup = [&](const std::string &plural) -> const ResourceType * {
        return registry.find(group, version, plural);
    };
    auto notServed = [&](const std::string &plural) {
        return resourceNotServed(
            (group.empty() ? plural : plural + "." + group) + " is not served by Clusterdeck; " + gv +
            " offers: " + registry.pluralsIn(group, version));
    };
    if (rest.empty())
        return resourceNotServed();
    // A namespaced path, unless it is the core namespace object itself and its status/finalize.
    const bool namespaceObject = group.empty() && rest.size() >= 3 && (rest[2] == "status" || rest[2] == "finalize");
    if (rest[0] == "namespaces" && rest.size() >= 3 && !namespaceObject) {
        target.ns = rest[1];
        rest.erase(rest.begin(), rest.begin() + 2);
        target.type = lookup(rest[0]);
        if (!target.type)
            return notServed(rest[0]);
        if (!target.type->namespaced)
            return resourceNotServed(rest[0] + " is not a namespaced resource");
    } else {
        target.type = lookup(rest[0]);
        if (!target.type)
            return notServed(rest[0]);
        if (target.type->namespaced && rest.size() > 1)
            return resourceNotServed(rest[0] + " is namespaced: use /namespaces/NAMESPACE/" + rest[0]);
    }
    if (rest.size() > 1)
        target.name = rest[1];
    if (rest.size() > 2)
        target.subresource = rest[2];
    if (rest.size() > 3)
        return resourceNotServed();
    return target;
}

} // namespace

ApiService::ApiService(store::Store &store, const Registry &registry, ApiOptions options)
    : m_context(store, registry, std::move(options))
{
    m_context.addAdmission(std::make_unique<NamespaceLifecycle>(m_context));
    m_context.addAdmission(std::make_unique<ServiceAllocation>(m_context));
    m_context.addAdmission(std::make_unique<DefaultTolerationSeconds>(m_context.options().defaultTolerationSeconds));
    m_context.addAdmission(std::make_unique<LimitRanger>(m_context));
    m_context.addAdmission(std::make_unique<DefaultStorageClass>(m_context));
    m_context.addAdmission(std::make_unique<ResourceQuotaAdmission>(m_context));  // keep last: it charges quotas
}

ApiService::~ApiService() = default;

void ApiService::handle(const ApiRequest &request, const SinkPtr &sink)
{
    if (handleMetrics(m_context, request, sink))
        return;
    if (handleDiscovery(m_context, request, sink))
        return;
    std::vector<std::string> parts = request.segments();
    std::string group, version;
    size_t consumed;
    if (parts.size() >= 2 && parts[0] == "api") {
        version = parts[1];
        consumed = 2;
    } else if (parts.size() >= 3 && parts[0] == "apis") {
        group = parts[1];
        version = parts[2];
        consumed = 3;
    } else {
        respondError(sink, resourceNotServed());
        return;
    }
    if (!m_context.registry().servesGroupVersion(group, version)) {
        respondError(sink, resourceNotServed((group.empty() ? version : group + "/" + version) +
                                             " is not served by Clusterdeck"));
        return;
    }
    std::vector<std::string> rest(parts.begin() + consumed, parts.end());
    bool legacyWatch = false;
    if (!rest.empty() && rest[0] == "watch") {
        legacyWatch = true;
        rest.erase(rest.begin());
    }
    auto target = resolveTarget(m_context.registry(), group, version, std::move(rest));
    if (!target.ok()) {
        respondError(sink, target.error());
        return;
    }
    const Target &t = *target;
    const bool collection = t.name.empty();
    const bool statusOrNone = t.subresource.empty() || t.subresource == "status";

    switch (request.method) {
    case Method::Get:
        if (collection) {
            if (legacyWatch || request.flag("watch"))
                handleWatch(m_context, t, request, sink);
            else
                handleList(m_context, t, request, sink);
        } else if (statusOrNone) {
            handleGet(m_context, t, request, sink);
        } else {
            handleSubresource(m_context, t, request, sink);
        }
        return;
    case Method::Post:
        if (collection)
            handleCreate(m_context, t, request, sink);
        else if (!t.subresource.empty())
            handleSubresource(m_context, t, request, sink);
        else
            break;
        return;
    case Method::Put:
    case Method::Patch:
        if (collection)
            break;
        if (!statusOrNone)
            handleSubresource(m_context, t, request, sink);
        else if (request.method == Method::Put)
            handleUpdate(m_context, t, request, sink);
        else
            handlePatch(m_context, t, request, sink);
        return;
    case Method::Delete:
        if (collection)
            handleDeleteCollection(m_context, t, request, sink);
        else if (t.subresource.empty())
            handleDelete(m_context, t, request, sink);
        else
            break;
        return;
    default: break;
    }
    respondError(sink, Error{ErrorKind::MethodNotAllowed, "the server does not allow this method on the requested resource", {}});
}

Status ApiService::bootstrap()
{
    const ResourceType *namespaces = m_context.registry().find("", "v1", "namespaces");
    if (!namespaces)
        return Error::internal("namespaces are not registered");
    for (const char *name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
        if (m_context.load(*namespaces, "", name))
            continue;
        Json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
        auto created = m_context.createObject(*namespaces, std::move(ns), {});
        if (!created.ok())
            return created.takeError();
    }
    return {};
}

} // namespace cd::api
