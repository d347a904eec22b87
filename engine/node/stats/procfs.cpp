#include "engine/node/stats/procfs.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

namespace cd::node::stats {
namespace {

std::optional<std::int64_t> number(std::string_view text)
{
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end == text.data())
        return std::nullopt;
    return value;
}

std::vector<std::string_view> words(std::string_view text)
{
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
            ++i;
        const size_t start = i;
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
            ++i;
        if (i > start)
            out.push_back(text.substr(start, i - start));
    }
    return out;
}

// The value in kB of a "Key:   123 kB" line of meminfo or smaps_rollup, in bytes.
std::optional<std::int64_t> kilobytesField(std::string_view text, std::string_view key)
{
    size_t at = 0;
    while (at < text.size()) {
        const size_t end = std::min(text.find('\n', at), text.size());
        const std::string_view line = text.substr(at, end - at);
        if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
            const auto value = number(line.substr(key.size() + 1));
            return value ? std::optional<std::int64_t>(*value * 1024) : std::nullopt;
        }
        at = end + 1;
    }
    return std::nullopt;
}

// Small /proc files report a size of 0: read until the end.
std::optional<std::string> readSmallFile(const std::string &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    std::string out;
    char buffer[4096];
    while (true) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            ::close(fd);
            return std::nullopt;
        }
        if (n == 0)
            break;
        out.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
}

} // namespace

std::optional<ProcStat> parseProcStat(std::string_view text)
{
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields start after
    // the last ')'.
    const size_t open = text.find(" (");
    const size_t close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return std::nullopt;
    ProcStat stat;
    const auto pid = number(text.substr(0, open));
    const std::vector<std::string_view> fields = words(text.substr(close + 1));
    // fields[0] is the state (field 3 of proc(5)); ppid is field 4, utime..cstime 14..17.
    if (!pid || fields.size() < 15)
        return std::nullopt;
    const auto ppid = number(fields[1]);
    const auto utime = number(fields[11]), stime = number(fields[12]);
    const auto cutime = number(fields[13]), cstime = number(fields[14]);
    if (!ppid || !utime || !stime || !cutime || !cstime)
        return std::nullopt;
    stat.pid = static_cast<int>(*pid);
    stat.ppid = static_cast<int>(*ppid);
    stat.utime = *utime;
    stat.stime = *stime;
    stat.cutime = *cutime;
    stat.cstime = *cstime;
    return stat;
}

std::optional<std::int64_t> parseSmapsRollupPss(std::string_view text) { return kilobytesField(text, "Pss"); }

std::optional<std::int64_t> parseStatmResident(std::string_view text, std::int64_t pageSize)
{
    const std::vector<std::string_view> fields = words(text);
    if (fields.size() < 2)
        return std::nullopt;
    const auto pages = number(fields[1]);
    return pages ? std::optional<std::int64_t>(*pages * pageSize) : std::nullopt;
}

bool parseMachineCpu(std::string_view procStat, std::int64_t nsPerTick, MachineUsage &out)
{
    bool found = false;
    size_t at = 0;
    while (at < procStat.size()) {
        const size_t end = std::min(procStat.find('\n', at), procStat.size());
        const std::vector<std::string_view> fields = words(procStat.substr(at, end - at));
        at = end + 1;
        if (fields.empty())
            continue;
        if (fields[0] == "cpu" && fields.size() >= 8) {
            // user nice system idle iowait irq softirq [steal]: idle and iowait are not busy.
            std::int64_t busy = 0;
            for (size_t i : {1, 2, 3, 6, 7, 8}) {
                if (i >= fields.size())
                    continue;
                const auto value = number(fields[i]);
                if (!value)
                    return false;
                busy += *value;
            }
            out.cpuNs = busy * nsPerTick;
            found = true;
        } else if (fields[0] == "btime" && fields.size() >= 2) {
            out.bootTimeSeconds = number(fields[1]).value_or(0);
        }
    }
    return found;
}

bool parseMeminfo(std::string_view meminfo, MachineUsage &out)
{
    const auto total = kilobytesField(meminfo, "MemTotal");
    const auto free = kilobytesField(meminfo, "MemFree");
    if (!total || !free)
        return false;
    out.memoryTotalBytes = *total;
    out.memoryFreeBytes = *free;
    // Kernels before 3.14 have no MemAvailable: free memory is the closest they say.
    out.memoryAvailableBytes = kilobytesField(meminfo, "MemAvailable").value_or(*free);
    return true;
}

void ProcessTable::add(const ProcStat &stat)
{
    m_stats[stat.pid] = stat;
    m_children.emplace(stat.ppid, stat.pid);
}

const ProcStat *ProcessTable::find(int pid) const
{
    auto it = m_stats.find(pid);
    return it == m_stats.end() ? nullptr : &it->second;
}

std::vector<int> ProcessTable::tree(int root) const
{
    std::vector<int> out;
    if (root <= 0 || !find(root))
        return out;
    out.push_back(root);
    for (size_t i = 0; i < out.size(); ++i) {
        const auto [begin, end] = m_children.equal_range(out[i]);
        for (auto it = begin; it != end; ++it)
            if (it->second != out[i] && it->second != root)  // pid 0 and 1 may claim themselves
                out.push_back(it->second);
    }
    return out;
}

ProcReader::ProcReader(std::string procRoot) : m_root(std::move(procRoot))
{
    const long ticks = ::sysconf(_SC_CLK_TCK);
    m_nsPerTick = ticks > 0 ? 1000000000LL / ticks : 10000000LL;
    const long page = ::sysconf(_SC_PAGESIZE);
    m_pageSize = page > 0 ? page : 4096;
}

ProcessTable ProcReader::processes() const
{
    ProcessTable table;
    DIR *dir = ::opendir(m_root.c_str());
    if (!dir)
        return table;
    while (const dirent *entry = ::readdir(dir)) {
        if (!std::isdigit(static_cast<unsigned char>(entry->d_name[0])))
            continue;
        // A process may end between the listing and the read: it is simply not there.
        if (auto text = readSmallFile(m_root + "/" + entry->d_name + "/stat"))
            if (auto stat = parseProcStat(*text))
                table.add(*stat);
    }
    ::closedir(dir);
    return table;
}

std::optional<std::int64_t> ProcReader::memoryBytes(int pid) const
{
    const std::string base = m_root + "/" + std::to_string(pid);
    if (auto rollup = readSmallFile(base + "/smaps_rollup"))
        if (auto pss = parseSmapsRollupPss(*rollup))
            return pss;
    if (auto statm = readSmallFile(base + "/statm"))
        return parseStatmResident(*statm, m_pageSize);
    return std::nullopt;
}

std::optional<MachineUsage> ProcReader::machine() const
{
    MachineUsage usage;
    const auto stat = readSmallFile(m_root + "/stat");
    const auto meminfo = readSmallFile(m_root + "/meminfo");
    if (!stat || !meminfo || !parseMachineCpu(*stat, m_nsPerTick, usage) || !parseMeminfo(*meminfo, usage))
        return std::nullopt;
    return usage;
}

} // namespace cd::node::stats
