#pragma once
// What every controller gets: the client to write through, the shared informers to read from,
// and the timing knobs of the control plane (kube-controller-manager's flags).

#include "engine/client/client.h"
#include "engine/client/sharedinformers.h"

#include <QObject>

#include <chrono>
#include <string>

namespace cd::controllers {

struct ControllerOptions {
    // Node lifecycle: a node whose Lease is older than this turns Unknown (node-monitor-grace-period;
    // Kubernetes: 40s).
    std::chrono::milliseconds nodeMonitorGracePeriod{std::chrono::seconds(20)};
    // How often node health is checked (node-monitor-period; Kubernetes: 5s).
    std::chrono::milliseconds nodeMonitorPeriod{std::chrono::seconds(2)};
    // The tolerationSeconds given to pods for the not-ready/unreachable taints (default-not-ready-
    // toleration-seconds; Kubernetes: 300s): short, so a desktop user sees pods move.
    long long defaultTolerationSeconds = 30;
    // Pod creations a ReplicaSet may make in one burst before waiting to see them (burstReplicas).
    int burstReplicas = 500;
    // Job: the delay before a failed pod is replaced, doubling with each further failure
    // (Kubernetes: 10s, at most 10 minutes).
    std::chrono::milliseconds jobPodFailureBackoff{std::chrono::seconds(10)};
    // EndpointSlices: endpoints per slice (max-endpoints-per-slice; Kubernetes: 100).
    int maxEndpointsPerSlice = 100;
    // ServiceAccount token Secrets: the cluster CA (PEM) written as their ca.crt.
    std::string rootCaPem;
    // Volumes: where the local provisioner puts the hostPath volumes it makes (pvc-<claim uid>),
    // and whether the `standard` StorageClass (default, local provisioner) is created at startup.
    std::string localVolumeRoot;  // empty: the engine uses <data dir>/volumes
    bool defaultStorageClass = true;
};

struct ControllerContext {
    client::Client *client = nullptr;
    client::SharedInformers *informers = nullptr;
    ControllerOptions options;
    QObject *parent = nullptr;  // owns the controllers
};

} // namespace cd::controllers
