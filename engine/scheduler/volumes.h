#pragma once
// The scheduler's view of storage: claims, volumes and classes, as the VolumeBinding plugin reads
// them (few objects; kept as small facts all the same).

#include "engine/core/json.h"
#include "engine/core/labels.h"
#include "engine/scheduler/types.h"

#include <map>
#include <optional>
#include <string>

namespace cd::scheduler {

enum AccessMode : unsigned { ReadWriteOnce = 1, ReadOnlyMany = 2, ReadWriteMany = 4, ReadWriteOncePod = 8 };

struct ClaimInfo {
    std::string ns;
    std::string name;
    std::string uid;
    std::string volumeName;    // spec.volumeName
    std::string className;     // the beta annotation first, then spec.storageClassName
    std::string selectedNode;  // volume.kubernetes.io/selected-node
    bool bindCompleted = false;  // pv.kubernetes.io/bind-completed, or phase Bound
    bool lost = false;
    bool deleting = false;
    bool block = false;  // volumeMode Block
    long long requestBytes = 0;
    unsigned accessModes = 0;
    std::optional<LabelSelector> selector;

    bool fullyBound() const { return !volumeName.empty() && bindCompleted; }
};

struct VolumeInfo {
    std::string name;
    std::string resourceVersion;
    std::string className;
    std::string claimNs, claimName, claimUid;  // spec.claimRef
    bool available = false;  // phase Available
    bool deleting = false;
    bool block = false;
    long long capacityBytes = 0;
    unsigned accessModes = 0;
    Labels labels;
    bool hasNodeAffinity = false;
    std::vector<NodeSelectorTerm> nodeAffinity;  // spec.nodeAffinity.required

    bool boundTo(const ClaimInfo &claim) const
    {
        return claimName == claim.name && claimNs == claim.ns && (claimUid.empty() || claimUid == claim.uid);
    }
};

struct ClassInfo {
    std::string name;
    std::string provisioner;
    bool waitForFirstConsumer = false;
    std::vector<NodeSelectorTerm> allowedTopologies;  // matchLabelExpressions as In requirements
};

class VolumeCache {
public:
    void upsertClaim(const Json &claim);
    void removeClaim(const Json &claim);
    void upsertVolume(const Json &volume);
    void removeVolume(const Json &volume);
    void upsertClass(const Json &storageClass);
    void removeClass(const Json &storageClass);

    const ClaimInfo *claim(const std::string &ns, const std::string &name) const;
    const VolumeInfo *volume(const std::string &name) const;
    const ClassInfo *storageClass(const std::string &name) const;
    const std::map<std::string, VolumeInfo> &volumes() const { return m_volumes; }

    // The scheduler's own decisions, visible at once (until the informers report the outcome).
    void assumeVolumeBound(const std::string &volume, const ClaimInfo &claim);
    void assumeSelectedNode(const std::string &ns, const std::string &claim, const std::string &node);

    // Parsers, exposed for tests.
    static ClaimInfo claimInfoFrom(const Json &claim);
    static VolumeInfo volumeInfoFrom(const Json &volume);
    static ClassInfo classInfoFrom(const Json &storageClass);

private:
    std::map<std::string, ClaimInfo> m_claims;  // by namespace/name
    std::map<std::string, VolumeInfo> m_volumes;
    std::map<std::string, ClassInfo> m_classes;
};

} // namespace cd::scheduler
