#include "engine/node/stats/usagereader.h"

namespace cd::node::stats {

std::optional<TreeUsage> ProcUsageReader::container(int pid)
{
    if (!m_snapshotTaken) {
        m_table = m_proc.processes();
        m_snapshotTaken = true;
    }
    const std::vector<int> tree = m_table.tree(pid);
    if (tree.empty())
        return std::nullopt;
    TreeUsage usage;
    std::int64_t ticks = 0;
    for (int member : tree) {
        ticks += m_table.find(member)->cpuTicks();
        // A process that ended since the snapshot holds no memory any more.
        usage.memoryBytes += m_proc.memoryBytes(member).value_or(0);
    }
    usage.cpuNs = ticks * m_proc.nsPerTick();
    usage.processes = static_cast<int>(tree.size());
    return usage;
}

} // namespace cd::node::stats
