// PodTopologySpread with the system default constraints (pkg/scheduler/framework/plugins/
// podtopologyspread/scoring.go): a node scores by how many of the pod's siblings already share
// its hostname and zone, each count weighted by log(domains + 2); fewer siblings is better.
#include "engine/scheduler/plugins/plugins.h"

#include <algorithm>
#include <climits>
#include <cmath>

namespace cd::scheduler {
namespace {

constexpr long long kHostnameMaxSkew = 3;
constexpr long long kZoneMaxSkew = 5;

double scoreForCount(long long count, long long maxSkew, double weight)
{
    return double(count) * weight + double(maxSkew - 1);
}

} // namespace

SpreadWeights podTopologySpreadWeights(size_t feasibleNodes, size_t zonesAmongFeasible)
{
    return {std::log(double(feasibleNodes + 2)), std::log(double(zonesAmongFeasible + 2))};
}

long long podTopologySpreadScore(const NodeInfo &node, long long podsOnNode, long long podsInZone,
                                 const SpreadWeights &weights)
{
    double score = 0;
    if (node.hasHostname)
        score += scoreForCount(podsOnNode, kHostnameMaxSkew, weights.hostname);
    if (node.hasZone)
        score += scoreForCount(podsInZone, kZoneMaxSkew, weights.zone);
    return std::llround(score);
}

void podTopologySpreadNormalize(std::vector<long long> &scores)
{
    if (scores.empty())
        return;
    long long minScore = LLONG_MAX, maxScore = 0;
    for (long long s : scores) {
        minScore = std::min(minScore, s);
        maxScore = std::max(maxScore, s);
    }
    for (long long &s : scores)
        s = maxScore == 0 ? kMaxNodeScore : kMaxNodeScore * (maxScore + minScore - s) / maxScore;
}

} // namespace cd::scheduler
