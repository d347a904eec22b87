#pragma once
// The objects of metrics.k8s.io/v1beta1 as metrics-server writes them — NodeMetrics and
// PodMetrics with usage in Kubernetes quantities, a timestamp and a window — made from the
// kubelets' Summary API (engine/node/stats), and the group's discovery documents.

#include "engine/core/json.h"

#include <cstdint>
#include <optional>
#include <string>

namespace cd::api::metrics {

inline constexpr const char *kGroup = "metrics.k8s.io";
inline constexpr const char *kVersion = "v1beta1";
inline constexpr const char *kGroupVersion = "metrics.k8s.io/v1beta1";

// Usage as metrics-server prints it: CPU in nanocores ("1234567n"), memory in bytes, as "Ki"
// when whole kibibytes ("12345Ki").
std::string cpuQuantity(std::int64_t nanoCores);
std::string memoryQuantity(std::int64_t bytes);
// Go's time.Duration.String() of a window: "10s", "1.002s", "500ms", "1m30s".
std::string goDuration(std::int64_t ms);

// {"cpu": ..., "memory": ...} from a Summary's cpu and memory; nullopt when either is missing
// (no rate yet: a second sample is needed).
std::optional<Json> usageOf(const Json &statsEntry);

// NodeMetrics of `node` (the Node object) from its kubelet's Summary; nullopt without usage.
std::optional<Json> nodeMetrics(const Json &node, const Json &summary, std::int64_t windowMs);
// PodMetrics of `pod` from its entry in the Summary's pods; nullopt when a container has no
// usage yet (metrics-server leaves such pods out).
std::optional<Json> podMetrics(const Json &pod, const Json &podSummary, std::int64_t windowMs);
// {"kind": KIND, "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": [...]}
Json metricsList(const std::string &kind, Json items);

// Discovery: the group (for /apis and /apis/metrics.k8s.io) and its APIResourceList.
Json apiGroup();
Json apiResourceList();

} // namespace cd::api::metrics
