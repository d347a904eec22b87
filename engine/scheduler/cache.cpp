#include "engine/scheduler/cache.h"

namespace cd::scheduler {

int Cache::nodeSlot(const std::string &name) const
{
    auto it = m_slotByName.find(name);
    return it != m_slotByName.end() && m_slots[it->second].exists ? it->second : -1;
}

int Cache::slotFor(const std::string &nodeName)
{
    auto it = m_slotByName.find(nodeName);
    if (it != m_slotByName.end())
        return it->second;
    int slot;
    if (!m_freeSlots.empty()) {
        slot = m_freeSlots.back();
        m_freeSlots.pop_back();
    } else {
        slot = int(m_slots.size());
        m_slots.emplace_back();
    }
    m_slots[slot] = Slot{};
    m_slots[slot].info.name = nodeName;
    m_slotByName.emplace(nodeName, slot);
    return slot;
}

void Cache::releaseSlotIfUnused(int slot)
{
    Slot &s = m_slots[slot];
    if (s.exists || s.info.podCount > 0)
        return;
    m_slotByName.erase(s.info.name);
    s = Slot{};
    m_freeSlots.push_back(slot);
}

unsigned Cache::upsertNode(NodeInfo facts)
{
    const int slot = slotFor(facts.name);
    Slot &s = m_slots[slot];
    NodeInfo &info = s.info;
    unsigned changed = 0;
    if (!s.exists) {
        changed = AllPlugins;
        s.exists = true;
        s.orderIndex = int(m_order.size());
        m_order.push_back(slot);
    } else {
        if (!(info.allocatable == facts.allocatable) || info.allowedPods != facts.allowedPods)
            changed |= NodeResourcesFit;
        if (info.labels != facts.labels)
            changed |= NodeAffinity | VolumeBinding;
        if (info.taints != facts.taints)
            changed |= TaintToleration;
        if (info.unschedulable != facts.unschedulable)
            changed |= NodeUnschedulable;
        if (info.ready != facts.ready)
            changed |= NodeReady;
    }
    if (info.hasZone != facts.hasZone || info.zone != facts.zone) {
        // Owners' per-zone counts follow the node into its new zone.
        for (auto &[uid, owner] : m_owners) {
            auto onNode = owner.perNode.find(slot);
            if (onNode == owner.perNode.end())
                continue;
            if (info.hasZone && (owner.perZone[info.zone] -= onNode->second) == 0)
                owner.perZone.erase(info.zone);
            if (facts.hasZone)
                owner.perZone[facts.zone] += onNode->second;
        }
    }
    info.labels = std::move(facts.labels);
    info.taints = std::move(facts.taints);
    info.unschedulable = facts.unschedulable;
    info.ready = facts.ready;
    info.allocatable = std::move(facts.allocatable);
    info.allowedPods = facts.allowedPods;
    info.zone = std::move(facts.zone);
    info.hasZone = facts.hasZone;
    info.hasHostname = facts.hasHostname;
    return changed;
}

void Cache::removeNode(const std::string &name)
{
    auto it = m_slotByName.find(name);
    if (it == m_slotByName.end() || !m_slots[it->second].exists)
        return;
    const int slot = it->second;
    Slot &s = m_slots[slot];
    const int last = m_order.back();
    m_order[s.orderIndex] = last;
    m_slots[last].orderIndex = s.orderIndex;
    m_order.pop_back();
    s.exists = false;
    s.orderIndex = -1;
    // Pods still bound to it keep counting (as Kubernetes keeps a node-less NodeInfo) until
    // they are deleted.
    releaseSlotIfUnused(slot);
}

OwnerSpread *Cache::ownerFor(const std::string &uid)
{
    if (uid.empty())
        return nullptr;
    auto [it, inserted] = m_owners.try_emplace(uid);
    if (inserted)
        it->second.uid = uid;
    ++it->second.refs;
    return &it->second;
}

void Cache::releaseOwner(OwnerSpread *owner)
{
    if (owner && --owner->refs == 0)
        m_owners.erase(owner->uid);
}

const OwnerSpread *Cache::owner(const std::string &uid) const
{
    auto it = m_owners.find(uid);
    return it == m_owners.end() ? nullptr : &it->second;
}

void Cache::countSpread(PlacedPod &pod, int sign)
{
    if (!pod.owner || pod.terminating)
        return;
    OwnerSpread &owner = *pod.owner;
    owner.pods += sign;
    if ((owner.perNode[pod.slot] += sign) == 0)
        owner.perNode.erase(pod.slot);
    const NodeInfo &node = m_slots[pod.slot].info;
    if (node.hasZone && (owner.perZone[node.zone] += sign) == 0)
        owner.perZone.erase(node.zone);
}

void Cache::place(PlacedPod &pod, int sign)
{
    NodeInfo &node = m_slots[pod.slot].info;
    node.addUsage(pod.requests, pod.nonZeroMilliCpu, pod.nonZeroMemory, pod.priority, sign);
    if (!pod.hostPorts.empty())
        node.addPorts(pod.hostPorts, pod.priority, sign);
    countSpread(pod, sign);
}

void Cache::addPlaced(const std::string &uid, const PodInfo &pod, int slot, bool assumed)
{
    PlacedPod placed;
    placed.slot = slot;
    placed.priority = pod.priority;
    placed.requests = pod.requests;
    placed.nonZeroMilliCpu = pod.nonZeroMilliCpu;
    placed.nonZeroMemory = pod.nonZeroMemory;
    placed.hostPorts = pod.hostPorts;
    placed.owner = ownerFor(pod.ownerUid);
    placed.terminating = pod.terminating;
    placed.assumed = assumed;
    PlacedPod &stored = m_pods.emplace(uid, std::move(placed)).first->second;
    place(stored, +1);
}

unsigned Cache::updatePlacedPod(const PodInfo &pod)
{
    auto it = m_pods.find(pod.uid);
    if (it == m_pods.end()) {
        addPlaced(pod.uid, pod, slotFor(pod.nodeName), false);
        return 0;
    }
    PlacedPod &placed = it->second;
    placed.assumed = false;
    if (m_slots[placed.slot].info.name != pod.nodeName) {
        // Bound elsewhere than assumed (another scheduler won the race).
        const int old = placed.slot;
        place(placed, -1);
        placed.slot = slotFor(pod.nodeName);
        place(placed, +1);
        releaseSlotIfUnused(old);
        return NodeResourcesFit | (placed.hostPorts.empty() ? 0u : unsigned(NodePorts));
    }
    const std::string currentOwner = placed.owner ? placed.owner->uid : std::string();
    if (placed.terminating != pod.terminating || currentOwner != pod.ownerUid) {
        countSpread(placed, -1);
        placed.terminating = pod.terminating;
        if (currentOwner != pod.ownerUid) {
            OwnerSpread *previous = placed.owner;
            placed.owner = ownerFor(pod.ownerUid);
            releaseOwner(previous);
        }
        countSpread(placed, +1);
    }
    return 0;
}

unsigned Cache::removePod(const std::string &uid)
{
    auto it = m_pods.find(uid);
    if (it == m_pods.end())
        return 0;
    PlacedPod &placed = it->second;
    place(placed, -1);
    releaseOwner(placed.owner);
    const int slot = placed.slot;
    const unsigned freed = NodeResourcesFit | (placed.hostPorts.empty() ? 0u : unsigned(NodePorts));
    m_pods.erase(it);
    releaseSlotIfUnused(slot);
    return freed;
}

bool Cache::isAssumed(const std::string &uid) const
{
    auto it = m_pods.find(uid);
    return it != m_pods.end() && it->second.assumed;
}

void Cache::assume(const PodInfo &pod, const std::string &nodeName)
{
    if (m_pods.count(pod.uid))
        return;
    addPlaced(pod.uid, pod, slotFor(nodeName), true);
}

void Cache::forget(const std::string &uid)
{
    if (isAssumed(uid))
        removePod(uid);
}

} // namespace cd::scheduler
