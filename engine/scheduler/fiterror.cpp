#include "engine/scheduler/fiterror.h"

#include <algorithm>
#include <vector>

namespace cd::scheduler {

std::string fitErrorMessage(long long numAllNodes, const std::string &preFilterMessage,
                            const std::map<std::string, long long> &reasonCounts, const std::string &postFilterMessage)
{
    std::string message = "0/" + std::to_string(numAllNodes) + " nodes are available:";
    if (!preFilterMessage.empty()) {
        message += " " + preFilterMessage + ".";
    } else {
        std::vector<std::string> histogram;
        for (const auto &[reason, count] : reasonCounts)
            histogram.push_back(std::to_string(count) + " " + reason);
        std::sort(histogram.begin(), histogram.end());  // Go's sort.Strings: "10 x" before "2 y"
        if (!histogram.empty()) {
            message += " ";
            for (size_t i = 0; i < histogram.size(); ++i)
                message += (i ? ", " : "") + histogram[i];
            message += ".";
        }
    }
    if (!postFilterMessage.empty())
        message += " " + postFilterMessage + ".";
    return message;
}

std::string truncateEventMessage(const std::string &message)
{
    constexpr size_t kLimit = 1024;
    if (message.size() <= kLimit)
        return message;
    const std::string suffix = " ...";
    return message.substr(0, kLimit - suffix.size()) + suffix;
}

} // namespace cd::scheduler
