// The PersistentVolume binder and the local provisioner against an in-process control plane:
// Kubernetes' PV/PVC/pod example binds, the smallest fitting volume wins, released volumes follow
// their reclaim policy, claims without a class get the default class and a provisioned volume, a
// claim of a missing class stays Pending with Kubernetes' event, and WaitForFirstConsumer waits
// for a pod on a node.
#include "engine/controllers/controllermanager.h"
#include "engine/core/yaml.h"
#include "inprocesscluster.h"
#include "tests/support/examples.h"

#include <QtTest>

using namespace cd;

namespace {

Json claim(const std::string &name, const std::string &size, const Json &storageClass,
           Json accessModes = Json::array({"ReadWriteOnce"}))
{
    Json c = {{"apiVersion", "v1"},
              {"kind", "PersistentVolumeClaim"},
              {"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec", {{"accessModes", std::move(accessModes)}, {"resources", {{"requests", {{"storage", size}}}}}}}};
    if (!storageClass.is_null())
        c["spec"]["storageClassName"] = storageClass;
    return c;
}

Json volume(const std::string &name, const std::string &size, const std::string &storageClass,
            const std::string &policy = "Retain", Json accessModes = Json::array({"ReadWriteOnce"}))
{
    Json v = {{"apiVersion", "v1"},
              {"kind", "PersistentVolume"},
              {"metadata", {{"name", name}}},
              {"spec",
               {{"accessModes", std::move(accessModes)},
                {"capacity", {{"storage", size}}},
                {"hostPath", {{"path", "/mnt/" + name}}},
                {"persistentVolumeReclaimPolicy", policy}}}};
    if (!storageClass.empty())
        v["spec"]["storageClassName"] = storageClass;
    return v;
}

Json storageClass(const std::string &name, const std::string &provisioner, const std::string &mode,
                  bool isDefault = false)
{
    Json sc = {{"apiVersion", "storage.k8s.io/v1"},
               {"kind", "StorageClass"},
               {"metadata", {{"name", name}}},
               {"provisioner", provisioner},
               {"volumeBindingMode", mode}};
    if (isDefault)
        sc["metadata"]["annotations"] = {{"storageclass.kubernetes.io/is-default-class", "true"}};
    return sc;
}

Json podUsing(const std::string &name, const std::string &claimName, const std::string &node = {})
{
    Json p = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec",
               {{"containers", Json::array({{{"name", "c"},
                                             {"image", "nginx"},
                                             {"volumeMounts", Json::array({{{"name", "data"}, {"mountPath", "/data"}}})}}})},
                {"volumes", Json::array({{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", claimName}}}}})}}}};
    if (!node.empty())
        p["spec"]["nodeName"] = node;
    return p;
}

Json example(const std::string &file)
{
    const QByteArray text = test::readExample(QStringLiteral("website/pods/storage/") + QString::fromStdString(file));
    auto parsed = parseYaml(text.toStdString());
    return parsed.ok() ? *parsed : Json();
}

} // namespace

class TestVolumeBinding : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<QObject> m_controllers;

    void start(bool defaultClass)
    {
        m_cluster = std::make_unique<test::InProcessCluster>();
        m_controllers = std::make_unique<QObject>();
        controllers::ControllerOptions options;
        options.defaultStorageClass = defaultClass;
        options.localVolumeRoot = "/var/lib/clusterdeck-test/volumes";
        controllers::ControllerContext context{&m_cluster->client(), &m_cluster->informers(), options,
                                               m_controllers.get()};
        controllers::startVolumeBindingController(context);
        QVERIFY(m_cluster->startInformers());
    }
    Json pvc(const std::string &name) { return m_cluster->get("v1", "PersistentVolumeClaim", "default", name); }
    Json pv(const std::string &name) { return m_cluster->get("v1", "PersistentVolume", "", name); }
    bool claimBound(const std::string &name, const std::string &volumeName = {})
    {
        return m_cluster->waitFor([&] {
            const Json c = pvc(name);
            return str(c, {"status", "phase"}) == "Bound" &&
                   (volumeName.empty() || str(c, {"spec", "volumeName"}) == volumeName);
        });
    }
    // The events about an object, as "Type Reason Message [component]".
    std::vector<std::string> eventsAbout(const std::string &name, const std::string &ns = "default")
    {
        std::vector<std::string> out;
        for (const Json &e : m_cluster->list("v1", "Event", ns))
            if (str(e, {"involvedObject", "name"}) == name)
                out.push_back(str(e, {"type"}) + " " + str(e, {"reason"}) + " " + str(e, {"message"}) + " [" +
                              str(e, {"source", "component"}) + "]");
        return out;
    }
    bool hasEvent(const std::string &name, const std::string &event, const std::string &ns = "default")
    {
        const bool ok = m_cluster->waitFor([&] {
            const auto events = eventsAbout(name, ns);
            return std::find(events.begin(), events.end(), event) != events.end();
        });
        if (!ok)
            for (const std::string &e : eventsAbout(name, ns))
                qWarning("event: %s", e.c_str());
        return ok;
    }

private Q_SLOTS:
    void cleanup()
    {
        m_controllers.reset();
        m_cluster.reset();
    }

    // Kubernetes' "Configure a Pod to Use a PersistentVolume for Storage" task.
    void theExampleClaimBindsToTheExampleVolume()
    {
        QVERIFY2(!test::examplesDir().isEmpty(), test::kNoExamples);
        start(true);
        const Json volumeYaml = example("pv-volume.yaml"), claimYaml = example("pv-claim.yaml"),
                   podYaml = example("pv-pod.yaml");
        QVERIFY(!volumeYaml.is_null() && !claimYaml.is_null() && !podYaml.is_null());
        QVERIFY(!m_cluster->create(volumeYaml).is_null());
        QVERIFY(m_cluster->waitFor([&] { return str(pv("task-pv-volume"), {"status", "phase"}) == "Available"; }));
        QVERIFY(!m_cluster->create(claimYaml).is_null());
        QVERIFY(!m_cluster->create(podYaml).is_null());
        QVERIFY(claimBound("task-pv-claim", "task-pv-volume"));
        QVERIFY(m_cluster->waitFor([&] { return str(pv("task-pv-volume"), {"status", "phase"}) == "Bound"; }));

        const Json c = pvc("task-pv-claim"), v = pv("task-pv-volume");
        QCOMPARE(c["status"]["capacity"], Json({{"storage", "10Gi"}}));
        QCOMPARE(c["status"]["accessModes"], Json::array({"ReadWriteOnce"}));
        QCOMPARE(str(c, {"spec", "storageClassName"}), std::string("manual"));
        QCOMPARE(str(c, {"metadata", "annotations", "pv.kubernetes.io/bind-completed"}), std::string("yes"));
        QCOMPARE(str(c, {"metadata", "annotations", "pv.kubernetes.io/bound-by-controller"}), std::string("yes"));
        QCOMPARE(str(v, {"spec", "claimRef", "uid"}), str(c, {"metadata", "uid"}));
        QCOMPARE(str(v, {"spec", "claimRef", "name"}), std::string("task-pv-claim"));
        QCOMPARE(str(v, {"spec", "claimRef", "kind"}), std::string("PersistentVolumeClaim"));
        QCOMPARE(str(v, {"metadata", "annotations", "pv.kubernetes.io/bound-by-controller"}), std::string("yes"));
    }

    void theSmallestFittingVolumeIsChosen()
    {
        start(false);
        for (const auto &[name, size] : std::vector<std::pair<std::string, std::string>>{
                 {"pv-20g", "20Gi"}, {"pv-2g", "2Gi"}, {"pv-5g", "5Gi"}, {"pv-10g", "10Gi"}})
            QVERIFY(!m_cluster->create(volume(name, size, "")).is_null());
        // Offering more access modes than asked for makes a volume a later choice.
        QVERIFY(!m_cluster->create(volume("pv-4g-shared", "4Gi", "", "Retain",
                                          Json::array({"ReadWriteOnce", "ReadWriteMany"})))
                     .is_null());
        // Another class is never a match.
        QVERIFY(!m_cluster->create(volume("pv-4g-fast", "4Gi", "fast")).is_null());
        QVERIFY(m_cluster->waitFor([&] { return str(pv("pv-4g-fast"), {"status", "phase"}) == "Available"; }));
        QVERIFY(!m_cluster->create(claim("data", "4Gi", "")).is_null());
        QVERIFY(claimBound("data", "pv-5g"));
        QVERIFY(!m_cluster->create(claim("shared", "1Gi", "", Json::array({"ReadWriteMany"}))).is_null());
        QVERIFY(claimBound("shared", "pv-4g-shared"));

        // A selector narrows the choice to labelled volumes.
        Json labelled = volume("pv-30g-ssd", "30Gi", "");
        labelled["metadata"]["labels"] = {{"disk", "ssd"}};
        QVERIFY(!m_cluster->create(labelled).is_null());
        Json picky = claim("picky", "1Gi", "");
        picky["spec"]["selector"] = {{"matchLabels", {{"disk", "ssd"}}}};
        QVERIFY(!m_cluster->create(picky).is_null());
        QVERIFY(claimBound("picky", "pv-30g-ssd"));

        // Too big for every volume: Pending, with Kubernetes' event.
        QVERIFY(!m_cluster->create(claim("huge", "100Gi", "")).is_null());
        QVERIFY(hasEvent("huge", "Normal FailedBinding no persistent volumes available for this claim and no storage "
                                 "class is set [persistentvolume-controller]"));
        QCOMPARE(str(pvc("huge"), {"status", "phase"}), std::string("Pending"));
    }

    void releasedVolumesFollowTheirReclaimPolicy()
    {
        start(false);
        QVERIFY(!m_cluster->create(volume("kept", "1Gi", "retain", "Retain")).is_null());
        QVERIFY(!m_cluster->create(volume("dropped", "1Gi", "delete", "Delete")).is_null());
        QVERIFY(!m_cluster->create(claim("keep-me", "1Gi", "retain")).is_null());
        QVERIFY(!m_cluster->create(claim("drop-me", "1Gi", "delete")).is_null());
        QVERIFY(claimBound("keep-me", "kept"));
        QVERIFY(claimBound("drop-me", "dropped"));
        QVERIFY(m_cluster->waitFor([&] { return str(pv("dropped"), {"status", "phase"}) == "Bound"; }));

        QVERIFY(m_cluster->remove("v1", "PersistentVolumeClaim", "default", "keep-me"));
        QVERIFY(m_cluster->remove("v1", "PersistentVolumeClaim", "default", "drop-me"));
        QVERIFY(m_cluster->waitFor([&] { return str(pv("kept"), {"status", "phase"}) == "Released"; }));
        QVERIFY(m_cluster->waitFor([&] { return pv("dropped").is_null(); }));
        // Retained: still Released, still naming the claim that is gone, and never bound again.
        QTest::qWait(300);
        QCOMPARE(str(pv("kept"), {"status", "phase"}), std::string("Released"));
        QCOMPARE(str(pv("kept"), {"spec", "claimRef", "name"}), std::string("keep-me"));
        QVERIFY(!m_cluster->create(claim("newcomer", "1Gi", "retain")).is_null());
        QTest::qWait(300);
        QCOMPARE(str(pvc("newcomer"), {"status", "phase"}), std::string("Pending"));
    }

    void aClaimWithoutClassGetsTheDefaultClassAndAProvisionedVolume()
    {
        start(true);
        QVERIFY(m_cluster->waitFor([&] {
            return !m_cluster->get("storage.k8s.io/v1", "StorageClass", "", "standard").is_null();
        }));
        const Json standard = m_cluster->get("storage.k8s.io/v1", "StorageClass", "", "standard");
        QCOMPARE(str(standard, {"metadata", "annotations", "storageclass.kubernetes.io/is-default-class"}),
                 std::string("true"));
        QCOMPARE(str(standard, {"provisioner"}), std::string("clusterdeck.io/local-path"));
        QCOMPARE(str(standard, {"reclaimPolicy"}), std::string("Delete"));
        QCOMPARE(str(standard, {"volumeBindingMode"}), std::string("Immediate"));

        const Json created = m_cluster->create(claim("data", "3Gi", Json()));
        QCOMPARE(str(created, {"spec", "storageClassName"}), std::string("standard"));
        const std::string uid = str(created, {"metadata", "uid"});
        const std::string name = "pvc-" + uid;
        QVERIFY(claimBound("data", name));
        const Json v = pv(name);
        QCOMPARE(str(v, {"metadata", "annotations", "pv.kubernetes.io/provisioned-by"}),
                 std::string("clusterdeck.io/local-path"));
        QCOMPARE(str(v, {"spec", "hostPath", "path"}), "/var/lib/clusterdeck-test/volumes/" + name);
        QCOMPARE(v["spec"]["capacity"], Json({{"storage", "3Gi"}}));
        QCOMPARE(str(v, {"spec", "persistentVolumeReclaimPolicy"}), std::string("Delete"));
        QCOMPARE(str(v, {"spec", "storageClassName"}), std::string("standard"));
        QCOMPARE(str(v, {"spec", "claimRef", "uid"}), uid);
        QVERIFY(!find(v, {"spec", "nodeAffinity"}));
        QCOMPARE(str(pvc("data"), {"metadata", "annotations", "volume.kubernetes.io/storage-provisioner"}),
                 std::string("clusterdeck.io/local-path"));
        QVERIFY(hasEvent("data", "Normal ExternalProvisioning Waiting for a volume to be created either by the external "
                                 "provisioner 'clusterdeck.io/local-path' or manually by the system administrator. If "
                                 "volume creation is delayed, please verify that the provisioner is running and "
                                 "correctly registered. [persistentvolume-controller]"));
        QVERIFY(hasEvent("data", "Normal Provisioning External provisioner is provisioning volume for claim "
                                 "\"default/data\" [clusterdeck.io/local-path]"));
        QVERIFY(hasEvent("data", "Normal ProvisioningSucceeded Successfully provisioned volume " + name +
                                     " [clusterdeck.io/local-path]"));

        // Delete policy: the volume goes with its claim.
        QVERIFY(m_cluster->remove("v1", "PersistentVolumeClaim", "default", "data"));
        QVERIFY(m_cluster->waitFor([&] { return pv(name).is_null(); }));
    }

    void aClaimOfAMissingClassStaysPendingWithAnEvent()
    {
        start(true);
        QVERIFY(!m_cluster->create(claim("fast-data", "1Gi", "fast")).is_null());
        QVERIFY(hasEvent("fast-data", "Warning ProvisioningFailed storageclass.storage.k8s.io \"fast\" not found "
                                      "[persistentvolume-controller]"));
        QCOMPARE(str(pvc("fast-data"), {"status", "phase"}), std::string("Pending"));
        QVERIFY(m_cluster->list("v1", "PersistentVolume").empty());
        // Once the class exists, the claim is provisioned.
        QVERIFY(!m_cluster->create(storageClass("fast", "clusterdeck.io/local-path", "Immediate")).is_null());
        QVERIFY(claimBound("fast-data"));
    }

    void waitForFirstConsumerWaitsForAScheduledPod()
    {
        start(false);
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("node-a")).is_null());
        QVERIFY(!m_cluster->create(storageClass("local-wffc", "clusterdeck.io/local-path", "WaitForFirstConsumer"))
                     .is_null());
        QVERIFY(!m_cluster->create(claim("late", "1Gi", "local-wffc")).is_null());
        QVERIFY(hasEvent("late", "Normal WaitForFirstConsumer waiting for first consumer to be created before binding "
                                 "[persistentvolume-controller]"));
        QVERIFY(!m_cluster->create(podUsing("consumer", "late")).is_null());
        QVERIFY(hasEvent("late", "Normal WaitForPodScheduled waiting for pod consumer to be scheduled "
                                 "[persistentvolume-controller]"));
        QTest::qWait(200);
        QCOMPARE(str(pvc("late"), {"status", "phase"}), std::string("Pending"));
        QVERIFY(m_cluster->list("v1", "PersistentVolume").empty());

        // The scheduler binds the pod: the volume is made on that node.
        const auto bound = m_cluster->send("POST", "/api/v1/namespaces/default/pods/consumer/binding",
                                           {{"apiVersion", "v1"},
                                            {"kind", "Binding"},
                                            {"metadata", {{"name", "consumer"}}},
                                            {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "node-a"}}}});
        QVERIFY2(bound.ok(), bound.body.c_str());
        QVERIFY(claimBound("late"));
        const Json c = pvc("late");
        QCOMPARE(str(c, {"metadata", "annotations", "volume.kubernetes.io/selected-node"}), std::string("node-a"));
        const Json v = pv(str(c, {"spec", "volumeName"}));
        QCOMPARE(v["spec"]["nodeAffinity"],
                 Json({{"required",
                        {{"nodeSelectorTerms",
                          Json::array({{{"matchExpressions", Json::array({{{"key", "kubernetes.io/hostname"},
                                                                           {"operator", "In"},
                                                                           {"values", {"node-a"}}}})}}})}}}}));
    }

