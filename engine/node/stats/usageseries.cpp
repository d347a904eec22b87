#include "engine/node/stats/usageseries.h"

namespace cd::node::stats {

std::int64_t nanoCoresBetween(std::int64_t previousNs, std::int64_t previousMs, std::int64_t currentNs,
                              std::int64_t currentMs)
{
    if (currentMs <= previousMs || currentNs < previousNs)
        return -1;
    // ns of CPU per ns of wall time, times 1e9: deltaNs * 1e9 / (deltaMs * 1e6).
    const __int128 delta = static_cast<__int128>(currentNs - previousNs) * 1000;
    return static_cast<std::int64_t>(delta / (currentMs - previousMs));
}

const UsageSample &UsageSeries::record(std::uint64_t round, std::int64_t timeMs, std::uint64_t instance,
                                       std::int64_t cpuCumulativeNs, std::int64_t memoryBytes)
{
    UsageSample sample;
    sample.round = round;
    sample.timeMs = timeMs;
    sample.cpuCumulativeNs = cpuCumulativeNs;
    sample.memoryWorkingSetBytes = memoryBytes;
    if (const UsageSample *previous = latest();
        previous && previous->round + 1 == round && m_instance == instance) {
        sample.cpuNanoCores = nanoCoresBetween(previous->cpuCumulativeNs, previous->timeMs, cpuCumulativeNs, timeMs);
        if (sample.hasRate())
            sample.windowMs = timeMs - previous->timeMs;
    }
    m_instance = instance;
    return append(sample);
}

const UsageSample &UsageSeries::append(UsageSample sample)
{
    m_samples.push_back(sample);
    while (m_samples.size() > m_capacity)
        m_samples.pop_front();
    return m_samples.back();
}

const UsageSample *UsageSeries::at(std::uint64_t round) const
{
    const UsageSample *last = latest();
    return last && last->round == round ? last : nullptr;
}

} // namespace cd::node::stats
