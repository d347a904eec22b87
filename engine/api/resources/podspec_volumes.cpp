// Volume validation (ValidateVolumes and validateVolumeSource in Kubernetes'
// pkg/apis/core/validation): unique DNS-label names and exactly one source with its own rules.
// The rules of the sources PersistentVolumes share come first (podspec.h).

#include "engine/api/resources/podspec_internal.h"

#include <algorithm>
#include <set>

namespace cd::api {

void validateHostPathVolumeSource(const Json &source, const FieldPath &path, FieldErrors &errors)
{
    const std::string hostPath = str(source, {"path"});
    if (hostPath.empty()) {
        errors.required(path.child("path"));
        return;
    }
    validatePathNoBacksteps(hostPath, path.child("path"), errors);
    static const std::vector<std::string> kTypes = {
        "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"};
    if (podspec::present(source, "type")) {
        const std::string type = str(source, {"type"});
        if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end())
            errors.notSupported(path.child("type"), type, kTypes);
    }
}

void validateNfsVolumeSource(const Json &source, const FieldPath &path, FieldErrors &errors)
{
    const std::string nfsPath = str(source, {"path"});
    if (str(source, {"server"}).empty())
        errors.required(path.child("server"));
    if (nfsPath.empty())
        errors.required(path.child("path"));
    if (nfsPath.rfind('/', 0) != 0)
        errors.invalid(path.child("path"), nfsPath, "must be an absolute path");
}

void validateCsiDriverName(const std::string &driver, const FieldPath &path, FieldErrors &errors)
{
    if (driver.empty())
        errors.required(path);
    if (driver.size() > 63)
        errors.tooLong(path, 63);
    std::string lower = driver;
    for (char &c : lower)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    errors.invalidEach(path, driver, names::dns1123Subdomain(lower));
}

} // namespace cd::api

