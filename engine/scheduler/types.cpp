#include "engine/scheduler/types.h"

#include <algorithm>
#include <charconv>

namespace cd::scheduler {

const char *pluginName(Plugin plugin)
{
    switch (plugin) {
    case NodeUnschedulable: return "NodeUnschedulable";
    case NodeName: return "NodeName";
    case TaintToleration: return "TaintToleration";
    case NodeAffinity: return "NodeAffinity";
    case NodeResourcesFit: return "NodeResourcesFit";
    case VolumeBinding: return "VolumeBinding";
    case NodeReady: return "NodeReady";
    case NodePorts: return "NodePorts";
    default: return "";
    }
}

long long Resources::scalar(std::string_view name) const
{
    for (const ScalarResource &s : scalars)
        if (s.name == name)
            return s.value;
    return 0;
}

void Resources::add(const Resources &other, int sign)
{
    milliCpu += sign * other.milliCpu;
    memory += sign * other.memory;
    ephemeralStorage += sign * other.ephemeralStorage;
    for (const ScalarResource &s : other.scalars) {
        auto it = std::find_if(scalars.begin(), scalars.end(), [&](const ScalarResource &mine) { return mine.name == s.name; });
        if (it == scalars.end())
            scalars.push_back({s.name, sign * s.value});
        else
            it->value += sign * s.value;
    }
}

bool Resources::isZero() const
{
    return milliCpu == 0 && memory == 0 && ephemeralStorage == 0 &&
           std::all_of(scalars.begin(), scalars.end(), [](const ScalarResource &s) { return s.value == 0; });
}

const std::string *labelValue(const LabelList &labels, std::string_view key)
{
    auto it = std::lower_bound(labels.begin(), labels.end(), key,
                               [](const std::pair<std::string, std::string> &l, std::string_view k) { return l.first < k; });
    return it != labels.end() && it->first == key ? &it->second : nullptr;
}


namespace {

bool parseInteger(const std::string &text, long long &out)
{
    const char *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end && !text.empty();
}

bool contains(const std::vector<std::string> &values, const std::string &value)
{
    return std::find(values.begin(), values.end(), value) != values.end();
}

bool labelRequirementMatches(const NodeSelectorRequirement &r, const LabelList &labels)
{
    const std::string *value = labelValue(labels, r.key);
    switch (r.op) {
    case NodeSelectorRequirement::Op::In: return value && contains(r.values, *value);
    case NodeSelectorRequirement::Op::NotIn: return !value || !contains(r.values, *value);
    case NodeSelectorRequirement::Op::Exists: return value != nullptr;
    case NodeSelectorRequirement::Op::DoesNotExist: return value == nullptr;
    case NodeSelectorRequirement::Op::Gt:
    case NodeSelectorRequirement::Op::Lt: {
        long long have = 0;
        if (!value || !parseInteger(*value, have))
            return false;
        return r.op == NodeSelectorRequirement::Op::Gt ? have > r.number : have < r.number;
    }
    }
    return false;
}

// Fields a node offers to matchFields: only metadata.name.
bool fieldRequirementMatches(const NodeSelectorRequirement &r, std::string_view nodeName)
{
    const std::string_view have = r.key == "metadata.name" ? nodeName : std::string_view();
    const bool equal = !r.values.empty() && have == r.values.front();
    return r.op == NodeSelectorRequirement::Op::In ? equal : !equal;
}

} // namespace

bool NodeSelectorTerm::matches(const LabelList &labels, std::string_view nodeName) const
{
    if (!valid || empty())
        return false;
    for (const NodeSelectorRequirement &r : expressions)
        if (!labelRequirementMatches(r, labels))
            return false;
    for (const NodeSelectorRequirement &r : fields)
        if (!fieldRequirementMatches(r, nodeName))
            return false;
    return true;
}

bool matchesAnyTerm(const std::vector<NodeSelectorTerm> &terms, const LabelList &labels, std::string_view nodeName)
{
    return std::any_of(terms.begin(), terms.end(),
                       [&](const NodeSelectorTerm &t) { return t.matches(labels, nodeName); });
}

bool PodInfo::sameSchedulingFacts(const PodInfo &o) const
{
    return nodeName == o.nodeName && schedulerName == o.schedulerName && ownerUid == o.ownerUid &&
           priority == o.priority && preemptNever == o.preemptNever && gated == o.gated &&
           terminating == o.terminating && terminal == o.terminal && requests == o.requests &&
           nonZeroMilliCpu == o.nonZeroMilliCpu && nonZeroMemory == o.nonZeroMemory && tolerations == o.tolerations &&
           nodeSelector == o.nodeSelector && hasRequiredAffinity == o.hasRequiredAffinity &&
           requiredTerms == o.requiredTerms && preferredTerms == o.preferredTerms && claims == o.claims &&
           hostPorts == o.hostPorts;
}

void NodeInfo::addUsage(const Resources &requests, long long nonZeroCpu, long long nonZeroMem, long long priority,
                        int sign)
{
    requested.add(requests, sign);
    nonZeroMilliCpu += sign * nonZeroCpu;
    nonZeroMemory += sign * nonZeroMem;
    podCount += sign;
    auto it = std::find_if(usageByPriority.begin(), usageByPriority.end(),
                           [&](const PriorityUsage &u) { return u.priority == priority; });
    if (it == usageByPriority.end())
        it = usageByPriority.insert(usageByPriority.end(), PriorityUsage{priority, 0, {}});
    it->pods += sign;
    it->requested.add(requests, sign);
    if (it->pods <= 0)
        usageByPriority.erase(it);
}

void NodeInfo::addPorts(const std::vector<HostPort> &ports, long long priority, int sign)
{
    for (const HostPort &port : ports) {
        if (sign > 0) {
            usedPorts.push_back({port, priority});
            continue;
        }
        auto it = std::find_if(usedPorts.begin(), usedPorts.end(),
                               [&](const UsedPort &u) { return u.priority == priority && u.port == port; });
        if (it != usedPorts.end())
            usedPorts.erase(it);
    }
}

PriorityUsage NodeInfo::usageBelow(long long priority) const
{
    PriorityUsage below;
    for (const PriorityUsage &u : usageByPriority)
        if (u.priority < priority) {
            below.pods += u.pods;
            below.requested.add(u.requested);
        }
    return below;
}

} // namespace cd::scheduler
