#pragma once
// metrics-server's scrape, done on demand: the API server reads every Summary from the kubelets
// it needs (GET /stats/nodes, one request per kubelet port, since the engine's nodes share one
// kubelet server), waits for all of them or the timeout, and hands on what arrived. A kubelet
// that fails or is slow only leaves its nodes without metrics.
//
// Built on a whole-answer fetch over the KubeletConnector (which streams answers as they come,
// for logs): answers the API gives as one response, whatever the transport.

#include "engine/api/kubeletconnector.h"
#include "engine/core/json.h"

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>

namespace cd::api::metrics {

struct KubeletAnswer {
    int status = 0;  // 0: no answer in time
    std::string contentType;
    std::string body;
};

// GETs pathAndQuery from the kubelet on `port` and calls `done` once with its whole answer, or
// with status 0 after `timeout` (the request is then abandoned).
void fetchFromKubelet(KubeletConnector &kubelets, int port, const std::string &pathAndQuery,
                      std::chrono::milliseconds timeout, std::function<void(KubeletAnswer)> done);

struct NodeSummary {
    Json summary;              // the kubelet's Summary of the node
    std::int64_t windowMs = 0;  // of its CPU rates
};

// By node name.
using Summaries = std::map<std::string, NodeSummary>;

// Calls `done` (on this thread's event loop) once every port answered or the time is up.
void scrapeSummaries(KubeletConnector &kubelets, const std::set<int> &ports, std::chrono::milliseconds timeout,
                     std::function<void(Summaries)> done);

// The summaries in a kubelet's /stats/nodes answer (malformed ones are skipped).
Summaries parseSummaryList(const std::string &body);

} // namespace cd::api::metrics
