#include "engine/controllers/job/completionindexes.h"

#include <charconv>

namespace cd::controllers::job {
namespace {

bool parseInt(std::string_view text, int &out)
{
    if (text.empty())
        return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size();
}

} // namespace

CompletionIndexes CompletionIndexes::parse(const std::string &text, int completions)
{
    CompletionIndexes out;
    if (text.empty())
        return out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = text.find(',', start);
        const std::string_view part(text.data() + start, (comma == std::string::npos ? text.size() : comma) - start);
        start = comma == std::string::npos ? text.size() + 1 : comma + 1;
        Interval interval;
        const size_t dash = part.find('-');
        if (!parseInt(part.substr(0, dash), interval.first))
            continue;
        if (interval.first >= completions)
            break;
        if (dash != std::string_view::npos) {
            if (!parseInt(part.substr(dash + 1), interval.last))
                continue;
            if (interval.last >= completions)
                interval.last = completions - 1;
        } else {
            interval.last = interval.first;
        }
        if (!out.m_intervals.empty() && out.m_intervals.back().last == interval.first - 1)
            out.m_intervals.back().last = interval.last;
        else
            out.m_intervals.push_back(interval);
    }
    return out;
}

CompletionIndexes CompletionIndexes::withIndexes(const std::vector<int> &sortedIndexes) const
{
    CompletionIndexes added;
    for (int index : sortedIndexes)
        added.m_intervals.push_back({index, index});
    return merged(added);
}

CompletionIndexes CompletionIndexes::merged(const CompletionIndexes &other) const
{
    CompletionIndexes out;
    auto append = [&out](const Interval &next) {
        if (out.m_intervals.empty() || next.first > out.m_intervals.back().last + 1)
            out.m_intervals.push_back(next);
        else if (out.m_intervals.back().last < next.last)
            out.m_intervals.back().last = next.last;
    };
    size_t i = 0, j = 0;
    const auto &a = m_intervals;
    const auto &b = other.m_intervals;
    while (i < a.size() && j < b.size())
        append(a[i].first < b[j].first ? a[i++] : b[j++]);
    while (i < a.size())
        append(a[i++]);
    while (j < b.size())
        append(b[j++]);
    return out;
}

bool CompletionIndexes::has(int index) const
{
    for (const Interval &interval : m_intervals) {
        if (interval.last >= index)
            return interval.first <= index;
    }
    return false;
}

int CompletionIndexes::total() const
{
    int count = 0;
    for (const Interval &interval : m_intervals)
        count += interval.last - interval.first + 1;
    return count;
}

std::string CompletionIndexes::toString() const
{
    std::string out;
    for (const Interval &interval : m_intervals) {
        if (!out.empty())
            out += ',';
        out += std::to_string(interval.first);
        if (interval.last > interval.first) {
            out += interval.last == interval.first + 1 ? ',' : '-';
            out += std::to_string(interval.last);
        }
    }
    return out;
}

std::vector<int> firstPendingIndexes(const CompletionIndexes &taken, int count, int completions)
{
    std::vector<int> result;
    if (count <= 0)
        return result;
    int candidate = 0;
    for (const auto &interval : taken.intervals()) {
        for (; candidate < completions && int(result.size()) < count && candidate < interval.first; ++candidate)
            result.push_back(candidate);
        if (candidate < interval.last + 1)
            candidate = interval.last + 1;
    }
    for (; candidate < completions && int(result.size()) < count; ++candidate)
        result.push_back(candidate);
    return result;
}

} // namespace cd::controllers::job
