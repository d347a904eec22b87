// Node facts (labels, taints, allocatable, readiness) and node selector terms.
#include "engine/scheduler/objectfacts.h"

#include <charconv>

namespace cd::scheduler {
namespace {

std::vector<std::string> stringValues(const Json &requirement)
{
    std::vector<std::string> out;
    if (const Json *values = find(requirement, {"values"}); values && values->is_array())
        for (const Json &v : *values)
            if (v.is_string())
                out.push_back(v.get<std::string>());
    return out;
}

// One matchExpressions/matchFields entry; false when Kubernetes would refuse to parse it.
bool requirementFrom(const Json &r, bool field, NodeSelectorRequirement &out)
{
    using Op = NodeSelectorRequirement::Op;
    out.key = str(r, {"key"});
    out.values = stringValues(r);
    const std::string op = str(r, {"operator"});
    if (field) {
        // Fields support In and NotIn with exactly one value.
        if ((op != "In" && op != "NotIn") || out.values.size() != 1)
            return false;
        out.op = op == "In" ? Op::In : Op::NotIn;
        return true;
    }
    if (op == "In" || op == "NotIn") {
        out.op = op == "In" ? Op::In : Op::NotIn;
        return !out.values.empty();
    }
    if (op == "Exists" || op == "DoesNotExist") {
        out.op = op == "Exists" ? Op::Exists : Op::DoesNotExist;
        return out.values.empty();
    }
    if (op == "Gt" || op == "Lt") {
        out.op = op == "Gt" ? Op::Gt : Op::Lt;
        if (out.values.size() != 1)
            return false;
        const std::string &v = out.values.front();
        auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out.number);
        return ec == std::errc() && ptr == v.data() + v.size() && !v.empty();
    }
    return false;
}

} // namespace

NodeSelectorTerm nodeSelectorTermFrom(const Json &term)
{
    NodeSelectorTerm out;
    for (const auto &[key, field] : {std::pair{"matchExpressions", false}, std::pair{"matchFields", true}}) {
        const Json *list = find(term, {key});
        if (!list || !list->is_array())
            continue;
        for (const Json &r : *list) {
            NodeSelectorRequirement requirement;
            if (!requirementFrom(r, field, requirement))
                out.valid = false;
            (field ? out.fields : out.expressions).push_back(std::move(requirement));
        }
    }
    return out;
}

std::vector<NodeSelectorTerm> nodeSelectorTermsFrom(const Json *terms)
{
    std::vector<NodeSelectorTerm> out;
    if (terms && terms->is_array())
        for (const Json &t : *terms)
            out.push_back(nodeSelectorTermFrom(t));
    return out;
}

NodeInfo nodeInfoFrom(const Json &node)
{
    NodeInfo info;
    info.name = str(node, {"metadata", "name"});
    info.labels = labelListFrom(find(node, {"metadata", "labels"}));
    if (const std::string *zone = labelValue(info.labels, "topology.kubernetes.io/zone")) {
        info.zone = *zone;
        info.hasZone = true;
    }
    info.hasHostname = labelValue(info.labels, "kubernetes.io/hostname") != nullptr;
    if (const Json *taints = find(node, {"spec", "taints"}); taints && taints->is_array())
        for (const Json &t : *taints)
            info.taints.push_back(taintFrom(t));
    info.unschedulable = boolean(node, {"spec", "unschedulable"});
    info.allocatable = resourcesFrom(find(node, {"status", "allocatable"}), &info.allowedPods);
    info.ready = false;
    if (const Json *conditions = find(node, {"status", "conditions"}); conditions && conditions->is_array())
        for (const Json &c : *conditions)
            if (str(c, {"type"}) == "Ready")
                info.ready = str(c, {"status"}) == "True";
    return info;
}

} // namespace cd::scheduler
