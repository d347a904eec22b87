#include "engine/api/admission/defaulttolerations.h"

namespace cd::api {

void DefaultTolerationSeconds::addTo(Json &spec, long long seconds)
{
    bool notReady = false;
    bool unreachable = false;
    if (const Json *tolerations = find(spec, {"tolerations"}); tolerations && tolerations->is_array()) {
        for (const Json &t : *tolerations) {
            // A toleration without a key or effect covers every taint or effect.
            const std::string key = str(t, {"key"});
            const std::string effect = str(t, {"effect"});
            const bool noExecute = effect.empty() || effect == "NoExecute";
            notReady = notReady || (noExecute && (key.empty() || key == "node.kubernetes.io/not-ready"));
            unreachable = unreachable || (noExecute && (key.empty() || key == "node.kubernetes.io/unreachable"));
        }
    }
    if (notReady && unreachable)
        return;
    if (!spec.contains("tolerations") || !spec["tolerations"].is_array())
        spec["tolerations"] = Json::array();
    const auto toleration = [seconds](const char *key) {
        return Json{{"key", key}, {"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", seconds}};
    };
    if (!notReady)
        spec["tolerations"].push_back(toleration("node.kubernetes.io/not-ready"));
    if (!unreachable)
        spec["tolerations"].push_back(toleration("node.kubernetes.io/unreachable"));
}

Status DefaultTolerationSeconds::admit(AdmissionRequest &request)
{
    // Pods proper, on create and update; never their subresources.
    const ResourceType &type = *request.type;
    if (!type.group.empty() || type.plural != "pods" || !request.subresource.empty() || !request.object)
        return {};
    if (request.operation != Operation::Create && request.operation != Operation::Update)
        return {};
    Json *spec = find(*request.object, {"spec"});
    if (!spec || !spec->is_object())
        return {};
    addTo(*spec, m_seconds);
    return {};
}

} // namespace cd::api
