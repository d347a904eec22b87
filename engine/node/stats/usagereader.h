#pragma once
// Where a sampling round reads usage from: the real one reads /proc (procfs.h); tests give
// their own numbers.

#include "engine/node/stats/procfs.h"

#include <cstdint>
#include <optional>

namespace cd::node::stats {

struct TreeUsage {
    std::int64_t cpuNs = 0;        // cumulative CPU time of the container's processes
    std::int64_t memoryBytes = 0;  // their working set
    int processes = 0;
};

class UsageReader {
public:
    virtual ~UsageReader() = default;
    // Called once at the start of each round (a snapshot of the processes).
    virtual void beginRound() = 0;
    // The usage of the container whose main process is `pid`; nullopt when it is gone.
    virtual std::optional<TreeUsage> container(int pid) = 0;
    virtual std::optional<MachineUsage> machine() = 0;
};

// Containers without a cgroup of their own: the process tree of their main process in /proc.
class ProcUsageReader : public UsageReader {
public:
    explicit ProcUsageReader(std::string procRoot = "/proc") : m_proc(std::move(procRoot)) {}
    // The process table is read once per round, and only when a container is asked for.
    void beginRound() override { m_snapshotTaken = false; }
    std::optional<TreeUsage> container(int pid) override;
    std::optional<MachineUsage> machine() override { return m_proc.machine(); }

private:
    ProcReader m_proc;
    ProcessTable m_table;
    bool m_snapshotTaken = false;
};

} // namespace cd::node::stats
