#include "engine/api/resources/resources.h"
#include "engine/core/names.h"

#include <algorithm>

namespace cd::api {
namespace {

// validateFinalizerName for spec.finalizers: a qualified name, and an unprefixed name must be
// one Kubernetes defines. Kubernetes reports these at "spec.finalizers", without an index.
void validateNamespaceFinalizers(const Json &ns, FieldErrors &errors)
{
    const Json *finalizers = find(ns, {"spec", "finalizers"});
    if (!finalizers || !finalizers->is_array())
        return;
    const FieldPath path = FieldPath("spec").child("finalizers");
    for (const Json &f : *finalizers) {
        const std::string name = f.is_string() ? f.get<std::string>() : f.dump();
        errors.invalidEach(path, name, names::qualifiedName(name));
        if (name.find('/') == std::string::npos && name != "kubernetes" && name != "orphan" &&
            name != "foregroundDeletion")
            errors.invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified");
    }
}

} // namespace

void registerNamespaces(Registry &registry)
{
    ResourceType t;
    t.kind = "Namespace";
    t.plural = "namespaces";
    t.singular = "namespace";
    t.shortNames = {"ns"};
    t.namespaced = false;
    t.statusSubresource = true;
    t.otherSubresources = {"finalize"};
    t.generation = false;
    t.nameRule = names::dns1123Label;
    t.prepareForCreate = [](Json &object) {
        // The "kubernetes" finalizer is removed by the namespace controller once the namespace
        // is empty; only /finalize changes spec.finalizers afterwards. Finalizers the client
        // asked for stay, with "kubernetes" added after them.
        Json finalizers = Json::array();
        if (const Json *given = find(object, {"spec", "finalizers"}); given && given->is_array())
            finalizers = *given;
        if (std::find(finalizers.begin(), finalizers.end(), Json("kubernetes")) == finalizers.end())
            finalizers.push_back("kubernetes");
        object["spec"] = {{"finalizers", std::move(finalizers)}};
        object["status"] = {{"phase", "Active"}};
    };
    t.prepareForUpdate = [](Json &object, const Json &old) {
        if (const Json *finalizers = find(old, {"spec", "finalizers"}))
            ensureObject(object, {"spec"})["finalizers"] = *finalizers;
        else if (object.contains("spec"))
            object["spec"].erase("finalizers");
    };
    t.defaults = [](Json &object) {
        ensureObject(object, {"metadata", "labels"})["kubernetes.io/metadata.name"] = str(object, {"metadata", "name"});
    };
    t.deletionPending = [](const Json &object) {
        const Json *finalizers = find(object, {"spec", "finalizers"});
        return finalizers && finalizers->is_array() && !finalizers->empty();
    };
    t.validate = validateNamespaceFinalizers;
    t.markDeleting = [](Json &object) { ensureObject(object, {"status"})["phase"] = "Terminating"; };
    t.selectableFields["status.phase"] = [](const Json &o) { return str(o, {"status", "phase"}); };
    registry.add(std::move(t));
}

} // namespace cd::api
