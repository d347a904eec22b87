#include "engine/api/resources/resources.h"

namespace cd::api {

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
        // is empty; only /finalize changes spec.finalizers afterwards.
        object["spec"] = {{"finalizers", Json::array({"kubernetes"})}};
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
    t.markDeleting = [](Json &object) { ensureObject(object, {"status"})["phase"] = "Terminating"; };
    t.selectableFields["status.phase"] = [](const Json &o) { return str(o, {"status", "phase"}); };
    registry.add(std::move(t));
}

} // namespace cd::api
