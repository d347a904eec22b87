// What the core kinds get on create (Kubernetes v1.32's defaults for Services, volumes and
// claims, Secrets, StorageClasses, LimitRanges, EndpointSlices, quotas, Namespaces and Nodes),
// the field selectors they serve, and base64 as Go decodes a Secret's data.

#include "corekindstestkit.h"
#include "engine/api/resources/corekinds.h"

#include <QtTest>

#include <map>

using namespace cd;
using namespace cd::api;
using namespace cd::test;

class CoreKindsDefaultsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void serviceDefaults();
    void volumeDefaults();
    void secretStringData();
    void otherDefaults();
    void selectableFields();
    void base64LikeGo();
};

void CoreKindsDefaultsTest::serviceDefaults()
{
    const Json svc = created(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}, {name: b, port: 81, targetPort: http, protocol: UDP}]}
)"));
    const Json &spec = svc["spec"];
    QCOMPARE(spec["type"], Json("ClusterIP"));
    QCOMPARE(spec["sessionAffinity"], Json("None"));
    QCOMPARE(spec["ports"][0]["protocol"], Json("TCP"));
    QCOMPARE(spec["ports"][0]["targetPort"], Json(80));
    QCOMPARE(spec["ports"][1]["targetPort"], Json("http"));
    QCOMPARE(spec["ports"][1]["protocol"], Json("UDP"));
    QCOMPARE(spec["internalTrafficPolicy"], Json("Cluster"));
    QCOMPARE(spec["ipFamilyPolicy"], Json("SingleStack"));
    QCOMPARE(spec["ipFamilies"], Json::array({"IPv4"}));
    QVERIFY(!spec.contains("externalTrafficPolicy"));
    QVERIFY(!spec.contains("clusterIP")); // allocated later
    QCOMPARE(svc["status"], Json({{"loadBalancer", Json::object()}}));

    const Json lb = created(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: lb}
spec: {type: LoadBalancer, ports: [{port: 80}]}
)"));
    QCOMPARE(lb["spec"]["externalTrafficPolicy"], Json("Cluster"));
    QCOMPARE(lb["spec"]["allocateLoadBalancerNodePorts"], Json(true));
    QVERIFY(createErrors(lb).empty());
    const Json nodePort = created(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: np}
spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}], sessionAffinity: ClientIP}
)"));
    QCOMPARE(nodePort["spec"]["externalTrafficPolicy"], Json("Cluster"));
    QVERIFY(!nodePort["spec"].contains("allocateLoadBalancerNodePorts"));
    QCOMPARE(nodePort["spec"]["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"], Json(10800));
    QVERIFY2(createErrors(nodePort).empty(), qPrintable(joined(createErrors(nodePort))));

    const Json headless = created(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}}
)"));
    QCOMPARE(headless["spec"]["clusterIP"], Json("None"));
    QCOMPARE(headless["spec"]["clusterIPs"], Json::array({"None"}));
    QCOMPARE(headless["spec"]["ipFamilies"], Json::array({"IPv4"}));
    QVERIFY2(createErrors(headless).empty(), qPrintable(joined(createErrors(headless))));
    // Headless without a selector: endpoints are managed by hand, in any family.
    const Json manual = created(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {clusterIP: None}
)"));
    QCOMPARE(manual["spec"]["ipFamilyPolicy"], Json("RequireDualStack"));
    QCOMPARE(manual["spec"]["ipFamilies"], Json::array({"IPv4", "IPv6"}));
    QVERIFY2(createErrors(manual).empty(), qPrintable(joined(createErrors(manual))));

    const Json external = created(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: example.com.}
)"));
    QVERIFY(!external["spec"].contains("ipFamilies"));
    QVERIFY(!external["spec"].contains("ipFamilyPolicy"));
    QVERIFY(!external["spec"].contains("internalTrafficPolicy"));
    QVERIFY2(createErrors(external).empty(), qPrintable(joined(createErrors(external))));
}

void CoreKindsDefaultsTest::volumeDefaults()
{
    const Json pv = created(yaml(R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {capacity: {storage: 10Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /data}}
)"));
    QCOMPARE(pv["spec"]["persistentVolumeReclaimPolicy"], Json("Retain"));
    QCOMPARE(pv["spec"]["volumeMode"], Json("Filesystem"));
    QCOMPARE(pv["spec"]["hostPath"]["type"], Json(""));
    QCOMPARE(pv["status"]["phase"], Json("Pending"));
    QVERIFY(pv["status"].contains("lastPhaseTransitionTime"));

    const Json pvc = created(yaml(R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1.5Gi}}}
status: {phase: Bound}
)"));
    QCOMPARE(pvc["spec"]["volumeMode"], Json("Filesystem"));
    QCOMPARE(pvc["status"], Json({{"phase", "Pending"}})); // clients cannot set status
    QCOMPARE(pvc["spec"]["resources"]["requests"]["storage"], Json("1536Mi"));
}

