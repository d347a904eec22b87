// One sync of a Job (syncJob of the v1.32 job controller): count its pods, decide whether it
// finished, create or delete pods, then record finished pods in the status through
// uncountedTerminatedPods and the tracking finalizer, and set the final condition.
#include "engine/controllers/job/completionindexes.h"
#include "engine/controllers/job/jobcontroller.h"
#include "engine/controllers/job/jobstatus.h"

#include "engine/client/resources.h"
#include "engine/controllers/requestgroup.h"

#include <QPointer>

#include <algorithm>
#include <climits>

namespace cd::controllers::job {
namespace {

constexpr int kMaxUncountedPods = 500;           // keeps uncountedTerminatedPods under ~20 KB
constexpr int kMaxPodCreateDeletePerSync = 500;  // so one big Job cannot starve the others

const client::Resource &podsResource() { return *client::builtinResource("pods"); }
const client::Resource &jobsResource() { return *client::builtinResource("jobs", "batch"); }

long long resourceVersionOf(const Json &object)
{
    const std::string rv = str(object, {"metadata", "resourceVersion"});
    char *end = nullptr;
    const long long value = std::strtoll(rv.c_str(), &end, 10);
    return end && *end == '\0' ? value : 0;
}

bool namespaceTerminating(const client::Response &response)
{
    return response.status == 403 && response.body.find("NamespaceTerminating") != std::string::npos;
}

} // namespace

struct JobController::Sync {
    std::string key, ns, name;
    std::function<void(bool)> done;
    Json job;  // the working copy: its status changes along the sync, then is written

    std::vector<JobPod> pods;  // the Job's pods, as the cache had them when the sync began
    std::vector<const JobPod *> activePods;
    bool satisfied = true;
    bool indexed = false;
    bool suspended = false;
    bool onlyReplaceFailed = false;
    std::optional<long long> completions;
    long long parallelism = 1;

    std::set<std::string> uncountedSucceeded, uncountedFailed;  // as the status had them
    std::set<std::string> expectedRemovals;                     // finalizer removals not yet seen

    long long active = 0, ready = 0, terminating = 0;
    long long succeeded = 0, failed = 0;
    CompletionIndexes previousIndexes, succeededIndexes;
    std::optional<JobCondition> finished;
    BackoffRecord backoff;
    bool manageCalled = false;
    bool suspendChanged = false;
    bool failedRequests = false;

    // trackStatus's state across its requests
    std::set<std::string> uidsWithFinalizer;
    bool reachedMaxUncounted = false;

