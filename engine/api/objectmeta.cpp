#include "engine/api/objectmeta.h"

#include "engine/core/clock.h"
#include "engine/core/names.h"

namespace cd::api {
namespace {

const FieldPath kMeta("metadata");

void validateStringMapKeys(const Json &map, const FieldPath &path, FieldErrors &errors)
{
    for (auto it = map.begin(); it != map.end(); ++it) {
        for (const std::string &m : names::qualifiedName(it.key()))
            errors.invalid(path, it.key(), m);
    }
}

} // namespace

void validateLabels(const Json &labels, const FieldPath &path, FieldErrors &errors)
{
    if (labels.is_null())
        return;
    if (!labels.is_object()) {
        errors.invalid(path, labels, "must be a map of strings");
        return;
    }
    validateStringMapKeys(labels, path, errors);
    for (auto it = labels.begin(); it != labels.end(); ++it) {
        if (!it.value().is_string()) {
            errors.invalid(path.key(it.key()), it.value(), "must be a string");
            continue;
        }
        for (const std::string &m : names::labelValue(it.value().get<std::string>()))
            errors.invalid(path, it.value(), m);
    }
}

void validateObjectMeta(const ResourceType &type, const Json &object, FieldErrors &errors)
{
    const Json *meta = find(object, {"metadata"});
    if (!meta || !meta->is_object()) {
        errors.required(kMeta);
        return;
    }
    const std::string name = str(*meta, {"name"});
    if (name.empty()) {
        errors.required(kMeta.child("name"), "name or generateName is required");
    } else {
        for (const std::string &m : type.nameRule(name))
            errors.invalid(kMeta.child("name"), name, m);
    }
    const std::string ns = str(*meta, {"namespace"});
    if (type.namespaced) {
        if (ns.empty())
            errors.required(kMeta.child("namespace"));
        else
            for (const std::string &m : names::dns1123Label(ns))
                errors.invalid(kMeta.child("namespace"), ns, m);
    } else if (!ns.empty()) {
        errors.forbidden(kMeta.child("namespace"), "not allowed on this type");
    }
    if (const Json *labels = find(*meta, {"labels"}))
        validateLabels(*labels, kMeta.child("labels"), errors);
    if (const Json *annotations = find(*meta, {"annotations"}); annotations && !annotations->is_null()) {
        if (!annotations->is_object()) {
            errors.invalid(kMeta.child("annotations"), *annotations, "must be a map of strings");
        } else {
            size_t total = 0;
            for (auto it = annotations->begin(); it != annotations->end(); ++it) {
                std::string lower = it.key();
                for (char &c : lower)
                    c = char(std::tolower(static_cast<unsigned char>(c)));
                for (const std::string &m : names::qualifiedName(lower))
                    errors.invalid(kMeta.child("annotations"), it.key(), m);
                if (!it.value().is_string())
                    errors.invalid(kMeta.child("annotations").key(it.key()), it.value(), "must be a string");
                else
                    total += it.key().size() + it.value().get_ref<const std::string &>().size();
            }
            if (total > 256 * 1024)
                errors.tooLong(kMeta.child("annotations"), 256 * 1024);
        }
    }
    if (const Json *finalizers = find(*meta, {"finalizers"}); finalizers && finalizers->is_array()) {
        for (size_t i = 0; i < finalizers->size(); ++i) {
            const Json &f = (*finalizers)[i];
            if (!f.is_string()) {
                errors.invalid(kMeta.child("finalizers").index(i), f, "must be a string");
                continue;
            }
            for (const std::string &m : names::qualifiedName(f.get<std::string>()))
                errors.invalid(kMeta.child("finalizers").index(i), f, m);
        }
    }
    if (const Json *owners = find(*meta, {"ownerReferences"}); owners && owners->is_array()) {
        int controllers = 0;
        for (size_t i = 0; i < owners->size(); ++i) {
            const Json &ref = (*owners)[i];
            const FieldPath path = kMeta.child("ownerReferences").index(i);
            for (const char *field : {"apiVersion", "kind", "name", "uid"})
                if (str(ref, {field}).empty())
                    errors.required(path.child(field), field == std::string("uid") ? "uid must not be empty" : "");
            if (boolean(ref, {"controller"}))
                ++controllers;
        }
        if (controllers > 1)
            errors.invalid(kMeta.child("ownerReferences"), *owners, "Only one reference can have Controller set to true");
    }
}

void validateObjectMetaUpdate(const Json &object, const Json &old, FieldErrors &errors)
{
    for (const char *field : {"name", "namespace", "uid"}) {
        const std::string now = str(object, {"metadata", field});
        const std::string before = str(old, {"metadata", field});
        if (now != before)
            errors.invalid(kMeta.child(field), now, "field is immutable");
    }
}

void prepareMetaForCreate(const ResourceType &type, Json &object)
{
    Json &meta = ensureObject(object, {"metadata"});
    meta["uid"] = names::uuid();
    meta["creationTimestamp"] = nowRfc3339();
    meta.erase("resourceVersion");
    meta.erase("deletionTimestamp");
    meta.erase("deletionGracePeriodSeconds");
    meta.erase("selfLink");
    if (type.generation)
        meta["generation"] = 1;
    else
        meta.erase("generation");
    if (!type.namespaced)
        meta.erase("namespace");
    for (const char *mapField : {"labels", "annotations"})
        if (meta.contains(mapField) && (meta[mapField].is_null() || meta[mapField].empty()))
            meta.erase(mapField);
    if (meta.contains("finalizers") && (meta["finalizers"].is_null() || meta["finalizers"].empty()))
        meta.erase("finalizers");
}

bool specChanged(const Json &object, const Json &old)
{
    if (!object.is_object() || !old.is_object())
        return object != old;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() == "metadata" || it.key() == "status")
            continue;
        auto o = old.find(it.key());
        if (o == old.end() || *o != it.value())
            return true;
    }
    for (auto it = old.begin(); it != old.end(); ++it) {
        if (it.key() != "metadata" && it.key() != "status" && !object.contains(it.key()))
            return true;
    }
    return false;
}

void prepareMetaForUpdate(const ResourceType &type, Json &object, const Json &old)
{
    Json &meta = ensureObject(object, {"metadata"});
    const Json &oldMeta = old["metadata"];
    if (str(meta, {"uid"}).empty() && oldMeta.contains("uid"))
        meta["uid"] = oldMeta["uid"];
    for (const char *field : {"creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"}) {
        if (oldMeta.contains(field))
            meta[field] = oldMeta[field];
        else
            meta.erase(field);
    }
    meta.erase("selfLink");
    // The generation is counted once defaults are applied (prepareUpdate in manifestcheck.cpp).
    if (type.generation)
        meta["generation"] = integer(oldMeta, {"generation"}, 1);
    else
        meta.erase("generation");
    if (!type.namespaced)
        meta.erase("namespace");
    for (const char *field : {"labels", "annotations", "finalizers", "ownerReferences"})
        if (meta.contains(field) && (meta[field].is_null() || meta[field].empty()))
            meta.erase(field);
}

} // namespace cd::api
