#pragma once
// The scheduler's cache (kube-scheduler's internal/cache): nodes with the usage of the pods on
// them, pods the scheduler has assumed onto a node before the API confirmed the binding, the
// spread of each owner's pods, and storage. Fed by informer events; read by each cycle.

#include "engine/scheduler/types.h"
#include "engine/scheduler/volumes.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace cd::scheduler {

// Where one owner's pods are: per node slot and per zone (terminating pods not counted, as
// PodTopologySpread skips them).
struct OwnerSpread {
    std::string uid;
    long long refs = 0;  // placed pods naming this owner, terminating ones included
    long long pods = 0;
    std::unordered_map<int, long long> perNode;
    std::unordered_map<std::string, long long> perZone;
};

class Cache {
public:
    // Slots of the nodes that exist, in a stable order the round robin walks.
    const std::vector<int> &nodeOrder() const { return m_order; }
    size_t nodeCount() const { return m_order.size(); }
    const NodeInfo &node(int slot) const { return m_slots[slot].info; }
    // Whether a Node object backs the slot (otherwise only pods bound to a deleted node do).
    bool hasNode(int slot) const { return m_slots[slot].exists; }
    int nodeSlot(const std::string &name) const;

    // A node added or changed: returns the plugins whose verdicts the change may alter
    // (AllPlugins for a new node, 0 when nothing a plugin reads changed).
    unsigned upsertNode(NodeInfo facts);
    void removeNode(const std::string &name);

    // A pod bound to a node, as the informer shows it (terminal pods are removed): returns
    // NodeResourcesFit (and NodePorts) when resources (host ports) were freed.
    unsigned updatePlacedPod(const PodInfo &pod);
    unsigned removePod(const std::string &uid);
    bool knowsPod(const std::string &uid) const { return m_pods.count(uid) != 0; }
    // Is the pod counted on a node only by the scheduler's own decision so far?
    bool isAssumed(const std::string &uid) const;

    // The scheduler's decision, counted at once; confirmed by updatePlacedPod, undone by forget.
    void assume(const PodInfo &pod, const std::string &nodeName);
    void forget(const std::string &uid);

    const OwnerSpread *owner(const std::string &uid) const;

    VolumeCache &volumes() { return m_volumes; }
    const VolumeCache &volumes() const { return m_volumes; }

private:
    struct Slot {
        NodeInfo info;
        bool exists = false;  // a Node object; otherwise only pods name it
        int orderIndex = -1;
    };
    struct PlacedPod {
        int slot = -1;
        long long priority = 0;
        Resources requests;
        long long nonZeroMilliCpu = 0;
        long long nonZeroMemory = 0;
        std::vector<HostPort> hostPorts;
        OwnerSpread *owner = nullptr;
        bool terminating = false;
        bool assumed = false;
    };

    int slotFor(const std::string &nodeName);  // creates a node-less slot when needed
    void releaseSlotIfUnused(int slot);
    void place(PlacedPod &pod, int sign);
    void countSpread(PlacedPod &pod, int sign);
    OwnerSpread *ownerFor(const std::string &uid);
    void releaseOwner(OwnerSpread *owner);
    void addPlaced(const std::string &uid, const PodInfo &pod, int slot, bool assumed);

    std::vector<Slot> m_slots;
    std::vector<int> m_freeSlots;
    std::vector<int> m_order;
    std::unordered_map<std::string, int> m_slotByName;
    std::unordered_map<std::string, PlacedPod> m_pods;  // by uid
    std::unordered_map<std::string, OwnerSpread> m_owners;
    VolumeCache m_volumes;
};

} // namespace cd::scheduler
