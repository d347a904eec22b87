#pragma once
// The scheduler's own compact view of the cluster. Informers hold API objects as JSON text; the
// scheduler keeps only the facts its plugins read (numbers, short lists), extracted once per
// informer event, so 150,000 pods cost a few tens of megabytes here and a scheduling cycle reads
// nothing but these structures.

#include "engine/core/taints.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cd::scheduler {

constexpr long long kMaxNodeScore = 100;
// Requests assumed for containers that state none, so that many request-less pods do not all
// score one node as empty (schedutil.DefaultMilliCPURequest / DefaultMemoryRequest).
constexpr long long kDefaultMilliCpuRequest = 100;
constexpr long long kDefaultMemoryRequest = 200LL * 1024 * 1024;

// The plugins, as bits: a failed pod remembers which plugins rejected it, and cluster events
// move it back to the active queue only when they may change one of those plugins' verdicts.
enum Plugin : unsigned {
    NodeUnschedulable = 1u << 0,
    NodeName = 1u << 1,
    TaintToleration = 1u << 2,
    NodeAffinity = 1u << 3,
    NodeResourcesFit = 1u << 4,
    VolumeBinding = 1u << 5,
    NodeReady = 1u << 6,
    NodePorts = 1u << 7,
    AllPlugins = (1u << 8) - 1,
};
const char *pluginName(Plugin plugin);

// Extended resources and hugepages: rare, so a short list rather than a map.
struct ScalarResource {
    std::string name;
    long long value = 0;
    friend bool operator==(const ScalarResource &, const ScalarResource &) = default;
};

struct Resources {
    long long milliCpu = 0;
    long long memory = 0;
    long long ephemeralStorage = 0;
    std::vector<ScalarResource> scalars;

    long long scalar(std::string_view name) const;
    void add(const Resources &other, int sign = 1);
    bool isZero() const;
    friend bool operator==(const Resources &, const Resources &) = default;
};

// Labels as a list sorted by key: nodes have a handful, and a sorted vector is both smaller and
// faster to search than a map.
using LabelList = std::vector<std::pair<std::string, std::string>>;
const std::string *labelValue(const LabelList &labels, std::string_view key);

// Taints and tolerations: engine/core/taints.h (shared with the taint eviction controller).

// One requirement of a node selector term (matchExpressions over labels, matchFields over
// metadata.name).
struct NodeSelectorRequirement {
    enum class Op : uint8_t { In, NotIn, Exists, DoesNotExist, Gt, Lt };
    std::string key;
    Op op = Op::In;
    std::vector<std::string> values;
    long long number = 0;  // Gt, Lt
    friend bool operator==(const NodeSelectorRequirement &, const NodeSelectorRequirement &) = default;
};

struct NodeSelectorTerm {
    std::vector<NodeSelectorRequirement> expressions;
    std::vector<NodeSelectorRequirement> fields;
    bool valid = true;  // a term that failed to parse never matches

    bool empty() const { return expressions.empty() && fields.empty(); }
    // Kubernetes' nodeaffinity semantics: an empty or invalid term matches nothing.
    bool matches(const LabelList &labels, std::string_view nodeName) const;
    friend bool operator==(const NodeSelectorTerm &, const NodeSelectorTerm &) = default;
};
// Terms are ORed; no terms match nothing.
bool matchesAnyTerm(const std::vector<NodeSelectorTerm> &terms, const LabelList &labels, std::string_view nodeName);

struct PreferredTerm {
    long long weight = 0;
    NodeSelectorTerm term;
    friend bool operator==(const PreferredTerm &, const PreferredTerm &) = default;
};

// A host port a pod's container asks for (containerPorts with hostPort > 0): hostIP and
// protocol as given, sanitized to 0.0.0.0 and TCP when empty.
struct HostPort {
    std::string ip;
    std::string protocol;
    int port = 0;
    friend bool operator==(const HostPort &, const HostPort &) = default;
};

