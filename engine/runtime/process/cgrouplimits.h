#pragma once
// CPU and memory limits for containers through cgroups, where the machine lets this process set
// them: cgroup v1 (a memory and a cpu hierarchy) or v2 (a unified tree whose memory and cpu
// controllers are delegated to us). Each container gets one cgroup per hierarchy below the
// engine's own cgroup (v1) or next to it (v2, where a cgroup with processes cannot have children
// with controllers); its shim joins them before it starts the container, so every process of
// the container is inside from its first instruction. Where no limit can be set, enforces() is
// false and reason() says why, for the node's condition.

#include "engine/core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cd::runtime::process {

struct ContainerLimits {
    std::int64_t memoryBytes = 0;  // 0: none
    std::int64_t cpuMillis = 0;    // 0: none (1000 = one CPU)
    bool any() const { return memoryBytes > 0 || cpuMillis > 0; }
};

class CgroupLimits {
public:
    // Looks at /proc/self/cgroup and the mounts under `mountRoot` for a place to make container
    // cgroups in, named `groupName` ("clusterdeck-<cluster>").
    static CgroupLimits detect(const std::string &groupName, const std::string &mountRoot = "/sys/fs/cgroup");

    bool enforces() const { return !m_memoryRoot.empty() && !m_cpuRoot.empty(); }
    // Why limits cannot be enforced (empty when they can).
    const std::string &reason() const { return m_reason; }
    const std::string &version() const { return m_version; }  // "v1", "v2" or ""

    // Makes the container's cgroups with these limits: the cgroup.procs files its shim joins.
    Result<std::vector<std::string>> create(const std::string &containerId, const ContainerLimits &limits) const;
    // The kernel's OOM killer ended a process of the container (OOMKilled).
    bool oomKilled(const std::string &containerId) const;
    // Removes the container's cgroups (once its processes are gone).
    void remove(const std::string &containerId) const;
    // Removes the group folders detect() made when no container cgroup is left in them (an
    // engine that ends while pods run leaves them to the next one).
    void removeGroupIfEmpty() const;
    // The folders container cgroups are made in (one per hierarchy; empty when not enforced).
    std::vector<std::string> groupFolders() const;

private:
    std::vector<std::string> folders(const std::string &containerId) const;

    std::string m_version;
    std::string m_memoryRoot;  // where container cgroups go, per controller (the same for v2)
    std::string m_cpuRoot;
    std::string m_reason;
};

} // namespace cd::runtime::process
