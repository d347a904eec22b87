#pragma once
// The `kubernetes` Service in the default namespace, as kube-apiserver keeps it: ClusterIP
// 10.96.0.1 port 443 (https) targeting the API's port, no selector. `kubectl get all` and
// `get svc` show it as on any cluster.

#include "engine/api/context.h"

namespace cd::api {

// Creates the Service, or brings its target port up to date (a restart may listen on another
// port). Not written again when already right.
Status reconcileKubernetesService(ApiContext &context, int port);

} // namespace cd::api
