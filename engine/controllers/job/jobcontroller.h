#pragma once
// The Job controller (kube-controller-manager's job controller, v1.32): runs a Job's pods to
// completion — parallelism, completions (NonIndexed and Indexed), backoffLimit, pod-failure
// backoff, activeDeadlineSeconds, suspend — and tracks finished pods with the
// batch.kubernetes.io/job-tracking finalizer: a finished pod is first listed in
// status.uncountedTerminatedPods, its finalizer removed, then counted in succeeded/failed, so no
// pod is counted twice or lost. A Job ends with SuccessCriteriaMet then Complete, or
// FailureTarget then Failed once none of its pods is still terminating.

#include "engine/client/eventrecorder.h"
#include "engine/client/sharedinformers.h"
#include "engine/client/workqueue.h"
#include "engine/controllers/job/jobpod.h"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace cd::controllers::job {

struct JobControllerOptions {
    // The pod-failure backoff before a failed pod is replaced: doubles with each failure after
    // the last success, up to the maximum (Kubernetes: 10s and 10 minutes).
    std::chrono::milliseconds podFailureBackoff{std::chrono::seconds(10)};
    std::chrono::milliseconds maxPodFailureBackoff{std::chrono::minutes(10)};
};

class JobController : public QObject {
    Q_OBJECT
public:
    JobController(client::Client *client, client::SharedInformers *informers, JobControllerOptions options = {},
                  QObject *parent = nullptr);

private:
    struct Sync;
    struct JobInfo {
        std::string uid;
        LabelSelector selector = LabelSelector::nothing();
        bool finished = false;
    };
    // Pod creations and deletions asked for and not yet seen in the pod cache (client-go's
    // ControllerExpectations): no new decision is taken on a Job until they are seen.
    struct Expectations {
        long long add = 0, del = 0;
        std::chrono::steady_clock::time_point since;
    };
    struct BackoffRecord {
        int failuresAfterLastSuccess = 0;
        std::optional<TimePoint> lastFailure;
    };

    void onJob(const client::InformerEvent &event);
    void onPod(const client::InformerEvent &event);
    void forgetPod(const std::string &key);
    bool hasJobsIn(const std::string &ns) const;
    // Orphans matter only where a Job could adopt them: their facts are kept while the namespace
    // has a Job (read from the pod cache when its first Job appears), and dropped after its last.
    void learnOrphans(const std::string &ns);
    void forgetOrphans(const std::string &ns);
    std::string jobKeyForUid(const std::string &uid) const;
    void cleanupPodFinalizers(const std::string &jobUid);

    void reconcile(const std::string &key, std::function<void(bool)> done);
    void reconcileOrphan(const std::string &podKey, std::function<void(bool)> done);
    bool claimPods(const Json &job, const JobInfo &info, std::function<void(bool)> &done);

    // The steps of one sync, each continuing the next once its requests have answered.
    void decide(std::shared_ptr<Sync> sync);
    void manageJob(std::shared_ptr<Sync> sync, std::function<void()> next);
    void createPods(std::shared_ptr<Sync> sync, std::vector<int> indexes, int count, int batch,
                    std::function<void()> next);
    void deletePods(std::shared_ptr<Sync> sync, std::vector<const JobPod *> pods, bool removeFinalizers,
                    std::function<void()> next);
    void afterManage(std::shared_ptr<Sync> sync);
    void trackStatus(std::shared_ptr<Sync> sync, bool needsFlush);
    void writeStatus(std::shared_ptr<Sync> sync, std::function<void()> next);
    void finish(std::shared_ptr<Sync> sync, bool retry);

    Json podFromTemplate(const Json &job, int index) const;
    bool expectationsSatisfied(const std::string &key) const;
    void lowerExpectations(const std::string &key, long long add, long long del);
    BackoffRecord newBackoffRecord(const std::string &key, const std::vector<const JobPod *> &succeeded,
                                   const std::vector<const JobPod *> &failed) const;
    std::chrono::milliseconds remainingBackoff(const BackoffRecord &record) const;

    client::Client *m_client;
    client::Informer *m_jobs;
    client::Informer *m_pods;
    client::SharedInformers *m_informers;
    client::EventRecorder m_recorder;
    client::WorkQueue m_queue;
    client::WorkQueue m_orphanQueue;
    JobControllerOptions m_options;

    std::map<std::string, JobInfo> m_jobInfo;                      // by job key ns/name
    std::map<std::string, std::string> m_jobKeyByUid;
    std::map<std::string, JobPod> m_podFacts;                      // by pod key; Job-owned pods and orphans
    std::map<std::string, std::set<std::string>> m_podsByJobUid;   // job uid -> pod keys
    std::map<std::string, std::set<std::string>> m_orphansByNs;    // namespace -> pod keys
    std::map<std::string, Expectations> m_expectations;            // by job key
    std::map<std::string, std::set<std::string>> m_finalizerExpectations;  // job key -> pod uids
    std::map<std::string, BackoffRecord> m_backoff;                // by job key
    std::map<std::string, long long> m_writtenVersion;             // job key -> resourceVersion we wrote
};

} // namespace cd::controllers::job
