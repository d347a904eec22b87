#include "engine/api/context.h"

#include "engine/api/manifestcheck.h"
#include "engine/api/objectmeta.h"
#include "engine/api/openapi.h"
#include "engine/api/schemas.h"
#include "engine/api/status.h"

namespace cd::api {

Json parseStored(const store::Value &value)
{
    return value ? Json::parse(*value, nullptr, false) : Json();
}

ApiContext::ApiContext(store::Store &store, const Registry &registry, ApiOptions options)
    : m_store(store), m_registry(registry), m_options(std::move(options))
{
}

ApiContext::~ApiContext() = default;

OpenApi &ApiContext::openApi()
{
    if (!m_openApi)
        m_openApi = std::make_unique<OpenApi>(m_registry, schemas());
    return *m_openApi;
}

const SchemaRegistry &ApiContext::schemas() const { return SchemaRegistry::builtin(); }

Status ApiContext::admit(AdmissionRequest &request)
{
    for (const auto &plugin : m_admission)
        CD_CHECK(plugin->admit(request));
    return {};
}

std::optional<StoredObject> ApiContext::load(const ResourceType &type, const std::string &ns,
                                             const std::string &name) const
{
    auto record = m_store.get(type.key(ns, name));
    if (!record)
        return std::nullopt;
    return StoredObject{parseStored(record->value), std::move(*record)};
}

std::string ApiContext::listPrefix(const ResourceType &type, const std::string &ns) const
{
    return type.namespaced && !ns.empty() ? type.keyPrefix() + ns + "/" : type.keyPrefix();
}

std::vector<StoredObject> ApiContext::loadAll(const ResourceType &type, const std::string &ns) const
{
    std::vector<StoredObject> out;
    m_store.forEach(listPrefix(type, ns),
                    [&](const store::RecordView &r) { out.push_back(StoredObject{parseStored(r.value()), r.record()}); });
    return out;
}

Result<StoredObject> ApiContext::createObject(const ResourceType &type, Json object, const WriteOptions &options)
{
    Json &meta = ensureObject(object, {"metadata"});
    const std::string ns = type.namespaced ? str(meta, {"namespace"}) : std::string();
    if (str(meta, {"name"}).empty()) {
        const std::string prefix = str(meta, {"generateName"});
        if (!prefix.empty()) {
            // Kubernetes keeps the name within 63 characters: at most 58 of prefix, 5 random.
            const std::string base = prefix.substr(0, 58);
            for (int attempt = 0; attempt < 8; ++attempt) {
                meta["name"] = base + names::randomSuffix();
                if (!m_store.get(type.key(ns, meta["name"].get<std::string>())))
                    break;
            }
        }
    }
    const std::string name = str(meta, {"name"});
    prepareCreate(type, object);
    AdmissionRequest request{Operation::Create, &type, ns, name, options.subresource, &object, nullptr,
                             options.dryRun};
    CD_CHECK(admit(request));
    FieldErrors errors;
    validateCreate(type, object, errors);
    if (!errors.empty())
        return invalid(type, name, errors);
    return store(type, object, nullptr, options.dryRun);
}

Result<StoredObject> ApiContext::updateObject(const ResourceType &type, Json object, const StoredObject &old,
                                              const WriteOptions &options)
{
    const std::string name = old.name();
    const std::string requested = str(object, {"metadata", "resourceVersion"});
    if (!requested.empty() && requested != std::to_string(old.record.modRevision))
        return conflictModified(type, name);

    if (options.subresource == "status") {
        // A status write changes the status only; everything else stays as stored.
        Json status = object.contains("status") ? object["status"] : Json::object();
        Json annotations = type.statusWritesAnnotations ? ensureObject(object, {"metadata"})["annotations"] : Json();
        object = old.object;
        object["status"] = std::move(status);
        if (type.statusWritesAnnotations) {
            if (annotations.is_object() && !annotations.empty())
                object["metadata"]["annotations"] = std::move(annotations);
            else
                object["metadata"].erase("annotations");
        }
        if (type.defaults)
            type.defaults(object);
    } else {
        prepareUpdate(type, object, old.object);
    }
    AdmissionRequest request{Operation::Update, &type,   str(object, {"metadata", "namespace"}), name,
                             options.subresource, &object, &old.object, options.dryRun};
    CD_CHECK(admit(request));
    FieldErrors errors;
    validateUpdate(type, object, old.object, errors);
    if (!errors.empty())
        return invalid(type, name, errors);

    // An update that changes nothing is not written (no new resourceVersion, no watch event).
    Json comparable = object;
    comparable["metadata"]["resourceVersion"] = old.object["metadata"].value("resourceVersion", "");
    if (comparable == old.object)
        return old;

    // The last finalizer removed from an object being deleted: the delete completes now.
    const Json &meta = object["metadata"];
    const bool hadFinalizers = find(old.object, {"metadata", "finalizers"}) &&
                               !old.object["metadata"]["finalizers"].empty();
    const bool hasFinalizers = meta.contains("finalizers") && !meta["finalizers"].empty();
    if (hadFinalizers && !hasFinalizers && meta.contains("deletionTimestamp") &&
        integer(meta, {"deletionGracePeriodSeconds"}, 0) == 0)
        return removeObject(type, old, options);

    return store(type, object, &old, options.dryRun);
}

Result<StoredObject> ApiContext::removeObject(const ResourceType &type, const StoredObject &old,
                                              const WriteOptions &options)
{
    if (options.dryRun)
        return old;
    Json final = old.object;
    auto record = m_store.remove(old.record.key, old.record.modRevision, [&final](store::Revision revision) {
        final["metadata"]["resourceVersion"] = std::to_string(revision);
        return dump(final);
    });
    if (!record.ok()) {
        if (record.error().kind == ErrorKind::NotFound)
            return notFound(type, old.name());
        if (record.error().kind == ErrorKind::Conflict)
            return conflictModified(type, old.name());
        return record.takeError();
    }
    m_summaries.forget(old.record.key);
    return StoredObject{std::move(final), std::move(record).value()};
}

Result<StoredObject> ApiContext::store(const ResourceType &type, Json &object, const StoredObject *old, bool dryRun)
{
    const std::string name = str(object, {"metadata", "name"});
    const std::string ns = str(object, {"metadata", "namespace"});
    const std::string key = type.key(ns, name);
    if (dryRun) {
        // A dry run answers as the real write would, conflicts included.
        if (!old && m_store.get(key))
            return alreadyExists(type, name);
        return StoredObject{object, old ? old->record : store::Record{}};
    }
    const store::Encoder encode = [&object](store::Revision revision) {
        object["metadata"]["resourceVersion"] = std::to_string(revision);
        return dump(object);
    };
    auto record = old ? m_store.update(key, old->record.modRevision, encode) : m_store.create(key, encode);
    if (!record.ok()) {
        switch (record.error().kind) {
        case ErrorKind::AlreadyExists: return alreadyExists(type, name);
        case ErrorKind::Conflict: return conflictModified(type, name);
        case ErrorKind::NotFound: return notFound(type, name);
        default: return record.takeError();
        }
    }
    m_summaries.remember(type, *record, object);
    return StoredObject{object, std::move(record).value()};
}

void ApiContext::respondWhenDurable(const SinkPtr &sink, store::Revision revision, ApiResponse response)
{
    m_store.afterCommit(revision, [this, sink, response = std::move(response)](bool durable) mutable {
        if (sink->isClosed())
            return;
        if (!durable) {
            // Never acknowledge what the disk did not keep.
            const auto failure = m_store.failure();
            sink->respond(errorResponse(Error{ErrorKind::ServiceUnavailable,
                                              "the write could not be made durable: " +
                                                  (failure ? failure->message : std::string("the store failed")),
                                              {}}));
            return;
        }
        sink->respond(std::move(response));
    });
}

} // namespace cd::api
