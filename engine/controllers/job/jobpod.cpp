#include "engine/controllers/job/jobpod.h"

#include <algorithm>
#include <charconv>

namespace cd::controllers::job {
namespace {

TimePoint timeAt(const Json &object, std::initializer_list<std::string_view> path)
{
    const auto parsed = parseRfc3339(str(object, path));
    return parsed ? *parsed : TimePoint{};
}

JobPod::Phase phaseOf(const std::string &phase)
{
    if (phase == "Running")
        return JobPod::Phase::Running;
    if (phase == "Succeeded")
        return JobPod::Phase::Succeeded;
    if (phase == "Failed")
        return JobPod::Phase::Failed;
    if (phase == "Unknown")
        return JobPod::Phase::Unknown;
    return JobPod::Phase::Pending;
}

int completionIndexOf(const Json &pod)
{
    const std::string value = str(pod, {"metadata", "annotations", kCompletionIndexKey});
    int index = kUnknownIndex;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), index);
    if (value.empty() || error != std::errc() || end != value.data() + value.size() || index < 0)
        return kUnknownIndex;
    return index;
}

// When the pod ended, by the Job controller's lookups: the last container's finish when every
// container finished, else when Ready turned False, else the deletion time less the grace
// period, else the creation time.
TimePoint finishedAt(const Json &pod, TimePoint created)
{
    if (const Json *statuses = find(pod, {"status", "containerStatuses"}); statuses && statuses->is_array() &&
                                                                             !statuses->empty()) {
        std::optional<TimePoint> latest;
        bool allFinished = true;
        for (const Json &status : *statuses) {
            const auto at = parseRfc3339(str(status, {"state", "terminated", "finishedAt"}));
            if (!at) {
                allFinished = false;
                break;
            }
            latest = latest ? std::max(*latest, *at) : *at;
        }
        if (allFinished && latest)
            return *latest;
    }
    if (const Json *conditions = find(pod, {"status", "conditions"}); conditions && conditions->is_array())
        for (const Json &c : *conditions)
            if (str(c, {"type"}) == "Ready" && str(c, {"status"}) == "False")
                if (const auto at = parseRfc3339(str(c, {"lastTransitionTime"})))
                    return *at;
    if (const auto deleted = parseRfc3339(str(pod, {"metadata", "deletionTimestamp"})))
        return *deleted - std::chrono::seconds(integer(pod, {"metadata", "deletionGracePeriodSeconds"}));
    return created;
}

} // namespace

JobPod JobPod::fromObject(const Json &pod)
{
    JobPod p;
    p.ns = str(pod, {"metadata", "namespace"});
    p.name = str(pod, {"metadata", "name"});
    p.uid = str(pod, {"metadata", "uid"});
    if (const Json *refs = find(pod, {"metadata", "ownerReferences"}); refs && refs->is_array())
        for (const Json &ref : *refs)
            if (boolean(ref, {"controller"})) {
                p.controllerKind = str(ref, {"kind"});
                p.controllerApiVersion = str(ref, {"apiVersion"});
                p.controllerUid = str(ref, {"uid"});
                break;
            }
    p.phase = phaseOf(str(pod, {"status", "phase"}));
    p.deleting = find(pod, {"metadata", "deletionTimestamp"}) != nullptr;
    if (const Json *finalizers = find(pod, {"metadata", "finalizers"}); finalizers && finalizers->is_array())
        p.finalizer = std::find(finalizers->begin(), finalizers->end(), Json(kTrackingFinalizer)) != finalizers->end();
    if (const Json *conditions = find(pod, {"status", "conditions"}); conditions && conditions->is_array())
        for (const Json &c : *conditions)
            if (str(c, {"type"}) == "Ready") {
                p.ready = str(c, {"status"}) == "True";
                if (p.ready)
                    p.readySince = timeAt(c, {"lastTransitionTime"});
            }
    p.scheduled = !str(pod, {"spec", "nodeName"}).empty();
    for (const char *list : {"initContainerStatuses", "containerStatuses"})
        if (const Json *statuses = find(pod, {"status", list}); statuses && statuses->is_array())
            for (const Json &status : *statuses) {
                const int restarts = int(integer(status, {"restartCount"}));
                p.restartSum += restarts;
                p.restartMax = std::max(p.restartMax, restarts);
            }
    p.index = completionIndexOf(pod);
    p.created = timeAt(pod, {"metadata", "creationTimestamp"});
    p.finished = finishedAt(pod, p.created);
    p.labels = stringMap(pod, {"metadata", "labels"});
    return p;
}

bool removeFirst(const JobPod &a, const JobPod &b)
{
    if (a.scheduled != b.scheduled)
        return !a.scheduled;
    auto ordinal = [](JobPod::Phase phase) {
        switch (phase) {
        case JobPod::Phase::Pending:
            return 0;
        case JobPod::Phase::Unknown:
            return 1;
        case JobPod::Phase::Running:
            return 2;
        default:
            return 3;
        }
    };
    if (ordinal(a.phase) != ordinal(b.phase))
        return ordinal(a.phase) < ordinal(b.phase);
    if (a.ready != b.ready)
        return !a.ready;
    // Ready for a shorter time goes first (an unknown time counts as the shortest).
    if (a.ready && b.ready && a.readySince != b.readySince)
        return a.readySince == TimePoint{} || (b.readySince != TimePoint{} && a.readySince > b.readySince);
    if (a.restartMax != b.restartMax)
        return a.restartMax > b.restartMax;
    if (a.created != b.created)
        return a.created == TimePoint{} || (b.created != TimePoint{} && a.created > b.created);
    return false;
}

} // namespace cd::controllers::job
