#include "engine/runtime/process/sandboxcommand.h"

#include <set>

#include <sys/stat.h>
#include <unistd.h>

namespace cd::runtime::process {

const std::vector<std::string> &defaultCapabilities()
{
    static const std::vector<std::string> caps = {
        "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",     "CAP_MKNOD",
        "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",           "CAP_SETFCAP",    "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
    return caps;
}

bool providedBySandbox(const std::string &topLevelName)
{
    // The sandbox makes these itself (and keeps the host's out: /run holds the host's sockets,
    // the Docker socket among them).
    static const std::set<std::string> kProvided = {"proc", "dev", "tmp", "sys", "run"};
    return kProvided.count(topLevelName) > 0;
}

std::string resolveInRoot(const std::string &root, const std::string &path)
{
    std::vector<std::string> done;  // the resolved parts so far
    std::string rest = path;
    for (int links = 0; !rest.empty();) {
        const size_t start = rest.find_first_not_of('/');
        if (start == std::string::npos)
            break;
        const size_t end = std::min(rest.find('/', start), rest.size());
        const std::string part = rest.substr(start, end - start);
        rest.erase(0, end);
        if (part == ".")
            continue;
        if (part == "..") {
            if (!done.empty())
                done.pop_back();
            continue;
        }
        std::string here;
        for (const std::string &p : done)
            here += "/" + p;
        here += "/" + part;
        struct stat st{};
        if (::lstat((root + here).c_str(), &st) != 0) {
            done.push_back(part);
            for (size_t at = 0; at < rest.size();) {  // what does not exist is kept as given
                const size_t from = rest.find_first_not_of('/', at);
                if (from == std::string::npos)
                    break;
                const size_t to = std::min(rest.find('/', from), rest.size());
                done.push_back(rest.substr(from, to - from));
                at = to;
            }
            break;
        }
        if (!S_ISLNK(st.st_mode) || ++links > 40) {
            done.push_back(part);
            continue;
        }
        char target[4096];
        const ssize_t n = ::readlink((root + here).c_str(), target, sizeof target);
        if (n <= 0) {
            done.push_back(part);
            continue;
        }
        const std::string link(target, size_t(n));
        if (link[0] == '/')
            done.clear();
        rest = link + rest;
    }
    std::string resolved;
    for (const std::string &p : done)
        resolved += "/" + p;
    return resolved.empty() ? std::string("/") : resolved;
}

std::vector<std::string> sandboxCommand(const SandboxCommandInput &input)
{
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
            if (dir == "/" && providedBySandbox(entry.name))
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
