#pragma once
// Service and Endpoints rules, as Kubernetes v1.32 applies them: defaults
// (pkg/apis/core/v1/defaults.go), the strategy and allocation preparation
// (pkg/registry/core/service) and validation (pkg/apis/core/validation). services.cpp
// registers the kinds; services_validation.cpp holds the checks.

#include "engine/api/fielderrors.h"
#include "engine/core/json.h"

namespace cd::api {

// The Service port range for NodePorts (kube-apiserver's --service-node-port-range default).
constexpr long long kNodePortMin = 30000;
constexpr long long kNodePortMax = 32767;

bool serviceIsHeadless(const Json &service);             // clusterIPs == ["None"]
bool serviceIsExternallyAccessible(const Json &service); // NodePort, LoadBalancer or externalIPs

void validateService(const Json &service, FieldErrors &errors);
void validateServiceUpdate(const Json &service, const Json &old, FieldErrors &errors);
void validateEndpoints(const Json &endpoints, FieldErrors &errors);

} // namespace cd::api
