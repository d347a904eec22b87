// The objects a node agent writes about itself — its Node (labels, capacity, addresses, the ten
// nodeInfo fields, conditions) and its Lease — and the addresses it owns: an InternalIP and a
// block of the pod network.
#include "engine/node/nodemanagerprivate.h"

#include "engine/core/clock.h"
#include "engine/core/names.h"

#include <QCryptographicHash>
#include <QSysInfo>

#include <cstdio>

namespace cd::node {
namespace {

std::string hashHex(const std::string &text)
{
    return QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Md5).toHex().toStdString();
}

std::string asUuid(const std::string &hex32)
{
    return hex32.substr(0, 8) + "-" + hex32.substr(8, 4) + "-" + hex32.substr(12, 4) + "-" + hex32.substr(16, 4) +
           "-" + hex32.substr(20, 12);
}

// GOARCH names, as kubernetes.io/arch and nodeInfo.architecture use them.
std::string goArch()
{
    const QString arch = QSysInfo::currentCpuArchitecture();
    if (arch == "x86_64")
        return "amd64";
    if (arch == "i386")
        return "386";
    if (arch == "arm64" || arch == "arm" || arch == "ppc64le" || arch == "s390x" || arch == "riscv64")
        return arch.toStdString();
    return arch.isEmpty() ? "amd64" : arch.toStdString();
}

std::string osImage()
{
    const QString name = QSysInfo::prettyProductName();
    return name.isEmpty() ? std::string("Linux") : name.toStdString();
}

// What every node of this process reports about the host, read once: QSysInfo reads
// /etc/os-release and calls uname on each call, which thousands of registrations would repeat.
struct HostFacts {
    std::string arch = goArch();
    std::string os = osImage();
    std::string kernel = QSysInfo::kernelVersion().toStdString();
};

const HostFacts &hostFacts()
{
    static const HostFacts facts;
    return facts;
}

Json condition(const char *type, const char *status, const char *reason, const char *message,
               const std::string &heartbeat, const std::string &transition)
{
    return {{"type", type},
            {"status", status},
            {"reason", reason},
            {"message", message},
            {"lastHeartbeatTime", heartbeat},
            {"lastTransitionTime", transition}};
}

} // namespace

std::int64_t steadyNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::int64_t wallNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::current().now().time_since_epoch()).count();
}

std::string ipString(std::uint32_t a)
{
    char out[16];
    std::snprintf(out, sizeof out, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return out;
}

std::uint32_t parseIp(const std::string &text)
{
    unsigned a, b, c, d;
    char tail;
    if (std::sscanf(text.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 || c > 255 ||
        d > 255)
        return 0;
    return (a << 24) | (b << 16) | (c << 8) | d;
}

std::uint32_t PodCidr::allocate()
{
    const std::uint32_t n = size();
    if (used.empty())
        used.assign((n + 63) / 64, 0);
    // Offsets 0 (network), 1 (gateway) and the last (broadcast) are never handed out.
    for (std::uint32_t tried = 0; tried < n; ++tried) {
        std::uint32_t offset = next;
        next = next + 1 >= n - 1 ? 2 : next + 1;
        if (offset < 2 || offset >= n - 1)
            continue;
        if (!(used[offset / 64] & (1ull << (offset % 64)))) {
            used[offset / 64] |= 1ull << (offset % 64);
            return base + offset;
        }
    }
    return 0;
}

void PodCidr::reserve(std::uint32_t address)
{
    const std::uint32_t n = size();
    if (used.empty())
        used.assign((n + 63) / 64, 0);
    if (address < base || address - base >= n)
        return;
    const std::uint32_t offset = address - base;
    used[offset / 64] |= 1ull << (offset % 64);
}

void PodCidr::release(std::uint32_t address)
{
    if (used.empty() || address < base || address - base >= size())
        return;
    const std::uint32_t offset = address - base;
    used[offset / 64] &= ~(1ull << (offset % 64));
}

std::string PodCidr::cidr() const { return ipString(base) + "/" + std::to_string(prefix); }

void assignAddresses(NodeAgent &agent, size_t, long long maxPods)
{
    // Every node gets the same size of block: a /24 (10.244.N.0/24 for the Nth node) unless a
    // node of the plan may run more pods than a /24 holds. Block 0 stays free (the pod network's
    // gateway). Past 10.255.255.255 the blocks wrap into the rest of 10.0.0.0/8.
    std::uint32_t blockSize = 256;
    while (blockSize < std::uint32_t(std::max<long long>(maxPods, 1)) + 3 && blockSize < (1u << 16))
        blockSize <<= 1;
    int prefix = 32;
    for (std::uint32_t s = blockSize; s > 1; s >>= 1)
        --prefix;
    const std::uint32_t offset = ((244u << 16) + (agent.index + 1) * blockSize) & 0xFFFFFFu;
    agent.cidr.base = (10u << 24) | offset;
    agent.cidr.prefix = prefix;
    // InternalIPs as kind gives them: 172.18.0.2 for the first node.
    agent.internalIp = ipString((172u << 24) | ((18u << 16) + ((agent.index + 2) & 0xFFFFu)));
    const std::string machine = hashHex("clusterdeck/machine/" + agent.spec.name);
    agent.machineId = machine;
    agent.systemUuid = asUuid(hashHex("clusterdeck/system/" + agent.spec.name));
    agent.bootId = names::uuid();
}

std::string runtimeDownReason(const NodeAgent &agent)
{
    const auto *docker = qobject_cast<const runtime::docker::DockerRuntime *>(agent.runtime);
    return docker ? docker->unreachableReason() : std::string();
}

Json nodeConditions(const NodeAgent &agent, const std::string &heartbeat, const std::string &transition)
{
    const std::string down = runtimeDownReason(agent);
    const Json ready = down.empty()
                           ? condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", heartbeat, transition)
                           : condition("Ready", "False", "KubeletNotReady", ("container runtime is down: " + down).c_str(),
                                       heartbeat, transition);
    Json conditions = Json::array(
        {condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available",
                   heartbeat, transition),
         condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", heartbeat,
                   transition),
         condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", heartbeat,
                   transition)});
    // Process nodes say whether containers' CPU and memory limits hold (cgroups this user may
    // make) — a problem condition in the manner of node-problem-detector's: True is the problem.
    if (const auto *process = qobject_cast<const runtime::process::ProcessRuntime *>(agent.runtime)) {
        const bool enforced = process->enforcesLimits();
        conditions.push_back(condition("ResourceLimitsUnenforced", enforced ? "False" : "True",
                                       enforced ? "CgroupLimitsEnforced" : "NoCgroupAccess",
                                       process->limitsNote().c_str(), heartbeat, transition));
    }
    conditions.push_back(ready);
    return conditions;
}

