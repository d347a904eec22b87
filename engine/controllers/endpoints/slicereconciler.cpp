#include "engine/controllers/endpoints/slicereconciler.h"

#include <algorithm>

namespace cd::controllers::endpoints {
namespace {

const Json &arrayOr(const Json &object, const char *field)
{
    static const Json empty = Json::array();
    const Json *value = find(object, {field});
    return value && value->is_array() ? *value : empty;
}

bool ownedBy(const Json &slice, const std::string &serviceUid)
{
    if (const Json *refs = find(slice, {"metadata", "ownerReferences"}); refs && refs->is_array())
        for (const Json &ref : *refs)
            if (str(ref, {"kind"}) == "Service" && str(ref, {"apiVersion"}) == "v1" && str(ref, {"uid"}) == serviceUid)
                return true;
    return false;
}

Json labelsOf(const Json &object)
{
    const Json *labels = find(object, {"metadata", "labels"});
    return labels && labels->is_object() ? *labels : Json::object();
}

std::string portText(const Json &port)
{
    return str(port, {"name"}) + "|" + str(port, {"protocol"}, "TCP") + "|" + std::to_string(integer(port, {"port"})) +
           "|" + str(port, {"appProtocol"});
}

// Go writes empty endpoint and port lists of a slice as null.
Json listOrNull(const Json &list) { return list.is_array() && !list.empty() ? list : Json(); }

Json newSlice(const SliceTemplate &service, const Json &ports)
{
    return {{"apiVersion", "discovery.k8s.io/v1"},
            {"kind", "EndpointSlice"},
            {"metadata",
             {{"generateName", service.serviceName + "-"},
              {"namespace", service.ns},
              {"labels", service.labels},
              {"ownerReferences", Json::array({{{"apiVersion", "v1"},
                                                {"kind", "Service"},
                                                {"name", service.serviceName},
                                                {"uid", service.serviceUid},
                                                {"controller", true},
                                                {"blockOwnerDeletion", true}}})}}},
            {"addressType", "IPv4"},
            {"endpoints", Json()},
            {"ports", listOrNull(ports)}};
}

size_t endpointCount(const Json &slice) { return arrayOr(slice, "endpoints").size(); }

void setEndpoints(Json &slice, Json endpoints) { slice["endpoints"] = listOrNull(endpoints); }

void fill(Json &slice, std::map<std::string, Json> &want, size_t max)
{
    Json endpoints = arrayOr(slice, "endpoints");
    while (!want.empty() && endpoints.size() < max) {
        endpoints.push_back(std::move(want.begin()->second));
        want.erase(want.begin());
    }
    setEndpoints(slice, std::move(endpoints));
}

bool isPlaceholder(const Json &slice, const SliceTemplate &service)
{
    return arrayOr(slice, "endpoints").empty() && arrayOr(slice, "ports").empty() &&
           str(slice, {"addressType"}) == "IPv4" && labelsOf(slice) == service.labels && ownedBy(slice, service.serviceUid);
}

} // namespace

std::string endpointKey(const Json &endpoint)
{
    std::vector<std::string> addresses;
    for (const Json &a : arrayOr(endpoint, "addresses"))
        if (a.is_string())
            addresses.push_back(a.get<std::string>());
    std::sort(addresses.begin(), addresses.end());
    std::string key;
    for (const std::string &a : addresses)
        key += a + ",";
    return key + "|" + str(endpoint, {"hostname"}) + "|" + str(endpoint, {"targetRef", "namespace"}) + "/" +
           str(endpoint, {"targetRef", "name"});
}

Json sortedPorts(Json ports)
{
    if (!ports.is_array())
        return Json::array();
    std::sort(ports.begin(), ports.end(), [](const Json &a, const Json &b) { return portText(a) < portText(b); });
    return ports;
}

std::string portsKey(const Json &ports)
{
    std::string key;
    for (const Json &port : sortedPorts(ports))
        key += portText(port) + ";";
    return key;
}

SlicePlan planSlices(const SliceTemplate &service, const std::map<std::string, DesiredGroup> &desired,
                     const std::vector<Json> &existing, size_t maxEndpointsPerSlice)
{
    const size_t max = std::max<size_t>(1, maxEndpointsPerSlice);
    SlicePlan plan;
    std::map<std::string, std::vector<const Json *>> existingByPorts;
    for (const Json &slice : existing) {
        if (!ownedBy(slice, service.serviceUid) || str(slice, {"addressType"}) != "IPv4")
            plan.remove.push_back(slice);
        else
            existingByPorts[portsKey(arrayOr(slice, "ports"))].push_back(&slice);
    }
    for (const auto &[key, group] : desired) {
        std::map<std::string, Json> want = group.endpoints;
        std::vector<Json> updating, unchanged;
        auto found = existingByPorts.find(key);
        if (found != existingByPorts.end()) {
            for (const Json *slice : found->second) {
                const Json &had = arrayOr(*slice, "endpoints");
                Json kept = Json::array();
                bool changed = false;
                for (const Json &endpoint : had) {
                    auto it = want.find(endpointKey(endpoint));
                    if (it == want.end())
                        continue;
                    changed = changed || it->second != endpoint;
                    kept.push_back(std::move(it->second));
                    want.erase(it);
                }
                if (changed || kept.size() != had.size()) {
                    if (kept.empty()) {
                        plan.remove.push_back(*slice);
                        continue;
                    }
                    Json copy = *slice;
                    setEndpoints(copy, std::move(kept));
                    copy["metadata"]["labels"] = service.labels;
                    updating.push_back(std::move(copy));
                } else if (labelsOf(*slice) != service.labels) {
                    Json copy = *slice;
                    copy["metadata"]["labels"] = service.labels;
                    updating.push_back(std::move(copy));
                } else {
                    unchanged.push_back(*slice);
                }
            }
        }
        // Endpoints still to place go first into slices being written anyway, fullest first.
        if (!want.empty() && !updating.empty()) {
            std::stable_sort(updating.begin(), updating.end(),
                             [](const Json &a, const Json &b) { return endpointCount(a) > endpointCount(b); });
            for (Json &slice : updating)
                fill(slice, want, max);
        }
        while (!want.empty()) {
            std::optional<Json> target;
            if (want.size() < max && !unchanged.empty()) {
                // The unchanged slice the rest fits in most snugly.
                size_t best = unchanged.size(), bestDiff = max;
                for (size_t i = 0; i < unchanged.size(); ++i) {
                    const size_t used = want.size() + endpointCount(unchanged[i]);
                    if (used <= max && max - used < bestDiff) {
                        bestDiff = max - used;
                        best = i;
                    }
                }
                if (best < unchanged.size()) {
                    target = std::move(unchanged[best]);
                    unchanged.erase(unchanged.begin() + long(best));
                }
            }
            Json slice = target ? std::move(*target) : newSlice(service, sortedPorts(group.ports));
            fill(slice, want, max);
            if (target)
                updating.push_back(std::move(slice));
            else
                plan.create.push_back(std::move(slice));
        }
        for (Json &slice : updating)
            plan.update.push_back(std::move(slice));
    }
    for (const auto &[key, slices] : existingByPorts)
        if (!desired.count(key))
            for (const Json *slice : slices)
                plan.remove.push_back(*slice);

    // A Service without endpoints keeps one empty slice, so its slices are never "none yet".
    if (plan.remove.size() == existing.size() && plan.create.empty()) {
        if (plan.remove.size() == 1 && isPlaceholder(plan.remove.front(), service))
            plan.remove.clear();
        else
            plan.create.push_back(newSlice(service, Json::array()));
    }
    // A slice about to be deleted becomes one about to be created, keeping its name.
    for (size_t i = 0; i < plan.remove.size() && !plan.create.empty();) {
        const Json &old = plan.remove[i];
        if (str(old, {"addressType"}) == "IPv4" && ownedBy(old, service.serviceUid)) {
            Json reused = old;
            const Json &fresh = plan.create.back();
            reused["metadata"]["labels"] = service.labels;
            reused["endpoints"] = fresh["endpoints"];
            reused["ports"] = fresh["ports"];
            plan.update.push_back(std::move(reused));
            plan.create.pop_back();
            plan.remove.erase(plan.remove.begin() + long(i));
        } else {
            ++i;
        }
    }
    return plan;
}

} // namespace cd::controllers::endpoints