void CoreKindsDefaultsTest::secretStringData()
{
    const Json secret = created(yaml(R"(
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {a: eA==, b: eA==}
stringData: {b: hello, c: ""}
)"));
    QCOMPARE(secret["type"], Json("Opaque"));
    QVERIFY(!secret.contains("stringData"));
    QCOMPARE(secret["data"], Json({{"a", "eA=="}, {"b", "aGVsbG8="}, {"c", ""}}));
    QVERIFY(createErrors(secret).empty());
}

void CoreKindsDefaultsTest::otherDefaults()
{
    const Json sc = created(yaml(R"(
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/disk
)"));
    QCOMPARE(sc["reclaimPolicy"], Json("Delete"));
    QCOMPARE(sc["volumeBindingMode"], Json("Immediate"));

    const Json limits = created(yaml(R"(
apiVersion: v1
kind: LimitRange
metadata: {name: l}
spec:
  limits:
  - {type: Container, max: {cpu: "2"}, min: {memory: 64Mi}}
  - {type: Pod, max: {cpu: "4"}}
)"));
    const Json &container = limits["spec"]["limits"][0];
    QCOMPARE(container["default"], Json({{"cpu", "2"}}));
    QCOMPARE(container["defaultRequest"], Json({{"cpu", "2"}, {"memory", "64Mi"}}));
    QVERIFY(!limits["spec"]["limits"][1].contains("default"));
    QVERIFY2(createErrors(limits).empty(), qPrintable(joined(createErrors(limits))));

    const Json slice = created(yaml(R"(
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s}
addressType: IPv4
endpoints: [{addresses: [10.244.0.5]}]
ports: [{port: 80}]
)"));
    QCOMPARE(slice["ports"][0], Json({{"name", ""}, {"port", 80}, {"protocol", "TCP"}}));
    QCOMPARE(slice["metadata"]["generation"], Json(1));
    QVERIFY2(createErrors(slice).empty(), qPrintable(joined(createErrors(slice))));

    const Json quota = created(yaml(R"(
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {requests.cpu: 0.5, pods: 10}}
)"));
    QCOMPARE(quota["spec"]["hard"], Json({{"requests.cpu", "500m"}, {"pods", "10"}}));
    QCOMPARE(quota["status"], Json::object());

    const Json ns = created(yaml(R"(
apiVersion: v1
kind: Namespace
metadata: {name: team}
spec: {finalizers: [example.com/cleanup]}
)"));
    QCOMPARE(ns["spec"]["finalizers"], Json::array({"example.com/cleanup", "kubernetes"}));
    QVERIFY(createErrors(ns).empty());

    const Json node = created(yaml(R"(
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {podCIDR: 10.244.1.0/24}
status: {capacity: {cpu: "2", memory: 4Gi}}
)"));
    QCOMPARE(node["spec"]["podCIDRs"], Json::array({"10.244.1.0/24"}));
    QCOMPARE(node["status"]["allocatable"], node["status"]["capacity"]);
    QVERIFY(createErrors(node).empty());
}

void CoreKindsDefaultsTest::selectableFields()
{
    const ResourceType &events = *Registry::builtin().findKind("", "Event");
    const Json event = yaml(R"(
apiVersion: v1
kind: Event
metadata: {name: web.1, namespace: default}
involvedObject: {kind: Pod, name: web, namespace: default, uid: u1, apiVersion: v1}
reason: Started
type: Normal
source: {component: kubelet}
)");
    QVERIFY(createErrors(created(event)).empty());
    const std::map<std::string, std::string> expected = {{"involvedObject.kind", "Pod"},
                                                         {"involvedObject.namespace", "default"},
                                                         {"involvedObject.name", "web"},
                                                         {"involvedObject.uid", "u1"},
                                                         {"involvedObject.apiVersion", "v1"},
                                                         {"involvedObject.resourceVersion", ""},
                                                         {"involvedObject.fieldPath", ""},
                                                         {"reason", "Started"},
                                                         {"reportingComponent", ""},
                                                         {"source", "kubelet"},
                                                         {"type", "Normal"}};
    for (const auto &[field, value] : expected) {
        auto it = events.selectableFields.find(field);
        QVERIFY2(it != events.selectableFields.end(), field.c_str());
        QCOMPARE(QString::fromStdString(it->second(event)), QString::fromStdString(value));
    }
    Json newer = event;
    newer.erase("source");
    newer["reportingComponent"] = "scheduler";
    QCOMPARE(QString::fromStdString(events.selectableFields.at("source")(newer)), QString("scheduler"));

    const ResourceType &services = *Registry::builtin().findKind("", "Service");
    const Json svc = yaml(R"({"spec": {"clusterIP": "None", "type": "ClusterIP"}})");
    QCOMPARE(QString::fromStdString(services.selectableFields.at("spec.clusterIP")(svc)), QString("None"));
    QCOMPARE(QString::fromStdString(services.selectableFields.at("spec.type")(svc)), QString("ClusterIP"));
    const ResourceType &secrets = *Registry::builtin().findKind("", "Secret");
    QCOMPARE(QString::fromStdString(secrets.selectableFields.at("type")(yaml("{type: kubernetes.io/tls}"))),
             QString("kubernetes.io/tls"));
}

void CoreKindsDefaultsTest::base64LikeGo()
{
    using corekinds::decodeBase64;
    QCOMPARE(QString::fromStdString(decodeBase64("YWJj").bytes), QString("abc"));
    QCOMPARE(QString::fromStdString(decodeBase64("YWI=").bytes), QString("ab"));
    QCOMPARE(QString::fromStdString(decodeBase64("YQ==\n").bytes), QString("a"));
    QCOMPARE(decodeBase64("YWJj").errorAt, -1LL);
    QCOMPARE(decodeBase64("YWJ").errorAt, 0LL); // a short final quantum
    QCOMPARE(decodeBase64("YWJjZ").errorAt, 4LL);
    QCOMPARE(decodeBase64("YW!j").errorAt, 2LL);     // a character outside the alphabet
    QCOMPARE(decodeBase64("YQ=").errorAt, 3LL);      // missing second padding
    QCOMPARE(decodeBase64("YQ==YQ==").errorAt, 4LL); // data after padding
    QCOMPARE(QString::fromStdString(corekinds::encodeBase64("hello")), QString("aGVsbG8="));
}

QTEST_GUILESS_MAIN(CoreKindsDefaultsTest)
#include "tst_corekinds_defaults.moc"
