// The Job controller against an in-process control plane (no scheduler, no nodes): the test plays
// the kubelet by writing pod status, and checks the pods, status fields, conditions and events
// Kubernetes v1.32's job controller gives.
#include "engine/controllers/controllermanager.h"
#include "engine/core/clock.h"
#include "inprocesscluster.h"

#include <QtTest>

using namespace cd;

namespace {

constexpr const char *kFinalizer = "batch.kubernetes.io/job-tracking";
constexpr const char *kIndexKey = "batch.kubernetes.io/job-completion-index";

bool hasFinalizer(const Json &object)
{
    const Json *f = find(object, {"metadata", "finalizers"});
    return f && f->is_array() && std::find(f->begin(), f->end(), Json(kFinalizer)) != f->end();
}

const Json *condition(const Json &job, const std::string &type)
{
    const Json *conditions = find(job, {"status", "conditions"});
    if (!conditions || !conditions->is_array())
        return nullptr;
    for (const Json &c : *conditions)
        if (str(c, {"type"}) == type)
            return &c;
    return nullptr;
}
const Json *condition(Json &&job, const std::string &type) = delete;  // would dangle

bool conditionTrue(const Json &job, const std::string &type)
{
    const Json *c = condition(job, type);
    return c && str(*c, {"status"}) == "True";
}

} // namespace

class TestJob : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<QObject> m_controllers;

    Json job(const std::string &name, const Json &spec = Json::object(), const std::string &restartPolicy = "Never")
    {
        Json object = {{"apiVersion", "batch/v1"},
                       {"kind", "Job"},
                       {"metadata", {{"name", name}, {"namespace", "default"}}},
                       {"spec",
                        {{"template",
                          {{"spec",
                            {{"restartPolicy", restartPolicy},
                             {"containers", Json::array({{{"name", "main"}, {"image", "busybox"}}})}}}}}}}};
        for (auto &[key, value] : spec.items())
            object["spec"][key] = value;
        Json created = m_cluster->create(object);
        if (created.is_null())
            qWarning("creating the Job failed: %s", m_cluster->lastError().c_str());
        return created;
    }
    Json getJob(const std::string &name) { return m_cluster->get("batch/v1", "Job", "default", name); }
    std::vector<Json> podsOf(const std::string &jobName)
    {
        return m_cluster->list("v1", "Pod", "default", "batch.kubernetes.io/job-name=" + jobName);
    }
    // The pods of a Job that still run (not finished, not being deleted).
    std::vector<Json> activePods(const std::string &jobName)
    {
        std::vector<Json> out;
        for (const Json &p : podsOf(jobName)) {
            const std::string phase = str(p, {"status", "phase"});
            if (phase != "Succeeded" && phase != "Failed" && !find(p, {"metadata", "deletionTimestamp"}))
                out.push_back(p);
        }
        return out;
    }
    bool waitForActive(const std::string &jobName, size_t count)
    {
        return m_cluster->waitFor([&] { return activePods(jobName).size() == count; }, 8000);
    }
    // Plays the kubelet: Running (optionally Ready), Succeeded or Failed with an exit code.
    Json setPod(Json pod, const std::string &phase, bool ready = false, int exitCode = 0, int restarts = 0)
    {
        pod = m_cluster->get("v1", "Pod", "default", str(pod, {"metadata", "name"}));
        const std::string now = nowRfc3339();
        Json state;
        if (phase == "Succeeded" || phase == "Failed")
            state = {{"terminated",
                      {{"exitCode", exitCode},
                       {"reason", exitCode == 0 ? "Completed" : "Error"},
                       {"startedAt", now},
                       {"finishedAt", now}}}};
        else
            state = {{"running", {{"startedAt", now}}}};
        pod["status"] = {{"phase", phase},
                         {"podIP", "10.244.0.9"},
                         {"conditions",
                          Json::array({{{"type", "Ready"},
                                        {"status", ready ? "True" : "False"},
                                        {"lastTransitionTime", now}}})},
                         {"containerStatuses",
                          Json::array({{{"name", "main"},
                                        {"image", "busybox"},
                                        {"imageID", ""},
                                        {"ready", ready},
                                        {"restartCount", restarts},
                                        {"state", state}}})}};
        Json updated = m_cluster->updateStatus(pod);
        if (updated.is_null())
            qWarning("pod status update failed: %s", m_cluster->lastError().c_str());
        return updated;
    }
    std::vector<Json> events(const std::string &involvedName, const std::string &reason)
    {
        std::vector<Json> out;
        for (const Json &e : m_cluster->list("v1", "Event", "default"))
            if (str(e, {"involvedObject", "name"}) == involvedName && str(e, {"reason"}) == reason)
                out.push_back(e);
        return out;
    }
    bool hasEvent(const std::string &involvedName, const std::string &reason, const std::string &message,
                  const std::string &type = "Normal")
    {
        for (const Json &e : events(involvedName, reason))
            if (str(e, {"message"}) == message && str(e, {"type"}) == type &&
                str(e, {"source", "component"}) == "job-controller")
                return true;
        return false;
    }

