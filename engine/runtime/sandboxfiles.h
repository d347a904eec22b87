#pragma once
// A pod sandbox's folder on the node, shared by the runtimes that run real processes (process
// and container nodes): the files the kubelet writes into every pod — /etc/hosts with the
// pod's own name and, for ClusterFirst DNS, a resolv.conf naming the cluster DNS with the
// search domains of the pod's namespace — and the pod's network namespace, released with it.

#include "engine/core/result.h"
#include "engine/runtime/runtime.h"

#include <QString>

namespace cd::runtime {

namespace network {
class ClusterNetwork;
}

struct SandboxFiles {
    QString dir;         // STATE_DIR/sandboxes/<pod uid>
    QString hostsFile;   // the pod's /etc/hosts
    QString resolvConf;  // the pod's /etc/resolv.conf (empty: no cluster DNS, the host's or engine's own)
};

// Makes the folder and writes the files; clusterDns empty: no resolv.conf.
Result<SandboxFiles> writeSandboxFiles(const QString &stateDir, const SandboxSpec &spec, const std::string &clusterDns,
                                       const std::string &clusterDomain);

// Removes the folder and the pod's network namespace (when there is a cluster network); what
// cannot be removed is logged, not fatal: the pod is gone either way.
void removeSandboxFiles(const SandboxFiles &files, network::ClusterNetwork *network, const SandboxSpec &spec);

} // namespace cd::runtime