struct PodClaim {
    std::string name;
    bool ephemeral = false;  // a generic ephemeral volume: the claim is named <pod>-<volume>
    friend bool operator==(const PodClaim &, const PodClaim &) = default;
};

// What scheduling needs to know about a pod.
struct PodInfo {
    std::string ns;
    std::string name;
    std::string uid;
    std::string resourceVersion;
    std::string nodeName;
    std::string schedulerName;
    std::string ownerUid;  // spreadOwnerUid: the ReplicaSet (...) whose pods are spread over nodes
    long long priority = 0;
    long long createdSeconds = 0;
    bool preemptNever = false;
    bool gated = false;        // spec.schedulingGates not yet removed
    bool terminating = false;  // deletionTimestamp set
    bool terminal = false;     // Succeeded or Failed

    Resources requests;  // as resourcehelper.PodRequests computes them (init containers, overhead)
    long long nonZeroMilliCpu = 0;  // the same with defaults for containers that state none
    long long nonZeroMemory = 0;

    std::vector<Toleration> tolerations;
    LabelList nodeSelector;
    bool hasRequiredAffinity = false;
    std::vector<NodeSelectorTerm> requiredTerms;
    std::vector<PreferredTerm> preferredTerms;
    std::vector<PodClaim> claims;
    std::vector<HostPort> hostPorts;  // rare: empty for nearly every pod

    // The PodScheduled condition as the pod has it now (to write it only when it changes).
    std::string scheduledStatus;
    std::string scheduledReason;
    std::string scheduledMessage;

    // Whether anything a plugin reads differs (a pod update that may change the verdict).
    bool sameSchedulingFacts(const PodInfo &other) const;
};

// Requests of the pods of one priority on a node: the preemption diagnosis asks whether
// lower-priority pods exist and whether removing them all would make room.
struct PriorityUsage {
    long long priority = 0;
    long long pods = 0;
    Resources requested;
};

// A host port held on a node, with the priority of the pod holding it (the preemption
// diagnosis asks whether evicting lower-priority pods would free it).
struct UsedPort {
    HostPort port;
    long long priority = 0;
};

// What scheduling needs to know about a node, and the usage of the pods placed on it.
struct NodeInfo {
    std::string name;
    LabelList labels;
    std::vector<Taint> taints;
    bool unschedulable = false;
    bool ready = true;
    Resources allocatable;
    long long allowedPods = 0;
    std::string zone;  // topology.kubernetes.io/zone
    bool hasZone = false;
    bool hasHostname = false;  // kubernetes.io/hostname

    // Usage by the pods on this node (bound or assumed), terminal pods excluded.
    Resources requested;
    long long nonZeroMilliCpu = 0;
    long long nonZeroMemory = 0;
    long long podCount = 0;
    std::vector<PriorityUsage> usageByPriority;
    std::vector<UsedPort> usedPorts;  // one entry per pod and port (a pod's ports may repeat)

    void addUsage(const Resources &requests, long long nonZeroCpu, long long nonZeroMemory, long long priority,
                  int sign);
    // Lower-priority pods and their requests (for the preemption diagnosis).
    PriorityUsage usageBelow(long long priority) const;
    void addPorts(const std::vector<HostPort> &ports, long long priority, int sign);
};

// Why a node cannot take a pod: the plugin, whether preemption could help (Unschedulable) or
// not (UnschedulableAndUnresolvable), and the reasons in Kubernetes' words.
struct FilterStatus {
    enum class Code : uint8_t { Success, Unschedulable, UnschedulableAndUnresolvable };
    Code code = Code::Success;
    Plugin plugin = NodeUnschedulable;
    std::vector<std::string> reasons;

    bool ok() const { return code == Code::Success; }
    void fail(Plugin by, Code how, std::string reason)
    {
        plugin = by;
        code = how;
        reasons.push_back(std::move(reason));
    }
};

} // namespace cd::scheduler
