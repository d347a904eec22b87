// The ReplicaSet controller against an in-process control plane (no scheduler, no nodes: pods
// stay Pending unless a test makes them Running and Ready through pods/status).
#include "engine/controllers/common/expectations.h"
#include "engine/controllers/common/podranking.h"
#include "engine/controllers/controllermanager.h"
#include "engine/core/clock.h"
#include "inprocesscluster.h"

#include <QtTest>

#include <deque>

using namespace cd;

namespace {

// Holds every pod creation until the test answers it: lets a test see each slow-start batch and
// decide which creations the "API" refuses.
class GatedClient : public client::Client {
public:
    explicit GatedClient(client::Client *inner) : m_inner(inner) {}

    void send(client::Request request, Callback done) override
    {
        const bool podCreate = request.method == "POST" && request.path.size() > 5 &&
                               request.path.compare(request.path.size() - 5, 5, "/pods") == 0;
        if (podCreate && m_gated) {
            m_pending.push_back({std::move(request), std::move(done)});
            return;
        }
        m_inner->send(std::move(request), std::move(done));
    }
    std::unique_ptr<client::WatchHandle> watch(client::Request request, EventCallback onEvent,
                                               EndCallback onEnd) override
    {
        return m_inner->watch(std::move(request), std::move(onEvent), std::move(onEnd));
    }

    size_t pending() const { return m_pending.size(); }
    // Answers the oldest held creation: sent on to the API, or refused like a quota would.
    void answer(bool accept)
    {
        auto [request, done] = std::move(m_pending.front());
        m_pending.pop_front();
        if (accept) {
            m_inner->send(std::move(request), std::move(done));
            return;
        }
        const Json status = {{"kind", "Status"},         {"apiVersion", "v1"}, {"status", "Failure"},
                             {"message", kQuotaMessage}, {"reason", "Forbidden"}, {"code", 403}};
        done(client::Response{403, dump(status), {}, {}});
    }
    void open()
    {
        m_gated = false;
        while (!m_pending.empty())
            answer(true);
    }

    static constexpr const char *kQuotaMessage =
        "pods \"web-\" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=4, limited: pods=4";

private:
    struct Held {
        client::Request request;
        Callback done;
    };
    client::Client *m_inner;
    std::deque<Held> m_pending;
    bool m_gated = true;
};

// Holds back pod watch events while paused: the controller's cache then lags behind the API the
// way a slow watch makes it lag.
class LaggingClient : public client::Client {
public:
    explicit LaggingClient(client::Client *inner) : m_inner(inner) {}

    void send(client::Request request, Callback done) override { m_inner->send(std::move(request), std::move(done)); }
    std::unique_ptr<client::WatchHandle> watch(client::Request request, EventCallback onEvent,
                                               EndCallback onEnd) override
    {
        const bool pods = request.path.find("/pods") != std::string::npos;
        if (!pods)
            return m_inner->watch(std::move(request), std::move(onEvent), std::move(onEnd));
        auto deliver = std::make_shared<EventCallback>(std::move(onEvent));
        m_deliver = deliver;
        return m_inner->watch(
            std::move(request),
            [this, deliver](const client::WatchEvent &event) {
                if (m_paused)
                    m_held.push_back(event);
                else
                    (*deliver)(event);
            },
            std::move(onEnd));
    }
    void pause() { m_paused = true; }
    void resume()
    {
        m_paused = false;
        auto deliver = m_deliver.lock();
        for (const client::WatchEvent &event : m_held)
            if (deliver)
                (*deliver)(event);
        m_held.clear();
    }
    size_t held() const { return m_held.size(); }

private:
    client::Client *m_inner;
    bool m_paused = false;
    std::vector<client::WatchEvent> m_held;
    std::weak_ptr<EventCallback> m_deliver;
};

Json replicaSet(const std::string &name, int replicas, const Json &labels = {{"app", "web"}})
{
    return {{"apiVersion", "apps/v1"},
            {"kind", "ReplicaSet"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec",
             {{"replicas", replicas},
              {"selector", {{"matchLabels", labels}}},
              {"template",
               {{"metadata", {{"labels", labels}, {"annotations", {{"example.com/note", "from the template"}}}}},
                {"spec", {{"containers", Json::array({{{"name", "app"}, {"image", "nginx:1.27"}}})}}}}}}}};
}

Json pod(const std::string &name, const Json &labels)
{
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", labels}}},
            {"spec", {{"containers", Json::array({{{"name", "app"}, {"image", "nginx:1.27"}}})}}}};
}

} // namespace

