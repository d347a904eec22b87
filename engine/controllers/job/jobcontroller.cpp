// The Job controller's bookkeeping: what it learns from the Job and pod informers (pod facts by
// Job, orphans, expectations), claiming pods, removing the tracking finalizer from pods no Job
// counts any more, and the pods it makes from a Job's template.
#include "engine/controllers/job/jobcontroller.h"

#include "engine/client/resources.h"
#include "engine/controllers/job/jobstatus.h"
#include "engine/controllers/requestgroup.h"

#include <QPointer>

#include <algorithm>

namespace cd::controllers::job {
namespace {

constexpr auto kExpectationsTimeout = std::chrono::minutes(5);  // client-go's ExpectationsTimeout
constexpr size_t kMaxGeneratedNameLength = 58;                   // 63 less the 5 random characters

const client::Resource &podsResource() { return *client::builtinResource("pods"); }

std::string keyOf(const std::string &ns, const std::string &name) { return ns + "/" + name; }

Json controllerRef(const Json &job)
{
    return {{"apiVersion", "batch/v1"},
            {"kind", "Job"},
            {"name", str(job, {"metadata", "name"})},
            {"uid", str(job, {"metadata", "uid"})},
            {"controller", true},
            {"blockOwnerDeletion", true}};
}

// Indexed pods are named <job>-<index>-<random>, the job name cut short when it is long.
std::string generateNameWithIndex(const std::string &jobName, int index)
{
    const std::string suffix = "-" + std::to_string(index) + "-";
    std::string prefix = jobName + suffix;
    if (prefix.size() > kMaxGeneratedNameLength)
        prefix = prefix.substr(0, kMaxGeneratedNameLength - suffix.size()) + suffix;
    return prefix;
}

void addCompletionIndexEnv(Json &container)
{
    Json &env = container["env"];
    if (!env.is_array())
        env = Json::array();
    for (const Json &var : env)
        if (str(var, {"name"}) == "JOB_COMPLETION_INDEX")
            return;
    env.push_back({{"name", "JOB_COMPLETION_INDEX"},
                   {"valueFrom",
                    {{"fieldRef",
                      {{"fieldPath", std::string("metadata.labels['") + kCompletionIndexKey + "']"}}}}}});
}

} // namespace

JobController::JobController(client::Client *client, client::SharedInformers *informers, JobControllerOptions options,
                             QObject *parent)
    : QObject(parent), m_client(client), m_jobs(informers->informer(*client::builtinResource("jobs", "batch"))),
      m_pods(informers->informer(podsResource())), m_informers(informers),
      m_recorder(client, "job-controller", {}, this),
      m_queue([this](const std::string &key, std::function<void(bool)> done) { reconcile(key, std::move(done)); },
              this),
      m_orphanQueue(
          [this](const std::string &key, std::function<void(bool)> done) { reconcileOrphan(key, std::move(done)); },
          this),
      m_options(options)
{
    // Kubernetes' job queue backs off from 1s to 1 minute after API errors.
    m_queue.baseDelayMs = 500;
    m_orphanQueue.baseDelayMs = 500;
    m_jobs->addHandler([this](const client::InformerEvent &event) { onJob(event); });
    m_pods->addHandler([this](const client::InformerEvent &event) { onPod(event); });
}

// ---- what the informers tell ----------------------------------------------------------------

void JobController::onJob(const client::InformerEvent &event)
{
    const Json &job = *event.object;
    const std::string key = keyOf(str(job, {"metadata", "namespace"}), str(job, {"metadata", "name"}));
    const std::string uid = str(job, {"metadata", "uid"});
    const std::string ns = str(job, {"metadata", "namespace"});
    if (event.deleted()) {
        if (auto it = m_jobInfo.find(key); it != m_jobInfo.end() && it->second.uid == uid)
            m_jobInfo.erase(it);
        m_jobKeyByUid.erase(uid);
        m_queue.add(key);
        cleanupPodFinalizers(uid);
        if (!hasJobsIn(ns))
            forgetOrphans(ns);
        return;
    }
    if (!hasJobsIn(ns))
        learnOrphans(ns);
    JobInfo &info = m_jobInfo[key];
    if (!info.uid.empty() && info.uid != uid)
        m_jobKeyByUid.erase(info.uid);
    info.uid = uid;
    auto selector = LabelSelector::fromJson(find(job, {"spec", "selector"}) ? job["spec"]["selector"] : Json());
    info.selector = selector ? *selector : LabelSelector::nothing();
    info.finished = jobFinished(job);
    m_jobKeyByUid[uid] = key;
    m_queue.add(key);
    if (info.finished)
        cleanupPodFinalizers(uid);  // a backup: the last sync removes them already
    if (event.added()) {
        // Pods seen before their Job (a restart, or a quick informer) are this Job's now.
        if (auto pods = m_podsByJobUid.find(uid); pods != m_podsByJobUid.end() && !pods->second.empty())
            m_queue.add(key);
    }
}

std::string JobController::jobKeyForUid(const std::string &uid) const
{
    auto it = m_jobKeyByUid.find(uid);
    return it == m_jobKeyByUid.end() ? std::string() : it->second;
}

bool JobController::hasJobsIn(const std::string &ns) const
{
    const std::string prefix = ns + "/";
    auto it = m_jobInfo.lower_bound(prefix);
    return it != m_jobInfo.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

void JobController::learnOrphans(const std::string &ns)
{
    m_pods->forEachRaw(ns, [this](const client::RawObject &raw) {
        const Json object = Json::parse(*raw, nullptr, false);
        if (!object.is_object())
            return;
        JobPod pod = JobPod::fromObject(object);
        if (!pod.orphan())
            return;
        const std::string key = keyOf(pod.ns, pod.name);
        m_orphansByNs[pod.ns].insert(key);
        m_podFacts[key] = std::move(pod);
    });
}

void JobController::forgetOrphans(const std::string &ns)
{
    auto byNs = m_orphansByNs.find(ns);
    if (byNs == m_orphansByNs.end())
        return;
    for (const std::string &key : byNs->second)
        m_podFacts.erase(key);
    m_orphansByNs.erase(byNs);
}

void JobController::forgetPod(const std::string &key)
{
    auto it = m_podFacts.find(key);
    if (it == m_podFacts.end())
        return;
    const JobPod &pod = it->second;
    if (!pod.controllerUid.empty()) {
        auto byJob = m_podsByJobUid.find(pod.controllerUid);
        if (byJob != m_podsByJobUid.end()) {
            byJob->second.erase(key);
            if (byJob->second.empty())
                m_podsByJobUid.erase(byJob);
        }
    } else {
        auto byNs = m_orphansByNs.find(pod.ns);
        if (byNs != m_orphansByNs.end()) {
            byNs->second.erase(key);
            if (byNs->second.empty())
                m_orphansByNs.erase(byNs);
        }
    }
    m_podFacts.erase(it);
}

void JobController::onPod(const client::InformerEvent &event)
{
    const Json &object = *event.object;
    const std::string key = keyOf(str(object, {"metadata", "namespace"}), str(object, {"metadata", "name"}));
    std::optional<JobPod> old;
    if (auto it = m_podFacts.find(key); it != m_podFacts.end())
        old = it->second;

    if (event.deleted()) {
        if (!old)
            return;
        forgetPod(key);
        if (old->ownedByJob()) {
            const std::string jobKey = jobKeyForUid(old->controllerUid);
            if (!jobKey.empty()) {
                if (!old->deleting)
                    lowerExpectations(jobKey, 0, 1);
                if (auto f = m_finalizerExpectations.find(jobKey); f != m_finalizerExpectations.end())
                    f->second.erase(old->uid);
                m_queue.add(jobKey);
            }
        }
        return;
    }

    JobPod pod = JobPod::fromObject(object);
    if (old && old->ownedByJob() && old->controllerUid != pod.controllerUid) {
        // Released, or taken over by another controller: the old Job counts without it.
        const std::string oldKey = jobKeyForUid(old->controllerUid);
        if (!oldKey.empty()) {
            if (auto f = m_finalizerExpectations.find(oldKey); f != m_finalizerExpectations.end() && !pod.finalizer)
                f->second.erase(pod.uid);
            m_queue.add(oldKey);
        }
    }
    forgetPod(key);
    if (!pod.orphan() && !pod.ownedByJob())
        return;  // another controller's pod; never this controller's business

    const bool deleting = pod.deleting, finalizer = pod.finalizer;
    const std::string uid = pod.uid, ns = pod.ns, controllerUid = pod.controllerUid;
    const bool ownedByJob = pod.ownedByJob();
    if (!ownedByJob && !hasJobsIn(ns)) {
        // No Job here to adopt it: only a leftover tracking finalizer is this controller's business.
        if (finalizer)
            m_orphanQueue.add(key);
        return;
    }
    const Labels labels = pod.labels;
    const bool labelsChanged = !old || old->labels != labels || old->controllerUid != controllerUid;
    if (ownedByJob)
        m_podsByJobUid[controllerUid].insert(key);
    else
        m_orphansByNs[ns].insert(key);
    const bool sameOwner = old && old->controllerUid == controllerUid;
    const bool wasDeleting = sameOwner && old->deleting;
    m_podFacts[key] = std::move(pod);

    if (ownedByJob) {
        const std::string jobKey = jobKeyForUid(controllerUid);
        if (jobKey.empty()) {
            // Its Job is gone (or not seen yet): only a pod already going away is cleaned here;
            // the Job's deletion sends the others.
            if (finalizer && deleting && m_jobs->hasSynced())
                m_orphanQueue.add(key);
            return;
        }
        if (!sameOwner)
            lowerExpectations(jobKey, deleting ? 0 : 1, deleting ? 1 : 0);
        else if (deleting && !wasDeleting)
            lowerExpectations(jobKey, 0, 1);
        if (!finalizer)
            if (auto f = m_finalizerExpectations.find(jobKey); f != m_finalizerExpectations.end())
                f->second.erase(uid);
        if (finalizer && m_jobInfo[jobKey].finished)
            m_orphanQueue.add(key);
        m_queue.add(jobKey);
        return;
    }
    // An orphan: its finalizer goes, and a Job whose selector it matches may adopt it.
    if (finalizer)
        m_orphanQueue.add(key);
    if (!labelsChanged)
        return;
    const std::string prefix = ns + "/";
    for (auto it = m_jobInfo.lower_bound(prefix); it != m_jobInfo.end() && it->first.compare(0, prefix.size(), prefix) == 0;
         ++it)
        if (it->second.selector.matches(labels))
            m_queue.add(it->first);
}

void JobController::cleanupPodFinalizers(const std::string &jobUid)
{
    auto pods = m_podsByJobUid.find(jobUid);
    if (pods == m_podsByJobUid.end())
        return;
    for (const std::string &podKey : pods->second)
        if (auto it = m_podFacts.find(podKey); it != m_podFacts.end() && it->second.finalizer)
            m_orphanQueue.add(podKey);
}

// syncOrphanPod: a pod whose Job is gone or finished (or that has no Job) keeps no tracking
// finalizer, or it could never be deleted.
void JobController::reconcileOrphan(const std::string &podKey, std::function<void(bool)> done)
{
    const size_t slash = podKey.find('/');
    const std::string ns = podKey.substr(0, slash), name = podKey.substr(slash + 1);
    client::ObjectPtr pod = m_pods->get(ns, name);
    if (!pod) {
        done(false);
        return;
    }
    const JobPod facts = JobPod::fromObject(*pod);
    if (!facts.finalizer) {
        done(false);
        return;
    }
    if (!facts.orphan()) {
        if (!facts.ownedByJob()) {
            done(false);  // controlled by something else: not this controller's finalizer to remove
            return;
        }
        std::string jobName;
        for (const Json &ref : (*pod)["metadata"]["ownerReferences"])
            if (boolean(ref, {"controller"}))
                jobName = str(ref, {"name"});
        if (client::ObjectPtr job = m_jobs->get(ns, jobName);
            job && str(*job, {"metadata", "uid"}) == facts.controllerUid) {
            const std::string managedBy = str(*job, {"spec", "managedBy"});
            if ((!managedBy.empty() && managedBy != "kubernetes.io/job-controller") || !jobFinished(*job)) {
                done(false);  // adopted by a running Job, or another controller's Job
                return;
            }
        }
    }
    const Json patch = {{"metadata", {{"$deleteFromPrimitiveList/finalizers", Json::array({kTrackingFinalizer})}}}};
    m_client->patch(podsResource(), ns, name, "application/strategic-merge-patch+json", patch,
                    [done](const client::Response &r) { done(!r.ok() && r.status != 404); });
}

// ClaimPods: adopts orphans the selector matches (with the tracking finalizer) and releases
// pods that stopped matching it. Returns true when it asked for changes; the pod events bring
// the Job back.
bool JobController::claimPods(const Json &job, const JobInfo &info, std::function<void(bool)> &done)
{
    const std::string ns = str(job, {"metadata", "namespace"});
    std::vector<const JobPod *> adopt, release;
    if (auto orphans = m_orphansByNs.find(ns); orphans != m_orphansByNs.end())
        for (const std::string &podKey : orphans->second) {
            const JobPod &pod = m_podFacts.at(podKey);
            if (!pod.deleting && info.selector.matches(pod.labels))
                adopt.push_back(&pod);
        }
    if (auto owned = m_podsByJobUid.find(info.uid); owned != m_podsByJobUid.end())
        for (const std::string &podKey : owned->second) {
            const JobPod &pod = m_podFacts.at(podKey);
            if (!pod.deleting && !info.selector.matches(pod.labels))
                release.push_back(&pod);
        }
    if (adopt.empty() && release.empty())
        return false;
    auto finished = std::move(done);
    RequestGroup group([finished](bool failed) { finished(failed); }, {404, 409, 422});
    for (const JobPod *pod : adopt) {
        const Json patch = {{"metadata",
                             {{"ownerReferences", Json::array({controllerRef(job)})},
                              {"finalizers", Json::array({kTrackingFinalizer})},
                              {"uid", pod->uid}}}};
        m_client->patch(podsResource(), pod->ns, pod->name, "application/strategic-merge-patch+json", patch,
                        group.add());
    }
    for (const JobPod *pod : release) {
        const Json patch = {{"metadata",
                             {{"ownerReferences", Json::array({{{"$patch", "delete"}, {"uid", info.uid}}})},
                              {"uid", pod->uid}}}};
        m_client->patch(podsResource(), pod->ns, pod->name, "application/strategic-merge-patch+json", patch,
                        group.add());
    }
    group.seal();
    return true;
}

// ---- the pods a Job makes -------------------------------------------------------------------

Json JobController::podFromTemplate(const Json &job, int index) const
{
    const std::string name = str(job, {"metadata", "name"});
    const Json *templateObject = find(job, {"spec", "template"});
    const Json empty = Json::object();
    const Json &tmpl = templateObject && templateObject->is_object() ? *templateObject : empty;
    Json metadata = {{"namespace", str(job, {"metadata", "namespace"})},
                     {"generateName", index == kUnknownIndex ? name + "-" : generateNameWithIndex(name, index)},
                     {"ownerReferences", Json::array({controllerRef(job)})}};
    for (const char *field : {"labels", "annotations"})
        if (const Json *value = find(tmpl, {"metadata", field}); value && value->is_object() && !value->empty())
            metadata[field] = *value;
    Json finalizers = Json::array();
    if (const Json *value = find(tmpl, {"metadata", "finalizers"}); value && value->is_array())
        finalizers = *value;
    if (std::find(finalizers.begin(), finalizers.end(), Json(kTrackingFinalizer)) == finalizers.end())
        finalizers.push_back(kTrackingFinalizer);
    metadata["finalizers"] = std::move(finalizers);
    Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(metadata)}};
    pod["spec"] = find(tmpl, {"spec"}) ? tmpl["spec"] : Json::object();
    if (index != kUnknownIndex) {
        const std::string value = std::to_string(index);
        pod["metadata"]["annotations"][kCompletionIndexKey] = value;
        pod["metadata"]["labels"][kCompletionIndexKey] = value;
        pod["spec"]["hostname"] = name + "-" + value;
        for (const char *list : {"initContainers", "containers"})
            if (Json *containers = find(pod["spec"], {list}); containers && containers->is_array())
                for (Json &container : *containers)
                    if (container.is_object())
                        addCompletionIndexEnv(container);
    }
    return pod;
}

