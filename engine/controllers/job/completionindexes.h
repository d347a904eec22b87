#pragma once
// Sets of completion indexes of an Indexed Job, kept as ordered intervals and printed the way
// status.completedIndexes shows them ("1,3-5,7"; two neighbours print as "3,4").

#include <string>
#include <vector>

namespace cd::controllers::job {

class CompletionIndexes {
public:
    struct Interval {
        int first = 0;
        int last = 0;
    };

    // Reads "1,3-5,7"; indexes at or above `completions` are dropped, malformed parts skipped.
    static CompletionIndexes parse(const std::string &text, int completions);

    // A copy with the given indexes (in increasing order) added.
    CompletionIndexes withIndexes(const std::vector<int> &sortedIndexes) const;
    CompletionIndexes merged(const CompletionIndexes &other) const;

    bool has(int index) const;
    int total() const;
    std::string toString() const;
    const std::vector<Interval> &intervals() const { return m_intervals; }

private:
    std::vector<Interval> m_intervals;
};

// The first `count` indexes below `completions` that are in none of the given sets.
std::vector<int> firstPendingIndexes(const CompletionIndexes &taken, int count, int completions);

} // namespace cd::controllers::job
