// Subresources beyond status: scale (autoscaling/v1 Scale), pods/binding, pods/eviction and
// namespaces/finalize.
#include "engine/api/decode.h"
#include "engine/api/deletion.h"
#include "engine/api/handlers.h"
#include "engine/api/patch/patch.h"
#include "engine/api/status.h"
#include "engine/core/clock.h"
#include "engine/core/labels.h"

namespace cd::api {
namespace {

Json scaleOf(const Json &object)
{
    const Json &meta = object["metadata"];
    Json scaleMeta = Json::object();
    for (const char *field : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"})
        if (meta.contains(field))
            scaleMeta[field] = meta[field];
    std::string selector;
    if (const Json *s = find(object, {"spec", "selector"})) {
        auto parsed = LabelSelector::fromJson(*s);
        if (parsed.ok())
            selector = parsed->toString();
    }
    // As Go encodes it: ScaleSpec.replicas is omitempty, ScaleStatus.replicas is not.
    Json spec = Json::object();
    if (const long long replicas = integer(object, {"spec", "replicas"}, 0))
        spec["replicas"] = replicas;
    return {{"kind", "Scale"},
            {"apiVersion", "autoscaling/v1"},
            {"metadata", scaleMeta},
            {"spec", spec},
            {"status", {{"replicas", integer(object, {"status", "replicas"}, 0)}, {"selector", selector}}}};
}

void handleScale(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &type = *target.type;
    auto old = context.load(type, target.ns, target.name);
    if (!old) {
        respondError(sink, notFound(type, target.name));
        return;
    }
    const Json current = scaleOf(old->object);
    if (request.method == Method::Get) {
        sink->respond(objectResponse(200, dump(current)));
        return;
    }
    auto body = decodeBody(request.body, request.contentType);
    if (!body.ok()) {
        respondError(sink, body.error());
        return;
    }
    Result<Json> scale = body->value;
    if (request.method == Method::Patch) {
        auto patchType = patchTypeFor(request.contentType);
        if (!patchType.ok()) {
            respondError(sink, patchType.error());
            return;
        }
        if (*patchType == PatchType::Json)
            scale = applyJsonPatch(current, body->value);
        else if (*patchType == PatchType::Apply)
            scale = Error{ErrorKind::UnsupportedMedia, "apply patches are not supported on the scale subresource", {}};
        else
            scale = applyMergePatch(current, body->value);  // a Scale has no lists to merge by key
    }
    if (!scale.ok()) {
        respondError(sink, scale.error());
        return;
    }
    // Scale's spec.replicas is `omitempty` in Go: a client scaling to zero sends no value at all
    // (kubectl scale --current-replicas=N --replicas=0 PUTs {"spec":{}}), so missing means 0.
    const Json *given = find(*scale, {"spec", "replicas"});
    if (given && !given->is_null() && !given->is_number_integer()) {
        respondError(sink, Error::badRequest("Scale in version \"v1\" cannot be handled as a Scale: spec.replicas: "
                                             "expected an integer, got " + dump(*given)));
        return;
    }
    const Json replicas = given && !given->is_null() ? *given : Json(0);
    FieldErrors errors;
    if (replicas.get<long long>() < 0)
        errors.invalid(FieldPath("spec.replicas"), replicas, "must be greater than or equal to 0");
    if (!errors.empty()) {
        Error error = errors.toError("Scale.autoscaling", target.name);
        error.detailName = target.name;
        error.detailGroup = "autoscaling";
        error.detailKind = "Scale";
        respondError(sink, error);
        return;
    }
    Json object = old->object;
    object["spec"]["replicas"] = replicas.get<long long>();
    const std::string rv = str(*scale, {"metadata", "resourceVersion"});
    object["metadata"]["resourceVersion"] = rv.empty() ? str(old->object, {"metadata", "resourceVersion"}) : rv;
    auto stored = context.updateObject(type, std::move(object), *old, writeOptions(request, ""));
    if (!stored.ok()) {
        respondError(sink, stored.error());
        return;
    }
    context.respondWhenDurable(sink, stored->record.modRevision, objectResponse(200, dump(scaleOf(stored->object))));
}

void handleBinding(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &pods = *target.type;
    auto body = decodeBody(request.body, request.contentType);
    if (!body.ok()) {
        respondError(sink, body.error());
        return;
    }
    const std::string node = str(body->value, {"target", "name"});
    const std::string name = str(body->value, {"metadata", "name"}, target.name);
    if (name != target.name) {
        respondError(sink, Error::badRequest("the name of the binding (" + name +
                                             ") does not match the name on the URL (" + target.name + ")"));
        return;
    }
    if (node.empty()) {
        FieldErrors errors;
        errors.required(FieldPath("target.name"));
        respondError(sink, errors.toError("Binding", name));
        return;
    }
    auto old = context.load(pods, target.ns, target.name);
    if (!old) {
        respondError(sink, notFound(pods, target.name));
        return;
    }
    if (find(old->object, {"metadata", "deletionTimestamp"})) {
        respondError(sink, conflict(pods, name, "pod " + name + " is being deleted, cannot be assigned to a host"));
        return;
    }
    const std::string current = str(old->object, {"spec", "nodeName"});
    if (!current.empty()) {
        respondError(sink, conflict(pods, name, "pod " + name + " is already assigned to node \"" + current + "\""));
        return;
    }
    Json object = old->object;
    object["spec"]["nodeName"] = node;
    Json &conditions = ensureObject(object, {"status"})["conditions"];
    if (!conditions.is_array())
        conditions = Json::array();
    bool found = false;
    for (Json &c : conditions)
        if (str(c, {"type"}) == "PodScheduled") {
            c["status"] = "True";
            c["lastTransitionTime"] = nowRfc3339();
            c.erase("reason");
            c.erase("message");
            found = true;
        }
    if (!found)
        conditions.push_back({{"type", "PodScheduled"},
                              {"status", "True"},
                              {"lastProbeTime", nullptr},
                              {"lastTransitionTime", nowRfc3339()}});
    auto stored = context.write(pods, object, &*old, writeOptions(request, "binding").dryRun);
    if (!stored.ok()) {
        respondError(sink, stored.error());
        return;
    }
    const Json status = {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", Json::object()}, {"status", "Success"},
                         {"code", 201}};
    context.respondWhenDurable(sink, stored->record.modRevision, objectResponse(201, dump(status)));
}

void handleEviction(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &pods = *target.type;
    auto body = decodeBody(request.body, request.contentType);
    if (!body.ok()) {
        respondError(sink, body.error());
        return;
    }
    auto existing = context.load(pods, target.ns, target.name);
    if (!existing) {
        respondError(sink, notFound(pods, target.name));
        return;
    }
    // No PodDisruptionBudgets exist in Clusterdeck, so every eviction is allowed.
    const Json *options = find(body->value, {"deleteOptions"});
    auto outcome = deleteObject(context, pods, *existing, options ? deleteOptionsFromJson(*options) : DeleteOptions{});
    if (!outcome.ok()) {
        respondError(sink, outcome.error());
        return;
    }
    const Json status = {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", Json::object()}, {"status", "Success"},
                         {"code", 201}};
    context.respondWhenDurable(sink, outcome->object.record.modRevision, objectResponse(201, dump(status)));
}

void handleFinalize(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &type = *target.type;
    std::vector<std::string> warnings;
    auto body = decodeObject(context, target, request, warnings);
    if (!body.ok()) {
        respondError(sink, body.error());
        return;
    }
    auto old = context.load(type, target.ns, target.name);
    if (!old) {
        respondError(sink, notFound(type, target.name));
        return;
    }
    Json object = old->object;
    const Json *finalizers = find(*body, {"spec", "finalizers"});
    if (finalizers && finalizers->is_array() && !finalizers->empty())
        object["spec"]["finalizers"] = *finalizers;
    else if (object.contains("spec"))
        object["spec"].erase("finalizers");
    const bool deleting = find(object, {"metadata", "deletionTimestamp"}) != nullptr;
    const bool held = find(object, {"metadata", "finalizers"}) ||
                      (type.deletionPending && type.deletionPending(object));
    Result<StoredObject> stored = deleting && !held ? context.removeObject(type, *old, {})
                                                    : context.write(type, object, &*old, false);
    if (!stored.ok()) {
        respondError(sink, stored.error());
        return;
    }
    context.respondWhenDurable(sink, stored->record.modRevision, objectResponse(200, *stored->record.value));
}

} // namespace

void handleSubresource(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &type = *target.type;
    const std::string &sub = target.subresource;
    const auto &others = type.otherSubresources;
    const bool offered = std::find(others.begin(), others.end(), sub) != others.end();
    if (sub == "scale" && type.scaleSubresource &&
        (request.method == Method::Get || request.method == Method::Put || request.method == Method::Patch)) {
        handleScale(context, target, request, sink);
        return;
    }
    if (offered && sub == "binding" && request.method == Method::Post) {
        handleBinding(context, target, request, sink);
        return;
    }
    if (offered && sub == "eviction" && request.method == Method::Post) {
        handleEviction(context, target, request, sink);
        return;
    }
    if (offered && sub == "exec" && (request.method == Method::Get || request.method == Method::Post)) {
        handlePodExec(context, target, request, sink);
        return;
    }
    if (offered && sub == "attach" && (request.method == Method::Get || request.method == Method::Post)) {
        handlePodAttach(context, target, request, sink);
        return;
    }
    if (offered && sub == "portforward" && (request.method == Method::Get || request.method == Method::Post)) {
        handlePodPortForward(context, target, request, sink);
        return;
    }
    if (offered && sub == "log" && request.method == Method::Get) {
        handlePodLogs(context, target, request, sink);
        return;
    }
    if (offered && sub == "finalize" && request.method == Method::Put) {
        handleFinalize(context, target, request, sink);
        return;
    }
    respondError(sink, resourceNotServed(type.plural + "/" + sub + " is not served for this method"));
}

} // namespace cd::api
