// The Deployment controller with the ReplicaSet controller against an in-process control plane
// (no scheduler, no nodes: the test plays the kubelet, making pods Running and Ready through
// pods/status). Rollouts are watched through a pod informer of the test's own, so every state
// the store goes through is checked against maxSurge and maxUnavailable.
#include "engine/client/informer.h"
#include "engine/client/resources.h"
#include "engine/controllers/controllermanager.h"
#include "engine/controllers/deployment/replicacounts.h"
#include "engine/controllers/deployment/revisions.h"
#include "engine/core/clock.h"
#include "inprocesscluster.h"

#include <QtTest>

#include <climits>
#include <map>
#include <set>

using namespace cd;
namespace dep = cd::controllers::deployment;

namespace {

Json deploymentObject(const std::string &name, int replicas, const std::string &image = "nginx:1.27")
{
    return {{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec",
             {{"replicas", replicas},
              {"selector", {{"matchLabels", {{"app", name}}}}},
              {"template",
               {{"metadata", {{"labels", {{"app", name}}}}},
                {"spec", {{"containers", Json::array({{{"name", "app"}, {"image", image}}})}}}}}}}};
}

Json rollingUpdate(Json deployment, const Json &maxSurge, const Json &maxUnavailable)
{
    deployment["spec"]["strategy"] = {{"type", "RollingUpdate"},
                                      {"rollingUpdate", {{"maxSurge", maxSurge}, {"maxUnavailable", maxUnavailable}}}};
    return deployment;
}

// Points into the object: never call it on a temporary.
const Json *conditionOf(Json &&object, const std::string &type) = delete;
const Json *conditionOf(const Json &object, const std::string &type)
{
    const Json *conditions = find(object, {"status", "conditions"});
    if (!conditions || !conditions->is_array())
        return nullptr;
    for (const Json &c : *conditions)
        if (str(c, {"type"}) == type)
            return &c;
    return nullptr;
}

// What the watching informer saw at every step of a rollout.
struct RolloutWatch {
    struct Pod {
        bool ready = false;
        bool terminating = false;
        std::string hash;
    };
    std::map<std::string, Pod> pods;
    bool checking = false;
    long long maxPods = 0;           // pods not being deleted, at most
    long long minAvailable = LLONG_MAX;  // ready pods not being deleted, at least
    bool oldAndNewTogether = false;  // pods of two templates at once (never, for Recreate)
    std::string firstViolation;

    void observe(const client::InformerEvent &event, long long surgeLimit, long long availableFloor)
    {
        const Json &pod = *event.object;
        const std::string name = str(pod, {"metadata", "name"});
        if (event.deleted()) {
            pods.erase(name);
        } else {
            Pod &p = pods[name];
            p.terminating = has(pod, {"metadata", "deletionTimestamp"});
            p.hash = str(pod, {"metadata", "labels", dep::kPodTemplateHashLabel});
            p.ready = false;
            if (const Json *conditions = find(pod, {"status", "conditions"}); conditions && conditions->is_array())
                for (const Json &c : *conditions)
                    p.ready = p.ready || (str(c, {"type"}) == "Ready" && str(c, {"status"}) == "True");
        }
        if (!checking)
            return;
        long long live = 0, available = 0;
        std::set<std::string> hashes;
        for (const auto &[podName, p] : pods) {
            if (p.terminating)
                continue;
            ++live;
            available += p.ready ? 1 : 0;
            hashes.insert(p.hash);
        }
        maxPods = std::max(maxPods, live);
        minAvailable = std::min(minAvailable, available);
        oldAndNewTogether = oldAndNewTogether || hashes.size() > 1;
        if (firstViolation.empty() && (live > surgeLimit || available < availableFloor))
            firstViolation = "after " + name + ": " + std::to_string(live) + " pods, " + std::to_string(available) +
                             " available";
    }
};

} // namespace

