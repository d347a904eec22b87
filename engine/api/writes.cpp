// POST, PUT and PATCH: decode, then the object pipeline of ApiContext, then answer once durable.
#include "engine/api/decode.h"
#include "engine/api/handlers.h"
#include "engine/api/patch/patch.h"
#include "engine/api/schemas.h"
#include "engine/api/status.h"

#include <algorithm>

namespace cd::api {
namespace {

void respondStored(ApiContext &context, const SinkPtr &sink, int status, const StoredObject &stored, bool dryRun,
                   std::vector<std::string> warnings)
{
    ApiResponse response = objectResponse(status, dryRun || !stored.record.value ? dump(stored.object)
                                                                                   : *stored.record.value);
    response.warnings = std::move(warnings);
    context.respondWhenDurable(sink, dryRun ? 0 : stored.record.modRevision, std::move(response));
}

// Kubernetes' wording for apply conflicts: one conflict on one line, several grouped by manager.
// Each entry reads `conflict with "manager" using apps/v1: .spec.replicas`.
Error applyConflict(const ResourceType &type, const std::string &name, const std::vector<std::string> &conflicts)
{
    Error error = conflict(type, name, "");
    std::vector<std::pair<std::string, std::vector<std::string>>> byManager;
    for (const std::string &c : conflicts) {
        const size_t split = c.find(": .");
        const std::string who = c.substr(0, split);
        const std::string field = split == std::string::npos ? std::string() : c.substr(split + 2);
        error.causes.push_back({"FieldManagerConflict", who, field});
        auto it = std::find_if(byManager.begin(), byManager.end(), [&](const auto &g) { return g.first == who; });
        if (it == byManager.end())
            byManager.push_back({who, {field}});
        else
            it->second.push_back(field);
    }
    const size_t n = conflicts.size();
    error.message = "Apply failed with " + std::to_string(n) + (n == 1 ? " conflict: " : " conflicts: ");
    if (n == 1) {
        error.message += conflicts[0];
        return error;
    }
    for (size_t g = 0; g < byManager.size(); ++g) {
        // "conflict with" -> "conflicts with" when a manager holds several fields.
        std::string head = byManager[g].first;
        if (byManager[g].second.size() > 1 && head.rfind("conflict with", 0) == 0)
            head.insert(8, "s");
        error.message += (g ? "\n" : "") + head + ":";
        for (const std::string &field : byManager[g].second)
            error.message += "\n- " + field;
    }
    return error;
}

} // namespace

void handleCreate(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    std::vector<std::string> warnings;
    auto object = decodeObject(context, target, request, warnings);
    if (!object.ok()) {
        respondError(sink, object.error());
        return;
    }
    const WriteOptions options = writeOptions(request, "");
    auto stored = context.createObject(*target.type, std::move(object).value(), options);
    if (!stored.ok()) {
        respondError(sink, stored.error());
        return;
    }
    respondStored(context, sink, 201, *stored, options.dryRun, std::move(warnings));
}

void handleUpdate(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &type = *target.type;
    std::vector<std::string> warnings;
    auto object = decodeObject(context, target, request, warnings);
    if (!object.ok()) {
        respondError(sink, object.error());
        return;
    }
    const WriteOptions options = writeOptions(request, target.subresource);
    auto old = context.load(type, target.ns, target.name);
    if (!old) {
        if (!type.allowCreateOnUpdate || !target.subresource.empty()) {
            respondError(sink, notFound(type, target.name));
            return;
        }
        auto created = context.createObject(type, std::move(object).value(), options);
        if (!created.ok()) {
            respondError(sink, created.error());
            return;
        }
        respondStored(context, sink, 201, *created, options.dryRun, std::move(warnings));
        return;
    }
    auto stored = context.updateObject(type, std::move(object).value(), *old, options);
    if (!stored.ok()) {
        respondError(sink, stored.error());
        return;
    }
    respondStored(context, sink, 200, *stored, options.dryRun, std::move(warnings));
}

void handlePatch(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &type = *target.type;
    auto patchType = patchTypeFor(request.contentType);
    if (!patchType.ok()) {
        respondError(sink, patchType.error());
        return;
    }
    auto body = decodeBody(request.body, request.contentType);
    if (!body.ok()) {
        respondError(sink, body.error());
        return;
    }
    Json &patch = body->value;
    const WriteOptions options = writeOptions(request, target.subresource);
    const SchemaRegistry &schemas = context.schemas();
    const std::string definition = schemas.definitionFor(type.group, type.version, type.kind);
    auto old = context.load(type, target.ns, target.name);
    std::vector<std::string> warnings;

    if (*patchType == PatchType::Apply) {
        if (options.fieldManager.empty()) {
            respondError(sink, Error::badRequest("PATCH " + request.path +
                                                 ": fieldManager is required for apply requests"));
            return;
        }
        if (!patch.is_object()) {
            respondError(sink, Error::badRequest("an apply patch must be an object"));
            return;
        }
        auto validated = checkFieldValidation(context, type, patch, body->duplicateFields, request, warnings);
        if (!validated.ok()) {
            respondError(sink, validated.error());
            return;
        }
        if (str(patch, {"apiVersion"}) != type.apiVersion() || str(patch, {"kind"}) != type.kind) {
            respondError(sink, Error::badRequest("an apply patch must carry apiVersion \"" + type.apiVersion() +
                                                 "\" and kind \"" + type.kind + "\""));
            return;
        }
        auto applied = applyServerSide(schemas, definition, old ? old->object : Json(), patch, options.fieldManager,
                                       request.flag("force"), type.apiVersion());
        if (!applied.ok()) {
            respondError(sink, applied.error());
            return;
        }
        if (!applied->conflicts.empty()) {
            respondError(sink, applyConflict(type, target.name, applied->conflicts));
            return;
        }
        Json object = std::move(applied->object);
        Json &meta = ensureObject(object, {"metadata"});
        if (type.namespaced)
            meta["namespace"] = target.ns;
        if (str(meta, {"name"}) != target.name) {
            respondError(sink, Error::badRequest("the name of the object (" + str(meta, {"name"}) +
                                                 ") does not match the name on the URL (" + target.name + ")"));
            return;
        }
        auto stored = old ? context.updateObject(type, std::move(object), *old, options)
                          : context.createObject(type, std::move(object), options);
        if (!stored.ok()) {
            respondError(sink, stored.error());
            return;
        }
        respondStored(context, sink, old ? 200 : 201, *stored, options.dryRun, std::move(warnings));
        return;
    }

    if (!old) {
        respondError(sink, notFound(type, target.name));
        return;
    }
    Result<Json> patched = Error::internal("unreachable");
    switch (*patchType) {
    case PatchType::Json: patched = applyJsonPatch(old->object, patch); break;
    case PatchType::Merge: patched = applyMergePatch(old->object, patch); break;
    case PatchType::StrategicMerge:
        patched = applyStrategicMergePatch(schemas, definition, old->object, patch);
        break;
    case PatchType::Apply: break;
    }
    if (!patched.ok()) {
        respondError(sink, patched.error());
        return;
    }
    Json object = std::move(patched).value();
    if (str(object, {"kind"}) != type.kind || str(object, {"apiVersion"}) != type.apiVersion()) {
        respondError(sink, Error::badRequest("a patch may not change the kind or apiVersion of an object"));
        return;
    }
    if (str(object, {"metadata", "name"}) != target.name) {
        respondError(sink, Error::badRequest("the name of the object (" + str(object, {"metadata", "name"}) +
                                             ") does not match the name on the URL (" + target.name + ")"));
        return;
    }
    auto validated = checkFieldValidation(context, type, object, body->duplicateFields, request, warnings);
    if (!validated.ok()) {
        respondError(sink, validated.error());
        return;
    }
    auto stored = context.updateObject(type, std::move(object), *old, options);
    if (!stored.ok()) {
        respondError(sink, stored.error());
        return;
    }
    respondStored(context, sink, 200, *stored, options.dryRun, std::move(warnings));
}

} // namespace cd::api
