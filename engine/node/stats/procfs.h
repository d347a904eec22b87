#pragma once
// What /proc tells about CPU and memory, for containers without a cgroup of their own (the
// process runtime's sandboxes): the processes of a container are its main process and all its
// descendants (orphans of a pid namespace are re-parented to its pid 1, the main process), and
// their usage is summed over that tree. The machine's usage comes from /proc/stat and
// /proc/meminfo. Parsers are separate from reading, for tests.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cd::node::stats {

// The fields of /proc/<pid>/stat that matter here. CPU times are in clock ticks; cutime and
// cstime hold what reaped children used, so a tree's sum keeps growing when children exit.
struct ProcStat {
    int pid = 0;
    int ppid = 0;
    std::int64_t utime = 0, stime = 0, cutime = 0, cstime = 0;
    std::int64_t cpuTicks() const { return utime + stime + cutime + cstime; }
};
std::optional<ProcStat> parseProcStat(std::string_view text);

// Memory of one process in bytes: Pss from smaps_rollup (shared pages counted once across the
// container's processes), else resident pages from statm.
std::optional<std::int64_t> parseSmapsRollupPss(std::string_view text);
std::optional<std::int64_t> parseStatmResident(std::string_view text, std::int64_t pageSize);

struct MachineUsage {
    std::int64_t cpuNs = 0;  // busy CPU time since boot, all CPUs
    std::int64_t memoryTotalBytes = 0;
    std::int64_t memoryFreeBytes = 0;
    std::int64_t memoryAvailableBytes = 0;
    std::int64_t bootTimeSeconds = 0;  // btime
    std::int64_t workingSetBytes() const { return memoryTotalBytes - memoryAvailableBytes; }
};
// /proc/stat's first line (user+nice+system+irq+softirq+steal; guest time is inside user) and btime.
bool parseMachineCpu(std::string_view procStat, std::int64_t nsPerTick, MachineUsage &out);
bool parseMeminfo(std::string_view meminfo, MachineUsage &out);

// Every process of the machine at one moment, by pid, with who its children are.
class ProcessTable {
public:
    void add(const ProcStat &stat);
    const ProcStat *find(int pid) const;
    // The process and all its descendants (empty when it is gone).
    std::vector<int> tree(int root) const;
    size_t size() const { return m_stats.size(); }

private:
    std::unordered_map<int, ProcStat> m_stats;
    std::unordered_multimap<int, int> m_children;
};

// Reads /proc (or another root, for tests).
class ProcReader {
public:
    explicit ProcReader(std::string procRoot = "/proc");
    ProcessTable processes() const;
    std::optional<std::int64_t> memoryBytes(int pid) const;
    std::optional<MachineUsage> machine() const;
    std::int64_t nsPerTick() const { return m_nsPerTick; }

private:
    std::string m_root;
    std::int64_t m_nsPerTick;
    std::int64_t m_pageSize;
};

} // namespace cd::node::stats
