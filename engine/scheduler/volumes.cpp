#include "engine/scheduler/volumes.h"

#include "engine/core/quantity.h"
#include "engine/scheduler/objectfacts.h"

namespace cd::scheduler {
namespace {

unsigned accessModesFrom(const Json *modes)
{
    unsigned out = 0;
    if (!modes || !modes->is_array())
        return out;
    for (const Json &m : *modes) {
        const std::string mode = m.is_string() ? m.get<std::string>() : std::string();
        out |= mode == "ReadWriteOnce"      ? ReadWriteOnce
               : mode == "ReadOnlyMany"     ? ReadOnlyMany
               : mode == "ReadWriteMany"    ? ReadWriteMany
               : mode == "ReadWriteOncePod" ? ReadWriteOncePod
                                            : 0u;
    }
    return out;
}

long long bytesOf(const Json *quantity)
{
    if (!quantity)
        return 0;
    auto q = Quantity::fromJson(*quantity);
    return q.ok() ? q->value() : 0;
}

// storagehelpers.GetPersistentVolume(Claim)Class: the beta annotation wins over the field.
std::string classOf(const Json &object)
{
    if (const Json *beta = find(object, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"});
        beta && beta->is_string())
        return beta->get<std::string>();
    return str(object, {"spec", "storageClassName"});
}

std::string claimKey(const std::string &ns, const std::string &name) { return ns + "/" + name; }

} // namespace

ClaimInfo VolumeCache::claimInfoFrom(const Json &claim)
{
    ClaimInfo info;
    info.ns = str(claim, {"metadata", "namespace"});
    info.name = str(claim, {"metadata", "name"});
    info.uid = str(claim, {"metadata", "uid"});
    info.volumeName = str(claim, {"spec", "volumeName"});
    info.className = classOf(claim);
    info.selectedNode = str(claim, {"metadata", "annotations", "volume.kubernetes.io/selected-node"});
    const std::string phase = str(claim, {"status", "phase"});
    info.bindCompleted = find(claim, {"metadata", "annotations", "pv.kubernetes.io/bind-completed"}) || phase == "Bound";
    info.lost = phase == "Lost";
    info.deleting = find(claim, {"metadata", "deletionTimestamp"}) != nullptr;
    info.block = str(claim, {"spec", "volumeMode"}) == "Block";
    info.requestBytes = bytesOf(find(claim, {"spec", "resources", "requests", "storage"}));
    info.accessModes = accessModesFrom(find(claim, {"spec", "accessModes"}));
    if (const Json *selector = find(claim, {"spec", "selector"}); selector && selector->is_object()) {
        auto parsed = LabelSelector::fromJson(*selector);
        info.selector = parsed.ok() ? *parsed : LabelSelector::nothing();
    }
    return info;
}

VolumeInfo VolumeCache::volumeInfoFrom(const Json &volume)
{
    VolumeInfo info;
    info.name = str(volume, {"metadata", "name"});
    info.resourceVersion = str(volume, {"metadata", "resourceVersion"});
    info.className = classOf(volume);
    info.claimNs = str(volume, {"spec", "claimRef", "namespace"});
    info.claimName = str(volume, {"spec", "claimRef", "name"});
    info.claimUid = str(volume, {"spec", "claimRef", "uid"});
    info.available = str(volume, {"status", "phase"}) == "Available";
    info.deleting = find(volume, {"metadata", "deletionTimestamp"}) != nullptr;
    info.block = str(volume, {"spec", "volumeMode"}) == "Block";
    info.capacityBytes = bytesOf(find(volume, {"spec", "capacity", "storage"}));
    info.accessModes = accessModesFrom(find(volume, {"spec", "accessModes"}));
    info.labels = stringMap(volume, {"metadata", "labels"});
    if (const Json *required = find(volume, {"spec", "nodeAffinity", "required"}); required && required->is_object()) {
        info.hasNodeAffinity = true;
        info.nodeAffinity = nodeSelectorTermsFrom(find(*required, {"nodeSelectorTerms"}));
    }
    return info;
}

ClassInfo VolumeCache::classInfoFrom(const Json &storageClass)
{
    ClassInfo info;
    info.name = str(storageClass, {"metadata", "name"});
    info.provisioner = str(storageClass, {"provisioner"});
    info.waitForFirstConsumer = str(storageClass, {"volumeBindingMode"}) == "WaitForFirstConsumer";
    if (const Json *topologies = find(storageClass, {"allowedTopologies"}); topologies && topologies->is_array())
        for (const Json &t : *topologies) {
            NodeSelectorTerm term;
            if (const Json *expressions = find(t, {"matchLabelExpressions"}); expressions && expressions->is_array())
                for (const Json &e : *expressions) {
                    NodeSelectorRequirement r;
                    r.key = str(e, {"key"});
                    if (const Json *values = find(e, {"values"}); values && values->is_array())
                        for (const Json &v : *values)
                            if (v.is_string())
                                r.values.push_back(v.get<std::string>());
                    term.expressions.push_back(std::move(r));
                }
            info.allowedTopologies.push_back(std::move(term));
        }
    return info;
}

void VolumeCache::upsertClaim(const Json &claim)
{
    ClaimInfo info = claimInfoFrom(claim);
    std::string key = claimKey(info.ns, info.name);
    m_claims[std::move(key)] = std::move(info);
}

void VolumeCache::removeClaim(const Json &claim)
{
    m_claims.erase(claimKey(str(claim, {"metadata", "namespace"}), str(claim, {"metadata", "name"})));
}

void VolumeCache::upsertVolume(const Json &volume)
{
    VolumeInfo info = volumeInfoFrom(volume);
    m_volumes[info.name] = std::move(info);
}

void VolumeCache::removeVolume(const Json &volume) { m_volumes.erase(str(volume, {"metadata", "name"})); }

void VolumeCache::upsertClass(const Json &storageClass)
{
    ClassInfo info = classInfoFrom(storageClass);
    m_classes[info.name] = std::move(info);
}

void VolumeCache::removeClass(const Json &storageClass) { m_classes.erase(str(storageClass, {"metadata", "name"})); }

const ClaimInfo *VolumeCache::claim(const std::string &ns, const std::string &name) const
{
    auto it = m_claims.find(claimKey(ns, name));
    return it == m_claims.end() ? nullptr : &it->second;
}

const VolumeInfo *VolumeCache::volume(const std::string &name) const
{
    auto it = m_volumes.find(name);
    return it == m_volumes.end() ? nullptr : &it->second;
}

const ClassInfo *VolumeCache::storageClass(const std::string &name) const
{
    auto it = m_classes.find(name);
    return it == m_classes.end() ? nullptr : &it->second;
}

void VolumeCache::assumeVolumeBound(const std::string &volume, const ClaimInfo &claim)
{
    auto it = m_volumes.find(volume);
    if (it == m_volumes.end())
        return;
    it->second.claimNs = claim.ns;
    it->second.claimName = claim.name;
    it->second.claimUid = claim.uid;
}

void VolumeCache::assumeSelectedNode(const std::string &ns, const std::string &claim, const std::string &node)
{
    auto it = m_claims.find(claimKey(ns, claim));
    if (it != m_claims.end())
        it->second.selectedNode = node;
}

} // namespace cd::scheduler
