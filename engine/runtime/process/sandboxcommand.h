#pragma once
// The bubblewrap command line of one container: a read-only root filesystem (an image's folder,
// or the host's own for the built-in `host` image), /proc, a minimal /dev, a writable /tmp, the
// pod's /etc/hosts and volumes, its own pid namespace with the command as pid 1 (as in a
// container: SIGTERM reaches it only when it handles it), and the capabilities Docker and
// containerd give a container by default — never CAP_SYS_ADMIN, so nothing can be remounted.
//
// A pure function of its inputs, so it is tested without running anything.

#include "engine/runtime/runtime.h"

#include <string>
#include <vector>

namespace cd::runtime::process {

struct SandboxCommandInput {
    std::string bwrap = "bwrap";
    std::string rootfs;  // empty: the host's root filesystem
    // Top-level entries of the root filesystem (name, and the link target for symlinks), read by
    // the caller: the root is a tmpfs with each entry bound in, so mount points (/proc, /tmp,
    // /etc/hosts) can be made even where the image has none.
    struct Entry {
        std::string name;
        std::string symlinkTarget;  // non-empty: a symlink
        bool directory = true;
    };
    std::vector<Entry> entries;
    std::vector<std::string> hiddenPaths;  // host folders covered by an empty tmpfs (the engine's data)
    // Folders of the root filesystem that get a mount point the image does not have (a volume at
    // /etc/app): such a folder becomes a tmpfs with its entries bound in one by one, then
    // read-only again, so the mount point can be made without writing to the image.
    struct Expanded {
        std::string path;  // "/etc"
        std::vector<Entry> entries;
    };
    std::vector<Expanded> expanded;  // parents before children
    std::vector<Mount> mounts;       // the pod's /etc/hosts and volumes
    std::vector<EnvVar> env;
    std::string workingDir;
    // Set when the container does not join a pod's UTS namespace: it gets its own with this name.
    std::string hostname;
    // The container has a terminal of its own (tty: true): this program (the shim, linked
    // statically) is bound at /dev/init and runs the command with --terminal-init, which makes
    // the terminal the controlling terminal of the command's session.
    std::string terminalInit;
    std::vector<std::string> argv;  // the resolved command (argv[0] a path inside the root)
};

std::vector<std::string> sandboxCommand(const SandboxCommandInput &input);

// Whether a top-level folder is the sandbox's own (proc, dev, tmp, sys, run): not taken from the
// root filesystem, so any mount point can be made under it.
bool providedBySandbox(const std::string &topLevelName);

// `path` inside the root filesystem `root` ("" for the host's) with its symbolic links followed
// as they would be inside it (an absolute link starts again at the root, ".." stops there), as
// runc resolves a mount's target: /var/run/secrets becomes /run/secrets where /var/run links to
// /run. A part that does not exist ends the walk; the rest is kept as given.
std::string resolveInRoot(const std::string &root, const std::string &path);

// The capabilities a container gets by default (Docker's and containerd's list).
const std::vector<std::string> &defaultCapabilities();

} // namespace cd::runtime::process
