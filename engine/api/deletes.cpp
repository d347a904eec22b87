// DELETE of one object and of a collection: finalizers, graceful deletion and propagation.
#include "engine/api/decode.h"
#include "engine/api/deletion.h"
#include "engine/api/handlers.h"
#include "engine/api/status.h"
#include "engine/core/clock.h"

#include <algorithm>

namespace cd::api {
namespace {

void readDeleteOptions(const Json &o, DeleteOptions &options)
{
    if (const Json *g = find(o, {"gracePeriodSeconds"}); g && g->is_number_integer())
            options.gracePeriodSeconds = g->get<long long>();
        options.propagationPolicy = str(o, {"propagationPolicy"});
        if (const Json *orphan = find(o, {"orphanDependents"}); orphan && orphan->is_boolean() &&
                                                                options.propagationPolicy.empty())
            options.propagationPolicy = orphan->get<bool>() ? "Orphan" : "Background";
        options.preconditionUid = str(o, {"preconditions", "uid"});
        options.preconditionResourceVersion = str(o, {"preconditions", "resourceVersion"});
        if (const Json *dry = find(o, {"dryRun"}); dry && dry->is_array())
            for (const Json &d : *dry)
                if (d == "All")
                    options.dryRun = true;
}

} // namespace

Result<DeleteOptions> parseDeleteOptions(const ApiRequest &request)
{
    DeleteOptions options;
    if (!request.body.empty() && request.body.find_first_not_of(" \t\r\n") != std::string::npos) {
        CD_TRY(DecodedBody body, decodeBody(request.body, request.contentType));
        readDeleteOptions(body.value, options);
    }
    if (auto g = request.param("gracePeriodSeconds"); g && !g->empty())
        options.gracePeriodSeconds = std::atoll(g->c_str());
    if (auto p = request.param("propagationPolicy"); p && !p->empty())
        options.propagationPolicy = *p;
    if (auto o = request.param("orphanDependents"); o && options.propagationPolicy.empty())
        options.propagationPolicy = request.flag("orphanDependents") ? "Orphan" : "Background";
    if (writeOptions(request, "").dryRun)
        options.dryRun = true;
    const std::string &p = options.propagationPolicy;
    if (!p.empty() && p != "Orphan" && p != "Background" && p != "Foreground")
        return Error::invalid("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"" +
                                  p + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
                              {{"FieldValueNotSupported", "Unsupported value: \"" + p + "\"", "propagationPolicy"}});
    return options;
}

DeleteOptions deleteOptionsFromJson(const Json &object)
{
    DeleteOptions options;
    readDeleteOptions(object, options);
    return options;
}

namespace {

bool hasFinalizer(const Json &object, const std::string &name)
{
    const Json *finalizers = find(object, {"metadata", "finalizers"});
    return finalizers && finalizers->is_array() &&
           std::find(finalizers->begin(), finalizers->end(), Json(name)) != finalizers->end();
}

void addFinalizer(Json &object, const std::string &name)
{
    if (hasFinalizer(object, name))
        return;
    Json &meta = object["metadata"];
    if (!meta.contains("finalizers") || !meta["finalizers"].is_array())
        meta["finalizers"] = Json::array();
    meta["finalizers"].push_back(name);
}

void removeFinalizer(Json &object, const std::string &name)
{
    Json *finalizers = find(object, {"metadata", "finalizers"});
    if (!finalizers || !finalizers->is_array())
        return;
    finalizers->erase(std::remove(finalizers->begin(), finalizers->end(), Json(name)), finalizers->end());
    if (finalizers->empty())
        object["metadata"].erase("finalizers");
}

} // namespace

Result<DeleteOutcome> deleteObject(ApiContext &context, const ResourceType &type, const StoredObject &existing,
                                const DeleteOptions &options)
{
    const std::string name = existing.name();
    if (!options.preconditionUid.empty() && options.preconditionUid != existing.uid())
        return conflict(type, name,
                        "Precondition failed: UID in precondition: " + options.preconditionUid +
                            ", UID in object meta: " + existing.uid());
    if (!options.preconditionResourceVersion.empty() &&
        options.preconditionResourceVersion != std::to_string(existing.record.modRevision))
        return conflict(type, name,
                        "Precondition failed: ResourceVersion in precondition: " + options.preconditionResourceVersion +
                            ", ResourceVersion in object meta: " + std::to_string(existing.record.modRevision));

    WriteOptions writeOpts;
    writeOpts.dryRun = options.dryRun;
    AdmissionRequest admission{Operation::Delete, &type, str(existing.object, {"metadata", "namespace"}), name, "",
                               nullptr, &existing.object, options.dryRun};
    CD_CHECK(context.admit(admission));

    Json object = existing.object;
    const long long grace = type.gracePeriod ? type.gracePeriod(object, options.gracePeriodSeconds) : 0;
    const bool alreadyDeleting = find(object, {"metadata", "deletionTimestamp"}) != nullptr;

    if (options.propagationPolicy == "Orphan") {
        addFinalizer(object, "orphan");
        removeFinalizer(object, "foregroundDeletion");
    } else if (options.propagationPolicy == "Foreground") {
        addFinalizer(object, "foregroundDeletion");
        removeFinalizer(object, "orphan");
    } else if (options.propagationPolicy == "Background") {
        removeFinalizer(object, "orphan");
        removeFinalizer(object, "foregroundDeletion");
    }
    const bool finalizersPending = find(object, {"metadata", "finalizers"}) != nullptr ||
                                   (type.deletionPending && type.deletionPending(object));

    if (!finalizersPending && grace == 0) {
        CD_TRY(StoredObject removed, context.removeObject(type, existing, writeOpts));
        return DeleteOutcome{std::move(removed), true};
    }
    Json &meta = object["metadata"];
    if (!alreadyDeleting) {
        meta["deletionTimestamp"] = rfc3339(Clock::current().now() + std::chrono::seconds(grace));
        meta["deletionGracePeriodSeconds"] = grace;
        if (type.markDeleting)
            type.markDeleting(object);
    } else if (grace < integer(meta, {"deletionGracePeriodSeconds"}, grace)) {
        // A shorter grace period may cut a graceful deletion short, never lengthen it.
        meta["deletionTimestamp"] = rfc3339(Clock::current().now() + std::chrono::seconds(grace));
        meta["deletionGracePeriodSeconds"] = grace;
    }
    if (object == existing.object)
        return DeleteOutcome{existing, false};
    CD_TRY(StoredObject marked, context.write(type, object, &existing, options.dryRun));
    return DeleteOutcome{std::move(marked), false};
}

namespace {

// An object deleted at once is answered with a Status (kind, name, uid), except for the types
// whose Kubernetes storage sets ReturnDeletedObject: those answer with the final object.
bool returnsDeletedObject(const ResourceType &type)
{
    if (type.group == "storage.k8s.io")
        return type.plural == "storageclasses";
    return type.group.empty() && (type.plural == "pods" || type.plural == "services" || type.plural == "namespaces" ||
                                  type.plural == "serviceaccounts");
}

} // namespace

void handleDelete(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &type = *target.type;
    auto options = parseDeleteOptions(request);
    if (!options.ok()) {
        respondError(sink, options.error());
        return;
    }
    auto existing = context.load(type, target.ns, target.name);
    if (!existing) {
        respondError(sink, notFound(type, target.name));
        return;
    }
    auto outcome = deleteObject(context, type, *existing, *options);
    if (!outcome.ok()) {
        respondError(sink, outcome.error());
        return;
    }
    // Kubernetes answers 200 when the object is gone and 202 when it is only marked for deletion.
    const int status = outcome->deleted ? 200 : 202;
    std::string body = outcome->object.record.value && !options->dryRun ? *outcome->object.record.value
                                                                         : dump(outcome->object.object);
    if (outcome->deleted && !returnsDeletedObject(type))
        body = dump(successStatus(type, outcome->object.name(), outcome->object.uid()));
    context.respondWhenDurable(sink, options->dryRun ? 0 : outcome->object.record.modRevision,
                               objectResponse(status, body));
}

void handleDeleteCollection(ApiContext &context, const Target &target, const ApiRequest &request,
                            const SinkPtr &sink)
{
    const ResourceType &type = *target.type;
    auto options = parseDeleteOptions(request);
    if (!options.ok()) {
        respondError(sink, options.error());
        return;
    }
    auto selectors = parseSelectors(type, request);
    if (!selectors.ok()) {
        respondError(sink, selectors.error());
        return;
    }
    Json items = Json::array();
    store::Revision last = 0;
    for (const StoredObject &existing : context.loadAll(type, target.ns)) {
        if (!selectors->matches(type, existing.object))
            continue;
        auto outcome = deleteObject(context, type, existing, *options);
        if (!outcome.ok()) {
            respondError(sink, outcome.error());
            return;
        }
        last = std::max(last, outcome->object.record.modRevision);
        items.push_back(outcome->object.object);
    }
    const Json list = {{"kind", type.kind + "List"},
                       {"apiVersion", type.apiVersion()},
                       {"metadata", {{"resourceVersion", std::to_string(context.store().revision())}}},
                       {"items", std::move(items)}};
    context.respondWhenDurable(sink, options->dryRun ? 0 : last, objectResponse(200, dump(list)));
}

} // namespace cd::api
