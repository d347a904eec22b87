#include "engine/runtime/process/cgrouplimits.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

namespace cd::runtime::process {
namespace {

constexpr std::int64_t kCpuPeriodUs = 100000;  // the kubelet's CFS period

QString q(const std::string &text) { return QString::fromStdString(text); }

std::string readText(const std::string &path)
{
    QFile file(q(path));
    return file.open(QIODevice::ReadOnly) ? file.readAll().toStdString() : std::string();
}

Status writeText(const std::string &path, const std::string &value)
{
    QFile file(q(path));
    if (!file.open(QIODevice::WriteOnly) || file.write(value.data(), qint64(value.size())) != qint64(value.size()) ||
        !file.flush())
        return Error::internal("cannot write " + value + " to " + path + ": " + file.errorString().toStdString());
    return {};
}

// Makes `folder`, or says why it cannot (a folder already there is fine).
std::string makeFolder(const std::string &folder)
{
    if (::mkdir(folder.c_str(), 0755) == 0 || errno == EEXIST)
        return {};
    return "cannot create " + folder + ": " + std::strerror(errno);
}

struct Mount {
    std::string root;        // the part of the hierarchy the mount shows
    std::string point;       // where it is mounted
    std::string type;        // cgroup, cgroup2
    std::vector<std::string> options;  // the super options (a v1 hierarchy's controllers)
};

std::vector<std::string> split(const std::string &text, char separator)
{
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t end = std::min(text.find(separator, start), text.size());
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::vector<Mount> cgroupMounts()
{
    std::vector<Mount> mounts;
    for (const std::string &line : split(readText("/proc/self/mountinfo"), '\n')) {
        const size_t dash = line.find(" - ");
        if (dash == std::string::npos)
            continue;
        const std::vector<std::string> before = split(line.substr(0, dash), ' ');
        const std::vector<std::string> after = split(line.substr(dash + 3), ' ');
        if (before.size() < 5 || after.size() < 3 || (after[0] != "cgroup" && after[0] != "cgroup2"))
            continue;
        mounts.push_back({before[3], before[4], after[0], split(after[2], ',')});
    }
    return mounts;
}

// The folder of the cgroup `path` (as /proc/self/cgroup names it) in `mount`, if it shows it.
std::optional<std::string> folderOf(const Mount &mount, const std::string &path)
{
    if (mount.root == "/")
        return mount.point + (path == "/" ? "" : path);
    if (path == mount.root)
        return mount.point;
    if (path.rfind(mount.root + "/", 0) == 0)
        return mount.point + path.substr(mount.root.size());
    // A container's cgroup namespace: the mount's root is our cgroup, shown as "/".
    return std::nullopt;
}

bool hasWord(const std::string &text, const std::string &word)
{
    for (const std::string &item : split(text, ' '))
        if (item == word || item == word + "\n")
            return true;
    return false;
}

std::int64_t counter(const std::string &text, const std::string &key)
{
    for (const std::string &line : split(text, '\n'))
        if (line.rfind(key + " ", 0) == 0)
            return std::strtoll(line.c_str() + key.size() + 1, nullptr, 10);
    return 0;
}

} // namespace

CgroupLimits CgroupLimits::detect(const std::string &groupName, const std::string &mountRoot)
{
    CgroupLimits limits;
    std::string v1Memory, v1Cpu, v2Path;
    for (const std::string &line : split(readText("/proc/self/cgroup"), '\n')) {
        const std::vector<std::string> fields = split(line, ':');
        if (fields.size() < 3)
            continue;
        const std::vector<std::string> controllers = split(fields[1], ',');
        const auto has = [&](const char *c) { return std::find(controllers.begin(), controllers.end(), c) != controllers.end(); };
        if (has("memory"))
            v1Memory = fields[2];
        if (has("cpu"))
            v1Cpu = fields[2];
        if (fields[0] == "0" && fields[1].empty())
            v2Path = fields[2];
    }
    const std::vector<Mount> mounts = cgroupMounts();
    const auto v1Folder = [&](const std::string &controller, const std::string &path) -> std::optional<std::string> {
        for (const Mount &m : mounts)
            if (m.type == "cgroup" && m.point.rfind(mountRoot, 0) == 0 &&
                std::find(m.options.begin(), m.options.end(), controller) != m.options.end())
                return folderOf(m, path);
        return std::nullopt;
    };

    if (!v1Memory.empty() && !v1Cpu.empty()) {
        limits.m_version = "v1";
        const auto memory = v1Folder("memory", v1Memory);
        const auto cpu = v1Folder("cpu", v1Cpu);
        if (!memory || !cpu) {
            limits.m_reason = "the cgroup v1 memory and cpu hierarchies are not mounted under " + mountRoot;
            return limits;
        }
        const std::string memoryRoot = *memory + "/" + groupName;
        const std::string cpuRoot = *cpu + "/" + groupName;
        for (const std::string &folder : {memoryRoot, cpuRoot})
            if (std::string why = makeFolder(folder); !why.empty()) {
                limits.m_reason = why + " (cgroup v1; limits need write access there, as root has)";
                return limits;
            }
        limits.m_memoryRoot = memoryRoot;
        limits.m_cpuRoot = cpuRoot;
        return limits;
    }

    limits.m_version = v2Path.empty() ? "" : "v2";
    const Mount *unified = nullptr;
    for (const Mount &m : mounts)
        if (m.type == "cgroup2" && m.point.rfind(mountRoot, 0) == 0)
            unified = &m;
    if (v2Path.empty() || !unified) {
        limits.m_reason = "no cgroup memory and cpu controllers are mounted under " + mountRoot;
        return limits;
    }
    const auto own = folderOf(*unified, v2Path);
    if (!own) {
        limits.m_reason = "this process's cgroup is not visible under " + unified->point;
        return limits;
    }
    // Next to our own cgroup: a cgroup v2 with processes in it cannot give its children controllers.
    const std::string parent = QFileInfo(q(*own)).absolutePath().toStdString();
    const std::string available = readText(parent + "/cgroup.controllers");
    if (!hasWord(available, "memory") || !hasWord(available, "cpu")) {
        limits.m_reason = "the cgroup v2 controllers memory and cpu are not delegated to " + parent +
                          " (it has: " + QString::fromStdString(available).trimmed().toStdString() + ")";
        return limits;
    }
    const std::string root = parent + "/" + groupName;
    if (std::string why = makeFolder(root); !why.empty()) {
        limits.m_reason = why + " (cgroup v2)";
        return limits;
    }
    for (const std::string &folder : {parent, root})
        if (Status enabled = writeText(folder + "/cgroup.subtree_control", "+memory +cpu"); !enabled.ok()) {
            limits.m_reason = enabled.error().message;
            return limits;
        }
    limits.m_memoryRoot = root;
    limits.m_cpuRoot = root;
    return limits;
}

std::vector<std::string> CgroupLimits::folders(const std::string &containerId) const
{
    std::vector<std::string> list = {m_memoryRoot + "/" + containerId};
    if (m_cpuRoot != m_memoryRoot)
        list.push_back(m_cpuRoot + "/" + containerId);
    return list;
}

Result<std::vector<std::string>> CgroupLimits::create(const std::string &containerId,
                                                     const ContainerLimits &limits) const
{
    if (!enforces())
        return Error::badRequest("CPU and memory limits are not enforced here: " + m_reason);
    std::vector<std::string> procs;
    for (const std::string &folder : folders(containerId)) {
        if (std::string why = makeFolder(folder); !why.empty())
            return Error::internal(why);
        procs.push_back(folder + "/cgroup.procs");
    }
    const std::string memory = m_memoryRoot + "/" + containerId;
    const std::string cpu = m_cpuRoot + "/" + containerId;
    const std::string quota = std::to_string(std::max<std::int64_t>(1000, limits.cpuMillis * kCpuPeriodUs / 1000));
    if (m_version == "v1") {
        if (limits.memoryBytes > 0) {
            CD_CHECK(writeText(memory + "/memory.limit_in_bytes", std::to_string(limits.memoryBytes)));
            // With swap accounting, the limit covers swap too, so the container is OOM-killed at
            // its limit instead of swapping (Kubernetes' behaviour without swap).
            if (QFile::exists(q(memory + "/memory.memsw.limit_in_bytes")))
                (void)writeText(memory + "/memory.memsw.limit_in_bytes", std::to_string(limits.memoryBytes));
            (void)writeText(memory + "/memory.swappiness", "0");
        }
        if (limits.cpuMillis > 0) {
            CD_CHECK(writeText(cpu + "/cpu.cfs_period_us", std::to_string(kCpuPeriodUs)));
            CD_CHECK(writeText(cpu + "/cpu.cfs_quota_us", quota));
        }
    } else {
        if (limits.memoryBytes > 0) {
            CD_CHECK(writeText(memory + "/memory.max", std::to_string(limits.memoryBytes)));
            if (QFile::exists(q(memory + "/memory.swap.max")))
                (void)writeText(memory + "/memory.swap.max", "0");
        }
        if (limits.cpuMillis > 0)
            CD_CHECK(writeText(cpu + "/cpu.max", quota + " " + std::to_string(kCpuPeriodUs)));
    }
    return procs;
}

bool CgroupLimits::oomKilled(const std::string &containerId) const
{
    if (!enforces())
        return false;
    const std::string memory = m_memoryRoot + "/" + containerId;
    const std::string text = readText(memory + (m_version == "v1" ? "/memory.oom_control" : "/memory.events"));
    return counter(text, "oom_kill") > 0;
}

void CgroupLimits::remove(const std::string &containerId) const
{
    if (!enforces())
        return;
    for (const std::string &folder : folders(containerId))
        ::rmdir(folder.c_str());
}

std::vector<std::string> CgroupLimits::groupFolders() const
{
    if (!enforces())
        return {};
    if (m_cpuRoot == m_memoryRoot)
        return {m_memoryRoot};
    return {m_memoryRoot, m_cpuRoot};
}

void CgroupLimits::removeGroupIfEmpty() const
{
    // rmdir refuses a cgroup that still has child cgroups: those of running containers stay.
    for (const std::string &folder : groupFolders())
        ::rmdir(folder.c_str());
}

} // namespace cd::runtime::process
