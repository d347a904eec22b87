#include "engine/api/kubernetesservice.h"

namespace cd::api {
namespace {

Status statusOf(Result<StoredObject> written)
{
    if (!written.ok())
        return written.takeError();
    return {};
}

constexpr const char *kName = "kubernetes";
constexpr const char *kClusterIp = "10.96.0.1";  // the first address of the service range

// Writes `wanted` unless the stored object already says the same in the fields compared.
Status ensure(ApiContext &context, const char *plural, const char *group, const char *version, Json wanted,
              std::initializer_list<std::string_view> compared)
{
    const ResourceType *type = context.registry().find(group, version, plural);
    if (!type)
        return Error::internal(std::string(plural) + " are not registered");
    const std::optional<StoredObject> old = context.load(*type, "default", kName);
    if (!old)
        return statusOf(context.createObject(*type, std::move(wanted), {}));
    Json updated = old->object;
    bool changed = false;
    for (std::string_view field : compared) {
        const std::string key(field);
        const Json *have = find(old->object, {field});
        if (!have || *have != wanted[key]) {
            updated[key] = wanted[key];
            changed = true;
        }
    }
    if (!changed)
        return {};
    return statusOf(context.updateObject(*type, std::move(updated), *old, {}));
}

} // namespace

Status reconcileKubernetesService(ApiContext &context, int port)
{
    const Json labels = {{"component", "apiserver"}, {"provider", "kubernetes"}};
    Json service = {{"apiVersion", "v1"},
                    {"kind", "Service"},
                    {"metadata", {{"name", kName}, {"namespace", "default"}, {"labels", labels}}},
                    {"spec",
                     {{"type", "ClusterIP"},
                      {"clusterIP", kClusterIp},
                      {"sessionAffinity", "None"},
                      {"ports", Json::array({{{"name", "https"}, {"port", 443}, {"protocol", "TCP"}, {"targetPort", port}}})}}}};
    const std::optional<StoredObject> existing =
        context.load(*context.registry().find("", "v1", "services"), "default", kName);
    if (existing) {
        // Only the target port follows the API; the rest (cluster IP, defaults) stays as stored.
        Json spec = existing->object["spec"];
        spec["ports"] = service["spec"]["ports"];
        service["spec"] = std::move(spec);
    }
    // No Endpoints or EndpointSlice yet: Kubernetes refuses loopback addresses in them, and the
    // API serves on loopback until pods get network namespaces with an address that reaches it.
    return ensure(context, "services", "", "v1", std::move(service), {"spec"});
}

} // namespace cd::api
