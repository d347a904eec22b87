#include "engine/api/manifestcheck.h"

#include "engine/api/objectmeta.h"
#include "engine/api/registry.h"
#include "engine/api/schemas.h"

namespace cd::api {
namespace {

using Severity = ManifestProblem::Severity;

// A served kind of that name under any apiVersion (a typo in apiVersion, or an old version).
const ResourceType *servedUnderAnyVersion(const Registry &registry, const std::string &kind)
{
    for (const auto &type : registry.all())
        if (type->kind == kind)
            return type.get();
    return nullptr;
}

} // namespace

void prepareCreate(const ResourceType &type, Json &object)
{
    prepareMetaForCreate(type, object);
    if (type.prepareForCreate)
        type.prepareForCreate(object);
    if (type.defaults)
        type.defaults(object);
}

void validateCreate(const ResourceType &type, const Json &object, FieldErrors &errors)
{
    validateObjectMeta(type, object, errors);
    if (type.validate)
        type.validate(object, errors);
}

void prepareUpdate(const ResourceType &type, Json &object, const Json &old)
{
    prepareMetaForUpdate(type, object, old);
    if (type.statusSubresource) {
        if (old.contains("status"))
            object["status"] = old["status"];
        else
            object.erase("status");
    }
    if (type.prepareForUpdate)
        type.prepareForUpdate(object, old);
    if (type.defaults)
        type.defaults(object);
    // Counted after defaults: a client that leaves defaulted fields out has not changed them.
    if (type.generation) {
        bool changed = specChanged(object, old);
        auto annotations = [](const Json &o) {
            const Json *a = find(o, {"metadata", "annotations"});
            return a ? *a : Json();
        };
        if (type.annotationsCountAsSpec && annotations(object) != annotations(old))
            changed = true;
        object["metadata"]["generation"] = integer(old, {"metadata", "generation"}, 1) + (changed ? 1 : 0);
    }
}

void validateUpdate(const ResourceType &type, const Json &object, const Json &old, FieldErrors &errors)
{
    validateObjectMeta(type, object, errors);
    validateObjectMetaUpdate(object, old, errors);
    if (type.validate)
        type.validate(object, errors);
    if (type.validateUpdate)
        type.validateUpdate(object, old, errors);
}

std::vector<ManifestProblem> checkManifest(const Json &object, const Registry &registry, const SchemaRegistry &schemas)
{
    std::vector<ManifestProblem> problems;
    if (!object.is_object()) {
        problems.push_back(
            {"", "a manifest must be a mapping, not " + std::string(object.type_name()), Severity::Error});
        return problems;
    }
    // kubectl's own check before anything reaches a server.
    const std::string apiVersion = str(object, {"apiVersion"});
    const std::string kind = str(object, {"kind"});
    if (apiVersion.empty())
        problems.push_back({"apiVersion", "apiVersion not set", Severity::Error});
    if (kind.empty())
        problems.push_back({"kind", "kind not set", Severity::Error});
    if (!problems.empty())
        return problems;

    const ResourceType *type = registry.forObject(apiVersion, kind);
    if (!type) {
        if (const ResourceType *served = servedUnderAnyVersion(registry, kind))
            problems.push_back({"apiVersion",
                                "no matches for kind \"" + kind + "\" in version \"" + apiVersion +
                                    "\" (Clusterdeck serves " + kind + " as " + served->apiVersion() + ")",
                                Severity::Error});
        else
            problems.push_back({"kind",
                                "Kind " + kind + " (apiVersion " + apiVersion +
                                    ") is not served by Clusterdeck; it is kept as written",
                                Severity::Info});
        return problems;
    }

    // Decoding (fieldValidation=Strict): unknown fields fail the request; a value of the wrong
    // type cannot be decoded at all, so nothing after it would run.
    bool undecodable = false;
    if (const std::string definition = schemas.definitionFor(type->group, type->version, type->kind);
        !definition.empty()) {
        for (auto &problem : schemas.check(definition, object)) {
            undecodable = undecodable || !problem.unknownField;
            problems.push_back({std::move(problem.path), std::move(problem.message), Severity::Error});
        }
    }
    if (undecodable)
        return problems;

    Json created = object;
    Json &meta = ensureObject(created, {"metadata"});
    if (type->namespaced && str(meta, {"namespace"}).empty())
        meta["namespace"] = "default";
    if (str(meta, {"name"}).empty() && !str(meta, {"generateName"}).empty())
        meta["name"] = str(meta, {"generateName"}).substr(0, 58) + "x0000"; // stands for the random suffix
    FieldErrors errors;
    try {
        prepareCreate(*type, created);
        validateCreate(*type, created, errors);
    } catch (const Json::exception &e) {
        // Validators expect decoded objects; a half-typed manifest must not take the editor down.
        problems.push_back({"", std::string("cannot be checked: ") + e.what(), Severity::Error});
    }
    for (const ErrorCause &cause : errors.causes())
        problems.push_back({cause.field, cause.message, Severity::Error});
    return problems;
}

std::vector<ManifestProblem> checkManifest(const Json &object)
{
    return checkManifest(object, Registry::builtin(), SchemaRegistry::builtin());
}

} // namespace cd::api
