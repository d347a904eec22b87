#pragma once
// The EndpointSlice reconciler (k8s.io/endpointslice reconciler.go): given the endpoints a
// Service should have, grouped by their resolved ports, and the slices it has, decides which
// slices to create, update and delete with as little churn as possible — endpoints stay in
// their slice, slices being updated are filled first, then the unchanged slice that fits them
// best, then new slices of at most maxEndpointsPerSlice; a Service with no endpoints keeps one
// empty placeholder slice; a slice that would be deleted is reused for one to be created.

#include "engine/core/json.h"

#include <map>
#include <string>
#include <vector>

namespace cd::controllers::endpoints {

struct DesiredGroup {
    Json ports = Json::array();              // the EndpointSlice ports, in order
    std::map<std::string, Json> endpoints;  // by endpointKey()
};

struct SlicePlan {
    std::vector<Json> create, update, remove;
};

struct SliceTemplate {
    std::string ns, serviceName, serviceUid;
    Json labels;  // the labels every slice of the Service carries
};

// Endpoints are the same endpoint when they have the same addresses, hostname and pod.
std::string endpointKey(const Json &endpoint);
// The key of a set of ports (the slice's ports, in canonical order).
std::string portsKey(const Json &ports);
// Ports in canonical order (name, protocol, port).
Json sortedPorts(Json ports);

SlicePlan planSlices(const SliceTemplate &service, const std::map<std::string, DesiredGroup> &desired,
                     const std::vector<Json> &existing, size_t maxEndpointsPerSlice);

} // namespace cd::controllers::endpoints
