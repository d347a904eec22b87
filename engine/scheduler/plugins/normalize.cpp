// helper.DefaultNormalizeScore (pkg/scheduler/framework/plugins/helper/normalize_score.go).
#include "engine/scheduler/plugins/plugins.h"

#include <algorithm>

namespace cd::scheduler {

void defaultNormalizeScore(std::vector<long long> &scores, bool reverse)
{
    long long maxCount = 0;
    for (long long s : scores)
        maxCount = std::max(maxCount, s);
    if (maxCount == 0) {
        if (reverse)
            std::fill(scores.begin(), scores.end(), kMaxNodeScore);
        return;
    }
    for (long long &s : scores) {
        s = kMaxNodeScore * s / maxCount;
        if (reverse)
            s = kMaxNodeScore - s;
    }
}

} // namespace cd::scheduler