    bool podFailed(const JobPod &p) const
    {
        if (p.phase == JobPod::Phase::Failed)
            return true;
        // Under TerminatingOrFailed, a pod being deleted is a failure now (it may never reach
        // Failed, e.g. when its node is gone).
        return !onlyReplaceFailed && p.deleting && p.phase != JobPod::Phase::Succeeded;
    }
    bool validIndex(const JobPod &p) const
    {
        return p.index != kUnknownIndex && completions && p.index < *completions;
    }
    std::string now() const { return rfc3339(Clock::current().now()); }
};

void JobController::reconcile(const std::string &key, std::function<void(bool)> done)
{
    if (!m_jobs->hasSynced() || !m_pods->hasSynced()) {
        m_queue.addAfter(key, 200);
        done(false);
        return;
    }
    const size_t slash = key.find('/');
    const std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
    client::ObjectPtr job = m_jobs->get(ns, name);
    if (!job) {
        m_expectations.erase(key);
        m_finalizerExpectations.erase(key);
        m_backoff.erase(key);
        m_writtenVersion.erase(key);
        done(false);
        return;
    }
    // A status we wrote that the cache does not show yet: deciding on the older one could
    // count pods twice. The Job's update event comes shortly.
    if (auto written = m_writtenVersion.find(key); written != m_writtenVersion.end()) {
        if (resourceVersionOf(*job) < written->second) {
            m_queue.addAfter(key, 50);
            done(false);
            return;
        }
        m_writtenVersion.erase(written);
    }
    const std::string managedBy = str(*job, {"spec", "managedBy"});
    if (!managedBy.empty() && managedBy != "kubernetes.io/job-controller") {
        done(false);
        return;
    }
    if (jobFinished(*job)) {
        m_backoff.erase(key);
        done(false);
        return;
    }
    const std::string mode = str(*job, {"spec", "completionMode"});
    if (!mode.empty() && mode != "NonIndexed" && mode != "Indexed") {
        m_recorder.warning(*job, "UnknownCompletionMode", "Skipped Job sync because completion mode is unknown");
        done(false);
        return;
    }
    auto info = m_jobInfo.find(key);
    if (info == m_jobInfo.end()) {
        done(false);
        return;
    }
    if (!find(*job, {"metadata", "deletionTimestamp"}) && claimPods(*job, info->second, done))
        return;

    auto sync = std::make_shared<Sync>();
    sync->key = key;
    sync->ns = ns;
    sync->name = name;
    sync->done = std::move(done);
    sync->job = *job;
    const Json &spec = sync->job["spec"];
    sync->indexed = mode == "Indexed";
    sync->suspended = boolean(spec, {"suspend"});
    sync->onlyReplaceFailed = str(spec, {"podReplacementPolicy"}) == "Failed" || find(spec, {"podFailurePolicy"});
    sync->completions = optionalInteger(spec, {"completions"});
    sync->parallelism = integer(spec, {"parallelism"}, 1);
    if (auto owned = m_podsByJobUid.find(info->second.uid); owned != m_podsByJobUid.end())
        for (const std::string &podKey : owned->second)
            sync->pods.push_back(m_podFacts.at(podKey));
    for (const JobPod &p : sync->pods)
        if (p.active())
            sync->activePods.push_back(&p);
    sync->satisfied = expectationsSatisfied(key);
    if (auto it = m_finalizerExpectations.find(key); it != m_finalizerExpectations.end())
        sync->expectedRemovals = it->second;
    sync->uncountedSucceeded = uncountedUids(sync->job, "succeeded");
    sync->uncountedFailed = uncountedUids(sync->job, "failed");
    decide(sync);
}

// What the Job's pods say: counts, whether it finished, and what to do about its pods.
void JobController::decide(std::shared_ptr<Sync> sync)
{
    Json &job = sync->job;
    Json &status = ensureObject(job, {"status"});
    const Json &spec = job["spec"];
    for (const JobPod *p : sync->activePods)
        sync->ready += p->ready ? 1 : 0;
    for (const JobPod &p : sync->pods)
        sync->terminating += p.terminating() ? 1 : 0;
    sync->active = static_cast<long long>(sync->activePods.size());

    // Finished pods not counted yet: they carry the finalizer and are in no uncounted list.
    std::vector<const JobPod *> newSucceeded, newFailed;
    for (const JobPod &p : sync->pods) {
        if (!p.finalizer || sync->expectedRemovals.count(p.uid) || (sync->indexed && !sync->validIndex(p)))
            continue;
        if (p.phase == JobPod::Phase::Succeeded && !sync->uncountedSucceeded.count(p.uid))
            newSucceeded.push_back(&p);
        else if (sync->podFailed(p) && !sync->uncountedFailed.count(p.uid))
            newFailed.push_back(&p);
    }
    sync->succeeded = integer(status, {"succeeded"}) + static_cast<long long>(newSucceeded.size()) +
                      static_cast<long long>(sync->uncountedSucceeded.size());
    sync->failed = integer(status, {"failed"}) + static_cast<long long>(newFailed.size()) +
                   static_cast<long long>(sync->uncountedFailed.size());

    const auto now = Clock::current().now();
    if (!find(status, {"startTime"}) && !sync->suspended)
        status["startTime"] = rfc3339(now);
    sync->backoff = newBackoffRecord(sync->key, newSucceeded, newFailed);

    if (conditionTrue(job, "SuccessCriteriaMet")) {
        const Json &c = *findCondition(job, "SuccessCriteriaMet");
        sync->finished = JobCondition{"SuccessCriteriaMet", str(c, {"reason"}), str(c, {"message"})};
    } else if (conditionTrue(job, "FailureTarget")) {
        const Json &c = *findCondition(job, "FailureTarget");
        sync->finished = JobCondition{"Failed", str(c, {"reason"}), str(c, {"message"})};
    }
    if (!sync->finished) {
        const long long backoffLimit = integer(spec, {"backoffLimit"}, 6);
        // With restartPolicy OnFailure the kubelet restarts containers in place: those
        // restarts count against the backoff limit too.
        bool pastLimitOnFailure = false;
        if (str(spec, {"template", "spec", "restartPolicy"}) == "OnFailure") {
            long long restarts = 0;
            for (const JobPod &p : sync->pods)
                if (p.phase == JobPod::Phase::Running || p.phase == JobPod::Phase::Pending)
                    restarts += p.restartSum;
            pastLimitOnFailure = backoffLimit == 0 ? restarts > 0 : restarts >= backoffLimit;
        }
        const auto deadline = optionalInteger(spec, {"activeDeadlineSeconds"});
        const auto started = parseRfc3339(str(status, {"startTime"}));
        if (sync->failed > backoffLimit || pastLimitOnFailure) {
            sync->finished = JobCondition{"FailureTarget", kReasonBackoffLimitExceeded, kMessageBackoffLimitExceeded};
        } else if (deadline && started && !sync->suspended) {
            const auto allowed = std::chrono::seconds(*deadline);
            if (now - *started >= allowed) {
                sync->finished = JobCondition{"FailureTarget", kReasonDeadlineExceeded, kMessageDeadlineExceeded};
            } else {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(allowed - (now - *started));
                m_queue.addAfter(sync->key, int(std::min<long long>(left.count() + 1, INT_MAX)));
            }
        }
    }

    if (sync->indexed) {
        const int completions = int(sync->completions.value_or(0));
        sync->previousIndexes = CompletionIndexes::parse(str(status, {"completedIndexes"}), completions);
        std::set<int> newIndexes;
        for (const JobPod &p : sync->pods)
            if (p.phase == JobPod::Phase::Succeeded && sync->validIndex(p) && p.finalizer)
                newIndexes.insert(p.index);
        sync->succeededIndexes = sync->previousIndexes.withIndexes({newIndexes.begin(), newIndexes.end()});
        sync->succeeded = sync->succeededIndexes.total();
    }

    if (sync->finished) {
        // A finished Job deletes its remaining pods (keeping their finalizers: they are
        // counted as failed below) and declares itself finished only once all went.
        std::vector<const JobPod *> pods = sync->activePods;
        auto self = QPointer<JobController>(this);
        const long long activeBefore = sync->active;
        deletePods(sync, pods, false, [self, sync, activeBefore] {
            if (!self)
                return;
            const long long deleted = activeBefore - sync->active;
            if (deleted != activeBefore || !sync->satisfied)
                sync->finished.reset();
            self->afterManage(sync);
        });
        return;
    }
    if (sync->satisfied && !find(job, {"metadata", "deletionTimestamp"})) {
        sync->manageCalled = true;
        auto self = QPointer<JobController>(this);
        manageJob(sync, [self, sync] {
            if (self)
                self->afterManage(sync);
        });
        return;
    }
    afterManage(sync);
}

// manageJob: as many active pods as parallelism allows and completions still need.
void JobController::manageJob(std::shared_ptr<Sync> sync, std::function<void()> next)
{
    const long long active = sync->active;
    std::vector<const JobPod *> candidates = sync->activePods;
    if (sync->suspended) {
        std::sort(candidates.begin(), candidates.end(), [](const JobPod *a, const JobPod *b) { return removeFirst(*a, *b); });
        m_expectations[sync->key] = {0, static_cast<long long>(candidates.size()), std::chrono::steady_clock::now()};
        deletePods(sync, candidates, true, std::move(next));
        return;
    }
    long long wantActive = 0;
    if (!sync->completions) {
        // A work queue: once one pod succeeded, the rest may finish but none is added.
        wantActive = sync->succeeded > 0 ? active : sync->parallelism;
    } else {
        wantActive = std::clamp(*sync->completions - sync->succeeded, 0LL, sync->parallelism);
    }
    const long long removeAtLeast = std::max(0LL, active - wantActive);
    std::vector<const JobPod *> toDelete;
    if (sync->indexed) {
        // Pods with no index, an index out of range, or a repeated index go first.
        std::vector<const JobPod *> sorted = candidates;
        std::stable_sort(sorted.begin(), sorted.end(), [](const JobPod *a, const JobPod *b) { return a->index < b->index; });
        std::vector<const JobPod *> left;
        for (size_t i = 0; i < sorted.size();) {
            size_t j = i;
            while (j < sorted.size() && sorted[j]->index == sorted[i]->index)
                ++j;
            std::vector<const JobPod *> same(sorted.begin() + long(i), sorted.begin() + long(j));
            if (sorted[i]->index == kUnknownIndex || !sync->validIndex(*sorted[i])) {
                toDelete.insert(toDelete.end(), same.begin(), same.end());
            } else {
                std::sort(same.begin(), same.end(), [](const JobPod *a, const JobPod *b) { return removeFirst(*a, *b); });
                toDelete.insert(toDelete.end(), same.begin(), same.end() - 1);
                left.push_back(same.back());
            }
            i = j;
        }
        candidates = left;
    }
    if (static_cast<long long>(toDelete.size()) < removeAtLeast) {
        std::sort(candidates.begin(), candidates.end(), [](const JobPod *a, const JobPod *b) { return removeFirst(*a, *b); });
        const size_t more = std::min(candidates.size(), size_t(removeAtLeast) - toDelete.size());
        toDelete.insert(toDelete.end(), candidates.begin(), candidates.begin() + long(more));
    }
    if (toDelete.size() > size_t(kMaxPodCreateDeletePerSync))
        toDelete.resize(kMaxPodCreateDeletePerSync);
    if (!toDelete.empty()) {
        // Deletions and creations never happen in the same sync; deletions win.
        m_expectations[sync->key] = {0, static_cast<long long>(toDelete.size()), std::chrono::steady_clock::now()};
        deletePods(sync, toDelete, true, std::move(next));
        return;
    }
    const long long terminating = sync->onlyReplaceFailed ? sync->terminating : 0;
    long long diff = wantActive - terminating - active;
    if (diff <= 0) {
        next();
        return;
    }
    const auto wait = remainingBackoff(sync->backoff);
    if (wait.count() > 0) {
        // Replacing failed pods waits out the pod-failure backoff. (Kubernetes reports no
        // active pods meanwhile; the pods that run are counted here.)
        m_queue.addAfter(sync->key, int(std::min<long long>(wait.count() + 1, INT_MAX)));
        next();
        return;
    }
    diff = std::min<long long>(diff, kMaxPodCreateDeletePerSync);
    std::vector<int> indexes;
    if (sync->indexed) {
        std::set<int> busy;
        for (const JobPod *p : sync->activePods)
            if (p->index != kUnknownIndex)
                busy.insert(p->index);
        if (sync->onlyReplaceFailed)
            for (const JobPod &p : sync->pods)
                if (p.terminating() && p.index != kUnknownIndex)
                    busy.insert(p.index);
        const CompletionIndexes taken = sync->succeededIndexes.withIndexes({busy.begin(), busy.end()});
        indexes = firstPendingIndexes(taken, int(diff), int(sync->completions.value_or(0)));
        diff = static_cast<long long>(indexes.size());
    }
    if (diff == 0) {
        next();
        return;
    }
    m_expectations[sync->key] = {diff, 0, std::chrono::steady_clock::now()};
    sync->active += diff;
    createPods(sync, std::move(indexes), int(diff), 1, std::move(next));
}

// Slow start: batches of 1, 2, 4... pods, stopping at the first batch with a failure (a quota
// that refuses one pod refuses the next ones too).
void JobController::createPods(std::shared_ptr<Sync> sync, std::vector<int> indexes, int count, int batch,
                               std::function<void()> next)
{
    const int size = std::min(batch, count);
    auto failures = std::make_shared<int>(0);
    QPointer<JobController> self(this);
    std::vector<int> rest(indexes.begin() + std::min<long>(long(indexes.size()), size), indexes.end());
    RequestGroup group(
        [self, sync, failures, rest, count, size, next](bool) mutable {
            if (!self)
                return;
            const int remaining = count - size;
            if (*failures > 0 && remaining > 0) {
                // The skipped pods are not expected any more; a later sync tries again.
                sync->active -= remaining;
                self->lowerExpectations(sync->key, remaining, 0);
                next();
                return;
            }
            if (remaining > 0) {
                self->createPods(sync, std::move(rest), remaining, size * 2, std::move(next));
                return;
            }
            next();
        },
        {});
    for (int i = 0; i < size; ++i) {
        const int index = i < int(indexes.size()) ? indexes[size_t(i)] : kUnknownIndex;
        auto counted = group.add();
        m_client->create(podsResource(), sync->ns, podFromTemplate(sync->job, index),
                         [self, sync, failures, counted](const client::Response &r) {
                             if (self) {
                                 if (r.ok()) {
                                     self->m_recorder.normal(sync->job, "SuccessfulCreate",
                                                             "Created pod: " + str(r.json(), {"metadata", "name"}));
                                 } else if (!namespaceTerminating(r)) {
                                     self->m_recorder.warning(sync->job, "FailedCreate", "Error creating: " + r.message());
                                     self->lowerExpectations(sync->key, 1, 0);
                                     sync->active -= 1;
                                     sync->failedRequests = true;
                                     *failures += 1;
                                 }
                             }
                             counted(client::Response{200, {}, {}, {}});
                         });
    }
    group.seal();
}

// Deletes pods, first removing their tracking finalizer when asked (pods a running Job no longer
// needs are not counted as failures). Adjusts active, ready and terminating by what went.
void JobController::deletePods(std::shared_ptr<Sync> sync, std::vector<const JobPod *> pods, bool removeFinalizers,
                               std::function<void()> next)
{
    QPointer<JobController> self(this);
    RequestGroup group([next](bool) { next(); }, {});
    for (const JobPod *pod : pods) {
        auto counted = group.add();
        const bool ready = pod->ready;
        const std::string podName = pod->name;
        auto remove = [self, sync, podName, ready, removeFinalizers, counted] {
            if (!self)
                return;
            self->m_client->remove(
                podsResource(), sync->ns, podName, [self, sync, podName, ready, removeFinalizers, counted](const client::Response &r) {
                    if (self && (r.ok() || r.status == 404)) {
                        sync->active -= 1;
                        sync->terminating += 1;
                        sync->ready -= ready ? 1 : 0;
                        if (r.ok())
                            self->m_recorder.normal(sync->job, "SuccessfulDelete", "Deleted pod: " + podName);
                    } else if (self) {
                        self->m_recorder.warning(sync->job, "FailedDelete", "Error deleting: " + r.message());
                        if (removeFinalizers)
                            self->lowerExpectations(sync->key, 0, 1);
                        sync->failedRequests = true;
                    }
                    counted(client::Response{200, {}, {}, {}});
                });
        };
        if (removeFinalizers && pod->finalizer) {
            const Json patch = {
                {"metadata", {{"$deleteFromPrimitiveList/finalizers", Json::array({kTrackingFinalizer})}}}};
            m_client->patch(podsResource(), sync->ns, podName, "application/strategic-merge-patch+json", patch,
                            [self, sync, remove, counted](const client::Response &r) {
                                if (!self)
                                    return;
                                if (r.ok()) {
                                    remove();
                                    return;
                                }
                                self->lowerExpectations(sync->key, 0, 1);
                                if (r.status != 404)
                                    sync->failedRequests = true;
                                counted(client::Response{200, {}, {}, {}});
                            });
        } else {
            remove();
        }
    }
    group.seal();
}

// After the pods were managed: completion, suspension, and the counters of the status.
void JobController::afterManage(std::shared_ptr<Sync> sync)
{
    Json &job = sync->job;
    Json &status = job["status"];
    if (!sync->finished) {
        const bool complete = sync->completions ? sync->succeeded >= *sync->completions && sync->active == 0
                                                : sync->succeeded > 0 && sync->active == 0;
        if (complete) {
            sync->finished = JobCondition{"SuccessCriteriaMet", kReasonCompletionsReached, kMessageCompletionsReached};
        } else if (sync->manageCalled) {
            if (sync->suspended) {
                if (ensureCondition(job, "Suspended", "True", "JobSuspended", "Job suspended", sync->now())) {
                    sync->suspendChanged = true;
                    m_recorder.normal(job, "Suspended", "Job suspended");
                }
            } else if (ensureCondition(job, "Suspended", "False", "JobResumed", "Job resumed", sync->now())) {
                sync->suspendChanged = true;
                m_recorder.normal(job, "Resumed", "Job resumed");
                // ActiveDeadlineSeconds counts the time a Job runs without a pause.
                status["startTime"] = sync->now();
            }
        }
    }
    const bool needsUpdate = sync->suspendChanged || sync->active != integer(status, {"active"}) ||
                             !status.contains("ready") || sync->ready != integer(status, {"ready"}) ||
                             !status.contains("terminating") || sync->terminating != integer(status, {"terminating"});
    setCounter(status, "active", sync->active);
    status["ready"] = sync->ready;
    status["terminating"] = sync->terminating;
    trackStatus(sync, needsUpdate);
}

// trackJobStatusAndRemoveFinalizers: finished pods go to uncountedTerminatedPods (written
// first), lose their finalizer, then move to the counters; the final condition comes last.
void JobController::trackStatus(std::shared_ptr<Sync> sync, bool needsFlush)
{
    Json &job = sync->job;
    Json &status = job["status"];
    std::vector<const JobPod *> pods;
    for (const JobPod &p : sync->pods)
        pods.push_back(&p);
    if (sync->indexed)
        std::stable_sort(pods.begin(), pods.end(), [](const JobPod *a, const JobPod *b) { return a->index < b->index; });
    for (const JobPod *p : pods)
        if (p->finalizer && !sync->expectedRemovals.count(p->uid))
            sync->uidsWithFinalizer.insert(p->uid);
    if (!status.contains("uncountedTerminatedPods"))
        needsFlush = true;
    if (countUncountedWithoutFinalizers(job, sync->uidsWithFinalizer))
        needsFlush = true;

    auto uncountedSucceeded = uncountedList(job, "succeeded");
    auto uncountedFailed = uncountedList(job, "failed");
    std::set<std::string> inSucceeded(uncountedSucceeded.begin(), uncountedSucceeded.end());
    std::set<std::string> inFailed(uncountedFailed.begin(), uncountedFailed.end());
    std::vector<const JobPod *> removeFinalizer;
    std::vector<int> newIndexes;
    const bool jobDeleting = find(job, {"metadata", "deletionTimestamp"}) != nullptr;
    for (const JobPod *p : pods) {
        if (!p->finalizer || sync->expectedRemovals.count(p->uid))
            continue;  // counted in an earlier sync
        const bool failed = sync->podFailed(*p);
        if (!(jobDeleting || sync->finished || p->phase == JobPod::Phase::Succeeded || failed))
            continue;
        removeFinalizer.push_back(p);
        if (p->phase == JobPod::Phase::Succeeded && !inFailed.count(p->uid)) {
            if (sync->indexed) {
                if (sync->validIndex(*p) && !sync->previousIndexes.has(p->index)) {
                    newIndexes.push_back(p->index);
                    needsFlush = true;
                }
            } else if (!inSucceeded.count(p->uid)) {
                uncountedSucceeded.push_back(p->uid);
                inSucceeded.insert(p->uid);
                needsFlush = true;
            }
        } else if (failed || (sync->finished && sync->finished->type != "SuccessCriteriaMet")) {
            // Once the Job failed, every pod that did not succeed counts as failed.
            if (!inFailed.count(p->uid) && (!sync->indexed || sync->validIndex(*p))) {
                uncountedFailed.push_back(p->uid);
                inFailed.insert(p->uid);
                needsFlush = true;
            }
        }
        if (newIndexes.size() + uncountedSucceeded.size() + uncountedFailed.size() >= size_t(kMaxUncountedPods)) {
            sync->reachedMaxUncounted = true;
            break;
        }
    }
    setUncounted(job, uncountedSucceeded, uncountedFailed);
    if (sync->indexed) {
        std::sort(newIndexes.begin(), newIndexes.end());
        newIndexes.erase(std::unique(newIndexes.begin(), newIndexes.end()), newIndexes.end());
        sync->succeededIndexes = sync->succeededIndexes.withIndexes(newIndexes);
        const std::string text = sync->succeededIndexes.toString();
        if (text != str(status, {"completedIndexes"}))
            needsFlush = true;
        setCounter(status, "succeeded", sync->succeededIndexes.total());
        if (text.empty())
            status.erase("completedIndexes");
        else
            status["completedIndexes"] = text;
    }
    if (sync->finished && sync->finished->type == "FailureTarget") {
        // The interim condition records why before the pods may go; Failed follows it.
        appendCondition(job, *sync->finished, sync->now());
        needsFlush = true;
        sync->finished->type = "Failed";
    }
    if (sync->finished && sync->finished->type == "SuccessCriteriaMet") {
        if (!findCondition(job, "SuccessCriteriaMet")) {
            appendCondition(job, *sync->finished, sync->now());
            needsFlush = true;
        }
        sync->finished->type = "Complete";
    }

    QPointer<JobController> self(this);
    auto removeFinalizers = [self, sync, removeFinalizer] {
        if (!self)
            return;
        auto afterRemovals = [self, sync](bool removalFailed) {
            if (!self)
                return;
            Json &job = sync->job;
            bool flush = countUncountedWithoutFinalizers(job, sync->uidsWithFinalizer);
            if (removalFailed) {
                // Record the partial progress, then try again.
                if (flush)
                    self->writeStatus(sync, [self, sync] { self->finish(sync, true); });
                else
                    self->finish(sync, true);
                return;
            }
            // enactJobFinished: the final condition once every finished pod is counted and
            // none is still terminating.
            bool finishedNow = false;
            Json &status = job["status"];
            if (!sync->reachedMaxUncounted && sync->finished && uncountedList(job, "succeeded").empty() &&
                uncountedList(job, "failed").empty() && sync->terminating == 0) {
                const std::string now = sync->now();
                ensureCondition(job, sync->finished->type, "True", sync->finished->reason, sync->finished->message, now);
                if (sync->finished->type == "Complete")
                    status["completionTime"] = now;
                finishedNow = true;
                flush = true;
            }
            if (!flush) {
                self->finish(sync, false);
                return;
            }
            self->writeStatus(sync, [self, sync, finishedNow] {
                if (!self)
                    return;
                if (finishedNow) {
                    const Json &job = sync->job;
                    if (sync->finished->type == "Complete") {
                        if (sync->completions && integer(job, {"status", "succeeded"}) > *sync->completions)
                            self->m_recorder.warning(job, "TooManySucceededPods",
                                                     "Too many succeeded pods running after completion count reached");
                        self->m_recorder.normal(job, "Completed", "Job completed");
                    } else {
                        self->m_recorder.warning(job, sync->finished->reason, sync->finished->message);
                    }
                }
                self->finish(sync, false);
            });
        };
        if (removeFinalizer.empty()) {
            afterRemovals(false);
            return;
        }
        auto &expected = self->m_finalizerExpectations[sync->key];
        for (const JobPod *p : removeFinalizer)
            expected.insert(p->uid);
        auto anyFailed = std::make_shared<bool>(false);
        RequestGroup group([afterRemovals, anyFailed](bool) { afterRemovals(*anyFailed); }, {});
        const Json patch = {{"metadata", {{"$deleteFromPrimitiveList/finalizers", Json::array({kTrackingFinalizer})}}}};
        for (const JobPod *p : removeFinalizer) {
            auto counted = group.add();
            const std::string uid = p->uid;
            self->m_client->patch(podsResource(), p->ns, p->name, "application/strategic-merge-patch+json", patch,
                                  [self, sync, uid, anyFailed, counted](const client::Response &r) {
                                      if (self && (r.ok() || r.status == 404)) {
                                          sync->uidsWithFinalizer.erase(uid);
                                      } else if (self) {
                                          // No update without the finalizer will come.
                                          if (auto f = self->m_finalizerExpectations.find(sync->key);
                                              f != self->m_finalizerExpectations.end())
                                              f->second.erase(uid);
                                          *anyFailed = true;
                                      }
                                      if (self && r.status == 404)
                                          if (auto f = self->m_finalizerExpectations.find(sync->key);
                                              f != self->m_finalizerExpectations.end())
                                              f->second.erase(uid);
                                      counted(client::Response{200, {}, {}, {}});
                                  });
        }
        group.seal();
    };
    if (!needsFlush) {
        removeFinalizers();
        return;
    }
    writeStatus(sync, [self, sync, removeFinalizers] {
        if (!self)
            return;
        // The backoff record follows the failures the status now lists.
        self->m_backoff[sync->key] = sync->backoff;
        removeFinalizers();
    });
}

void JobController::writeStatus(std::shared_ptr<Sync> sync, std::function<void()> next)
{
    QPointer<JobController> self(this);
    m_client->update(
        jobsResource(), sync->job,
        [self, sync, next](const client::Response &r) {
            if (!self)
                return;
            if (!r.ok()) {
                self->finish(sync, r.status != 404);
                return;
            }
            Json written = r.json();
            self->m_writtenVersion[sync->key] = resourceVersionOf(written);
            sync->job = std::move(written);
            next();
        },
        "status");
}

void JobController::finish(std::shared_ptr<Sync> sync, bool retry)
{
    if (sync->done) {
        auto done = std::move(sync->done);
        sync->done = nullptr;
        done(retry || sync->failedRequests);
    }
}

} // namespace cd::controllers::job
