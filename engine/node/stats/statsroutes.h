#pragma once
// The kubelet server's /stats routes:
//   GET /stats/summary[?node=NAME]   the Summary API of one node (the name may be left out when
//                                    the server serves a single node with statistics)
//   GET /stats/nodes                 every node's Summary in one answer (what the API server's
//                                    metrics scrape reads: all local nodes share this server)
//   GET /stats/history?node=NAME     a node's recent samples
//   GET /stats/history?namespace=NS&pod=NAME[&node=NAME]   a pod's and its containers'

#include "engine/api/request.h"

namespace cd::node::stats {

class StatsCollector;

// `collector` is null when no node of the engine has statistics (no process nodes).
void serveStats(const StatsCollector *collector, const api::ApiRequest &request, const api::SinkPtr &sink);

} // namespace cd::node::stats
