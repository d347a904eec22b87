// The update rules of the core kinds: what may not change once set (immutable fields, allocated
// cluster IPs and node ports, bound claims), with the field path and message Kubernetes v1.32
// gives, and what an update keeps of the stored object.

#include "corekindstestkit.h"

#include <QtTest>

using namespace cd;
using namespace cd::api;
using namespace cd::test;

class CoreKindsUpdateTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void badUpdate_data();
    void badUpdate();
    void serviceUpdateKeepsAllocatedValues();
    void updateCountsGeneration();
};

void CoreKindsUpdateTest::badUpdate_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<QString>("expected"); // empty: the update is accepted
    QTest::addColumn<bool>("prefixOnly");

    const char *service = R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10], selector: {app: web}, ports: [{port: 80}]}
)";
    QTest::newRow("service clusterIP change")
        << service << R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: 10.96.0.11, clusterIPs: [10.96.0.10], selector: {app: web}, ports: [{port: 80}]}
)"
        << R"(spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set)" << false;
    QTest::newRow("service replace without clusterIP") << service << R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 8080}]}
)"
                                                       << "" << false;

    const char *immutableSecret = R"(
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: default}
immutable: true
data: {k: YQ==}
)";
    QTest::newRow("immutable secret data") << immutableSecret << R"(
apiVersion: v1
kind: Secret
metadata: {name: s}
immutable: true
stringData: {k: b}
)"
                                           << "data: Forbidden: field is immutable when `immutable` is set" << false;
    QTest::newRow("immutable secret made mutable")
        << immutableSecret << R"(
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {k: YQ==}
)"
        << "immutable: Forbidden: field is immutable when `immutable` is set" << false;
    QTest::newRow("secret type change") << R"(
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: default}
type: example.com/one
)"
                                        << R"(
apiVersion: v1
kind: Secret
metadata: {name: s}
type: example.com/two
)"
                                        << R"(type: Invalid value: "example.com/two": field is immutable)" << false;
    QTest::newRow("immutable configmap data") << R"(
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: default}
immutable: true
data: {k: a}
)"
                                              << R"(
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
immutable: true
data: {k: b}
)"
                                              << "data: Forbidden: field is immutable when `immutable` is set" << false;

    const char *claim = R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: default}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
)";
    QTest::newRow("claim spec change")
        << claim << R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}
)"
        << "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName "
           "for bound claims\n"
        << true;
    QTest::newRow("unbound claim expansion") << claim << R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}
)"
                                             << "spec: Forbidden: spec is immutable after creation" << true;
    QTest::newRow("bound claim expansion") << R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: default}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, volumeName: pv1}
status: {phase: Bound, capacity: {storage: 1Gi}}
)"
                                           << R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}, volumeName: pv1}
)"
                                           << "" << false;
    QTest::newRow("claim bound by the binder") << claim << R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, volumeName: pv1}
)"
                                               << "" << false;
    QTest::newRow("volume source change")
        << R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /data}}
)"
        << R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /other}}
)"
        << "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n"
        << true;
    QTest::newRow("storageclass provisioner change")
        << R"(
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/a
)"
        << R"(
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/b
)"
        << "provisioner: Forbidden: updates to provisioner are forbidden." << false;
    QTest::newRow("storageclass parameters change")
        << R"(
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/a
parameters: {type: ssd}
)"
        << R"(
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/a
parameters: {type: hdd}
)"
        << "parameters: Forbidden: updates to parameters are forbidden." << false;
    QTest::newRow("endpointslice address type change")
        << R"(
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, namespace: default}
addressType: IPv4
)"
        << R"(
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s}
addressType: FQDN
)"
        << R"(addressType: Invalid value: "FQDN": field is immutable)" << false;
    QTest::newRow("node pod CIDR change")
        << R"(
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {podCIDR: 10.244.1.0/24}
)"
        << R"(
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {podCIDR: 10.244.2.0/24}
)"
        << R"(spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid)" << false;
    QTest::newRow("quota scopes change")
        << R"(
apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: default}
spec: {hard: {pods: "1"}, scopes: [BestEffort]}
)"
        << R"(
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {pods: "1"}, scopes: [NotTerminating]}
)"
        << R"(spec.scopes: Invalid value: []core.ResourceQuotaScope{"NotTerminating"}: field is immutable)" << false;
}

void CoreKindsUpdateTest::badUpdate()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(QString, expected);
    QFETCH(bool, prefixOnly);
    const Json stored = yaml(before.toUtf8().constData());
    Json old = created(stored);
    QVERIFY2(createErrors(old).empty(), qPrintable(joined(createErrors(old))));
    if (stored.contains("status")) // as a controller would have written it through /status
        old["status"] = stored["status"];
    const auto errors = updateErrors(updated(yaml(after.toUtf8().constData()), old), old);
    if (expected.isEmpty()) {
        QVERIFY2(errors.empty(), qPrintable(joined(errors)));
        return;
    }
    QVERIFY2(hasLine(errors, expected, prefixOnly), qPrintable("got:\n" + joined(errors)));
}

void CoreKindsUpdateTest::serviceUpdateKeepsAllocatedValues()
{
    Json old = created(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, selector: {app: web}, ports: [{name: http, port: 80}]}
)"));
    // What the allocator would have written.
    old["spec"]["clusterIP"] = "10.96.0.20";
    old["spec"]["clusterIPs"] = Json::array({"10.96.0.20"});
    old["spec"]["ports"][0]["nodePort"] = 31000;
    const Json kept = updated(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, selector: {app: web, tier: front}, ports: [{name: http, port: 80}]}
)"),
                              old);
    QCOMPARE(kept["spec"]["clusterIP"], Json("10.96.0.20"));
    QCOMPARE(kept["spec"]["clusterIPs"], Json::array({"10.96.0.20"}));
    QCOMPARE(kept["spec"]["ports"][0]["nodePort"], Json(31000));
    QVERIFY2(updateErrors(kept, old).empty(), qPrintable(joined(updateErrors(kept, old))));

    // Switching to ClusterIP releases the node ports the client left unchanged.
    Json toClusterIP = old;
    toClusterIP["spec"]["type"] = "ClusterIP";
    toClusterIP["spec"].erase("externalTrafficPolicy");
    const Json switched = updated(toClusterIP, old);
    QVERIFY(!switched["spec"]["ports"][0].contains("nodePort"));
    QVERIFY2(updateErrors(switched, old).empty(), qPrintable(joined(updateErrors(switched, old))));
}

void CoreKindsUpdateTest::updateCountsGeneration()
{
    const Json old = created(yaml(R"(
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, generation: 7}
addressType: IPv4
ports: [{port: 80}]
)"));
    QCOMPARE(old["metadata"]["generation"], Json(1)); // the server's, not the client's
    // Written back as stored, or leaving out what defaults fill in: the same generation.
    QCOMPARE(updated(old, old)["metadata"]["generation"], Json(1));
    Json sparse = old;
    sparse["ports"][0].erase("protocol");
    QCOMPARE(updated(sparse, old)["metadata"]["generation"], Json(1));
    Json changed = old;
    changed["ports"][0]["port"] = 81;
    const Json next = updated(changed, old);
    QCOMPARE(next["metadata"]["generation"], Json(2));
    QVERIFY2(updateErrors(next, old).empty(), qPrintable(joined(updateErrors(next, old))));
}

QTEST_GUILESS_MAIN(CoreKindsUpdateTest)
#include "tst_corekinds_update.moc"