class TestDeployment : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<QObject> m_controllers;
    std::unique_ptr<client::Informer> m_watch;

    void startControllers()
    {
        m_controllers = std::make_unique<QObject>();
        controllers::ControllerContext context{&m_cluster->client(), &m_cluster->informers(), {}, m_controllers.get()};
        controllers::startReplicaSetController(context);
        controllers::startDeploymentController(context);
        QVERIFY(m_cluster->startInformers());
    }

    // A pod informer of the test's own: its handler sees every change the store makes, in order.
    void watchRollout(RolloutWatch &watch, long long surgeLimit, long long availableFloor)
    {
        m_watch = std::make_unique<client::Informer>(&m_cluster->client(), *client::builtinResource("pods"), "default");
        m_watch->addHandler([&watch, surgeLimit, availableFloor](const client::InformerEvent &event) {
            watch.observe(event, surgeLimit, availableFloor);
        });
        m_watch->start();
        QVERIFY(m_cluster->waitFor([&] { return m_watch->hasSynced(); }));
    }

    Json deployment(const std::string &name = "web") { return m_cluster->get("apps/v1", "Deployment", "default", name); }
    std::vector<Json> replicaSets(const std::string &selector = "app=web")
    {
        return m_cluster->list("apps/v1", "ReplicaSet", "default", selector);
    }
    std::vector<Json> pods(const std::string &selector = "app=web") { return m_cluster->list("v1", "Pod", "default", selector); }
    std::vector<Json> events(const std::string &reason)
    {
        std::vector<Json> out;
        for (const Json &e : m_cluster->list("v1", "Event", "default"))
            if (str(e, {"reason"}) == reason)
                out.push_back(e);
        return out;
    }
    std::vector<std::string> eventMessages(const std::string &reason)
    {
        std::vector<Json> found = events(reason);
        std::sort(found.begin(), found.end(), [](const Json &a, const Json &b) {
            return str(a, {"metadata", "creationTimestamp"}) < str(b, {"metadata", "creationTimestamp"});
        });
        std::vector<std::string> out;
        for (const Json &e : found)
            out.push_back(str(e, {"message"}));
        return out;
    }
    bool hasEvent(const std::string &reason, const std::string &message)
    {
        for (const Json &e : events(reason))
            if (str(e, {"message"}) == message)
                return true;
        return false;
    }
    Json replicaSetWithRevision(long long revision)
    {
        for (const Json &rs : replicaSets())
            if (dep::revisionOf(rs) == revision)
                return rs;
        return Json();
    }
    bool setImage(const std::string &image, const std::string &name = "web")
    {
        const Json patch = {
            {"spec", {{"template", {{"spec", {{"containers", Json::array({{{"name", "app"}, {"image", image}}})}}}}}}}};
        return !m_cluster->patch("apps/v1", "Deployment", "default", name, patch).is_null();
    }
    bool patchSpec(const Json &spec, const std::string &name = "web")
    {
        return !m_cluster->patch("apps/v1", "Deployment", "default", name, {{"spec", spec}}).is_null();
    }

    // The kubelet's part: makes at most `limit` pods that are not ready yet Running and Ready.
    int makePodsReady(int limit = 1, const std::string &selector = "app=web")
    {
        int made = 0;
        for (const Json &p : pods(selector)) {
            if (made >= limit)
                break;
            if (has(p, {"metadata", "deletionTimestamp"}) || conditionOf(p, "Ready"))
                continue;
            Json updated = p;
            const std::string now = nowRfc3339();
            updated["status"]["phase"] = "Running";
            updated["status"]["conditions"] =
                Json::array({{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", now}}});
            updated["status"]["containerStatuses"] =
                Json::array({{{"name", "app"},
                              {"ready", true},
                              {"restartCount", 0},
                              {"image", p["spec"]["containers"][0]["image"]},
                              {"imageID", ""},
                              {"started", true},
                              {"state", {{"running", {{"startedAt", now}}}}}}});
            if (!m_cluster->updateStatus(updated).is_null())
                ++made;
        }
        return made;
    }

    // kubectl rollout status' test: the latest spec observed, every replica updated and available.
    bool rolledOut(const std::string &name = "web")
    {
        const Json d = deployment(name);
        const long long replicas = integer(d, {"spec", "replicas"}, 1);
        const Json *progressing = conditionOf(d, "Progressing");
        return integer(d, {"status", "observedGeneration"}) >= integer(d, {"metadata", "generation"}) &&
               integer(d, {"status", "updatedReplicas"}) == replicas && integer(d, {"status", "replicas"}) == replicas &&
               integer(d, {"status", "availableReplicas"}) == replicas && progressing &&
               str(*progressing, {"reason"}) == "NewReplicaSetAvailable";
    }
    // Plays the kubelet until the rollout is done.
    bool rollOut(const std::string &name = "web", int timeoutMs = 20000)
    {
        return m_cluster->waitFor(
            [&] {
                makePodsReady(1, "app=" + name);
                return rolledOut(name);
            },
            timeoutMs);
    }

private Q_SLOTS:
    void init() { m_cluster = std::make_unique<test::InProcessCluster>(); }
    void cleanup()
    {
        m_watch.reset();
        m_controllers.reset();
        m_cluster.reset();
    }

    // ---- the arithmetic ------------------------------------------------------------------------

    void fencepostsRoundAsKubernetes_data()
    {
        QTest::addColumn<QString>("surge");
        QTest::addColumn<QString>("unavailable");
        QTest::addColumn<int>("replicas");
        QTest::addColumn<int>("expectedSurge");
        QTest::addColumn<int>("expectedUnavailable");
        QTest::newRow("defaults of 4") << "25%" << "25%" << 4 << 1 << 1;
        QTest::newRow("defaults of 3: surge up, unavailable down") << "25%" << "25%" << 3 << 1 << 0;
        QTest::newRow("defaults of 10") << "25%" << "25%" << 10 << 3 << 2;
        QTest::newRow("integers") << "3" << "2" << 10 << 3 << 2;
        QTest::newRow("both zero: one may be unavailable") << "0" << "0" << 5 << 0 << 1;
        QTest::newRow("percentages of 1") << "10%" << "10%" << 1 << 1 << 0;
        QTest::newRow("percentages round to zero") << "0%" << "10%" << 5 << 0 << 1;
    }
    void fencepostsRoundAsKubernetes()
    {
        QFETCH(QString, surge);
        QFETCH(QString, unavailable);
        QFETCH(int, replicas);
        QFETCH(int, expectedSurge);
        QFETCH(int, expectedUnavailable);
        auto value = [](const QString &text) {
            return text.endsWith('%') ? Json(text.toStdString()) : Json(text.toLongLong());
        };
        const Json d = rollingUpdate(deploymentObject("web", replicas), value(surge), value(unavailable));
        QCOMPARE(dep::maxSurge(d), (long long)expectedSurge);
        QCOMPARE(dep::maxUnavailable(d), (long long)expectedUnavailable);
        Json recreate = d;
        recreate["spec"]["strategy"] = {{"type", "Recreate"}};
        QCOMPARE(dep::maxSurge(recreate), 0LL);
        QCOMPARE(dep::maxUnavailable(recreate), 0LL);
    }

    void templateHashLooksLikeKubernetes()
    {
        const Json t = deploymentObject("web", 1)["spec"]["template"];
        const std::string hash = dep::podTemplateHash(t, std::nullopt);
        QVERIFY(hash.size() >= 6 && hash.size() <= 10);
        QVERIFY2(hash.find_first_not_of("bcdfghjklmnpqrstvwxz2456789") == std::string::npos, hash.c_str());
        QCOMPARE(dep::podTemplateHash(t, std::nullopt), hash);  // stable
        QVERIFY(dep::podTemplateHash(t, 1) != hash);            // a collision count moves it
        QVERIFY(dep::podTemplateHash(deploymentObject("web", 1, "nginx:1.28")["spec"]["template"], std::nullopt) != hash);
        // The hash label, empty maps and nulls do not make templates different.
        Json labelled = t;
        labelled["metadata"]["labels"][dep::kPodTemplateHashLabel] = hash;
        labelled["metadata"]["creationTimestamp"] = nullptr;
        labelled["spec"]["containers"][0]["resources"] = Json::object();
        QVERIFY(dep::equalIgnoringHash(t, labelled));
        labelled["spec"]["containers"][0]["image"] = "nginx:1.28";
        QVERIFY(!dep::equalIgnoringHash(t, labelled));
    }

    // ---- the controller ------------------------------------------------------------------------

    void createsAReplicaSetAndReportsStatus()
    {
        startControllers();
        const Json created = m_cluster->create(deploymentObject("web", 3));
        QVERIFY2(!created.is_null(), m_cluster->lastError().c_str());
        QVERIFY(m_cluster->waitFor([&] { return replicaSets().size() == 1 && pods().size() == 3; }));

        const Json rs = replicaSets()[0];
        const std::string name = str(rs, {"metadata", "name"});
        const std::string hash = str(rs, {"metadata", "labels", "pod-template-hash"});
        QCOMPARE(name, "web-" + hash);
        QCOMPARE(hash, dep::podTemplateHash(deployment()["spec"]["template"], std::nullopt));
        QCOMPARE(str(rs, {"spec", "selector", "matchLabels", "pod-template-hash"}), hash);
        QCOMPARE(str(rs, {"spec", "template", "metadata", "labels", "pod-template-hash"}), hash);
        QCOMPARE(str(rs, {"metadata", "labels", "app"}), std::string("web"));
        const Json expectedRef = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
                                  {"name", "web"},           {"uid", str(created, {"metadata", "uid"})},
                                  {"controller", true},      {"blockOwnerDeletion", true}};
        QCOMPARE(rs["metadata"]["ownerReferences"], Json::array({expectedRef}));
        QCOMPARE(str(rs, {"metadata", "annotations", "deployment.kubernetes.io/revision"}), std::string("1"));
        QCOMPARE(str(rs, {"metadata", "annotations", "deployment.kubernetes.io/desired-replicas"}), std::string("3"));
        QCOMPARE(str(rs, {"metadata", "annotations", "deployment.kubernetes.io/max-replicas"}), std::string("4"));
        QCOMPARE(integer(rs, {"spec", "replicas"}), 3LL);
        for (const Json &p : pods())
            QCOMPARE(str(p, {"metadata", "labels", "pod-template-hash"}), hash);

        // Before any pod is ready: not available, progressing.
        QVERIFY(m_cluster->waitFor([&] {
            const Json current = deployment();
            const Json *available = conditionOf(current, "Available");
            return available && str(*available, {"status"}) == "False";
        }));
        const Json current = deployment();
        const Json *available = conditionOf(current, "Available");
        QCOMPARE(str(*available, {"reason"}), std::string("MinimumReplicasUnavailable"));
        QCOMPARE(str(*available, {"message"}), std::string("Deployment does not have minimum availability."));
        QVERIFY(hasEvent("ScalingReplicaSet", "Scaled up replica set " + name + " to 3"));
        const Json event = events("ScalingReplicaSet")[0];
        QCOMPARE(str(event, {"involvedObject", "kind"}), std::string("Deployment"));
        QCOMPARE(str(event, {"source", "component"}), std::string("deployment-controller"));
        QCOMPARE(str(event, {"type"}), std::string("Normal"));

        QVERIFY(rollOut());
        const Json d = deployment();
        const Json status = d["status"];
        QCOMPARE(integer(status, {"replicas"}), 3LL);
        QCOMPARE(integer(status, {"updatedReplicas"}), 3LL);
        QCOMPARE(integer(status, {"readyReplicas"}), 3LL);
        QCOMPARE(integer(status, {"availableReplicas"}), 3LL);
        QVERIFY2(!status.contains("unavailableReplicas"), "zero counters are left out, as omitempty does");
        QCOMPARE(str(d, {"metadata", "annotations", "deployment.kubernetes.io/revision"}), std::string("1"));
        available = conditionOf(d, "Available");
        QCOMPARE(str(*available, {"status"}), std::string("True"));
        QCOMPARE(str(*available, {"reason"}), std::string("MinimumReplicasAvailable"));
        QCOMPARE(str(*available, {"message"}), std::string("Deployment has minimum availability."));
        const Json *progressing = conditionOf(d, "Progressing");
        QCOMPARE(str(*progressing, {"status"}), std::string("True"));
        QCOMPARE(str(*progressing, {"message"}), "ReplicaSet \"" + name + "\" has successfully progressed.");
        QVERIFY(progressing->contains("lastUpdateTime") && progressing->contains("lastTransitionTime"));
    }

    void rollingUpdateStaysWithinSurgeAndUnavailable_data()
    {
        QTest::addColumn<int>("replicas");
        QTest::addColumn<QString>("surge");
        QTest::addColumn<QString>("unavailable");
        QTest::newRow("4, surge 1, unavailable 1") << 4 << "1" << "1";
        QTest::newRow("5, defaults 25%") << 5 << "25%" << "25%";
        QTest::newRow("3, surge only") << 3 << "1" << "0";
        QTest::newRow("3, unavailable only") << 3 << "0" << "1";
        QTest::newRow("6, surge 50%, unavailable 0%") << 6 << "50%" << "0%";
    }
    void rollingUpdateStaysWithinSurgeAndUnavailable()
    {
        QFETCH(int, replicas);
        QFETCH(QString, surge);
        QFETCH(QString, unavailable);
        auto value = [](const QString &text) {
            return text.endsWith('%') ? Json(text.toStdString()) : Json(text.toLongLong());
        };
        const Json object = rollingUpdate(deploymentObject("web", replicas), value(surge), value(unavailable));
        const long long maxSurge = dep::maxSurge(object);
        const long long maxUnavailable = dep::maxUnavailable(object);
        startControllers();
        QVERIFY(!m_cluster->create(object).is_null());
        QVERIFY(rollOut());
        const Json first = replicaSets()[0];

        RolloutWatch watch;
        watchRollout(watch, replicas + maxSurge, replicas - maxUnavailable);
        watch.checking = true;
        QVERIFY(setImage("nginx:1.28"));
        QVERIFY(rollOut());
        QVERIFY2(watch.firstViolation.empty(), watch.firstViolation.c_str());
        QVERIFY(watch.maxPods <= replicas + maxSurge);
        QVERIFY(watch.minAvailable >= replicas - maxUnavailable);
        // The limits are reached, not just kept: with no pod allowed to be unavailable the new
        // ReplicaSet surges while every old pod is there; with no surge, old pods go first.
        if (maxUnavailable == 0)
            QCOMPARE(watch.maxPods, replicas + maxSurge);
        if (maxSurge == 0)
            QCOMPARE(watch.minAvailable, replicas - maxUnavailable);

        QCOMPARE(replicaSets().size(), size_t(2));
        const Json second = replicaSetWithRevision(2);
        QVERIFY(!second.is_null());
        QCOMPARE(integer(second, {"spec", "replicas"}), (long long)replicas);
        const Json old = m_cluster->get("apps/v1", "ReplicaSet", "default", str(first, {"metadata", "name"}));
        QCOMPARE(integer(old, {"spec", "replicas"}), 0LL);
        QCOMPARE(dep::revisionOf(old), 1LL);
        QCOMPARE(str(deployment(), {"metadata", "annotations", "deployment.kubernetes.io/revision"}), std::string("2"));
        QCOMPARE(pods().size(), size_t(replicas));
        for (const Json &p : pods())
            QCOMPARE(str(p["spec"]["containers"][0], {"image"}), std::string("nginx:1.28"));
        // The events tell the steps: the new ReplicaSet up, the old one down to zero.
        const std::string oldName = str(first, {"metadata", "name"});
        const std::string newName = str(second, {"metadata", "name"});
        bool up = false, down = false;
        for (const std::string &message : eventMessages("ScalingReplicaSet")) {
            up = up || message.rfind("Scaled up replica set " + newName + " to ", 0) == 0;
            down = down || message.rfind("Scaled down replica set " + oldName + " to 0 from ", 0) == 0;
        }
        QVERIFY(up);
        QVERIFY(down);
    }

    void recreateRemovesOldPodsBeforeMakingNewOnes()
    {
        Json object = deploymentObject("web", 3);
        object["spec"]["strategy"] = {{"type", "Recreate"}};
        startControllers();
        QVERIFY(!m_cluster->create(object).is_null());
        QVERIFY(rollOut());
        const std::string oldName = str(replicaSets()[0], {"metadata", "name"});

        RolloutWatch watch;
        watchRollout(watch, 3, 0);
        watch.checking = true;
        QVERIFY(setImage("nginx:1.28"));
        QVERIFY(rollOut());
        QVERIFY2(!watch.oldAndNewTogether, "old and new pods ran side by side");
        QCOMPARE(watch.minAvailable, 0LL);  // Recreate accepts the gap

        const std::string newName = str(replicaSetWithRevision(2), {"metadata", "name"});
        const std::vector<std::string> messages = eventMessages("ScalingReplicaSet");
        const auto down = std::find(messages.begin(), messages.end(), "Scaled down replica set " + oldName + " to 0 from 3");
        const auto up = std::find(messages.begin(), messages.end(), "Scaled up replica set " + newName + " to 3");
        QVERIFY(down != messages.end());
        QVERIFY(up != messages.end());
        QVERIFY(down < up);
    }

    void pausedDeploymentScalesButDoesNotRollOut()
    {
        startControllers();
        QVERIFY(!m_cluster->create(deploymentObject("web", 2)).is_null());
        QVERIFY(rollOut());

        QVERIFY(patchSpec({{"paused", true}}));
        QVERIFY(m_cluster->waitFor([&] {
            const Json current = deployment();
            const Json *progressing = conditionOf(current, "Progressing");
            return progressing && str(*progressing, {"reason"}) == "DeploymentPaused";
        }));
        const Json current = deployment();
        const Json *progressing = conditionOf(current, "Progressing");
        QCOMPARE(str(*progressing, {"status"}), std::string("Unknown"));
        QCOMPARE(str(*progressing, {"message"}), std::string("Deployment is paused"));

        // A template change waits; a scale does not.
        QVERIFY(setImage("nginx:1.28"));
        QVERIFY(patchSpec({{"replicas", 4}}));
        QVERIFY(m_cluster->waitFor([&] {
            const Json d = deployment();
            return integer(d, {"status", "observedGeneration"}) == integer(d, {"metadata", "generation"}) &&
                   pods().size() == 4;
        }));
        QTest::qWait(200);
        QCOMPARE(replicaSets().size(), size_t(1));
        QCOMPARE(integer(replicaSets()[0], {"spec", "replicas"}), 4LL);

        QVERIFY(patchSpec({{"paused", false}}));
        QVERIFY(m_cluster->waitFor([&] {
            const Json current = deployment();
            const Json *c = conditionOf(current, "Progressing");
            return c && str(*c, {"reason"}) != "DeploymentPaused";
        }));
        QVERIFY(rollOut());
        QCOMPARE(replicaSets().size(), size_t(2));
        QCOMPARE(integer(replicaSetWithRevision(2), {"spec", "replicas"}), 4LL);
    }

    void resumedConditionIsReported()
    {
        startControllers();
        Json object = deploymentObject("web", 1);
        object["spec"]["paused"] = true;
        QVERIFY(!m_cluster->create(object).is_null());
        QVERIFY(m_cluster->waitFor([&] {
            const Json current = deployment();
            const Json *c = conditionOf(current, "Progressing");
            return c && str(*c, {"reason"}) == "DeploymentPaused";
        }));
        QTest::qWait(200);
        QVERIFY2(replicaSets().empty(), "a Deployment created paused makes no ReplicaSet");
        QVERIFY(integer(deployment(), {"status", "observedGeneration"}) == 1);

        // Every Progressing condition written, in order, through a watch of the Deployment.
        std::vector<std::string> reasons;
        client::Informer deployments(&m_cluster->client(), *client::builtinResource("deployments", "apps"), "default");
        deployments.addHandler([&reasons](const client::InformerEvent &event) {
            const Json *c = conditionOf(*event.object, "Progressing");
            if (c && (reasons.empty() || reasons.back() != str(*c, {"reason"})))
                reasons.push_back(str(*c, {"reason"}));
        });
        deployments.start();
        QVERIFY(m_cluster->waitFor([&] { return deployments.hasSynced(); }));
        QVERIFY(patchSpec({{"paused", false}}));
        QVERIFY(rollOut());
        const std::vector<std::string> expected = {"DeploymentPaused", "DeploymentResumed", "NewReplicaSetCreated"};
        QVERIFY(reasons.size() >= 3);
        QCOMPARE(std::vector<std::string>(reasons.begin(), reasons.begin() + 3), expected);
        QCOMPARE(reasons.back(), std::string("NewReplicaSetAvailable"));
    }

    void progressDeadlineExceeded()
    {
        startControllers();
        Json object = deploymentObject("web", 2);
        object["spec"]["progressDeadlineSeconds"] = 2;
        QVERIFY(!m_cluster->create(object).is_null());
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 2; }));
        // No pod ever becomes ready: the rollout times out without any other event.
        QVERIFY(m_cluster->waitFor(
            [&] {
                const Json current = deployment();
                const Json *c = conditionOf(current, "Progressing");
                return c && str(*c, {"reason"}) == "ProgressDeadlineExceeded";
            },
            10000));
        const Json d = deployment();
        const Json *progressing = conditionOf(d, "Progressing");
        QCOMPARE(str(*progressing, {"status"}), std::string("False"));
        QCOMPARE(str(*progressing, {"message"}),
                 "ReplicaSet \"" + str(replicaSets()[0], {"metadata", "name"}) + "\" has timed out progressing.");
        QCOMPARE(str(*conditionOf(d, "Available"), {"status"}), std::string("False"));
        QCOMPARE(integer(d, {"status", "unavailableReplicas"}), 2LL);

        // Progress later moves it back to progressing.
        QVERIFY(rollOut());
    }

    void historyLimitDeletesTheOldestReplicaSets()
    {
        startControllers();
        Json object = deploymentObject("web", 1);
        object["spec"]["revisionHistoryLimit"] = 2;
        QVERIFY(!m_cluster->create(object).is_null());
        QVERIFY(rollOut());
        for (const std::string image : {"nginx:1.28", "nginx:1.29", "nginx:1.30", "nginx:1.31"}) {
            QVERIFY(setImage(image));
            QVERIFY(rollOut());
        }
        QVERIFY(m_cluster->waitFor([&] { return replicaSets().size() == 3; }));
        std::set<long long> revisions;
        for (const Json &rs : replicaSets())
            revisions.insert(dep::revisionOf(rs));
        QCOMPARE(revisions, (std::set<long long>{3, 4, 5}));
        QTest::qWait(200);
        QCOMPARE(replicaSets().size(), size_t(3));
    }

    void undoReusesTheOldReplicaSet()
    {
        startControllers();
        Json object = deploymentObject("web", 2);
        object["metadata"]["annotations"] = {{"kubernetes.io/change-cause", "first"}};
        QVERIFY(!m_cluster->create(object).is_null());
        QVERIFY(rollOut());
        QVERIFY(!m_cluster->patch("apps/v1", "Deployment", "default", "web",
                                  {{"metadata", {{"annotations", {{"kubernetes.io/change-cause", "second"}}}}},
                                   {"spec", {{"template", {{"spec", {{"containers", Json::array({{{"name", "app"}, {"image", "nginx:1.28"}}})}}}}}}}})
                     .is_null());
        QVERIFY(rollOut());
        const Json first = replicaSetWithRevision(1);
        const Json second = replicaSetWithRevision(2);
        QCOMPARE(str(first, {"metadata", "annotations", "kubernetes.io/change-cause"}), std::string("first"));
        QCOMPARE(str(second, {"metadata", "annotations", "kubernetes.io/change-cause"}), std::string("second"));

        // What `kubectl rollout undo` sends: revision 1's template (without the hash) and annotations.
        Json undone = first["spec"]["template"];
        undone["metadata"]["labels"].erase("pod-template-hash");
        const Json patch = Json::array({{{"op", "replace"}, {"path", "/spec/template"}, {"value", undone}},
                                        {{"op", "replace"},
                                         {"path", "/metadata/annotations"},
                                         {"value", {{"kubernetes.io/change-cause", "first"},
                                                    {"deployment.kubernetes.io/revision", "2"}}}}});
        QVERIFY(m_cluster->send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web", patch,
                                "application/json-patch+json")
                    .ok());
        QVERIFY(rollOut());
        QCOMPARE(replicaSets().size(), size_t(2));  // no new ReplicaSet: the old one came back
        const Json reused = m_cluster->get("apps/v1", "ReplicaSet", "default", str(first, {"metadata", "name"}));
        QCOMPARE(str(reused, {"metadata", "annotations", "deployment.kubernetes.io/revision"}), std::string("3"));
        QCOMPARE(str(reused, {"metadata", "annotations", "deployment.kubernetes.io/revision-history"}), std::string("1"));
        QCOMPARE(integer(reused, {"spec", "replicas"}), 2LL);
        QVERIFY(m_cluster->waitFor([&] {
            return str(deployment(), {"metadata", "annotations", "deployment.kubernetes.io/revision"}) == "3";
        }));
        const std::string hash = str(first, {"metadata", "labels", "pod-template-hash"});
        for (const Json &p : pods())
            QCOMPARE(str(p, {"metadata", "labels", "pod-template-hash"}), hash);
    }

    void scalingMidRolloutIsProportional()
    {
        // Kubernetes' documented example: 10 replicas, maxSurge 3, maxUnavailable 2, a new
        // template whose pods never become ready, then a scale to 15.
        startControllers();
        QVERIFY(!m_cluster->create(rollingUpdate(deploymentObject("web", 10), 3, 2)).is_null());
        QVERIFY(m_cluster->waitFor(
            [&] {
                makePodsReady(10);
                return rolledOut();
            },
            20000));
        const std::string oldName = str(replicaSets()[0], {"metadata", "name"});
        QVERIFY(setImage("nginx:does-not-start"));
        auto sizes = [&] {
            std::pair<long long, long long> out{-1, -1};
            for (const Json &rs : replicaSets())
                (str(rs, {"metadata", "name"}) == oldName ? out.first : out.second) = integer(rs, {"spec", "replicas"});
            return out;
        };
        QVERIFY(m_cluster->waitFor([&] { return sizes() == std::make_pair(8LL, 5LL); }));
        QTest::qWait(300);
        QCOMPARE(sizes(), std::make_pair(8LL, 5LL));

        QVERIFY(patchSpec({{"replicas", 15}}));
        QVERIFY(m_cluster->waitFor([&] { return sizes() == std::make_pair(11LL, 7LL); }));
        QVERIFY(hasEvent("ScalingReplicaSet", "Scaled up replica set " + oldName + " to 11 from 8"));
        for (const Json &rs : replicaSets()) {
            QCOMPARE(str(rs, {"metadata", "annotations", "deployment.kubernetes.io/desired-replicas"}), std::string("15"));
            QCOMPARE(str(rs, {"metadata", "annotations", "deployment.kubernetes.io/max-replicas"}), std::string("18"));
        }
        QTest::qWait(300);
        QCOMPARE(sizes(), std::make_pair(11LL, 7LL));
    }

    void adoptsAMatchingOrphanReplicaSet()
    {
        startControllers();
        const Json template_ = deploymentObject("web", 2)["spec"]["template"];
        const Json orphan = {{"apiVersion", "apps/v1"},
                             {"kind", "ReplicaSet"},
                             {"metadata", {{"name", "web-orphan"}, {"namespace", "default"}, {"labels", {{"app", "web"}}}}},
                             {"spec", {{"replicas", 1}, {"selector", {{"matchLabels", {{"app", "web"}}}}}, {"template", template_}}}};
        QVERIFY(!m_cluster->create(orphan).is_null());
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 1; }));
        const Json created = m_cluster->create(deploymentObject("web", 2));
        QVERIFY(m_cluster->waitFor([&] {
            const Json rs = m_cluster->get("apps/v1", "ReplicaSet", "default", "web-orphan");
            return rs["metadata"].contains("ownerReferences") && integer(rs, {"spec", "replicas"}) == 2;
        }));
        const Json rs = m_cluster->get("apps/v1", "ReplicaSet", "default", "web-orphan");
        QCOMPARE(str(rs["metadata"]["ownerReferences"][0], {"uid"}), str(created, {"metadata", "uid"}));
        QCOMPARE(str(rs, {"metadata", "annotations", "deployment.kubernetes.io/revision"}), std::string("1"));
        QVERIFY(rollOut());
        QCOMPARE(replicaSets().size(), size_t(1));  // its template was the Deployment's: no new one
    }
};

QTEST_GUILESS_MAIN(TestDeployment)
#include "tst_deployment.moc"
