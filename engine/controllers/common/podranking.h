#pragma once
// Which pods a controller removes first when it has too many (Kubernetes' ActivePodsWithRanks,
// with the PodDeletionCost and LogarithmicScaleDown features on, as in v1.32): pods that do the
// least harm when they go come first.
//   1. not yet on a node   < on a node
//   2. Pending < Unknown < Running
//   3. not ready < ready
//   4. lower pod-deletion-cost < higher
//   5. more ready siblings on the same node < fewer (the rank)
//   6. ready for a shorter time < longer (compared on a log2 scale of age, then by uid)
//   7. more container restarts < fewer
//   8. newer < older (log2 scale, then by uid)

#include "engine/controllers/common/podindex.h"

#include <vector>

namespace cd::controllers {

struct RankedPod {
    const PodFacts *pod = nullptr;
    int rank = 0;  // active related pods on the same node
};

// Whether a should be deleted before b.
bool deleteBefore(const RankedPod &a, const RankedPod &b, TimePoint now);

// The `count` pods of `candidates` to delete, ranked against `related` pods (the pods of every
// ReplicaSet of the same owner) sharing their nodes (getPodsToDelete).
std::vector<const PodFacts *> podsToDelete(const std::vector<const PodFacts *> &candidates,
                                           const std::vector<const PodFacts *> &related, size_t count,
                                           TimePoint now);

} // namespace cd::controllers
