#pragma once
// The namespace and process primitives of clusterdeck-netns: make the cluster's namespaces, fork
// the processes that hold namespaces alive, and join a holder's namespaces.

#include "engine/core/result.h"
#include "engine/runtime/network/holderprocess.h"

#include <string>
#include <vector>

namespace cd::netns {

using Holder = cd::runtime::network::HolderProcess;
using cd::runtime::network::processStartTime;

// unshare() of new user, network, IPC and UTS namespaces, mapping the caller's uid and gid to 0
// the way `unshare -Ur` does: the same path for root and for an unprivileged user. The IPC and
// UTS namespaces are the cluster's own so that the helper, owning them, may come back to them
// after making a pod's.
Status createClusterNamespaces();

// Forks a process that keeps the caller's current namespaces alive. It moves to a session of its
// own, holds no file descriptor and waits to be killed, so it outlives the helper and the engine.
// Nothing waits for it to run: the namespaces are its from the moment fork() returns.
Result<Holder> spawnHolder(const char *processName);

// The namespaces `names` ("user", "net", "ipc", "uts") of the holder, opened after checking it
// is still the process started at holder.startTime (and checked again once open).
Result<std::vector<int>> openNamespaces(const Holder &holder, const std::vector<std::string> &names);

// setns() into each, skipping ones the caller is in already (setns into one's own user namespace
// fails). User namespace first: it grants the rights to join the others.
Status joinNamespaces(const std::vector<int> &fds);

// The calling thread's own namespaces of these kinds ("net", ...), as descriptors.
Result<std::vector<int>> openOwnNamespaces(const std::vector<std::string> &names);

// Changing user namespaces makes a process non-dumpable, which would hide its /proc/PID/ns from
// its own user; the holders must stay reachable by the `enter` command.
void becomeDumpable();

} // namespace cd::netns
