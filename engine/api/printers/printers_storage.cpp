// Storage: PersistentVolumes, PersistentVolumeClaims and StorageClasses (printPersistentVolume,
// printPersistentVolumeClaim, printStorageClass).

#include "engine/api/printers/cells.h"
#include "engine/api/printers/printer.h"

namespace cd::api::printing {
namespace {

// The beta annotation still wins over spec.storageClassName, as helper.GetPersistentVolumeClass says.
std::string storageClassOf(const Json &object)
{
    const auto annotations = stringMap(object, {"metadata", "annotations"});
    if (auto it = annotations.find("volume.beta.kubernetes.io/storage-class"); it != annotations.end())
        return it->second;
    return str(object, {"spec", "storageClassName"});
}

std::string orUnset(const Json &object, std::initializer_list<std::string_view> path)
{
    return has(object, path) ? str(object, path) : "<unset>";
}

Json persistentVolumeCells(const Json &volume)
{
    std::string claim;
    if (has(volume, {"spec", "claimRef"}))
        claim = str(volume, {"spec", "claimRef", "namespace"}) + "/" + str(volume, {"spec", "claimRef", "name"});
    const std::string phase =
        has(volume, {"metadata", "deletionTimestamp"}) ? "Terminating" : str(volume, {"status", "phase"});
    return Json::array({str(volume, {"metadata", "name"}),
                        quantityText(find(volume, {"spec", "capacity", "storage"})),
                        accessModesText(find(volume, {"spec", "accessModes"})),
                        str(volume, {"spec", "persistentVolumeReclaimPolicy"}),
                        phase,
                        claim,
                        storageClassOf(volume),
                        orUnset(volume, {"spec", "volumeAttributesClassName"}),
                        str(volume, {"status", "reason"}),
                        age(volume),
                        orUnset(volume, {"spec", "volumeMode"})});
}

// Capacity and access modes are the bound volume's, so they stay empty until the claim is bound.
Json persistentVolumeClaimCells(const Json &claim)
{
    const std::string phase =
        has(claim, {"metadata", "deletionTimestamp"}) ? "Terminating" : str(claim, {"status", "phase"});
    const std::string volumeName = str(claim, {"spec", "volumeName"});
    std::string capacity, accessModes;
    if (!volumeName.empty()) {
        accessModes = accessModesText(find(claim, {"status", "accessModes"}));
        capacity = quantityText(find(claim, {"status", "capacity", "storage"}));
    }
    return Json::array({str(claim, {"metadata", "name"}),
                        phase,
                        volumeName,
                        capacity,
                        accessModes,
                        storageClassOf(claim),
                        orUnset(claim, {"spec", "volumeAttributesClassName"}),
                        age(claim),
                        orUnset(claim, {"spec", "volumeMode"})});
}

bool isDefaultClass(const Json &storageClass)
{
    const auto annotations = stringMap(storageClass, {"metadata", "annotations"});
    for (const char *key : {"storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"})
        if (auto it = annotations.find(key); it != annotations.end() && it->second == "true")
            return true;
    return false;
}

Json storageClassCells(const Json &storageClass)
{
    std::string name = str(storageClass, {"metadata", "name"});
    if (isDefaultClass(storageClass))
        name += " (default)";
    const std::string reclaimPolicy = has(storageClass, {"reclaimPolicy"}) ? str(storageClass, {"reclaimPolicy"}) : "Delete";
    const std::string bindingMode =
        has(storageClass, {"volumeBindingMode"}) ? str(storageClass, {"volumeBindingMode"}) : "Immediate";
    return Json::array({name,
                        str(storageClass, {"provisioner"}),
                        reclaimPolicy,
                        bindingMode,
                        boolean(storageClass, {"allowVolumeExpansion"}),
                        age(storageClass)});
}

} // namespace

Printers storagePrinters()
{
    return {
        {"",
         "PersistentVolume",
         {nameColumn(),
          column("Capacity", "string", "The capacity of the volume."),
          column("Access Modes", "string", "The ways the volume can be mounted."),
          column("Reclaim Policy", "string", "What happens to the volume when its claim is released."),
          column("Status", "string", "The phase of the volume."),
          column("Claim", "string", "The claim bound to the volume."),
          column("StorageClass", "string", "StorageClass of the pv"),
          column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
          column("Reason", "string", "Why the volume is in its phase, when it failed."),
          ageColumn(),
          wideColumn("VolumeMode", "string", "Whether the volume is a filesystem or a raw block device.")},
         persistentVolumeCells},
        {"",
         "PersistentVolumeClaim",
         {nameColumn(),
          column("Status", "string", "The phase of the claim."),
          column("Volume", "string", "The volume bound to the claim."),
          column("Capacity", "string", "The capacity of the bound volume."),
          column("Access Modes", "string", "The access modes of the bound volume."),
          column("StorageClass", "string", "StorageClass of the pvc"),
          column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
          ageColumn(),
          wideColumn("VolumeMode", "string", "Whether the claim wants a filesystem or a raw block device.")},
         persistentVolumeClaimCells},
        {"storage.k8s.io",
         "StorageClass",
         {nameColumn(),
          column("Provisioner", "string", "The volume plugin that provisions volumes of this class."),
          column("ReclaimPolicy", "string", "The reclaim policy of volumes provisioned for this class."),
          column("VolumeBindingMode", "string", "When volumes of this class are provisioned and bound."),
          column("AllowVolumeExpansion", "string", "Whether volumes of this class can be expanded."),
          ageColumn()},
         storageClassCells},
    };
}

} // namespace cd::api::printing
