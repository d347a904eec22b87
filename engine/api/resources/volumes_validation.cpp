// PersistentVolume validation with Kubernetes v1.32's rules and wording
// (ValidatePersistentVolumeSpec, ValidatePersistentVolumeUpdate): capacity, access modes,
// exactly one volume source, reclaim policy, node affinity.

#include "engine/api/resources/corekinds.h"
#include "engine/api/resources/podspec.h"
#include "engine/api/resources/volumes.h"
#include "engine/core/names.h"

#include <algorithm>
#include <set>

namespace cd::api {
namespace {

using namespace corekinds;

const FieldPath kSpec("spec");

// The volume sources of a PersistentVolume, in the order Kubernetes checks them; the second
// names the path Kubernetes uses in "more than 1 volume type" errors.
struct Source {
    const char *key;
    const char *errorName;
};
const Source kSources[] = {
    {"hostPath", "hostPath"},
    {"gcePersistentDisk", "gcePersistentDisk"},
    {"awsElasticBlockStore", "awsElasticBlockStore"},
    {"glusterfs", "glusterfs"},
    {"flocker", "flocker"},
    {"nfs", "nfs"},
    {"rbd", "rbd"},
    {"quobyte", "quobyte"},
    {"cephfs", "cephFS"},
    {"iscsi", "iscsi"},
    {"cinder", "cinder"},
    {"fc", "fc"},
    {"flexVolume", "flexVolume"},
    {"azureFile", "azureFile"},
    {"vsphereVolume", "vsphereVolume"},
    {"photonPersistentDisk", "photonPersistentDisk"},
    {"portworxVolume", "portworxVolume"},
    {"azureDisk", "azureDisk"},
    {"scaleIO", "scaleIO"},
    {"local", "local"},
    {"storageos", "storageos"},
    {"csi", "csi"},
};

void validateSecretReference(const Json &ref, const FieldPath &path, FieldErrors &errors)
{
    const std::string name = str(ref, {"name"}), ns = str(ref, {"namespace"});
    if (name.empty())
        errors.required(path.child("name"));
    else
        errors.invalidEach(path.child("name"), name, names::dns1123Subdomain(name));
    if (ns.empty())
        errors.required(path.child("namespace"));
    else
        errors.invalidEach(path.child("namespace"), ns, names::dns1123Label(ns));
}

void validateCsi(const Json &csi, const FieldPath &path, FieldErrors &errors)
{
    validateCsiDriverName(str(csi, {"driver"}), path.child("driver"), errors);
    if (str(csi, {"volumeHandle"}).empty())
        errors.required(path.child("volumeHandle"));
    for (const char *ref :
         {"controllerPublishSecretRef", "controllerExpandSecretRef", "nodePublishSecretRef", "nodeExpandSecretRef"})
        if (const Json *r = find(csi, {ref}); r && r->is_object())
            validateSecretReference(*r, path.child(ref), errors);
}

void validateSource(const char *key, const Json &source, const FieldPath &path, FieldErrors &errors)
{
    const std::string k = key;
    if (k == "hostPath") {
        validateHostPathVolumeSource(source, path, errors);
    } else if (k == "local") {
        const std::string localPath = str(source, {"path"});
        if (localPath.empty())
            errors.required(path.child("path"));
        else
            validatePathNoBacksteps(localPath, path.child("path"), errors);
    } else if (k == "nfs") {
        validateNfsVolumeSource(source, path, errors);
    } else if (k == "csi") {
        validateCsi(source, path, errors);
    }
}

} // namespace

std::string immutableDiff(const std::string &goType, const Json &before, const Json &after)
{
    std::string out = "  " + goType + "{\n";
    std::set<std::string> keys;
    for (const Json *o : {&before, &after})
        if (o->is_object())
            for (auto it = o->begin(); it != o->end(); ++it)
                keys.insert(it.key());
    for (const std::string &key : keys) {
        const Json &b = before.is_object() && before.contains(key) ? before[key] : Json();
        const Json &a = after.is_object() && after.contains(key) ? after[key] : Json();
        if (a == b)
            continue;
        if (!b.is_null())
            out += "- \t" + key + ": " + dump(b) + ",\n";
        if (!a.is_null())
            out += "+ \t" + key + ": " + dump(a) + ",\n";
    }
    return out + "  }\n";
}

void validateAccessModes(const Json &spec, const FieldPath &path, const std::string &requiredDetail,
                         FieldErrors &errors)
{
    const Json &modes = arrayAt(spec, {"accessModes"});
    if (modes.empty())
        errors.required(path, requiredDetail);
    static const std::vector<std::string> supported = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
                                                       "ReadWriteOncePod"};
    bool oncePod = false, others = false;
    for (const Json &mode : modes) {
        const std::string m = mode.is_string() ? mode.get<std::string>() : mode.dump();
        const bool known = std::find(supported.begin(), supported.end(), m) != supported.end();
        if (!known)
            errors.notSupported(path, mode, supported);
        if (m == "ReadWriteOncePod")
            oncePod = true;
        else if (known)
            others = true;
    }
    if (oncePod && others)
        errors.forbidden(path, "may not use ReadWriteOncePod with other access modes");
}

