#pragma once
// One container's, pod's or node's CPU and memory over time: a bounded history of samples taken
// in sampling rounds, each with the CPU rate over the window since the previous round (as the
// kubelet's usageNanoCores is a rate between two cAdvisor samples).

#include <cstddef>
#include <cstdint>
#include <deque>

namespace cd::node::stats {

struct UsageSample {
    std::uint64_t round = 0;
    std::int64_t timeMs = 0;              // wall ms of the round
    std::int64_t windowMs = 0;            // since the previous round; 0 when the rate is unknown
    std::int64_t cpuCumulativeNs = 0;     // CPU time used so far (usageCoreNanoSeconds)
    std::int64_t cpuNanoCores = -1;       // rate over the window (usageNanoCores); -1 unknown
    std::int64_t memoryWorkingSetBytes = 0;

    bool hasRate() const { return cpuNanoCores >= 0; }
};

// The CPU rate between two cumulative readings, in nanocores; -1 when it cannot be told (no
// time passed, or the counter went back: a new process started counting from zero).
std::int64_t nanoCoresBetween(std::int64_t previousNs, std::int64_t previousMs, std::int64_t currentNs,
                              std::int64_t currentMs);

class UsageSeries {
public:
    explicit UsageSeries(size_t capacity = 90) : m_capacity(capacity ? capacity : 1) {}

    // A measured sample. The rate is known only when the previous sample is from the round
    // just before and of the same instance (the same process: a restarted container counts
    // from zero again), so every rate of a round covers the same window.
    const UsageSample &record(std::uint64_t round, std::int64_t timeMs, std::uint64_t instance,
                              std::int64_t cpuCumulativeNs, std::int64_t memoryBytes);
    // A sample computed from others (a pod's: the sum of its containers').
    const UsageSample &append(UsageSample sample);

    const std::deque<UsageSample> &samples() const { return m_samples; }
    const UsageSample *latest() const { return m_samples.empty() ? nullptr : &m_samples.back(); }
    // The latest sample when it is from `round`, else null (the thing was not seen then).
    const UsageSample *at(std::uint64_t round) const;
    size_t capacity() const { return m_capacity; }

private:
    size_t m_capacity;
    std::uint64_t m_instance = 0;
    std::deque<UsageSample> m_samples;
};

} // namespace cd::node::stats
