#include "engine/api/admission/defaultstorageclass.h"

#include "engine/api/context.h"
#include "engine/core/clock.h"

namespace cd::api {
namespace {

bool isDefault(const Json &storageClass)
{
    return str(storageClass, {"metadata", "annotations", "storageclass.kubernetes.io/is-default-class"}) == "true" ||
           str(storageClass, {"metadata", "annotations", "storageclass.beta.kubernetes.io/is-default-class"}) ==
               "true";
}

} // namespace

std::string DefaultStorageClass::defaultClass() const
{
    const ResourceType *classes = m_context.registry().find("storage.k8s.io", "v1", "storageclasses");
    if (!classes)
        return {};
    // The newest default wins; among equally new ones, the first by name.
    std::string chosen;
    TimePoint chosenTime{};
    for (const StoredObject &c : m_context.loadAll(*classes, "")) {
        if (!isDefault(c.object))
            continue;
        const TimePoint created = parseRfc3339(str(c.object, {"metadata", "creationTimestamp"})).value_or(TimePoint{});
        if (chosen.empty() || created > chosenTime) {
            chosen = c.name();
            chosenTime = created;
        }
    }
    return chosen;
}

Status DefaultStorageClass::admit(AdmissionRequest &request)
{
    const ResourceType &type = *request.type;
    if (request.operation != Operation::Create || !request.object || !request.subresource.empty() ||
        !type.group.empty() || type.kind != "PersistentVolumeClaim")
        return {};
    Json &claim = *request.object;
    // A class asked for, even "" (no class at all), is kept.
    if (find(claim, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"}))
        return {};
    if (const Json *cls = find(claim, {"spec", "storageClassName"}); cls && !cls->is_null())
        return {};
    const std::string name = defaultClass();
    if (!name.empty())
        ensureObject(claim, {"spec"})["storageClassName"] = name;
    return {};
}

} // namespace cd::api