namespace cd::api::podspec {
namespace {

void requireText(const Json &source, const char *key, const FieldPath &path, FieldErrors &errors,
                 const std::string &detail = {})
{
    if (str(source, {key}).empty())
        errors.required(path.child(key), detail);
}

void validateMode(const Json &object, const char *key, const FieldPath &path, FieldErrors &errors)
{
    if (auto mode = number(object, key); mode && (*mode > 0777 || *mode < 0))
        errors.invalid(path.child(key), *mode, kFileModeMessage);
}

void validateKeyToPath(const Json &item, const FieldPath &path, FieldErrors &errors)
{
    requireText(item, "key", path, errors);
    requireText(item, "path", path, errors);
    validateLocalNonReservedPath(str(item, {"path"}), path.child("path"), errors);
    validateMode(item, "mode", path, errors);
}

void validateItems(const Json &source, const FieldPath &path, FieldErrors &errors)
{
    const Json &items = arrayAt(source, "items");
    for (size_t i = 0; i < items.size(); ++i)
        validateKeyToPath(items[i], path.child("items").index(i), errors);
}

void validatePartition(const Json &source, const FieldPath &path, FieldErrors &errors)
{
    if (auto partition = number(source, "partition"); partition && (*partition < 0 || *partition > 255))
        errors.invalid(path.child("partition"), *partition, inclusiveRange(1, 255));
}

// A downward API file; Kubernetes reports its errors at the source's path, not the item's.
void validateDownwardApiFile(const Json &file, const FieldPath &path, FieldErrors &errors)
{
    requireText(file, "path", path, errors);
    validateLocalNonReservedPath(str(file, {"path"}), path.child("path"), errors);
    if (present(file, "fieldRef")) {
        validateObjectFieldSelector(file["fieldRef"], true, path.child("fieldRef"), errors);
        if (present(file, "resourceFieldRef"))
            errors.invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously");
    } else if (present(file, "resourceFieldRef")) {
        validateResourceFieldSelector(file["resourceFieldRef"], true, path.child("resourceFieldRef"), errors);
    } else {
        errors.required(path, "one of fieldRef and resourceFieldRef is required");
    }
    validateMode(file, "mode", path, errors);
}

void validateProjectedSources(const Json &projected, const FieldPath &path, FieldErrors &errors)
{
    std::set<std::string> paths;
    const Json &sources = arrayAt(projected, "sources");
    for (size_t i = 0; i < sources.size(); ++i) {
        const Json &source = sources[i];
        const FieldPath sourcePath = path.child("sources").index(i);
        int count = 0;
        for (const char *kind : {"secret", "configMap"}) {
            if (!present(source, kind))
                continue;
            ++count;
            const Json &object = source[kind];
            const FieldPath kindPath = sourcePath.child(kind);
            requireText(object, "name", kindPath, errors);
            const Json &items = arrayAt(object, "items");
            for (size_t k = 0; k < items.size(); ++k) {
                validateKeyToPath(items[k], kindPath.child("items").index(k), errors);
                const std::string itemPath = str(items[k], {"path"});
                if (!itemPath.empty() && !paths.insert(itemPath).second)
                    errors.invalid(path, str(object, {"name"}), "conflicting duplicate paths");
            }
        }
        if (present(source, "downwardAPI")) {
            ++count;
            for (const Json &file : arrayAt(source["downwardAPI"], "items")) {
                validateDownwardApiFile(file, sourcePath.child("downwardAPI"), errors);
                const std::string filePath = str(file, {"path"});
                if (!filePath.empty() && !paths.insert(filePath).second)
                    errors.invalid(path, filePath, "conflicting duplicate paths");
            }
        }
        if (present(source, "serviceAccountToken")) {
            ++count;
            const Json &token = source["serviceAccountToken"];
            const FieldPath tokenPath = sourcePath.child("serviceAccountToken");
            const long long expiration = number(token, "expirationSeconds").value_or(0);
            if (expiration < 10 * 60)
                errors.invalid(tokenPath.child("expirationSeconds"), expiration,
                               "may not specify a duration less than 10 minutes");
            if (expiration > (1LL << 32))
                errors.invalid(tokenPath.child("expirationSeconds"), expiration,
                               "may not specify a duration larger than 2^32 seconds");
            if (str(token, {"path"}).empty())
                errors.required(path.child("path"));
            else
                validateLocalNonReservedPath(str(token, {"path"}), path.child("path"), errors);
        }
        if (present(source, "clusterTrustBundle")) {
            ++count;
            const Json &bundle = source["clusterTrustBundle"];
            const FieldPath bundlePath = sourcePath.child("clusterTrustBundle");
            const bool byName = present(bundle, "name");
            const bool bySigner = present(bundle, "signerName");
            if (byName && bySigner)
                errors.invalid(bundlePath, bundle, "only one of name and signerName may be used");
            else if (!byName && !bySigner)
                errors.required(bundlePath, "either name or signerName must be specified");
            requireText(bundle, "path", bundlePath, errors);
            validateLocalNonReservedPath(str(bundle, {"path"}), bundlePath.child("path"), errors);
            if (!paths.insert(str(bundle, {"path"})).second)
                errors.invalid(path, str(bundle, {"path"}), "conflicting duplicate paths");
        }
        if (count > 1)
            errors.forbidden(sourcePath, "may not specify more than 1 volume type per source");
    }
}

void validateEphemeral(const Json &source, const FieldPath &path, FieldErrors &errors)
{
    if (!present(source, "volumeClaimTemplate")) {
        errors.required(path.child("volumeClaimTemplate"));
        return;
    }
    // Only the basics of a claim spec; the PersistentVolumeClaim kind owns the full rules.
    const Json &spec = objectAt(source["volumeClaimTemplate"], "spec");
    const FieldPath specPath = path.child("volumeClaimTemplate").child("spec");
    if (arrayAt(spec, "accessModes").empty())
        errors.required(specPath.child("accessModes"), "at least 1 access mode is required");
    if (!present(objectAt(objectAt(spec, "resources"), "requests"), "storage"))
        errors.required(specPath.child("resources").key("storage"));
}

// One volume source kind: its JSON key, the path Kubernetes names when it is one too many, and
// the path its own rules report under (the two differ for a few historical kinds).
struct SourceKind {
    const char *key;
    const char *extraPath;
    const char *rulesPath;
    void (*validate)(const Json &source, const FieldPath &path, FieldErrors &errors);
};

const SourceKind kSourceKinds[] = {
    {"emptyDir", "emptyDir", "emptyDir",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         if (present(s, "sizeLimit")) {
             auto q = quantityOf(s["sizeLimit"]);
             if (!q)
                 e.invalid(p.child("sizeLimit"), s["sizeLimit"], Quantity::syntaxMessage());
             else if (q->isNegative())
                 e.forbidden(p.child("sizeLimit"), "SizeLimit field must be a valid resource quantity");
         }
     }},
    {"hostPath", "hostPath", "hostPath", validateHostPathVolumeSource},
    {"gitRepo", "gitRepo", "gitRepo",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         requireText(s, "repository", p, e);
         validateLocalDescendingPath(str(s, {"directory"}), p.child("directory"), e);
     }},
    {"gcePersistentDisk", "gcePersistentDisk", "persistentDisk",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         requireText(s, "pdName", p, e);
         validatePartition(s, p, e);
     }},
    {"awsElasticBlockStore", "awsElasticBlockStore", "awsElasticBlockStore",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         requireText(s, "volumeID", p, e);
         validatePartition(s, p, e);
     }},
    {"secret", "secret", "secret",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         requireText(s, "secretName", p, e);
         validateMode(s, "defaultMode", p, e);
         validateItems(s, p, e);
     }},
    {"nfs", "nfs", "nfs", validateNfsVolumeSource},
    {"iscsi", "iscsi", "iscsi",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         requireText(s, "targetPortal", p, e);
         const std::string iqn = str(s, {"iqn"});
         if (iqn.empty())
             e.required(p.child("iqn"));
         else if (iqn.rfind("iqn", 0) != 0 && iqn.rfind("eui", 0) != 0 && iqn.rfind("naa", 0) != 0)
             e.invalid(p.child("iqn"), iqn, "must be valid format starting with iqn, eui, or naa");
         if (auto lun = number(s, "lun"); lun && (*lun < 0 || *lun > 255))
             e.invalid(p.child("lun"), *lun, inclusiveRange(0, 255));
         if ((boolean(s, {"chapAuthDiscovery"}) || boolean(s, {"chapAuthSession"})) && !present(s, "secretRef"))
             e.required(p.child("secretRef"));
     }},
    {"glusterfs", "glusterfs", "glusterfs",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         requireText(s, "endpoints", p, e);
         requireText(s, "path", p, e);
     }},
    {"flocker", "flocker", "flocker",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         const std::string name = str(s, {"datasetName"});
         const std::string uuid = str(s, {"datasetUUID"});
         if (name.empty() && uuid.empty())
             e.required(p, "one of datasetName and datasetUUID is required");
         if (!name.empty() && !uuid.empty())
             e.invalid(p, "resource", "datasetName and datasetUUID can not be specified simultaneously");
         if (name.find('/') != std::string::npos)
             e.invalid(p.child("datasetName"), name, "must not contain '/'");
     }},
    {"persistentVolumeClaim", "persistentVolumeClaim", "persistentVolumeClaim",
     [](const Json &s, const FieldPath &p, FieldErrors &e) { requireText(s, "claimName", p, e); }},
    {"rbd", "rbd", "rbd",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         if (arrayAt(s, "monitors").empty())
             e.required(p.child("monitors"));
         requireText(s, "image", p, e);
     }},
    {"cinder", "cinder", "cinder",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         requireText(s, "volumeID", p, e);
         if (present(s, "secretRef") && str(s["secretRef"], {"name"}).empty())
             e.required(p.child("secretRef").child("name"));
     }},
    {"cephfs", "cephFS", "cephfs",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         if (arrayAt(s, "monitors").empty())
             e.required(p.child("monitors"));
     }},
    {"quobyte", "quobyte", "quobyte",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         if (str(s, {"registry"}).empty())
             e.required(p.child("registry"), "must be a host:port pair or multiple pairs separated by commas");
         requireText(s, "volume", p, e);
     }},
    {"downwardAPI", "downwarAPI" /* sic: Kubernetes' own spelling */, "downwardAPI",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         validateMode(s, "defaultMode", p, e);
         for (const Json &file : arrayAt(s, "items"))
             validateDownwardApiFile(file, p, e);
     }},
    {"fc", "fc", "fc",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         const Json &wwns = arrayAt(s, "targetWWNs");
         const Json &wwids = arrayAt(s, "wwids");
         if (wwns.empty() && wwids.empty())
             e.required(p.child("targetWWNs"), "must specify either targetWWNs or wwids, but not both");
         if (!wwns.empty() && !wwids.empty())
             e.invalid(p.child("targetWWNs"), wwns, "targetWWNs and wwids can not be specified simultaneously");
         if (!wwns.empty()) {
             if (!present(s, "lun"))
                 e.required(p.child("lun"), "lun is required if targetWWNs is specified");
             else if (auto lun = number(s, "lun"); lun && (*lun < 0 || *lun > 255))
                 e.invalid(p.child("lun"), *lun, inclusiveRange(0, 255));
         }
     }},
    {"flexVolume", "flexVolume", "flexVolume",
     [](const Json &s, const FieldPath &p, FieldErrors &e) { requireText(s, "driver", p, e); }},
    {"configMap", "configMap", "configMap",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         requireText(s, "name", p, e);
         validateMode(s, "defaultMode", p, e);
         validateItems(s, p, e);
     }},
    {"azureFile", "azureFile", "azureFile",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         requireText(s, "secretName", p, e);
         requireText(s, "shareName", p, e);
     }},
    {"vsphereVolume", "vsphereVolume", "vsphereVolume",
     [](const Json &s, const FieldPath &p, FieldErrors &e) { requireText(s, "volumePath", p, e); }},
    {"photonPersistentDisk", "photonPersistentDisk", "photonPersistentDisk",
     [](const Json &s, const FieldPath &p, FieldErrors &e) { requireText(s, "pdID", p, e); }},
    {"portworxVolume", "portworxVolume", "portworxVolume",
     [](const Json &s, const FieldPath &p, FieldErrors &e) { requireText(s, "volumeID", p, e); }},
    {"azureDisk", "azureDisk", "azureDisk",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         requireText(s, "diskName", p, e);
         requireText(s, "diskURI", p, e);
     }},
    {"storageos", "storageos", "storageos",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         const std::string name = str(s, {"volumeName"});
         if (name.empty())
             e.required(p.child("volumeName"));
         else
             e.invalidEach(p.child("volumeName"), name, names::dns1123Label(name));
         const std::string ns = str(s, {"volumeNamespace"});
         if (!ns.empty())
             e.invalidEach(p.child("volumeNamespace"), ns, names::dns1123Label(ns));
     }},
    {"projected", "projected", "projected",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         validateMode(s, "defaultMode", p, e);
         validateProjectedSources(s, p, e);
     }},
    {"scaleIO", "scaleIO", "scaleIO",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         requireText(s, "gateway", p, e);
         requireText(s, "system", p, e);
         requireText(s, "volumeName", p, e);
     }},
    {"csi", "csi", "csi",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         validateCsiDriverName(str(s, {"driver"}), p.child("driver"), e);
         if (present(s, "nodePublishSecretRef")) {
             const std::string name = str(s["nodePublishSecretRef"], {"name"});
             if (name.empty())
                 e.required(p.child("nodePublishSecretRef").child("name"));
             else
                 e.invalidEach(p.child("name"), name, names::dns1123Subdomain(name));
         }
     }},
    {"ephemeral", "ephemeral", "ephemeral", validateEphemeral},
    {"image", "image", "image",
     [](const Json &s, const FieldPath &p, FieldErrors &e) {
         const std::string policy = str(s, {"pullPolicy"});
         if (!policy.empty() && policy != "Always" && policy != "IfNotPresent" && policy != "Never")
             e.notSupported(p.child("pullPolicy"), policy, {"Always", "IfNotPresent", "Never"});
     }},
};