void validatePersistentVolume(const Json &volume, FieldErrors &errors)
{
    const Json &spec = objectAt(volume, {"spec"});
    validateAccessModes(spec, kSpec.child("accessModes"), "", errors);

    const Json &capacity = objectAt(spec, {"capacity"});
    const FieldPath capacityPath = kSpec.child("capacity");
    if (capacity.empty())
        errors.required(capacityPath);
    if (!capacity.contains("storage") || capacity.size() > 1)
        errors.notSupported(capacityPath, capacity, {"storage"});
    for (auto it = capacity.begin(); it != capacity.end(); ++it) {
        const FieldPath path = capacityPath.key(it.key());
        auto q = quantityAt(it.value(), path, errors);
        if (!q)
            continue;
        if (q->value() < 0)
            errors.invalid(path, q->value(), "must be a valid resource quantity");
        if (q->isNegative() || q->isZero())
            errors.invalid(path, q->toString(), "must be greater than zero");
    }

    const std::string reclaim = str(spec, {"persistentVolumeReclaimPolicy"});
    if (!reclaim.empty() && reclaim != "Delete" && reclaim != "Recycle" && reclaim != "Retain")
        errors.notSupported(kSpec.child("persistentVolumeReclaimPolicy"), reclaim, {"Delete", "Recycle", "Retain"});

    bool nodeAffinity = false;
    if (const Json *affinity = find(spec, {"nodeAffinity"}); affinity && !affinity->is_null()) {
        nodeAffinity = true;
        const Json *required = find(*affinity, {"required"});
        if (!required || required->is_null())
            errors.required(kSpec.child("nodeAffinity").child("required"), "must specify required node constraints");
        else
            validateNodeSelector(*required, kSpec.child("nodeAffinity").child("required"), errors);
    }

    int sources = 0;
    for (const Source &source : kSources) {
        const Json *value = find(spec, {source.key});
        if (!value || value->is_null())
            continue;
        // Kubernetes counts flexVolume without the "more than 1" check.
        if (sources > 0 && std::string(source.key) != "flexVolume") {
            errors.forbidden(kSpec.child(source.errorName), "may not specify more than 1 volume type");
            continue;
        }
        ++sources;
        validateSource(source.key, *value, kSpec.child(source.key), errors);
        if (std::string(source.key) == "local" && !nodeAffinity)
            errors.required(kSpec.child("nodeAffinity"), "Local volume requires node affinity");
    }
    if (sources == 0)
        errors.required(kSpec, "must specify a volume type");

    std::string hostPath = str(spec, {"hostPath", "path"});
    while (hostPath.size() > 1 && hostPath.back() == '/')
        hostPath.pop_back();
    if (find(spec, {"hostPath"}) && hostPath == "/" && reclaim == "Recycle")
        errors.forbidden(kSpec.child("persistentVolumeReclaimPolicy"),
                         "may not be 'recycle' for a hostPath mount of '/'");

    if (const std::string cls = str(spec, {"storageClassName"}); !cls.empty())
        errors.invalidEach(kSpec.child("storageClassName"), cls, names::dns1123Subdomain(cls));
    if (const Json *mode = find(spec, {"volumeMode"}); mode && !mode->is_null())
        if (*mode != "Block" && *mode != "Filesystem")
            errors.notSupported(kSpec.child("volumeMode"), *mode, {"Block", "Filesystem"});
}

void validatePersistentVolumeUpdate(const Json &volume, const Json &old, FieldErrors &errors)
{
    Json source = Json::object(), oldSource = Json::object();
    for (const Source &s : kSources) {
        if (const Json *v = find(volume, {"spec", s.key}))
            source[s.key] = *v;
        if (const Json *v = find(old, {"spec", s.key}))
            oldSource[s.key] = *v;
    }
    // A CSI volume may gain a controllerExpandSecretRef after creation.
    if (source.contains("csi") && oldSource.contains("csi") && !oldSource["csi"].contains("controllerExpandSecretRef"))
        source["csi"].erase("controllerExpandSecretRef");
    if (source != oldSource)
        errors.forbidden(kSpec.child("persistentvolumesource"),
                         "spec.persistentvolumesource is immutable after creation\n" +
                             immutableDiff("core.PersistentVolumeSource", oldSource, source));
    // Kubernetes names these two paths without "spec.".
    const Json &mode = at(volume, {"spec", "volumeMode"});
    if (mode != at(old, {"spec", "volumeMode"}))
        errors.invalid(FieldPath("volumeMode"), mode, "field is immutable");
    const Json &affinity = at(old, {"spec", "nodeAffinity"});
    if (!affinity.is_null() && at(volume, {"spec", "nodeAffinity"}) != affinity)
        errors.invalid(FieldPath("nodeAffinity"), at(volume, {"spec", "nodeAffinity"}),
                       "field is immutable, except for updating from beta label to GA");
}

} // namespace cd::api
