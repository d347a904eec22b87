#include "engine/api/admission/limitranger.h"

#include "engine/api/admission/resourcequotausage.h"
#include "engine/api/context.h"
#include "engine/api/status.h"

#include <cstdio>
#include <limits>
#include <optional>
#include <set>

namespace cd::api {
namespace {

using quota::ResourceList;
using Message = std::optional<std::string>;

const char *const kAnnotation = "kubernetes.io/limit-ranger";
constexpr long long kMaxMilliValue = std::numeric_limits<long long>::max() / 1000;

bool isCoreKind(const ResourceType &type, const char *kind) { return type.group.empty() && type.kind == kind; }

// requestLimitEnforcedValues: compared in milli-units unless a value is too large for them.
struct Compared {
    long long request = 0;
    long long limit = 0;
    long long enforced = 0;
};
Compared comparable(const Quantity *request, const Quantity *limit, const Quantity &enforced)
{
    const Quantity r = request ? *request : Quantity();
    const Quantity l = limit ? *limit : Quantity();
    Compared c{r.value(), l.value(), enforced.value()};
    if (c.request <= kMaxMilliValue && c.limit <= kMaxMilliValue && c.enforced <= kMaxMilliValue)
        c = {r.milliValue(), l.milliValue(), enforced.milliValue()};
    return c;
}

const Quantity *lookup(const ResourceList &list, const std::string &name)
{
    auto it = list.find(name);
    return it == list.end() ? nullptr : &it->second;
}

std::string usagePer(const std::string &bound, const std::string &resource, const std::string &limitType,
                     const Quantity &enforced)
{
    return bound + " " + resource + " usage per " + limitType + " is " + enforced.toString();
}

Message minConstraint(const std::string &limitType, const std::string &resource, const Quantity &enforced,
                      const ResourceList &requests, const ResourceList &limits)
{
    const Quantity *request = lookup(requests, resource);
    const Quantity *limit = lookup(limits, resource);
    const Compared c = comparable(request, limit, enforced);
    const std::string head = usagePer("minimum", resource, limitType, enforced);
    if (!request)
        return head + ".  No request is specified";
    if (c.request < c.enforced)
        return head + ", but request is " + request->toString();
    if (limit && c.limit < c.enforced)
        return head + ", but limit is " + limit->toString();
    return std::nullopt;
}

// For claims: only the request counts.
Message maxRequestConstraint(const std::string &limitType, const std::string &resource, const Quantity &enforced,
                             const ResourceList &requests)
{
    const Quantity *request = lookup(requests, resource);
    const Compared c = comparable(request, nullptr, enforced);
    const std::string head = usagePer("maximum", resource, limitType, enforced);
    if (!request)
        return head + ".  No request is specified";
    if (c.request > c.enforced)
        return head + ", but request is " + request->toString();
    return std::nullopt;
}

Message maxConstraint(const std::string &limitType, const std::string &resource, const Quantity &enforced,
                      const ResourceList &requests, const ResourceList &limits)
{
    const Quantity *request = lookup(requests, resource);
    const Quantity *limit = lookup(limits, resource);
    const Compared c = comparable(request, limit, enforced);
    const std::string head = usagePer("maximum", resource, limitType, enforced);
    if (!limit)
        return head + ".  No limit is specified";
    if (c.limit > c.enforced)
        return head + ", but limit is " + limit->toString();
    if (request && c.request > c.enforced)
        return head + ", but request is " + request->toString();
    return std::nullopt;
}

Message ratioConstraint(const std::string &limitType, const std::string &resource, const Quantity &enforced,
                        const ResourceList &requests, const ResourceList &limits)
{
    const Quantity *request = lookup(requests, resource);
    const Quantity *limit = lookup(limits, resource);
    const Compared c = comparable(request, limit, enforced);
    const std::string head =
        resource + " max limit to request ratio per " + limitType + " is " + enforced.toString();
    if (!request || c.request == 0)
        return head + ", but no request is specified or request is 0";
    if (!limit || c.limit == 0)
        return head + ", but no limit is specified or limit is 0";
    double observed = double(c.limit) / double(c.request);
    const double shown = observed;
    double maximum = double(enforced.value());
    if (enforced.value() <= kMaxMilliValue) {
        observed *= 1000;
        maximum = double(enforced.milliValue());
    }
    if (observed > maximum) {
        char ratio[64];
        std::snprintf(ratio, sizeof ratio, "%f", shown);
        return head + ", but provided ratio is " + ratio;
    }
    return std::nullopt;
}

// min, max and maxLimitRequestRatio of one LimitRange item against requests and limits.
void checkItem(const Json &item, const std::string &limitType, const ResourceList &requests,
               const ResourceList &limits, std::vector<std::string> &errors)
{
    auto collect = [&](const Message &m) {
        if (m)
            errors.push_back(*m);
    };
    for (const auto &[resource, q] : quota::parseList(find(item, {"min"})))
        collect(minConstraint(limitType, resource, q, requests, limits));
    for (const auto &[resource, q] : quota::parseList(find(item, {"max"})))
        collect(maxConstraint(limitType, resource, q, requests, limits));
    for (const auto &[resource, q] : quota::parseList(find(item, {"maxLimitRequestRatio"})))
        collect(ratioConstraint(limitType, resource, q, requests, limits));
}

const Json &items(const Json &limitRange)
{
    static const Json empty = Json::array();
    const Json *limits = find(limitRange, {"spec", "limits"});
    return limits && limits->is_array() ? *limits : empty;
}

const Json &containersOf(const Json &pod, const char *list)
{
    static const Json empty = Json::array();
    const Json *containers = find(pod, {"spec", list});
    return containers && containers->is_array() ? *containers : empty;
}

// PodMutateLimitFunc: missing requests and limits take the range's Container defaults.
void applyDefaults(const Json &limitRange, Json &pod)
{
    Json requests = Json::object(), limits = Json::object();
    for (const Json &item : items(limitRange)) {
        if (str(item, {"type"}) != "Container")
            continue;
        if (const Json *d = find(item, {"defaultRequest"}); d && d->is_object())
            requests.update(*d);
        if (const Json *d = find(item, {"default"}); d && d->is_object())
            limits.update(*d);
    }
    if (requests.empty() && limits.empty())
        return;
    std::vector<std::string> notes;
    auto merge = [&](Json &container, const std::string &what) {
        auto fill = [&](const Json &defaults, const char *which) {
            std::string set;
            for (auto it = defaults.begin(); it != defaults.end(); ++it) {
                Json *current = find(container, {"resources", which});
                if (current && current->is_object() && current->contains(it.key()))
                    continue;
                ensureObject(container, {"resources", which})[it.key()] = it.value();
                set += (set.empty() ? "" : ", ") + it.key();
            }
            return set;
        };
        const std::string setLimits = fill(limits, "limits");
        const std::string setRequests = fill(requests, "requests");
        const std::string name = str(container, {"name"});
        if (!setRequests.empty())
            notes.push_back(setRequests + " request for " + what + " " + name);
        if (!setLimits.empty())
            notes.push_back(setLimits + " limit for " + what + " " + name);
    };
    for (const char *list : {"containers", "initContainers"}) {
        Json *containers = find(pod, {"spec", list});
        if (!containers || !containers->is_array())
            continue;
        for (Json &container : *containers)
            merge(container, list == std::string("containers") ? "container" : "init container");
    }
    if (notes.empty())
        return;
    std::string value = "LimitRanger plugin set: ";
    for (size_t i = 0; i < notes.size(); ++i)
        value += (i ? "; " : "") + notes[i];
    ensureObject(pod, {"metadata", "annotations"})[kAnnotation] = value;
}

std::vector<std::string> checkPod(const Json &limitRange, const Json &pod)
{
    std::vector<std::string> errors;
    for (const Json &item : items(limitRange)) {
        const std::string type = str(item, {"type"});
        if (type == "Container") {
            for (const char *list : {"containers", "initContainers"})
                for (const Json &container : containersOf(pod, list))
                    checkItem(item, type, quota::parseList(find(container, {"resources", "requests"})),
                              quota::parseList(find(container, {"resources", "limits"})), errors);
        } else if (type == "Pod") {
            checkItem(item, type, quota::podRequests(pod, false), quota::podLimits(pod, false), errors);
        }
    }
    return errors;
}

std::vector<std::string> checkClaim(const Json &limitRange, const Json &claim)
{
    std::vector<std::string> errors;
    const ResourceList requests = quota::parseList(find(claim, {"spec", "resources", "requests"}));
    for (const Json &item : items(limitRange)) {
        const std::string type = str(item, {"type"});
        if (type != "PersistentVolumeClaim")
            continue;
        for (const auto &[resource, q] : quota::parseList(find(item, {"min"})))
            if (auto m = minConstraint(type, resource, q, requests, {}))
                errors.push_back(*m);
        for (const auto &[resource, q] : quota::parseList(find(item, {"max"})))
            if (auto m = maxRequestConstraint(type, resource, q, requests))
                errors.push_back(*m);
    }
    return errors;
}

// utilerrors.NewAggregate(...).Error(): one message as it is, several in brackets, repeats once.
std::string aggregate(const std::vector<std::string> &errors)
{
    std::vector<std::string> unique;
    std::set<std::string> seen;
    for (const std::string &e : errors)
        if (seen.insert(e).second)
            unique.push_back(e);
    if (unique.size() == 1)
        return unique.front();
    std::string out = "[";
    for (size_t i = 0; i < unique.size(); ++i)
        out += (i ? ", " : "") + unique[i];
    return out + "]";
}

} // namespace

Status LimitRanger::admit(AdmissionRequest &request)
{
    if (!request.object || !request.subresource.empty())
        return {};
    const ResourceType &type = *request.type;
    const bool pod = isCoreKind(type, "Pod");
    const bool claim = isCoreKind(type, "PersistentVolumeClaim");
    // Pod containers cannot change after creation, so only new pods are limited; claims are
    // checked whenever they are written.
    if (pod ? request.operation != Operation::Create
            : !claim || (request.operation != Operation::Create && request.operation != Operation::Update))
        return {};
    if (request.old && find(*request.old, {"metadata", "deletionTimestamp"}))
        return {};
    const ResourceType *limitRanges = m_context.registry().find("", "v1", "limitranges");
    const std::vector<StoredObject> ranges = m_context.loadAll(*limitRanges, request.namespaceName);
    if (ranges.empty())
        return {};
    if (pod)
        for (const StoredObject &range : ranges)
            applyDefaults(range.object, *request.object);
    for (const StoredObject &range : ranges) {
        const auto errors = pod ? checkPod(range.object, *request.object) : checkClaim(range.object, *request.object);
        if (!errors.empty())
            return forbidden(type, request.name, aggregate(errors));
    }
    return {};
}

} // namespace cd::api