    void waitForFirstConsumerBindsALocalVolumeOfThePodsNode()
    {
        start(false);
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("node-a")).is_null());
        QVERIFY(!m_cluster->create(test::InProcessCluster::readyNode("node-b")).is_null());
        QVERIFY(!m_cluster->create(storageClass("local-storage", "kubernetes.io/no-provisioner", "WaitForFirstConsumer"))
                     .is_null());
        for (const char *node : {"node-a", "node-b"}) {
            Json local = volume(std::string("local-") + node, "10Gi", "local-storage");
            local["spec"].erase("hostPath");
            local["spec"]["local"] = {{"path", "/mnt/disks/vol1"}};
            local["spec"]["nodeAffinity"] = {
                {"required",
                 {{"nodeSelectorTerms",
                   Json::array({{{"matchExpressions", Json::array({{{"key", "kubernetes.io/hostname"},
                                                                    {"operator", "In"},
                                                                    {"values", {node}}}})}}})}}}};
            QVERIFY2(!m_cluster->create(local).is_null(), m_cluster->lastError().c_str());
        }
        QVERIFY(!m_cluster->create(claim("local-claim", "5Gi", "local-storage")).is_null());
        QVERIFY(hasEvent("local-claim", "Normal WaitForFirstConsumer waiting for first consumer to be created before "
                                        "binding [persistentvolume-controller]"));
        QVERIFY(!m_cluster->create(podUsing("on-b", "local-claim", "node-b")).is_null());
        QVERIFY(claimBound("local-claim", "local-node-b"));
        QCOMPARE(str(pv("local-node-a"), {"status", "phase"}), std::string("Available"));
    }

    void theDefaultClassAdmission()
    {
        start(false);
        QVERIFY(!m_cluster->create(storageClass("old-default", "example.com/a", "Immediate", true)).is_null());
        // A claim that asks for no class ("") keeps asking for none.
        QCOMPARE(str(m_cluster->create(claim("none", "1Gi", "")), {"spec", "storageClassName"}), std::string());
        QCOMPARE(str(m_cluster->create(claim("first", "1Gi", Json())), {"spec", "storageClassName"}),
                 std::string("old-default"));
        // Of several defaults the newest wins.
        QTest::qWait(1100);
        QVERIFY(!m_cluster->create(storageClass("new-default", "example.com/b", "Immediate", true)).is_null());
        QCOMPARE(str(m_cluster->create(claim("second", "1Gi", Json())), {"spec", "storageClassName"}),
                 std::string("new-default"));
        QCOMPARE(str(m_cluster->create(claim("explicit", "1Gi", "gold")), {"spec", "storageClassName"}),
                 std::string("gold"));
    }
};

QTEST_GUILESS_MAIN(TestVolumeBinding)
#include "tst_volumebinding.moc"
