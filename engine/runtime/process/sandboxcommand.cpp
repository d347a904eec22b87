#include "engine/runtime/process/sandboxcommand.h"

#include <set>

namespace cd::runtime::process {

const std::vector<std::string> &defaultCapabilities()
{
    static const std::vector<std::string> caps = {
        "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",     "CAP_MKNOD",
        "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",           "CAP_SETFCAP",    "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
    return caps;
}

std::vector<std::string> sandboxCommand(const SandboxCommandInput &input)
{
    // Entries of the root that the sandbox provides itself (or keeps from the host: /run holds
    // the host's sockets, the Docker socket among them).
    static const std::set<std::string> kProvided = {"proc", "dev", "tmp", "sys", "run"};
    const std::string root = input.rootfs.empty() ? std::string() : input.rootfs;
    std::vector<std::string> a = {input.bwrap, "--unshare-pid", "--as-pid-1", "--die-with-parent", "--new-session",
                                  "--info-fd", "3", "--cap-drop", "ALL"};
    for (const std::string &cap : defaultCapabilities()) {
        a.push_back("--cap-add");
        a.push_back(cap);
    }
    if (!input.hostname.empty())
        a.insert(a.end(), {"--unshare-uts", "--hostname", input.hostname});
    const auto bindEntries = [&](const std::string &dir, const std::vector<SandboxCommandInput::Entry> &entries) {
        const std::string base = dir == "/" ? std::string() : dir;
        for (const SandboxCommandInput::Entry &entry : entries) {
            if (entry.name.empty() || entry.name == "." || entry.name == "..")
                continue;
            if (dir == "/" && kProvided.count(entry.name))
                continue;
            const std::string target = base + "/" + entry.name;
            if (!entry.symlinkTarget.empty())
                a.insert(a.end(), {"--symlink", entry.symlinkTarget, target});
            else
                a.insert(a.end(), {"--ro-bind", root + target, target});
        }
    };
    a.insert(a.end(), {"--tmpfs", "/"});
    bindEntries("/", input.entries);
    a.insert(a.end(), {"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/run"});
    if (input.rootfs.empty())
        a.insert(a.end(), {"--ro-bind", "/sys", "/sys"});
    for (const SandboxCommandInput::Expanded &dir : input.expanded) {
        a.insert(a.end(), {"--tmpfs", dir.path});
        bindEntries(dir.path, dir.entries);
    }
    for (const std::string &hidden : input.hiddenPaths)
        a.insert(a.end(), {"--tmpfs", hidden});
    for (const Mount &mount : input.mounts)
        a.insert(a.end(), {mount.readOnly ? "--ro-bind" : "--bind", mount.hostPath, mount.containerPath});
    if (!input.terminalInit.empty())
        a.insert(a.end(), {"--ro-bind", input.terminalInit, "/dev/init"});
    for (auto it = input.expanded.rbegin(); it != input.expanded.rend(); ++it)
        a.insert(a.end(), {"--remount-ro", it->path});
    a.insert(a.end(), {"--remount-ro", "/", "--clearenv"});
    for (const EnvVar &var : input.env)
        a.insert(a.end(), {"--setenv", var.name, var.value});
    if (!input.workingDir.empty())
        a.insert(a.end(), {"--chdir", input.workingDir});
    a.push_back("--");
    if (!input.terminalInit.empty())
        a.insert(a.end(), {"/dev/init", "--terminal-init", "--"});
    a.insert(a.end(), input.argv.begin(), input.argv.end());
    return a;
}

} // namespace cd::runtime::process
