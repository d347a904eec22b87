#include "engine/api/kubernetesservice.h"

namespace cd::api {
namespace {

constexpr const char *kName = "kubernetes";
constexpr const char *kClusterIp = "10.96.0.1";  // the first address of the service range

Status statusOf(Result<StoredObject> written)
{
    if (!written.ok())
        return written.takeError();
    return {};
}

} // namespace

Status reconcileKubernetesService(ApiContext &context, int port)
{
    const ResourceType *services = context.registry().find("", "v1", "services");
    if (!services)
        return Error::internal("services are not registered");
    const Json ports = Json::array({{{"name", "https"}, {"port", 443}, {"protocol", "TCP"}, {"targetPort", port}}});
    const std::optional<StoredObject> existing = context.load(*services, "default", kName);
    if (!existing) {
        Json service = {{"apiVersion", "v1"},
                        {"kind", "Service"},
                        {"metadata",
                         {{"name", kName},
                          {"namespace", "default"},
                          {"labels", {{"component", "apiserver"}, {"provider", "kubernetes"}}}}},
                        {"spec", {{"type", "ClusterIP"}, {"clusterIP", kClusterIp}, {"sessionAffinity", "None"}, {"ports", ports}}}};
        return statusOf(context.createObject(*services, std::move(service), {}));
    }
    // Only the ports follow the API (a restart may listen elsewhere); the rest stays as stored.
    // No Endpoints or EndpointSlice yet: Kubernetes refuses loopback addresses in them, and the
    // API serves on loopback until pods get network namespaces with an address that reaches it.
    if (const Json *stored = find(existing->object, {"spec", "ports"}); stored && *stored == ports)
        return {};
    Json updated = existing->object;
    updated["spec"]["ports"] = ports;
    return statusOf(context.updateObject(*services, std::move(updated), *existing, {}));
}

} // namespace cd::api