class TestReplicaSet : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<QObject> m_controllers;

    void startController(client::Client *client = nullptr, client::SharedInformers *informers = nullptr,
                         controllers::ControllerOptions options = {})
    {
        m_controllers = std::make_unique<QObject>();
        controllers::ControllerContext context{client ? client : &m_cluster->client(),
                                               informers ? informers : &m_cluster->informers(), options,
                                               m_controllers.get()};
        controllers::startReplicaSetController(context);
    }

    std::vector<Json> pods(const std::string &selector = "app=web") { return m_cluster->list("v1", "Pod", "default", selector); }
    Json rs(const std::string &name = "web") { return m_cluster->get("apps/v1", "ReplicaSet", "default", name); }
    std::vector<Json> events(const std::string &reason)
    {
        std::vector<Json> out;
        for (const Json &e : m_cluster->list("v1", "Event", "default"))
            if (str(e, {"reason"}) == reason)
                out.push_back(e);
        return out;
    }
    bool scale(const std::string &name, int replicas)
    {
        return !m_cluster->patch("apps/v1", "ReplicaSet", "default", name, {{"spec", {{"replicas", replicas}}}}).is_null();
    }
    // What a kubelet reports for a started pod, ready or not.
    bool setRunning(const Json &p, bool ready)
    {
        Json updated = m_cluster->get("v1", "Pod", "default", str(p, {"metadata", "name"}));
        const std::string now = nowRfc3339();
        updated["status"]["phase"] = "Running";
        updated["status"]["conditions"] = Json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}, {"lastTransitionTime", now}}});
        updated["status"]["containerStatuses"] = Json::array({{{"name", "app"},
                                                               {"ready", ready},
                                                               {"restartCount", 0},
                                                               {"image", "nginx:1.27"},
                                                               {"imageID", ""},
                                                               {"started", true},
                                                               {"state", {{"running", {{"startedAt", now}}}}}}});
        return !m_cluster->updateStatus(updated).is_null();
    }
    bool settled(const std::string &name, long long replicas)
    {
        const Json r = rs(name);
        return integer(r, {"status", "replicas"}, -1) == replicas &&
               integer(r, {"status", "observedGeneration"}) == integer(r, {"metadata", "generation"});
    }