private Q_SLOTS:
    void init()
    {
        m_cluster = std::make_unique<test::InProcessCluster>();
        m_controllers = std::make_unique<QObject>();
        controllers::ControllerOptions options;
        options.jobPodFailureBackoff = std::chrono::milliseconds(20);
        controllers::ControllerContext context{&m_cluster->client(), &m_cluster->informers(), options,
                                               m_controllers.get()};
        controllers::startJobController(context);
        QVERIFY(m_cluster->startInformers());
    }
    void cleanup()
    {
        m_controllers.reset();
        m_cluster.reset();
    }

    void createsAPodFromTheTemplateAndCompletes()
    {
        const Json created = job("pi", {{"template",
                                         {{"metadata", {{"labels", {{"app", "pi"}}}, {"annotations", {{"note", "x"}}}}},
                                          {"spec",
                                           {{"restartPolicy", "Never"},
                                            {"containers", Json::array({{{"name", "main"}, {"image", "busybox"}}})}}}}}});
        QVERIFY(!created.is_null());
        const std::string uid = str(created, {"metadata", "uid"});
        QVERIFY(waitForActive("pi", 1));
        Json pod = activePods("pi").front();
        const std::string podName = str(pod, {"metadata", "name"});
        QCOMPARE(str(pod, {"metadata", "generateName"}), std::string("pi-"));
        QVERIFY(podName.rfind("pi-", 0) == 0 && podName.size() == 8);
        const Json &ref = pod["metadata"]["ownerReferences"][0];
        QCOMPARE(str(ref, {"apiVersion"}), std::string("batch/v1"));
        QCOMPARE(str(ref, {"kind"}), std::string("Job"));
        QCOMPARE(str(ref, {"name"}), std::string("pi"));
        QCOMPARE(str(ref, {"uid"}), uid);
        QVERIFY(boolean(ref, {"controller"}) && boolean(ref, {"blockOwnerDeletion"}));
        QCOMPARE(str(pod, {"metadata", "labels", "batch.kubernetes.io/job-name"}), std::string("pi"));
        QCOMPARE(str(pod, {"metadata", "labels", "batch.kubernetes.io/controller-uid"}), uid);
        QCOMPARE(str(pod, {"metadata", "labels", "job-name"}), std::string("pi"));
        QCOMPARE(str(pod, {"metadata", "labels", "app"}), std::string("pi"));
        QCOMPARE(str(pod, {"metadata", "annotations", "note"}), std::string("x"));
        QVERIFY2(hasFinalizer(pod), "the pod carries the job tracking finalizer");
        QVERIFY(m_cluster->waitFor([&] { return hasEvent("pi", "SuccessfulCreate", "Created pod: " + podName); }));

        QVERIFY(m_cluster->waitFor([&] {
            const Json j = getJob("pi");
            return integer(j, {"status", "active"}) == 1 && find(j, {"status", "ready"}) &&
                   find(j, {"status", "terminating"});
        }));
        Json status = getJob("pi")["status"];
        QVERIFY(!str(status, {"startTime"}).empty());
        QCOMPARE(integer(status, {"ready"}, -1), 0LL);
        QCOMPARE(integer(status, {"terminating"}, -1), 0LL);
        QCOMPARE(status["uncountedTerminatedPods"], Json::object());
        QVERIFY(!status.contains("succeeded") && !status.contains("failed") && !status.contains("conditions"));

        setPod(pod, "Running", true);
        QVERIFY(m_cluster->waitFor([&] { return integer(getJob("pi"), {"status", "ready"}) == 1; }));

        setPod(pod, "Succeeded");
        QVERIFY(m_cluster->waitFor([&] { return conditionTrue(getJob("pi"), "Complete"); }));
        status = getJob("pi")["status"];
        QCOMPARE(integer(status, {"succeeded"}), 1LL);
        QVERIFY2(!status.contains("active"), "active is omitted once zero");
        QVERIFY(!status.contains("failed"));
        QCOMPARE(integer(status, {"ready"}, -1), 0LL);
        QCOMPARE(integer(status, {"terminating"}, -1), 0LL);
        QCOMPARE(status["uncountedTerminatedPods"], Json::object());
        QVERIFY(!str(status, {"completionTime"}).empty());
        const Json &conditions = status["conditions"];
        QCOMPARE(conditions.size(), size_t(2));
        QCOMPARE(str(conditions[0], {"type"}), std::string("SuccessCriteriaMet"));
        QCOMPARE(str(conditions[1], {"type"}), std::string("Complete"));
        for (const Json &c : conditions) {
            QCOMPARE(str(c, {"status"}), std::string("True"));
            QCOMPARE(str(c, {"reason"}), std::string("CompletionsReached"));
            QCOMPARE(str(c, {"message"}), std::string("Reached expected number of succeeded pods"));
            QVERIFY(!str(c, {"lastProbeTime"}).empty() && !str(c, {"lastTransitionTime"}).empty());
        }
        QCOMPARE(str(status, {"completionTime"}), str(conditions[1], {"lastTransitionTime"}));
        QVERIFY(m_cluster->waitFor([&] { return hasEvent("pi", "Completed", "Job completed"); }));
        QVERIFY2(m_cluster->waitFor([&] { return !hasFinalizer(m_cluster->get("v1", "Pod", "default", podName)); }),
                 "a counted pod loses the tracking finalizer");
        QCOMPARE(podsOf("pi").size(), size_t(1));
    }

    void parallelismAndCompletions()
    {
        QVERIFY(!job("batch", {{"completions", 4}, {"parallelism", 2}}).is_null());
        QVERIFY(waitForActive("batch", 2));
        // Never more than parallelism at once, never more than the completions still needed.
        for (int done = 1; done <= 4; ++done) {
            setPod(activePods("batch").front(), "Succeeded");
            const size_t expected = size_t(std::min(2, 4 - done));
            QVERIFY2(m_cluster->waitFor([&] {
                         return integer(getJob("batch"), {"status", "succeeded"}) == done &&
                                activePods("batch").size() == expected;
                     }),
                     qPrintable(QString("after %1 successes").arg(done)));
        }
        QVERIFY(m_cluster->waitFor([&] { return conditionTrue(getJob("batch"), "Complete"); }));
        QCOMPARE(podsOf("batch").size(), size_t(4));
    }

    void workQueueJobEndsWithTheFirstSuccess()
    {
        // No completions: parallelism pods run; after one succeeds none is added, and the Job
        // completes once the others finished.
        Json spec = {{"parallelism", 2}};
        QVERIFY(!job("queue", spec).is_null());
        QVERIFY(waitForActive("queue", 2));
        auto pods = activePods("queue");
        setPod(pods[0], "Succeeded");
        QVERIFY(m_cluster->waitFor([&] { return integer(getJob("queue"), {"status", "succeeded"}) == 1; }));
        QTest::qWait(100);
        QCOMPARE(activePods("queue").size(), size_t(1));
        QVERIFY(!conditionTrue(getJob("queue"), "Complete"));
        setPod(pods[1], "Succeeded");
        QVERIFY(m_cluster->waitFor([&] { return conditionTrue(getJob("queue"), "Complete"); }));
        QCOMPARE(integer(getJob("queue"), {"status", "succeeded"}), 2LL);
    }

    void indexedJob()
    {
        QVERIFY(!job("idx", {{"completions", 3}, {"parallelism", 3}, {"completionMode", "Indexed"}}).is_null());
        QVERIFY(waitForActive("idx", 3));
        std::map<int, Json> byIndex;
        for (const Json &p : activePods("idx")) {
            const int index = std::stoi(str(p, {"metadata", "annotations", kIndexKey}));
            byIndex[index] = p;
            const std::string value = std::to_string(index);
            QCOMPARE(str(p, {"metadata", "labels", kIndexKey}), value);
            QCOMPARE(str(p, {"spec", "hostname"}), "idx-" + value);
            QCOMPARE(str(p, {"metadata", "generateName"}), "idx-" + value + "-");
            const Json &env = p["spec"]["containers"][0]["env"];
            QCOMPARE(str(env[0], {"name"}), std::string("JOB_COMPLETION_INDEX"));
            QCOMPARE(str(env[0], {"valueFrom", "fieldRef", "fieldPath"}),
                     std::string("metadata.labels['batch.kubernetes.io/job-completion-index']"));
        }
        QCOMPARE(byIndex.size(), size_t(3));
        setPod(byIndex[1], "Succeeded");
        QVERIFY(m_cluster->waitFor([&] { return str(getJob("idx"), {"status", "completedIndexes"}) == "1"; }));
        QCOMPARE(integer(getJob("idx"), {"status", "succeeded"}), 1LL);
        // A failed index gets a new pod with the same index.
        setPod(byIndex[2], "Failed", false, 1);
        QVERIFY(m_cluster->waitFor([&] {
            for (const Json &p : activePods("idx"))
                if (str(p, {"metadata", "annotations", kIndexKey}) == "2" &&
                    str(p, {"metadata", "name"}) != str(byIndex[2], {"metadata", "name"}))
                    return true;
            return false;
        }));
        QVERIFY(m_cluster->waitFor([&] { return integer(getJob("idx"), {"status", "failed"}) == 1; }));
        setPod(byIndex[0], "Succeeded");
        QVERIFY(m_cluster->waitFor([&] { return str(getJob("idx"), {"status", "completedIndexes"}) == "0,1"; }));
        for (const Json &p : activePods("idx"))
            setPod(p, "Succeeded");
        QVERIFY(m_cluster->waitFor([&] { return conditionTrue(getJob("idx"), "Complete"); }));
        const Json status = getJob("idx")["status"];
        QCOMPARE(str(status, {"completedIndexes"}), std::string("0-2"));
        QCOMPARE(integer(status, {"succeeded"}), 3LL);
        QCOMPARE(integer(status, {"failed"}), 1LL);
    }

    void backoffLimitExceeded()
    {
        QVERIFY(!job("flaky", {{"backoffLimit", 1}}).is_null());
        QVERIFY(waitForActive("flaky", 1));
        const Json first = activePods("flaky").front();
        setPod(first, "Failed", false, 3);
        // The failure is counted and the pod replaced after the pod-failure backoff.
        QVERIFY(m_cluster->waitFor([&] {
            const auto active = activePods("flaky");
            return integer(getJob("flaky"), {"status", "failed"}) == 1 && active.size() == 1 &&
                   str(active[0], {"metadata", "name"}) != str(first, {"metadata", "name"});
        }));
        QVERIFY(!hasFinalizer(m_cluster->get("v1", "Pod", "default", str(first, {"metadata", "name"}))));
        setPod(activePods("flaky").front(), "Failed", false, 3);
        QVERIFY(m_cluster->waitFor([&] { return conditionTrue(getJob("flaky"), "Failed"); }));
        const Json status = getJob("flaky")["status"];
        QCOMPARE(integer(status, {"failed"}), 2LL);
        QVERIFY(!status.contains("succeeded") && !status.contains("completionTime"));
        QCOMPARE(status["uncountedTerminatedPods"], Json::object());
        const Json flaky = getJob("flaky");
        const Json *target = condition(flaky, "FailureTarget");
        const Json *failed = condition(flaky, "Failed");
        QVERIFY(target && failed);
        for (const Json *c : {target, failed}) {
            QCOMPARE(str(*c, {"status"}), std::string("True"));
            QCOMPARE(str(*c, {"reason"}), std::string("BackoffLimitExceeded"));
            QCOMPARE(str(*c, {"message"}), std::string("Job has reached the specified backoff limit"));
        }
        QVERIFY(m_cluster->waitFor([&] {
            return hasEvent("flaky", "BackoffLimitExceeded", "Job has reached the specified backoff limit", "Warning");
        }));
        QCOMPARE(podsOf("flaky").size(), size_t(2));
        for (const Json &p : podsOf("flaky"))
            QVERIFY(!hasFinalizer(p));
    }

    void containerRestartsCountWithRestartPolicyOnFailure()
    {
        QVERIFY(!job("restarts", {{"backoffLimit", 2}}, "OnFailure").is_null());
        QVERIFY(waitForActive("restarts", 1));
        const Json pod = activePods("restarts").front();
        setPod(pod, "Running", false, 0, 1);
        QTest::qWait(100);
        QVERIFY(!conditionTrue(getJob("restarts"), "FailureTarget"));
        setPod(pod, "Running", false, 0, 2);
        QVERIFY(m_cluster->waitFor([&] { return conditionTrue(getJob("restarts"), "Failed"); }));
        const Json restarts = getJob("restarts");
        QCOMPARE(str(*condition(restarts, "Failed"), {"reason"}), std::string("BackoffLimitExceeded"));
        // The pod that was still running is removed, and counted as failed.
        QVERIFY(m_cluster->waitFor([&] { return podsOf("restarts").empty(); }));
        QCOMPARE(integer(getJob("restarts"), {"status", "failed"}), 1LL);
    }

    void activeDeadlineSeconds()
    {
        QVERIFY(!job("slow", {{"activeDeadlineSeconds", 1}}).is_null());
        QVERIFY(waitForActive("slow", 1));
        QVERIFY(m_cluster->waitFor([&] { return conditionTrue(getJob("slow"), "Failed"); }, 8000));
        const Json slow = getJob("slow");
        const Json *failed = condition(slow, "Failed");
        QCOMPARE(str(*failed, {"reason"}), std::string("DeadlineExceeded"));
        QCOMPARE(str(*failed, {"message"}), std::string("Job was active longer than specified deadline"));
        QVERIFY(conditionTrue(getJob("slow"), "FailureTarget"));
        QVERIFY(m_cluster->waitFor([&] {
            return hasEvent("slow", "DeadlineExceeded", "Job was active longer than specified deadline", "Warning");
        }));
        QVERIFY(m_cluster->waitFor([&] { return podsOf("slow").empty(); }));
        QVERIFY(!has(getJob("slow"), {"status", "active"}));
    }

    void suspendAndResume()
    {
        QVERIFY(!job("later", {{"suspend", true}}).is_null());
        QVERIFY(m_cluster->waitFor([&] { return conditionTrue(getJob("later"), "Suspended"); }));
        const Json later = getJob("later");
        const Json *suspended = condition(later, "Suspended");
        QCOMPARE(str(*suspended, {"reason"}), std::string("JobSuspended"));
        QCOMPARE(str(*suspended, {"message"}), std::string("Job suspended"));
        QVERIFY(podsOf("later").empty());
        QVERIFY2(!has(getJob("later"), {"status", "startTime"}), "a suspended Job has not started");
        QVERIFY(m_cluster->waitFor([&] { return hasEvent("later", "Suspended", "Job suspended"); }));

        QVERIFY(!m_cluster->patch("batch/v1", "Job", "default", "later", {{"spec", {{"suspend", false}}}}).is_null());
        QVERIFY(waitForActive("later", 1));
        QVERIFY(m_cluster->waitFor([&] {
            const Json resumed = getJob("later");
            const Json *c = condition(resumed, "Suspended");
            return c && str(*c, {"status"}) == "False" && str(*c, {"reason"}) == "JobResumed" &&
                   str(*c, {"message"}) == "Job resumed";
        }));
        QVERIFY(has(getJob("later"), {"status", "startTime"}));
        QVERIFY(m_cluster->waitFor([&] { return hasEvent("later", "Resumed", "Job resumed"); }));

        // Suspending again deletes the running pods (they are not failures).
        QVERIFY(!m_cluster->patch("batch/v1", "Job", "default", "later", {{"spec", {{"suspend", true}}}}).is_null());
        QVERIFY(m_cluster->waitFor([&] { return podsOf("later").empty(); }));
        QVERIFY(m_cluster->waitFor([&] { return conditionTrue(getJob("later"), "Suspended"); }));
        QVERIFY(!has(getJob("later"), {"status", "failed"}));
    }

    void terminatingPodsAreCountedAndReplaced()
    {
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("n1")).is_null());
        QVERIFY(!job("term").is_null());
        QVERIFY(waitForActive("term", 1));
        const Json pod = activePods("term").front();
        const std::string name = str(pod, {"metadata", "name"});
        const Json binding = {{"apiVersion", "v1"},
                              {"kind", "Binding"},
                              {"metadata", {{"name", name}}},
                              {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "n1"}}}};
        QVERIFY(m_cluster->send("POST", "/api/v1/namespaces/default/pods/" + name + "/binding", binding).ok());
        setPod(pod, "Running", true);
        // A bound pod ends gracefully: it stays, terminating, until its node stops it.
        QVERIFY(m_cluster->remove("v1", "Pod", "default", name));
        QVERIFY(m_cluster->waitFor([&] {
            const Json status = getJob("term")["status"];
            return integer(status, {"terminating"}) == 1 && integer(status, {"failed"}) == 1 &&
                   activePods("term").size() == 1;
        }));
        const Json still = m_cluster->get("v1", "Pod", "default", name);
        QVERIFY(find(still, {"metadata", "deletionTimestamp"}));
        QVERIFY2(!hasFinalizer(still), "a terminating pod is counted as failed and released");
    }

    void finalizersGoWhenTheJobIsDeleted()
    {
        QVERIFY(!job("gone", {{"parallelism", 2}, {"completions", 2}}).is_null());
        QVERIFY(waitForActive("gone", 2));
        // Without a garbage collector here the pods stay, owned by a Job that is gone: their
        // tracking finalizer must not keep them forever.
        QVERIFY(m_cluster->remove("batch/v1", "Job", "default", "gone", "Background"));
        QVERIFY(m_cluster->waitFor([&] {
            for (const Json &p : podsOf("gone"))
                if (hasFinalizer(p))
                    return false;
            return podsOf("gone").size() == 2;
        }));
    }

    void adoptsMatchingOrphans()
    {
        // A pod nobody controls that the Job's (manual) selector matches becomes the Job's pod.
        const Json orphan = {{"apiVersion", "v1"},
                             {"kind", "Pod"},
                             {"metadata", {{"name", "stray"}, {"namespace", "default"}, {"labels", {{"app", "adopt"}}}}},
                             {"spec", {{"containers", Json::array({{{"name", "main"}, {"image", "busybox"}}})}}}};
        QVERIFY(!m_cluster->create(orphan).is_null());
        const Json created = job("adopt", {{"manualSelector", true},
                                           {"selector", {{"matchLabels", {{"app", "adopt"}}}}},
                                           {"template",
                                            {{"metadata", {{"labels", {{"app", "adopt"}}}}},
                                             {"spec",
                                              {{"restartPolicy", "Never"},
                                               {"containers", Json::array({{{"name", "main"}, {"image", "busybox"}}})}}}}}});
        QVERIFY(!created.is_null());
        const std::string uid = str(created, {"metadata", "uid"});
        QVERIFY(m_cluster->waitFor([&] {
            const Json p = m_cluster->get("v1", "Pod", "default", "stray");
            const Json *refs = find(p, {"metadata", "ownerReferences"});
            return refs && refs->size() == 1 && str((*refs)[0], {"uid"}) == uid && boolean((*refs)[0], {"controller"}) &&
                   hasFinalizer(p);
        }));
        QVERIFY(m_cluster->waitFor([&] { return integer(getJob("adopt"), {"status", "active"}) == 1; }));
        QCOMPARE(m_cluster->list("v1", "Pod", "default", "app=adopt").size(), size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestJob)
#include "tst_job.moc"
