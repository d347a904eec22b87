#pragma once
// Extracts the scheduler's compact facts from API objects (once per informer event).

#include "engine/core/json.h"
#include "engine/scheduler/types.h"

namespace cd::scheduler {

PodInfo podInfoFrom(const Json &pod);
// Only what a pod placed on a node contributes to it (requests, priority, owner): cheaper than
// podInfoFrom for the many pods that are already bound.
PodInfo placedPodInfoFrom(const Json &pod);
// The node's own facts; usage fields are left at zero (the cache adds its pods).
NodeInfo nodeInfoFrom(const Json &node);

// The owner whose pods PodTopologySpread's default constraints spread: the controller, when it
// is a ReplicaSet, ReplicationController or StatefulSet (the kinds whose selectors
// DefaultSelector reads; Services, which it reads too, are not followed here). Empty otherwise.
std::string spreadOwnerUid(const Json &pod);

NodeSelectorTerm nodeSelectorTermFrom(const Json &term);
std::vector<NodeSelectorTerm> nodeSelectorTermsFrom(const Json *terms);
LabelList labelListFrom(const Json *labels);

// resourcehelper.PodRequests over a pod spec: containers summed, init containers as their
// running maximum (restartable sidecars added to both), overhead added. With nonZeroDefaults,
// containers that state no cpu or memory request count 100m and 200Mi.
Resources podRequests(const Json &spec, bool nonZeroDefaults);
// A resource list (node allocatable): cpu in millicores, the rest in units.
Resources resourcesFrom(const Json *list, long long *pods = nullptr);

} // namespace cd::scheduler