private Q_SLOTS:
    void init() { m_cluster = std::make_unique<test::InProcessCluster>(); }
    void cleanup()
    {
        m_controllers.reset();
        m_cluster.reset();
    }

    void createsPodsFromTheTemplate()
    {
        startController();
        QVERIFY(m_cluster->startInformers());
        const Json created = m_cluster->create(replicaSet("web", 3));
        QVERIFY2(!created.is_null(), m_cluster->lastError().c_str());
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 3; }));
        for (const Json &p : pods()) {
            const std::string name = str(p, {"metadata", "name"});
            QCOMPARE(str(p, {"metadata", "generateName"}), std::string("web-"));
            QCOMPARE(name.size(), std::string("web-").size() + 5);
            QCOMPARE(str(p, {"metadata", "labels", "app"}), std::string("web"));
            QCOMPARE(str(p, {"metadata", "annotations", "example.com/note"}), std::string("from the template"));
            const Json expectedRef = {{"apiVersion", "apps/v1"},          {"kind", "ReplicaSet"},
                                      {"name", "web"},                    {"uid", str(created, {"metadata", "uid"})},
                                      {"controller", true},               {"blockOwnerDeletion", true}};
            QCOMPARE(p["metadata"]["ownerReferences"], Json::array({expectedRef}));
        }
        QVERIFY(m_cluster->waitFor([&] { return settled("web", 3); }));
        const Json status = rs()["status"];
        QCOMPARE(integer(status, {"fullyLabeledReplicas"}), 3LL);
        QCOMPARE(integer(status, {"observedGeneration"}), 1LL);
        QVERIFY2(!status.contains("readyReplicas"), "zero counters are left out, as Kubernetes' omitempty does");
        QVERIFY(m_cluster->waitFor([&] { return events("SuccessfulCreate").size() == 3; }));
        std::set<std::string> messages;
        for (const Json &e : events("SuccessfulCreate")) {
            messages.insert(str(e, {"message"}));
            QCOMPARE(str(e, {"involvedObject", "kind"}), std::string("ReplicaSet"));
            QCOMPARE(str(e, {"source", "component"}), std::string("replicaset-controller"));
        }
        for (const Json &p : pods())
            QVERIFY(messages.count("Created pod: " + str(p, {"metadata", "name"})));
    }

    void scalesUpAndDownDeletingTheLeastUsefulPodsFirst()
    {
        startController();
        QVERIFY(m_cluster->startInformers());
        QVERIFY(!m_cluster->create(replicaSet("web", 4)).is_null());
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 4 && settled("web", 4); }));
        std::vector<Json> all = pods();
        QVERIFY(setRunning(all[0], true));
        QVERIFY(setRunning(all[1], true));
        QVERIFY(setRunning(all[2], false));
        const std::set<std::string> ready = {str(all[0], {"metadata", "name"}), str(all[1], {"metadata", "name"})};
        QVERIFY(m_cluster->waitFor([&] { return integer(rs()["status"], {"readyReplicas"}) == 2; }));

        QVERIFY(scale("web", 6));
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 6 && settled("web", 6); }));

        // Pending pods go before running ones, running-but-not-ready before ready ones.
        QVERIFY(scale("web", 2));
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 2 && settled("web", 2); }));
        std::set<std::string> left;
        for (const Json &p : pods())
            left.insert(str(p, {"metadata", "name"}));
        QCOMPARE(left, ready);
        QVERIFY(m_cluster->waitFor([&] { return events("SuccessfulDelete").size() == 4; }));
        for (const Json &e : events("SuccessfulDelete"))
            QVERIFY(QString::fromStdString(str(e, {"message"})).startsWith("Deleted pod: web-"));
        QCOMPARE(integer(rs()["status"], {"readyReplicas"}), 2LL);
        QCOMPARE(integer(rs()["status"], {"availableReplicas"}), 2LL);

        QVERIFY(scale("web", 0));
        QVERIFY(m_cluster->waitFor([&] { return pods().empty() && settled("web", 0); }));
    }

    void availableAfterMinReadySeconds()
    {
        startController();
        QVERIFY(m_cluster->startInformers());
        Json object = replicaSet("web", 1);
        object["spec"]["minReadySeconds"] = 2;
        QVERIFY(!m_cluster->create(object).is_null());
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 1; }));
        QVERIFY(setRunning(pods()[0], true));
        QVERIFY(m_cluster->waitFor([&] { return integer(rs()["status"], {"readyReplicas"}) == 1; }));
        QCOMPARE(integer(rs()["status"], {"availableReplicas"}), 0LL);
        // Available once ready for longer than minReadySeconds, without any other change.
        QVERIFY(m_cluster->waitFor([&] { return integer(rs()["status"], {"availableReplicas"}) == 1; }, 8000));
    }

    void adoptsOrphansAndReleasesPodsThatStopMatching()
    {
        startController();
        QVERIFY(m_cluster->startInformers());
        QVERIFY(!m_cluster->create(pod("orphan-1", {{"app", "web"}})).is_null());
        QVERIFY(!m_cluster->create(pod("orphan-2", {{"app", "web"}, {"extra", "yes"}})).is_null());
        QVERIFY(!m_cluster->create(pod("stranger", {{"app", "db"}})).is_null());
        const Json created = m_cluster->create(replicaSet("web", 3));
        const std::string uid = str(created, {"metadata", "uid"});
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 3 && settled("web", 3); }));
        for (const std::string name : {"orphan-1", "orphan-2"}) {
            const Json p = m_cluster->get("v1", "Pod", "default", name);
            const Json expectedRef = {{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "web"},
                                      {"uid", uid},              {"controller", true},   {"blockOwnerDeletion", true}};
            QCOMPARE(p["metadata"]["ownerReferences"], Json::array({expectedRef}));
        }
        QVERIFY(!m_cluster->get("v1", "Pod", "default", "stranger")["metadata"].contains("ownerReferences"));
        QCOMPARE(events("SuccessfulCreate").size(), size_t(1));  // only the one missing

        // A pod relabelled out of the selector is released and replaced.
        QVERIFY(!m_cluster->patch("v1", "Pod", "default", "orphan-1", {{"metadata", {{"labels", {{"app", "debug"}}}}}})
                     .is_null());
        QVERIFY(m_cluster->waitFor([&] {
            return !m_cluster->get("v1", "Pod", "default", "orphan-1")["metadata"].contains("ownerReferences");
        }));
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 3 && settled("web", 3); }));
        QCOMPARE(m_cluster->list("v1", "Pod", "default").size(), size_t(5));
    }

    void podsBeingDeletedDoNotCount()
    {
        startController();
        QVERIFY(m_cluster->startInformers());
        QVERIFY(!m_cluster->create(replicaSet("web", 2)).is_null());
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 2 && settled("web", 2); }));
        // A finalizer keeps the pod in the API, marked for deletion.
        Json held = pods()[0];
        const std::string name = str(held, {"metadata", "name"});
        held["metadata"]["finalizers"] = Json::array({"example.com/hold"});
        QVERIFY(!m_cluster->update(held).is_null());
        QVERIFY(m_cluster->remove("v1", "Pod", "default", name));
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 3 && settled("web", 2); }));
        int deleting = 0;
        for (const Json &p : pods())
            deleting += find(p, {"metadata", "deletionTimestamp"}) ? 1 : 0;
        QCOMPARE(deleting, 1);
        held = m_cluster->get("v1", "Pod", "default", name);
        held["metadata"].erase("finalizers");
        QVERIFY(!m_cluster->update(held).is_null());
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 2; }));
    }

    void expectationsPreventCreatingTwice()
    {
        // The controller's informers lag: pod events wait while the test holds them back.
        LaggingClient lagging(&m_cluster->client());
        client::SharedInformers informers(&lagging);
        startController(&m_cluster->client(), &informers);
        informers.start();
        QVERIFY(m_cluster->waitFor([&] { return informers.allSynced(); }));
        lagging.pause();

        QVERIFY(!m_cluster->create(replicaSet("web", 3)).is_null());
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 3 && lagging.held() >= 3; }));
        // A spec change makes the controller look again while it has not seen its own pods yet.
        QVERIFY(scale("web", 4));
        QVERIFY(m_cluster->waitFor([&] { return integer(rs()["status"], {"observedGeneration"}) == 2; }));
        QCOMPARE(pods().size(), size_t(3));
        QCOMPARE(integer(rs()["status"], {"replicas"}, -1), 0LL);

        lagging.resume();
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 4 && settled("web", 4); }));
        QTest::qWait(200);
        QCOMPARE(pods().size(), size_t(4));
        m_controllers.reset();  // before the informers it reads
    }

    void slowStartStopsAtTheFirstRefusal()
    {
        GatedClient gate(&m_cluster->client());
        startController(&gate);
        QVERIFY(m_cluster->startInformers());
        QVERIFY(!m_cluster->create(replicaSet("web", 10)).is_null());

        // Batches of 1, 2, 4: each waits for the one before.
        QVERIFY(m_cluster->waitFor([&] { return gate.pending() == 1; }));
        QTest::qWait(100);
        QCOMPARE(gate.pending(), size_t(1));
        gate.answer(true);
        QVERIFY(m_cluster->waitFor([&] { return gate.pending() == 2; }));
        gate.answer(true);
        gate.answer(true);
        QVERIFY(m_cluster->waitFor([&] { return gate.pending() == 4; }));
        gate.answer(true);
        for (int i = 0; i < 3; ++i)
            gate.answer(false);

        // The run stopped; the failure is reported once per refusal, and in the status.
        QVERIFY(m_cluster->waitFor([&] {
            const Json current = rs();
            const Json *conditions = find(current, {"status", "conditions"});
            return conditions && conditions->size() == 1;
        }));
        const Json condition = rs()["status"]["conditions"][0];
        QCOMPARE(str(condition, {"type"}), std::string("ReplicaFailure"));
        QCOMPARE(str(condition, {"status"}), std::string("True"));
        QCOMPARE(str(condition, {"reason"}), std::string("FailedCreate"));
        QCOMPARE(str(condition, {"message"}), std::string(GatedClient::kQuotaMessage));
        QVERIFY(m_cluster->waitFor([&] {
            const auto failed = events("FailedCreate");
            return failed.size() == 1 && integer(failed[0], {"count"}) == 3;
        }));
        const Json failed = events("FailedCreate")[0];
        QCOMPARE(str(failed, {"type"}), std::string("Warning"));
        QCOMPARE(str(failed, {"message"}), "Error creating: " + std::string(GatedClient::kQuotaMessage));
        QCOMPARE(pods().size(), size_t(4));

        // The next attempt starts again with one pod.
        QVERIFY(m_cluster->waitFor([&] { return gate.pending() == 1; }));
        QTest::qWait(100);
        QCOMPARE(gate.pending(), size_t(1));
        gate.open();
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 10 && settled("web", 10); }));
        QVERIFY(m_cluster->waitFor([&] { return !rs()["status"].contains("conditions"); }));
        m_controllers.reset();  // before the gate it sends through
    }

    void burstReplicasLimitsOneSync()
    {
        GatedClient gate(&m_cluster->client());
        controllers::ControllerOptions options;
        options.burstReplicas = 3;
        startController(&gate, nullptr, options);
        QVERIFY(m_cluster->startInformers());
        QVERIFY(!m_cluster->create(replicaSet("web", 5)).is_null());
        QVERIFY(m_cluster->waitFor([&] { return gate.pending() == 1; }));
        gate.answer(true);
        QVERIFY(m_cluster->waitFor([&] { return gate.pending() == 2; }));
        gate.answer(true);
        gate.answer(true);
        // Three made: the burst is spent; the rest come in the next sync, slow start again.
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 3; }));
        QVERIFY(m_cluster->waitFor([&] { return gate.pending() == 1; }));
        gate.open();
        QVERIFY(m_cluster->waitFor([&] { return pods().size() == 5 && settled("web", 5); }));
        m_controllers.reset();  // before the gate it sends through
    }

    void deletionRankingFollowsKubernetes()
    {
        using controllers::PodFacts;
        const TimePoint now = Clock::current().now();
        auto facts = [&](const std::string &uid, const std::string &node, PodFacts::Phase phase, bool ready) {
            PodFacts f;
            f.uid = uid;
            f.name = uid;
            f.nodeName = node;
            f.phase = phase;
            f.ready = ready;
            f.created = now - std::chrono::hours(1);
            f.readySince = now - std::chrono::minutes(30);
            return f;
        };
        std::vector<PodFacts> pods = {facts("running-ready", "n1", PodFacts::Phase::Running, true),
                                      facts("unassigned", "", PodFacts::Phase::Pending, false),
                                      facts("pending", "n1", PodFacts::Phase::Pending, false),
                                      facts("unknown", "n1", PodFacts::Phase::Unknown, false),
                                      facts("running", "n1", PodFacts::Phase::Running, false)};
        std::vector<const PodFacts *> candidates;
        for (const PodFacts &p : pods)
            candidates.push_back(&p);
        std::vector<std::string> order;
        for (const PodFacts *p : controllers::podsToDelete(candidates, {}, 4, now))
            order.push_back(p->uid);
        QCOMPARE(order, (std::vector<std::string>{"unassigned", "pending", "unknown", "running"}));

        // Among ready pods: lower deletion cost first, then the one doubled up on a node, then
        // the one ready for less time, then more restarts, then the newer.
        PodFacts cheap = facts("cheap", "n1", PodFacts::Phase::Running, true);
        cheap.deletionCost = -5;
        PodFacts crowded = facts("crowded", "n2", PodFacts::Phase::Running, true);
        PodFacts fresh = facts("fresh", "n3", PodFacts::Phase::Running, true);
        fresh.readySince = now - std::chrono::seconds(10);
        PodFacts restarted = facts("restarted", "n4", PodFacts::Phase::Running, true);
        restarted.restarts = 3;
        PodFacts newer = facts("newer", "n5", PodFacts::Phase::Running, true);
        newer.created = now - std::chrono::seconds(20);
        PodFacts plain = facts("plain", "n6", PodFacts::Phase::Running, true);
        PodFacts sibling = facts("sibling", "n2", PodFacts::Phase::Running, true);
        std::vector<const PodFacts *> ready = {&plain, &newer, &restarted, &fresh, &crowded, &cheap};
        std::vector<const PodFacts *> related = {&plain, &newer, &restarted, &fresh, &crowded, &cheap, &sibling};
        order.clear();
        for (const PodFacts *p : controllers::podsToDelete(ready, related, 5, now))
            order.push_back(p->uid);
        QCOMPARE(order, (std::vector<std::string>{"cheap", "crowded", "fresh", "restarted", "newer"}));
    }

    void expectationsCountOnlyWhatWasAskedFor()
    {
        controllers::Expectations e;
        QVERIFY(e.satisfied("default/web"));
        e.expectCreations("default/web", 2);
        QVERIFY(!e.satisfied("default/web"));
        e.creationObserved("default/web");
        QVERIFY(!e.satisfied("default/web"));
        e.creationObserved("default/web");
        QVERIFY(e.satisfied("default/web"));
        e.expectDeletions("default/web", {"default/a", "default/b"});
        e.deletionObserved("default/web", "default/other");
        e.deletionObserved("default/web", "default/a");
        e.deletionObserved("default/web", "default/a");  // the same pod seen twice counts once
        QVERIFY(!e.satisfied("default/web"));
        QCOMPARE(e.pendingDeletions("default/web"), 1);
        e.deletionObserved("default/web", "default/b");
        QVERIFY(e.satisfied("default/web"));
    }
};

QTEST_GUILESS_MAIN(TestReplicaSet)
#include "tst_replicaset.moc"
