#include "engine/controllers/common/podranking.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace cd::controllers {
namespace {

int phaseOrdinal(PodFacts::Phase phase)
{
    switch (phase) {
    case PodFacts::Phase::Pending: return 0;
    case PodFacts::Phase::Unknown: return 1;
    case PodFacts::Phase::Running: return 2;
    default: return 3;  // finished pods are never candidates (only active ones are)
    }
}

bool isZero(TimePoint t) { return t == TimePoint{}; }

// afterOrZero: an unset time sorts first, otherwise the later one does.
bool afterOrZero(TimePoint a, TimePoint b)
{
    if (isZero(a) || isZero(b))
        return isZero(a);
    return a > b;
}

// logarithmicRankDiff: compares ages on a log2 scale of nanoseconds, so pods of about the same
// age count as equal and the choice among them is random (by uid) rather than always the newest.
long long logarithmicRankDiff(TimePoint a, TimePoint b, TimePoint now)
{
    auto rankOf = [now](TimePoint t) -> long long {
        const double age = std::chrono::duration<double, std::nano>(now - t).count();
        return age > 0 ? static_cast<long long>(std::log2(age)) : -1;
    };
    return rankOf(a) - rankOf(b);
}

// The newer (or unset) time first, on the log scale when both are set.
std::optional<bool> compareAges(TimePoint a, TimePoint b, TimePoint now, const std::string &uidA,
                                const std::string &uidB)
{
    if (a == b)
        return std::nullopt;
    if (isZero(now) || isZero(a) || isZero(b))
        return afterOrZero(a, b);
    const long long diff = logarithmicRankDiff(a, b, now);
    if (diff == 0)
        return uidA < uidB;
    return diff < 0;
}

} // namespace

bool deleteBefore(const RankedPod &x, const RankedPod &y, TimePoint now)
{
    const PodFacts &a = *x.pod;
    const PodFacts &b = *y.pod;
    if (a.nodeName != b.nodeName && (a.nodeName.empty() || b.nodeName.empty()))
        return a.nodeName.empty();
    if (phaseOrdinal(a.phase) != phaseOrdinal(b.phase))
        return phaseOrdinal(a.phase) < phaseOrdinal(b.phase);
    if (a.ready != b.ready)
        return !a.ready;
    if (a.deletionCost != b.deletionCost)
        return a.deletionCost < b.deletionCost;
    if (x.rank != y.rank)
        return x.rank > y.rank;
    if (a.ready && b.ready)
        if (auto order = compareAges(a.readySince, b.readySince, now, a.uid, b.uid))
            return *order;
    if (a.restarts != b.restarts)
        return a.restarts > b.restarts;
    if (auto order = compareAges(a.created, b.created, now, a.uid, b.uid))
        return *order;
    return false;
}

std::vector<const PodFacts *> podsToDelete(const std::vector<const PodFacts *> &candidates,
                                           const std::vector<const PodFacts *> &related, size_t count,
                                           TimePoint now)
{
    if (count >= candidates.size())
        return candidates;
    std::map<std::string, int> activeOnNode;
    for (const PodFacts *pod : related)
        if (pod->active())
            ++activeOnNode[pod->nodeName];
    std::vector<RankedPod> ranked;
    ranked.reserve(candidates.size());
    for (const PodFacts *pod : candidates) {
        auto it = activeOnNode.find(pod->nodeName);
        ranked.push_back({pod, it == activeOnNode.end() ? 0 : it->second});
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [now](const RankedPod &a, const RankedPod &b) { return deleteBefore(a, b, now); });
    std::vector<const PodFacts *> chosen;
    chosen.reserve(count);
    for (size_t i = 0; i < count; ++i)
        chosen.push_back(ranked[i].pod);
    return chosen;
}

} // namespace cd::controllers
