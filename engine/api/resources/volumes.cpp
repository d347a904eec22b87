// PersistentVolume and PersistentVolumeClaim: Kubernetes v1.32's defaults (reclaim policy
// Retain, volumeMode Filesystem, phase Pending), strategies and the claim's rules: a storage
// request, access modes, and a spec that is immutable after creation except for expansion.

#include "engine/api/resources/volumes.h"
#include "engine/api/resources/corekinds.h"
#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"
#include "engine/core/names.h"

namespace cd::api {
namespace {

using namespace corekinds;

const FieldPath kSpec("spec");
const char *kBetaStorageClass = "volume.beta.kubernetes.io/storage-class";

void defaultPersistentVolume(Json &volume)
{
    Json &spec = ensureObject(volume, {"spec"});
    if (str(spec, {"persistentVolumeReclaimPolicy"}).empty())
        spec["persistentVolumeReclaimPolicy"] = "Retain";
    if (!find(spec, {"volumeMode"}) || spec["volumeMode"].is_null())
        spec["volumeMode"] = "Filesystem";
    if (Json *hostPath = find(spec, {"hostPath"}); hostPath && hostPath->is_object() && !hostPath->contains("type"))
        (*hostPath)["type"] = "";
    canonicalizeResourceList(find(spec, {"capacity"}));
    if (str(volume, {"status", "phase"}).empty())
        ensureObject(volume, {"status"})["phase"] = "Pending";
}

void defaultPersistentVolumeClaim(Json &claim)
{
    Json &spec = ensureObject(claim, {"spec"});
    if (!find(spec, {"volumeMode"}) || spec["volumeMode"].is_null())
        spec["volumeMode"] = "Filesystem";
    canonicalizeResourceList(find(spec, {"resources", "requests"}));
    canonicalizeResourceList(find(spec, {"resources", "limits"}));
    if (str(claim, {"status", "phase"}).empty())
        ensureObject(claim, {"status"})["phase"] = "Pending";
}

// NormalizeDataSources: dataSource and dataSourceRef mirror each other when only one is set
// (dataSourceRef only when it names no other namespace).
void normalizeDataSources(Json &claim)
{
    Json &spec = ensureObject(claim, {"spec"});
    const bool hasSource = !isEmptyValue(find(spec, {"dataSource"}));
    const bool hasRef = !isEmptyValue(find(spec, {"dataSourceRef"}));
    if (hasSource && !hasRef) {
        spec["dataSourceRef"] = spec["dataSource"];
    } else if (hasRef && !hasSource && str(spec, {"dataSourceRef", "namespace"}).empty()) {
        Json source = spec["dataSourceRef"];
        source.erase("namespace");
        spec["dataSource"] = std::move(source);
    }
}

void validateDataSource(const Json &source, const FieldPath &path, bool reference, FieldErrors &errors)
{
    const std::string kind = str(source, {"kind"}), group = str(source, {"apiGroup"});
    if (str(source, {"name"}).empty())
        errors.required(path.child("name"));
    if (kind.empty())
        errors.required(path.child("kind"));
    if (group.empty() && kind != "PersistentVolumeClaim")
        errors.invalid(path, kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup");
    if (!group.empty())
        errors.invalidEach(path.child("apiGroup"), group, names::dns1123Subdomain(group));
    if (reference)
        if (const std::string ns = str(source, {"namespace"}); !ns.empty())
            errors.invalidEach(path.child("namespace"), ns, names::dns1123Label(ns));
}

void validateClaimSpec(const Json &spec, FieldErrors &errors)
{
    validateAccessModes(spec, kSpec.child("accessModes"), "at least 1 access mode is required", errors);
    if (const Json *selector = find(spec, {"selector"}); selector && !selector->is_null())
        validateLabelSelector(*selector, kSpec.child("selector"), errors);

    // Kubernetes reports the storage request at "spec.resources[storage]".
    const FieldPath storagePath = kSpec.child("resources").key("storage");
    const Json *storage = find(spec, {"resources", "requests", "storage"});
    if (!storage) {
        errors.required(storagePath);
    } else if (auto q = quantityAt(*storage, kSpec.child("resources").child("requests").key("storage"), errors)) {
        if (q->isNegative() || q->isZero())
            errors.invalid(storagePath, q->toString(), "must be greater than zero");
    }
    if (const std::string cls = str(spec, {"storageClassName"}); !cls.empty())
        errors.invalidEach(kSpec.child("storageClassName"), cls, names::dns1123Subdomain(cls));
    if (const Json *mode = find(spec, {"volumeMode"}); mode && !mode->is_null())
        if (*mode != "Block" && *mode != "Filesystem")
            errors.notSupported(kSpec.child("volumeMode"), *mode, {"Block", "Filesystem"});

    const Json *source = find(spec, {"dataSource"});
    const Json *ref = find(spec, {"dataSourceRef"});
    const bool hasSource = !isEmptyValue(source), hasRef = !isEmptyValue(ref);
    if (hasSource)
        validateDataSource(*source, kSpec.child("dataSource"), false, errors);
    if (hasRef)
        validateDataSource(*ref, kSpec.child("dataSourceRef"), true, errors);
    // These two name a path, which Go prints bare.
    if (hasRef && !str(*ref, {"namespace"}).empty()) {
        if (hasSource)
            errors.invalidPrinted(kSpec, "spec.dataSource",
                           "may not be specified when dataSourceRef.namespace is specified");
    } else if (hasSource && hasRef) {
        if (str(*source, {"apiGroup"}) != str(*ref, {"apiGroup"}) || str(*source, {"kind"}) != str(*ref, {"kind"}) ||
            str(*source, {"name"}) != str(*ref, {"name"}))
            errors.invalidPrinted(kSpec, "spec.dataSource", "must match dataSourceRef");
    }
}

void validateClaimUpdate(const Json &claim, const Json &old, FieldErrors &errors)
{
    Json spec = objectAt(claim, {"spec"});
    Json oldSpec = objectAt(old, {"spec"});
    // The volume binder sets volumeName once.
    if (str(oldSpec, {"volumeName"}).empty()) {
        if (spec.contains("volumeName"))
            oldSpec["volumeName"] = spec["volumeName"];
        else
            oldSpec.erase("volumeName");
    }
    // storageClassName may take over the beta annotation's value, or be set where it was nil.
    const auto annotations = stringMap(claim, {"metadata", "annotations"});
    const auto oldAnnotations = stringMap(old, {"metadata", "annotations"});
    const auto oldAnnotation = oldAnnotations.find(kBetaStorageClass);
    const auto newAnnotation = annotations.find(kBetaStorageClass);
    const Json *cls = find(spec, {"storageClassName"});
    const bool oldClassNil = !find(oldSpec, {"storageClassName"}) || oldSpec["storageClassName"].is_null();
    const bool newClassSet = cls && cls->is_string();
    if (oldAnnotation != oldAnnotations.end() && oldClassNil && newClassSet && *cls == oldAnnotation->second &&
        (newAnnotation == annotations.end() || newAnnotation->second == oldAnnotation->second)) {
        spec.erase("storageClassName");
    } else {
        const std::string now = newAnnotation == annotations.end() ? "" : newAnnotation->second;
        const std::string before = oldAnnotation == oldAnnotations.end() ? "" : oldAnnotation->second;
        if (now != before)
            errors.invalid(FieldPath("metadata").child("annotations").child(kBetaStorageClass), now,
                           "field is immutable");
        if (newClassSet && oldClassNil && (oldAnnotation == oldAnnotations.end() || *cls == oldAnnotation->second))
            spec.erase("storageClassName");
    }
    // A bound claim may be expanded and change its volume attributes class.
    const bool bound = str(claim, {"status", "phase"}) == "Bound";
    if (bound && find(spec, {"resources", "requests"})) {
        if (const Json *previous = find(oldSpec, {"resources", "requests", "storage"}))
            spec["resources"]["requests"]["storage"] = *previous;
        else
            spec["resources"]["requests"].erase("storage");
    }
    if (bound && spec.contains("volumeAttributesClassName")) {
        if (oldSpec.contains("volumeAttributesClassName"))
            spec["volumeAttributesClassName"] = oldSpec["volumeAttributesClassName"];
        else
            spec.erase("volumeAttributesClassName");
    }
    if (spec != oldSpec)
        errors.forbidden(kSpec, "spec is immutable after creation except resources.requests and "
                                "volumeAttributesClassName for bound claims\n" +
                                    immutableDiff("core.PersistentVolumeClaimSpec", oldSpec, spec));

    // Shrinking is allowed only to recover from a failed expansion, never below the capacity.
    auto size = [](const Json &object, std::initializer_list<std::string_view> path) {
        const Json *v = find(object, path);
        auto q = v ? Quantity::fromJson(*v) : Result<Quantity>(Quantity());
        return q.ok() ? *q : Quantity();
    };
    const Quantity newSize = size(claim, {"spec", "resources", "requests", "storage"});
    const Quantity oldSize = size(old, {"spec", "resources", "requests", "storage"});
    const Quantity capacity = size(old, {"status", "capacity", "storage"});
    if (newSize < oldSize && newSize <= capacity)
        errors.forbidden(kSpec.child("resources").child("requests").child("storage"),
                         "field can not be less than status.capacity");
    const Json &mode = at(claim, {"spec", "volumeMode"});
    if (mode != at(old, {"spec", "volumeMode"}))
        errors.invalid(FieldPath("volumeMode"), mode, "field is immutable"); // sic: no "spec."
}

} // namespace

void registerVolumes(Registry &registry)
{
    {
        ResourceType t;
        t.kind = "PersistentVolume";
        t.plural = "persistentvolumes";
        t.singular = "persistentvolume";
        t.shortNames = {"pv"};
        t.namespaced = false;
        t.statusSubresource = true;
        t.generation = false;
        t.defaults = defaultPersistentVolume;
        t.prepareForCreate = [](Json &volume) {
            volume["status"] = {{"phase", "Pending"}, {"lastPhaseTransitionTime", nowRfc3339()}};
        };
        t.validate = validatePersistentVolume;
        t.validateUpdate = validatePersistentVolumeUpdate;
        t.selectableFields["name"] = [](const Json &o) { return str(o, {"metadata", "name"}); };
        registry.add(std::move(t));
    }
    {
        ResourceType t;
        t.kind = "PersistentVolumeClaim";
        t.plural = "persistentvolumeclaims";
        t.singular = "persistentvolumeclaim";
        t.shortNames = {"pvc"};
        t.statusSubresource = true;
        t.generation = false;
        t.defaults = defaultPersistentVolumeClaim;
        t.prepareForCreate = [](Json &claim) {
            claim["status"] = Json::object();
            normalizeDataSources(claim);
        };
        t.prepareForUpdate = [](Json &claim, const Json &) { normalizeDataSources(claim); };
        t.validate = [](const Json &claim, FieldErrors &errors) {
            validateClaimSpec(objectAt(claim, {"spec"}), errors);
        };
        t.validateUpdate = validateClaimUpdate;
        t.selectableFields["name"] = [](const Json &o) { return str(o, {"metadata", "name"}); };
        registry.add(std::move(t));
    }
}

} // namespace cd::api
