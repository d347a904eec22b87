#pragma once
// What the Job controller remembers of one pod: the few facts its decisions need, read once per
// informer event (a parsed pod is far larger than these, and there may be many pods).

#include "engine/core/clock.h"
#include "engine/core/json.h"
#include "engine/core/labels.h"

#include <string>

namespace cd::controllers::job {

inline constexpr const char *kTrackingFinalizer = "batch.kubernetes.io/job-tracking";
inline constexpr const char *kCompletionIndexKey = "batch.kubernetes.io/job-completion-index";
inline constexpr int kUnknownIndex = -1;

struct JobPod {
    enum class Phase { Pending, Unknown, Running, Succeeded, Failed };

    std::string ns, name, uid;
    std::string controllerKind, controllerApiVersion, controllerUid;  // the controller reference, if any
    Phase phase = Phase::Pending;
    bool deleting = false;   // metadata.deletionTimestamp is set
    bool finalizer = false;  // carries the job tracking finalizer
    bool ready = false;      // condition Ready is True
    bool scheduled = false;  // spec.nodeName is set
    int restartSum = 0;      // restarts of every container (backoffLimit with restartPolicy OnFailure)
    int restartMax = 0;      // the highest restart count of one container (which pod to remove first)
    int index = kUnknownIndex;  // the completion index annotation of an Indexed Job's pod
    TimePoint created{};
    TimePoint readySince{};  // when Ready last turned True
    TimePoint finished{};    // when it ended, as the pod-failure backoff reckons it
    Labels labels;           // for claiming: adopting orphans, releasing pods that stopped matching

    static JobPod fromObject(const Json &pod);

    bool terminal() const { return phase == Phase::Succeeded || phase == Phase::Failed; }
    bool active() const { return !terminal() && !deleting; }
    bool terminating() const { return !terminal() && deleting; }
    bool ownedByJob() const { return controllerKind == "Job" && controllerApiVersion == "batch/v1"; }
    bool orphan() const { return controllerUid.empty(); }
    bool operator==(const JobPod &other) const = default;
};

// controller.ActivePods' order: the pods to remove first come first (unscheduled before
// scheduled, pending before running, not ready before ready, ready for less time first, more
// restarts first, newer first).
bool removeFirst(const JobPod &a, const JobPod &b);

} // namespace cd::controllers::job
