#include "engine/controllers/volumebinding/volumematching.h"

#include "engine/core/labels.h"
#include "engine/core/quantity.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>

namespace cd::controllers::volumes {
namespace {

const Json &arrayAt(const Json &object, std::initializer_list<std::string_view> path)
{
    static const Json empty = Json::array();
    const Json *value = find(object, path);
    return value && value->is_array() ? *value : empty;
}

std::set<std::string> stringSet(const Json &array)
{
    std::set<std::string> out;
    for (const Json &v : array)
        if (v.is_string())
            out.insert(v.get<std::string>());
    return out;
}

Quantity storageOf(const Json *value)
{
    if (!value)
        return {};
    auto q = Quantity::fromJson(*value);
    return q.ok() ? *q : Quantity();
}

Quantity requested(const Json &claim) { return storageOf(find(claim, {"spec", "resources", "requests", "storage"})); }
Quantity capacity(const Json &volume) { return storageOf(find(volume, {"spec", "capacity", "storage"})); }

bool requirementMatches(const Json &requirement, const std::string *value)
{
    const std::string op = str(requirement, {"operator"});
    const std::set<std::string> values = stringSet(arrayAt(requirement, {"values"}));
    if (op == "In")
        return value && values.count(*value);
    if (op == "NotIn")
        return !value || !values.count(*value);
    if (op == "Exists")
        return value != nullptr;
    if (op == "DoesNotExist")
        return value == nullptr;
    if ((op == "Gt" || op == "Lt") && value && values.size() == 1) {
        char *end = nullptr;
        const long long have = std::strtoll(value->c_str(), &end, 10);
        if (*end)
            return false;
        const long long bound = std::strtoll(values.begin()->c_str(), &end, 10);
        if (*end)
            return false;
        return op == "Gt" ? have > bound : have < bound;
    }
    return false;
}

bool termMatches(const Json &term, const NodeInfo &node)
{
    const Json &expressions = arrayAt(term, {"matchExpressions"});
    const Json &fields = arrayAt(term, {"matchFields"});
    if (expressions.empty() && fields.empty())
        return false;  // an empty term selects nothing
    for (const Json &requirement : expressions) {
        auto it = node.labels.find(str(requirement, {"key"}));
        if (!requirementMatches(requirement, it == node.labels.end() ? nullptr : &it->second))
            return false;
    }
    for (const Json &requirement : fields) {
        const bool byName = str(requirement, {"key"}) == "metadata.name";
        if (!requirementMatches(requirement, byName ? &node.name : nullptr))
            return false;
    }
    return true;
}

// FindMatchingVolume within one access-mode group.
const Json *matchInGroup(const Json &claim, const std::vector<const Json *> &volumes, bool delayBinding,
                         const NodeInfo *node)
{
    const Quantity wanted = requested(claim);
    const std::string wantedClass = claimClass(claim);
    std::optional<LabelSelector> selector;
    if (const Json *s = find(claim, {"spec", "selector"}); s && !s->is_null()) {
        auto parsed = LabelSelector::fromJson(*s);
        if (!parsed.ok())
            return nullptr;
        selector = *parsed;
    }
    const Json *smallest = nullptr;
    Quantity smallestSize;
    for (const Json *volume : volumes) {
        const bool preBound = boundToClaim(*volume, claim);
        if (find(*volume, {"spec", "claimRef"}) && !preBound)
            continue;
        const Quantity size = capacity(*volume);
        if (size.value() < wanted.value() || volumeModesDiffer(claim, *volume))
            continue;
        if (find(*volume, {"metadata", "deletionTimestamp"}))
            continue;
        const bool nodeFits = !node || nodeAffinityAdmits(*volume, *node);
        if (preBound)
            return nodeFits ? volume : nullptr;
        if (!node && delayBinding)
            continue;  // the consumer's node decides
        if (str(*volume, {"status", "phase"}) != "Available")
            continue;
        if (const Json *labels = find(*volume, {"metadata", "labels"});
            selector && !selector->matches(labels ? *labels : Json()))
            continue;
        if (volumeClass(*volume) != wantedClass || !nodeFits)
            continue;
        if (node && !accessModesFit(claim, *volume))
            continue;
        if (!smallest || size < smallestSize) {
            smallest = volume;
            smallestSize = size;
        }
    }
    return smallest;
}

} // namespace

bool hasAnnotation(const Json &object, const char *name)
{
    const Json *annotations = find(object, {"metadata", "annotations"});
    return annotations && annotations->is_object() && annotations->contains(name);
}

std::string annotation(const Json &object, const char *name) { return str(object, {"metadata", "annotations", name}); }

std::string claimClass(const Json &claim)
{
    if (hasAnnotation(claim, kBetaStorageClass))
        return annotation(claim, kBetaStorageClass);
    return str(claim, {"spec", "storageClassName"});
}

bool claimHasClass(const Json &claim)
{
    if (hasAnnotation(claim, kBetaStorageClass))
        return true;
    const Json *cls = find(claim, {"spec", "storageClassName"});
    return cls && !cls->is_null();
}

std::string volumeClass(const Json &volume)
{
    if (hasAnnotation(volume, kBetaStorageClass))
        return annotation(volume, kBetaStorageClass);
    return str(volume, {"spec", "storageClassName"});
}

bool isDefaultClass(const Json &storageClass)
{
    return annotation(storageClass, kDefaultClass) == "true" || annotation(storageClass, kBetaDefaultClass) == "true";
}

std::string claimKey(const Json &claim)
{
    return str(claim, {"metadata", "namespace"}) + "/" + str(claim, {"metadata", "name"});
}

bool boundToClaim(const Json &volume, const Json &claim)
{
    const Json *ref = find(volume, {"spec", "claimRef"});
    if (!ref || !ref->is_object())
        return false;
    if (str(*ref, {"name"}) != str(claim, {"metadata", "name"}) ||
        str(*ref, {"namespace"}) != str(claim, {"metadata", "namespace"}))
        return false;
    const std::string uid = str(*ref, {"uid"});
    return uid.empty() || uid == str(claim, {"metadata", "uid"});
}

Json claimReference(const Json &claim)
{
    return {{"kind", "PersistentVolumeClaim"},
            {"namespace", str(claim, {"metadata", "namespace"})},
            {"name", str(claim, {"metadata", "name"})},
            {"uid", str(claim, {"metadata", "uid"})},
            {"apiVersion", "v1"},
            {"resourceVersion", str(claim, {"metadata", "resourceVersion"})}};
}

bool accessModesFit(const Json &claim, const Json &volume)
{
    const std::set<std::string> offered = stringSet(arrayAt(volume, {"spec", "accessModes"}));
    for (const std::string &mode : stringSet(arrayAt(claim, {"spec", "accessModes"})))
        if (!offered.count(mode))
            return false;
    return true;
}

bool volumeModesDiffer(const Json &claim, const Json &volume)
{
    return str(claim, {"spec", "volumeMode"}, "Filesystem") != str(volume, {"spec", "volumeMode"}, "Filesystem");
}

bool nodeAffinityAdmits(const Json &volume, const NodeInfo &node)
{
    const Json *required = find(volume, {"spec", "nodeAffinity", "required"});
    if (!required || required->is_null())
        return true;
    const Json &terms = arrayAt(*required, {"nodeSelectorTerms"});
    return std::any_of(terms.begin(), terms.end(), [&](const Json &term) { return termMatches(term, node); });
}

std::string whyVolumeCannotServe(const Json &volume, const Json &claim)
{
    if (find(volume, {"metadata", "deletionTimestamp"}))
        return "the volume is marked for deletion \"" + str(volume, {"metadata", "name"}) + "\"";
    if (capacity(volume).value() < requested(claim).value())
        return "requested PV is too small";
    if (volumeClass(volume) != claimClass(claim))
        return "storageClassName does not match";
    if (volumeModesDiffer(claim, volume))
        return "incompatible volumeMode";
    if (!accessModesFit(claim, volume))
        return "incompatible accessMode";
    return {};
}

const Json *findBestMatch(const Json &claim, const std::vector<const Json *> &volumes, bool delayBinding,
                          const NodeInfo *node)
{
    // Volumes grouped by their set of access modes; the groups that offer every mode the claim
    // asks for are searched, fewest modes first, so a volume is not wasted on a claim that
    // needs less of it.
    std::map<std::set<std::string>, std::vector<const Json *>> groups;
    for (const Json *volume : volumes)
        groups[stringSet(arrayAt(*volume, {"spec", "accessModes"}))].push_back(volume);
    const std::set<std::string> wanted = stringSet(arrayAt(claim, {"spec", "accessModes"}));
    std::vector<const std::set<std::string> *> fitting;
    for (const auto &[modes, members] : groups)
        if (std::includes(modes.begin(), modes.end(), wanted.begin(), wanted.end()))
            fitting.push_back(&modes);
    std::stable_sort(fitting.begin(), fitting.end(), [](const auto *a, const auto *b) { return a->size() < b->size(); });
    for (const auto *modes : fitting)
        if (const Json *match = matchInGroup(claim, groups[*modes], delayBinding, node))
            return match;
    return nullptr;
}

} // namespace cd::controllers::volumes
