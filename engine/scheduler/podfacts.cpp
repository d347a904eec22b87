// Pod facts: requests as Kubernetes sums them, tolerations, node selection, claims, owner.
#include "engine/core/clock.h"
#include "engine/core/quantity.h"
#include "engine/scheduler/objectfacts.h"

#include <map>

namespace cd::scheduler {
namespace {

using ResourceMap = std::map<std::string, Quantity, std::less<>>;

ResourceMap resourceMapFrom(const Json *list)
{
    ResourceMap out;
    if (!list || !list->is_object())
        return out;
    for (auto it = list->begin(); it != list->end(); ++it) {
        auto quantity = Quantity::fromJson(it.value());
        if (quantity.ok())
            out[it.key()] = *quantity;
    }
    return out;
}

void addTo(ResourceMap &to, const ResourceMap &from)
{
    for (const auto &[name, q] : from)
        to[name] += q;
}

void maxInto(ResourceMap &to, const ResourceMap &from)
{
    for (const auto &[name, q] : from) {
        auto it = to.find(name);
        if (it == to.end())
            to.emplace(name, q);
        else if (q > it->second)
            it->second = q;
    }
}

ResourceMap containerRequests(const Json &container, bool nonZeroDefaults)
{
    ResourceMap requests = resourceMapFrom(find(container, {"resources", "requests"}));
    if (nonZeroDefaults) {
        requests.try_emplace("cpu", Quantity::fromMilli(kDefaultMilliCpuRequest));
        requests.try_emplace("memory", Quantity::fromValue(kDefaultMemoryRequest));
    }
    return requests;
}

bool isScalarResource(std::string_view name)
{
    return name != "cpu" && name != "memory" && name != "ephemeral-storage" && name != "pods" && name != "storage";
}

Resources toResources(const ResourceMap &map)
{
    Resources out;
    for (const auto &[name, q] : map) {
        if (name == "cpu")
            out.milliCpu = q.milliValue();
        else if (name == "memory")
            out.memory = q.value();
        else if (name == "ephemeral-storage")
            out.ephemeralStorage = q.value();
        else if (isScalarResource(name))
            out.scalars.push_back({name, q.value()});
    }
    return out;
}

void addHostPorts(const Json &container, std::vector<HostPort> &out)
{
    const Json *ports = find(container, {"ports"});
    if (!ports || !ports->is_array())
        return;
    for (const Json &p : *ports) {
        const long long hostPort = integer(p, {"hostPort"});
        if (hostPort <= 0)
            continue;
        HostPort port{str(p, {"hostIP"}), str(p, {"protocol"}), int(hostPort)};
        if (port.ip.empty())
            port.ip = "0.0.0.0";
        if (port.protocol.empty())
            port.protocol = "TCP";
        out.push_back(std::move(port));
    }
}

// schedutil.GetHostPorts: restartable init containers (they run all along), then containers.
std::vector<HostPort> hostPortsFrom(const Json &spec)
{
    std::vector<HostPort> out;
    if (const Json *inits = find(spec, {"initContainers"}); inits && inits->is_array())
        for (const Json &c : *inits)
            if (str(c, {"restartPolicy"}) == "Always")
                addHostPorts(c, out);
    if (const Json *containers = find(spec, {"containers"}); containers && containers->is_array())
        for (const Json &c : *containers)
            addHostPorts(c, out);
    return out;
}

void readUsageFacts(const Json &pod, PodInfo &info)
{
    const Json empty = Json::object();
    const Json *specPtr = find(pod, {"spec"});
    const Json &spec = specPtr ? *specPtr : empty;
    info.ns = str(pod, {"metadata", "namespace"});
    info.name = str(pod, {"metadata", "name"});
    info.uid = str(pod, {"metadata", "uid"});
    info.resourceVersion = str(pod, {"metadata", "resourceVersion"});
    info.nodeName = str(spec, {"nodeName"});
    info.schedulerName = str(spec, {"schedulerName"});
    info.ownerUid = spreadOwnerUid(pod);
    info.priority = integer(spec, {"priority"});
    info.terminating = find(pod, {"metadata", "deletionTimestamp"}) != nullptr;
    const std::string phase = str(pod, {"status", "phase"});
    info.terminal = phase == "Succeeded" || phase == "Failed";
    info.requests = podRequests(spec, false);
    const Resources nonZero = podRequests(spec, true);
    info.nonZeroMilliCpu = nonZero.milliCpu;
    info.nonZeroMemory = nonZero.memory;
    info.hostPorts = hostPortsFrom(spec);
}

} // namespace

std::string spreadOwnerUid(const Json &pod)
{
    const Json *owners = find(pod, {"metadata", "ownerReferences"});
    if (!owners || !owners->is_array())
        return {};
    for (const Json &owner : *owners) {
        if (!boolean(owner, {"controller"}))
            continue;
        const std::string kind = str(owner, {"kind"});
        if (kind == "ReplicaSet" || kind == "ReplicationController" || kind == "StatefulSet")
            return str(owner, {"uid"});
        return {};
    }
    return {};
}

Resources podRequests(const Json &spec, bool nonZeroDefaults)
{
    ResourceMap requests;
    if (const Json *containers = find(spec, {"containers"}); containers && containers->is_array())
        for (const Json &c : *containers)
            addTo(requests, containerRequests(c, nonZeroDefaults));
    ResourceMap sidecars;  // restartable init containers started so far keep running
    ResourceMap initPeak;
    if (const Json *inits = find(spec, {"initContainers"}); inits && inits->is_array())
        for (const Json &c : *inits) {
            ResourceMap own = containerRequests(c, nonZeroDefaults);
            if (str(c, {"restartPolicy"}) == "Always") {
                addTo(requests, own);
                addTo(sidecars, own);
                own = sidecars;
            } else {
                addTo(own, sidecars);
            }
            maxInto(initPeak, own);
        }
    maxInto(requests, initPeak);
    addTo(requests, resourceMapFrom(find(spec, {"overhead"})));
    return toResources(requests);
}

Resources resourcesFrom(const Json *list, long long *pods)
{
    const ResourceMap map = resourceMapFrom(list);
    if (pods) {
        auto it = map.find("pods");
        *pods = it == map.end() ? 0 : it->second.value();
    }
    return toResources(map);
}

LabelList labelListFrom(const Json *labels)
{
    LabelList out;
    if (!labels || !labels->is_object())
        return out;
    for (auto it = labels->begin(); it != labels->end(); ++it)  // nlohmann objects iterate in key order
        if (it.value().is_string())
            out.emplace_back(it.key(), it.value().get<std::string>());
    return out;
}

PodInfo placedPodInfoFrom(const Json &pod)
{
    PodInfo info;
    readUsageFacts(pod, info);
    return info;
}

PodInfo podInfoFrom(const Json &pod)
{
    PodInfo info;
    readUsageFacts(pod, info);
    const Json empty = Json::object();
    const Json *specPtr = find(pod, {"spec"});
    const Json &spec = specPtr ? *specPtr : empty;

    if (auto created = parseRfc3339(str(pod, {"metadata", "creationTimestamp"})))
        info.createdSeconds = std::chrono::duration_cast<std::chrono::seconds>(created->time_since_epoch()).count();
    info.preemptNever = str(spec, {"preemptionPolicy"}) == "Never";
    if (const Json *gates = find(spec, {"schedulingGates"}); gates && gates->is_array())
        info.gated = !gates->empty();
    info.tolerations = tolerationsFrom(find(spec, {"tolerations"}));
    info.nodeSelector = labelListFrom(find(spec, {"nodeSelector"}));
    if (const Json *required = find(spec, {"affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"});
        required && required->is_object()) {
        info.hasRequiredAffinity = true;
        info.requiredTerms = nodeSelectorTermsFrom(find(*required, {"nodeSelectorTerms"}));
    }
    if (const Json *preferred = find(spec, {"affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution"});
        preferred && preferred->is_array())
        for (const Json &p : *preferred) {
            const long long weight = integer(p, {"weight"});
            if (weight == 0)
                continue;
            const Json *preference = find(p, {"preference"});
            info.preferredTerms.push_back({weight, preference ? nodeSelectorTermFrom(*preference) : NodeSelectorTerm{}});
        }
    if (const Json *volumes = find(spec, {"volumes"}); volumes && volumes->is_array())
        for (const Json &v : *volumes) {
            if (const Json *claim = find(v, {"persistentVolumeClaim"}))
                info.claims.push_back({str(*claim, {"claimName"}), false});
            else if (find(v, {"ephemeral"}))
                info.claims.push_back({info.name + "-" + str(v, {"name"}), true});
        }
    if (const Json *conditions = find(pod, {"status", "conditions"}); conditions && conditions->is_array())
        for (const Json &c : *conditions)
            if (str(c, {"type"}) == "PodScheduled") {
                info.scheduledStatus = str(c, {"status"});
                info.scheduledReason = str(c, {"reason"});
                info.scheduledMessage = str(c, {"message"});
            }
    return info;
}

} // namespace cd::scheduler