// ---- expectations and backoff ---------------------------------------------------------------

bool JobController::expectationsSatisfied(const std::string &key) const
{
    auto it = m_expectations.find(key);
    if (it == m_expectations.end())
        return true;
    const Expectations &e = it->second;
    return (e.add <= 0 && e.del <= 0) || std::chrono::steady_clock::now() - e.since > kExpectationsTimeout;
}

void JobController::lowerExpectations(const std::string &key, long long add, long long del)
{
    auto it = m_expectations.find(key);
    if (it == m_expectations.end())
        return;
    it->second.add -= add;
    it->second.del -= del;
}

JobController::BackoffRecord JobController::newBackoffRecord(const std::string &key,
                                                             const std::vector<const JobPod *> &succeeded,
                                                             const std::vector<const JobPod *> &failed) const
{
    BackoffRecord record;
    if (auto it = m_backoff.find(key); it != m_backoff.end())
        record = it->second;
    auto latest = [](const std::vector<const JobPod *> &pods) {
        TimePoint t{};
        for (const JobPod *p : pods)
            t = std::max(t, p->finished);
        return t;
    };
    if (succeeded.empty()) {
        if (failed.empty())
            return record;
        record.failuresAfterLastSuccess += int(failed.size());
        record.lastFailure = latest(failed);
        return record;
    }
    record = BackoffRecord{};
    const TimePoint lastSuccess = latest(succeeded);
    for (const JobPod *p : failed)
        if (p->finished > lastSuccess) {
            record.failuresAfterLastSuccess += 1;
            record.lastFailure = record.lastFailure ? std::max(*record.lastFailure, p->finished) : p->finished;
        }
    return record;
}

std::chrono::milliseconds JobController::remainingBackoff(const BackoffRecord &record) const
{
    if (record.failuresAfterLastSuccess == 0 || !record.lastFailure)
        return std::chrono::milliseconds(0);
    auto backoff = m_options.podFailureBackoff;
    for (int i = 1; i < record.failuresAfterLastSuccess; ++i) {
        backoff *= 2;
        if (backoff >= m_options.maxPodFailureBackoff) {
            backoff = m_options.maxPodFailureBackoff;
            break;
        }
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::current().now() - *record.lastFailure);
    return backoff < elapsed ? std::chrono::milliseconds(0) : backoff - elapsed;
}

} // namespace cd::controllers::job
