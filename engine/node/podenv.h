#pragma once
// A container's environment as the kubelet composes it (makeEnvironmentVariables): the Service
// variables of the pod's namespace (FOO_SERVICE_HOST, FOO_PORT_80_TCP ...), envFrom, then env
// with $(VAR) references expanded and valueFrom resolved (fieldRef, resourceFieldRef,
// configMapKeyRef, secretKeyRef). A missing ConfigMap, Secret or key that is not optional is an
// error in the kubelet's words (CreateContainerConfigError).

#include "engine/core/result.h"
#include "engine/node/podcontext.h"
#include "engine/runtime/runtime.h"

namespace cd::node {

Result<std::vector<runtime::EnvVar>> containerEnvironment(const Json &pod, const Json &container,
                                                          const PodContext &context);

// The Service variables of one Service (kubelet's envvars.FromServices for one entry).
std::vector<runtime::EnvVar> serviceEnvironment(const Json &service);

// Kubernetes' $(VAR) expansion: defined references replaced, $$ escapes a $, the rest kept.
std::string expandReferences(const std::string &text, const std::function<const std::string *(const std::string &)> &lookup);

// The value of a fieldRef (metadata.name, metadata.labels['app'], status.podIP ...).
Result<std::string> podFieldValue(const Json &pod, const std::string &fieldPath, const PodContext &context);
// The value of a resourceFieldRef (limits.cpu, requests.memory ...) with its divisor.
Result<std::string> resourceFieldValue(const Json &pod, const Json &reference, const std::string &defaultContainer,
                                       const PodContext &context);

} // namespace cd::node