// Returns the kind of the (first) source, or "" when there is none.
std::string validateVolumeSource(const Json &volume, const SpecContext &context, const FieldPath &path,
                                 FieldErrors &errors)
{
    std::string kind;
    for (const SourceKind &source : kSourceKinds) {
        if (!present(volume, source.key))
            continue;
        if (!kind.empty()) {
            errors.forbidden(path.child(source.extraPath), "may not specify more than 1 volume type");
            continue;
        }
        kind = source.key;
        source.validate(volume[source.key], path.child(source.rulesPath), errors);
    }
    if (kind.empty())
        errors.required(path, "must specify a volume type");
    if (kind == "image" && context.resourceIsPod && str(volume["image"], {"reference"}).empty())
        errors.required(path.child("image").child("reference"));
    if (kind == "iscsi" && present(volume["iscsi"], "initiatorName") &&
        (str(volume, {"name"}) + ":" + str(volume["iscsi"], {"targetPortal"})).size() > 64)
        errors.invalid(path.child("name"), str(volume, {"name"}),
                       "Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if "
                       "iscsi.initiatorName is specified.");
    // The claim an ephemeral volume creates is named <pod>-<volume>: it must be a valid name too.
    if (kind == "ephemeral" && !context.podName.empty() && !str(volume, {"name"}).empty()) {
        const std::string claim = context.podName + "-" + str(volume, {"name"});
        for (const std::string &m : names::dns1123Subdomain(claim))
            errors.invalid(path.child("name"), str(volume, {"name"}), "PVC name \"" + claim + "\": " + m);
    }
    return kind;
}

} // namespace

