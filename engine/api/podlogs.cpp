// GET pods/{name}/log, as kube-apiserver's LogREST does it: the pod and container are checked
// here (with Kubernetes' messages), the options validated, and the request passed on to the
// kubelet of the pod's node, whose answer streams back unchanged.
#include "engine/api/handlers.h"
#include "engine/api/fielderrors.h"
#include "engine/api/status.h"
#include "engine/core/clock.h"

#include <algorithm>
#include <cctype>

namespace cd::api {
namespace {

std::vector<std::string> containerNames(const Json &pod, const char *field)
{
    std::vector<std::string> names;
    if (const Json *list = find(pod, {"spec", field}); list && list->is_array())
        for (const Json &c : *list)
            names.push_back(str(c, {"name"}));
    return names;
}

std::string joined(const std::vector<std::string> &names)
{
    std::string out;
    for (const std::string &name : names)
        out += (out.empty() ? "" : " ") + name;
    return out;
}

// The PodLogOptions rules of kube-apiserver's validation (422 PodLogOptions "web" is invalid).
Status validateOptions(const ApiRequest &request, const std::string &pod)
{
    FieldErrors errors;
    const auto number = [&](const char *name, long long minimum, const char *message) {
        if (auto value = request.param(name)) {
            char *end = nullptr;
            const long long n = std::strtoll(value->c_str(), &end, 10);
            if (value->empty() || *end)
                errors.invalid(FieldPath(name), *value, "must be an integer");
            else if (n < minimum)
                errors.invalid(FieldPath(name), n, message);
        }
    };
    number("tailLines", 0, "must be greater than or equal to 0");
    number("limitBytes", 1, "must be greater than 0");
    number("sinceSeconds", 1, "must be greater than 0");
    if (request.param("sinceSeconds") && request.param("sinceTime"))
        errors.forbidden(FieldPath(""), "at most one of `sinceTime` or `sinceSeconds` may be specified");
    if (auto since = request.param("sinceTime"); since && !parseRfc3339(*since))
        errors.invalid(FieldPath("sinceTime"), *since, "must be an RFC3339 time");
    if (errors.empty())
        return {};
    return errors.toError("PodLogOptions", pod);
}

} // namespace

void handlePodLogs(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &pods = *target.type;
    const auto existing = context.load(pods, target.ns, target.name);
    if (!existing) {
        respondError(sink, notFound(pods, target.name));
        return;
    }
    const Json &pod = existing->object;
    const std::vector<std::string> containers = containerNames(pod, "containers");
    const std::vector<std::string> inits = containerNames(pod, "initContainers");
    const std::vector<std::string> ephemeral = containerNames(pod, "ephemeralContainers");
    std::string container = request.param("container", "");
    if (container.empty()) {
        if (containers.size() == 1) {
            container = containers.front();
        } else {
            std::string message = "a container name must be specified for pod " + target.name;
            if (!containers.empty())
                message += ", choose one of: [" + joined(containers) + "]";
            if (!inits.empty())
                message += " or one of the init containers: [" + joined(inits) + "]";
            if (!ephemeral.empty())
                message += " or one of the ephemeral containers: [" + joined(ephemeral) + "]";
            respondError(sink, badRequest(message));
            return;
        }
    }
    const auto has = [&](const std::vector<std::string> &names) {
        return std::find(names.begin(), names.end(), container) != names.end();
    };
    if (!has(containers) && !has(inits) && !has(ephemeral)) {
        respondError(sink, badRequest("container " + container + " is not valid for pod " + target.name));
        return;
    }
    if (Status valid = validateOptions(request, target.name); !valid.ok()) {
        respondError(sink, valid.error());
        return;
    }
    const std::string nodeName = str(pod, {"spec", "nodeName"});
    if (nodeName.empty()) {
        // Not scheduled yet: nothing has run, so there is nothing to read (an empty log).
        ApiResponse empty;
        empty.contentType = "text/plain";
        sink->respond(std::move(empty));
        return;
    }
    const ResourceType *nodes = context.registry().find("", "v1", "nodes");
    const auto node = nodes ? context.load(*nodes, "", nodeName) : std::nullopt;
    if (!node) {
        respondError(sink, notFound(*nodes, nodeName));
        return;
    }
    const long long port = integer(node->object, {"status", "daemonEndpoints", "kubeletEndpoint", "Port"});
    if (!context.kubelets() || port <= 0 || port > 65535) {
        respondError(sink, Error{ErrorKind::BadRequest,
                                 "the kubelet of node " + nodeName + " cannot be reached from this API server", {}});
        return;
    }
    std::string path = "/containerLogs/" + kubeletEscape(target.ns) + "/" + kubeletEscape(target.name) + "/" +
                       kubeletEscape(container);
    char separator = '?';
    for (const char *option : {"follow", "previous", "timestamps", "tailLines", "limitBytes", "sinceSeconds",
                               "sinceTime"}) {
        if (auto value = request.param(option)) {
            path += separator + std::string(option) + "=" + kubeletEscape(*value);
            separator = '&';
        }
    }
    context.kubelets()->get(static_cast<int>(port), path, sink);
}

} // namespace cd::api