Json nodeObject(const NodeAgent &agent, const NodeManagerOptions &, const std::string &runtimeVersion,
               int kubeletPort)
{
    const NodeSpec &spec = agent.spec;
    const HostFacts &host = hostFacts();
    const std::string &arch = host.arch;
    Json labels = {{"beta.kubernetes.io/arch", arch},
                   {"beta.kubernetes.io/os", "linux"},
                   {"kubernetes.io/arch", arch},
                   {"kubernetes.io/hostname", spec.name},
                   {"kubernetes.io/os", "linux"}};
    if (spec.labels.is_object())
        for (auto it = spec.labels.begin(); it != spec.labels.end(); ++it)
            labels[it.key()] = it.value();
    Json nodeSpec = {{"podCIDR", agent.cidr.cidr()},
                     {"podCIDRs", Json::array({agent.cidr.cidr()})},
                     {"providerID", "clusterdeck-sim://" + spec.name}};
    if (spec.taints.is_array() && !spec.taints.empty())
        nodeSpec["taints"] = spec.taints;
    const Json resources = {{"cpu", spec.cpu},
                            {"memory", spec.memory},
                            {"pods", std::to_string(spec.pods)},
                            {"ephemeral-storage", spec.ephemeralStorage},
                            {"hugepages-1Gi", "0"},
                            {"hugepages-2Mi", "0"}};
    const std::string now = nowRfc3339();
    const Json nodeInfo = {{"machineID", agent.machineId},
                           {"systemUUID", agent.systemUuid},
                           {"bootID", agent.bootId},
                           {"kernelVersion", host.kernel},
                           {"osImage", host.os},
                           {"containerRuntimeVersion", runtimeVersion},
                           {"kubeletVersion", "v1.32.0"},
                           {"kubeProxyVersion", "v1.32.0"},
                           {"operatingSystem", "linux"},
                           {"architecture", arch}};
    return {{"apiVersion", "v1"},
            {"kind", "Node"},
            {"metadata",
             {{"name", spec.name},
              {"labels", labels},
              {"annotations",
               {{"node.alpha.kubernetes.io/ttl", "0"},
                {"volumes.kubernetes.io/controller-managed-attach-detach", "true"}}}}},
            {"spec", nodeSpec},
            {"status",
             {{"capacity", resources},
              {"allocatable", resources},
              {"conditions", nodeConditions(agent, now, now)},
              {"addresses", Json::array({{{"type", "InternalIP"}, {"address", agent.internalIp}},
                                         {{"type", "Hostname"}, {"address", spec.name}}})},
              {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", kubeletPort}}}}},
              {"nodeInfo", nodeInfo}}}};
}

Json leaseObject(const NodeAgent &agent, const NodeManagerOptions &options)
{
    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", agent.spec.name}, {"namespace", "kube-node-lease"}}},
                  {"spec",
                   {{"holderIdentity", agent.spec.name},
                    {"leaseDurationSeconds", options.leaseDurationSeconds},
                    {"renewTime", rfc3339Micro(Clock::current().now())}}}};
    // Owned by the Node, so deleting the Node removes its Lease (as the kubelet sets it).
    if (!agent.uid.empty())
        lease["metadata"]["ownerReferences"] =
            Json::array({{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", agent.spec.name}, {"uid", agent.uid}}});
    return lease;
}

} // namespace cd::node
