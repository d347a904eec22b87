#pragma once
// The resource metrics API, metrics.k8s.io/v1beta1, served by the API server itself in the
// role metrics-server plays in Kubernetes: NodeMetrics and PodMetrics gathered from the
// kubelets' Summary API on each request (engine/node/stats measures, the kubelets keep the
// rates). Also the node proxy to the kubelets' statistics, /api/v1/nodes/NAME/proxy/stats/...
// (Summary and history, for `kubectl get --raw` and the IDE's dashboards).
//
// Served only when the API server reaches kubelets (a KubeletConnector is installed): without
// them there are no metrics, and kubectl top says "Metrics API not available".

#include "engine/api/context.h"

namespace cd::api {

// Serves /apis/metrics.k8s.io[/...] and /api/v1/nodes/NAME/proxy/stats/...; false for other paths.
bool handleMetrics(ApiContext &context, const ApiRequest &request, const SinkPtr &sink);
// Adds metrics.k8s.io to an APIGroupList (for /apis) when the metrics API is served.
void addMetricsGroup(const ApiContext &context, Json &groupList);

} // namespace cd::api
