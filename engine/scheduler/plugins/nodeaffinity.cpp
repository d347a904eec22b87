// NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity): nodeSelector and required node
// affinity filter; preferred terms score.
#include "engine/scheduler/plugins/plugins.h"

#include <algorithm>

namespace cd::scheduler {

bool nodeAffinityFilter(const PodInfo &pod, const NodeInfo &node, FilterStatus *why)
{
    bool match = true;
    for (const auto &[key, value] : pod.nodeSelector) {
        const std::string *have = labelValue(node.labels, key);
        if (!have || *have != value) {
            match = false;
            break;
        }
    }
    if (match && pod.hasRequiredAffinity)
        match = matchesAnyTerm(pod.requiredTerms, node.labels, node.name);
    if (match)
        return true;
    if (why)
        why->fail(NodeAffinity, FilterStatus::Code::UnschedulableAndUnresolvable,
                  "node(s) didn't match Pod's node affinity/selector");
    return false;
}

NodeNamesFromAffinity nodeAffinityPreFilter(const PodInfo &pod)
{
    NodeNamesFromAffinity out;
    if (!pod.hasRequiredAffinity || pod.requiredTerms.empty())
        return out;
    std::vector<std::string> all;
    for (const NodeSelectorTerm &term : pod.requiredTerms) {
        bool named = false;
        std::vector<std::string> names;
        for (const NodeSelectorRequirement &r : term.fields) {
            if (r.key != "metadata.name" || r.op != NodeSelectorRequirement::Op::In)
                continue;
            // Requirements of one term are ANDed: intersect.
            std::vector<std::string> values = r.values;
            std::sort(values.begin(), values.end());
            values.erase(std::unique(values.begin(), values.end()), values.end());
            if (!named) {
                names = std::move(values);
                named = true;
            } else {
                std::vector<std::string> both;
                std::set_intersection(names.begin(), names.end(), values.begin(), values.end(), std::back_inserter(both));
                names = std::move(both);
            }
        }
        if (!named)
            return out;  // a term without node names admits every node (terms are ORed)
        all.insert(all.end(), names.begin(), names.end());
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    out.restricted = true;
    out.conflict = all.empty();
    out.names = std::move(all);
    return out;
}

long long nodeAffinityScore(const PodInfo &pod, const NodeInfo &node)
{
    long long score = 0;
    for (const PreferredTerm &p : pod.preferredTerms)
        if (p.term.matches(node.labels, node.name))
            score += p.weight;
    return score;
}

} // namespace cd::scheduler
