#pragma once
// Which PersistentVolume a claim may bind to, as Kubernetes' PV controller decides it
// (component-helpers storage/volume: FindMatchingVolume, CheckNodeAffinity; the PV index's
// access-mode groups): the smallest Available volume of the claim's class whose capacity,
// access modes, volume mode and labels fit, a volume pre-bound to the claim before any other.

#include "engine/core/json.h"

#include <map>
#include <string>
#include <vector>

namespace cd::controllers::volumes {

// Annotations the binder and provisioners write (storage helpers' Ann* constants).
inline const char *const kBindCompleted = "pv.kubernetes.io/bind-completed";
inline const char *const kBoundByController = "pv.kubernetes.io/bound-by-controller";
inline const char *const kProvisionedBy = "pv.kubernetes.io/provisioned-by";
inline const char *const kStorageProvisioner = "volume.kubernetes.io/storage-provisioner";
inline const char *const kBetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";
inline const char *const kSelectedNode = "volume.kubernetes.io/selected-node";
inline const char *const kBetaStorageClass = "volume.beta.kubernetes.io/storage-class";
inline const char *const kDefaultClass = "storageclass.kubernetes.io/is-default-class";
inline const char *const kBetaDefaultClass = "storageclass.beta.kubernetes.io/is-default-class";

bool hasAnnotation(const Json &object, const char *annotation);
std::string annotation(const Json &object, const char *annotation);

// The class a claim asks for (the beta annotation first), "" for none.
std::string claimClass(const Json &claim);
// Whether the claim names a class at all ("" counts: it asks for volumes without one).
bool claimHasClass(const Json &claim);
std::string volumeClass(const Json &volume);
bool isDefaultClass(const Json &storageClass);

// "ns/name"
std::string claimKey(const Json &claim);
// spec.claimRef names this claim (and, once bound, its uid).
bool boundToClaim(const Json &volume, const Json &claim);
// A reference to the claim, as the binder writes it into spec.claimRef.
Json claimReference(const Json &claim);

// Every access mode of the claim is one the volume offers.
bool accessModesFit(const Json &claim, const Json &volume);
bool volumeModesDiffer(const Json &claim, const Json &volume);

// A node as the binder needs it: name and labels.
struct NodeInfo {
    std::string name;
    std::map<std::string, std::string> labels;
};
// The volume's required node affinity admits the node (no affinity admits every node).
bool nodeAffinityAdmits(const Json &volume, const NodeInfo &node);

// checkVolumeSatisfyClaim: empty when the volume a claim names can serve it, else why not.
std::string whyVolumeCannotServe(const Json &volume, const Json &claim);

// FindMatchingVolume over the access-mode groups: nullptr when nothing fits. With delayBinding
// and no node only a volume pre-bound to the claim counts (the rest waits for a consumer).
const Json *findBestMatch(const Json &claim, const std::vector<const Json *> &volumes, bool delayBinding,
                          const NodeInfo *node);

} // namespace cd::controllers::volumes