VolumeKinds validateVolumes(const Json &volumes, const SpecContext &context, const FieldPath &path, FieldErrors &errors)
{
    VolumeKinds kinds;
    if (!volumes.is_array())
        return kinds;
    std::set<std::string> createdClaims;
    if (!context.podName.empty())
        for (const Json &volume : volumes)
            if (present(volume, "ephemeral"))
                createdClaims.insert(context.podName + "-" + str(volume, {"name"}));
    for (size_t i = 0; i < volumes.size(); ++i) {
        const Json &volume = volumes[i];
        const FieldPath at = path.index(i);
        const std::string name = str(volume, {"name"});
        FieldErrors own;
        const std::string kind = validateVolumeSource(volume, context, at, own);
        if (name.empty())
            own.required(at.child("name"));
        else
            own.invalidEach(at.child("name"), name, names::dns1123Label(name));
        if (kinds.count(name))
            own.duplicate(at.child("name"), name);
        // Only valid volumes can be mounted: a mount of a broken one reports "not found" too.
        if (own.empty())
            kinds[name] = kind;
        else
            errors.append(own);
        const std::string claim = str(objectAt(volume, "persistentVolumeClaim"), {"claimName"});
        if (!claim.empty() && createdClaims.count(claim))
            errors.invalid(at.child("persistentVolumeClaim").child("claimName"), claim,
                           "must not reference a PVC that gets created for an ephemeral volume");
    }
    return kinds;
}

} // namespace cd::api::podspec
