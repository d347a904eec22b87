#pragma once
// The words of a scheduling failure, as kube-scheduler's FitError and its preemption
// PostFilter write them:
//   0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {k: v}.
//   preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod,
//   2 Preemption is not helpful for scheduling..
// (The doubled final period is Kubernetes' own: FitError ends every part, the PostFilter
// message included, with ".", and that message is itself a FitError ending with ".".)

#include <map>
#include <string>

namespace cd::scheduler {

inline constexpr const char *kNoNodesAvailable = "no nodes available to schedule pods";

// FitError.Error(): "0/N nodes are available:", then the PreFilter message or the reasons
// histogram ("<count> <reason>" sorted as strings, joined by ", "), then the PostFilter
// message; each part is preceded by " " and followed by ".".
std::string fitErrorMessage(long long numAllNodes, const std::string &preFilterMessage,
                            const std::map<std::string, long long> &reasonCounts,
                            const std::string &postFilterMessage);

// Events carry at most 1024 characters (truncateMessage in schedule_one.go).
std::string truncateEventMessage(const std::string &message);

} // namespace cd::scheduler
