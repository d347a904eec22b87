// The create rules of the core kinds (Service, Endpoints, Node, ConfigMap, Secret,
// ServiceAccount, PersistentVolume(Claim), ResourceQuota, LimitRange, Event, Lease,
// EndpointSlice, StorageClass, Namespace): the upstream example manifests pass after
// defaulting, and bad input fails with the field path and message Kubernetes v1.32 gives.

#include "corekindstestkit.h"
#include "tests/support/examples.h"

#include <QtTest>

#include <set>

using namespace cd;
using namespace cd::api;
using namespace cd::test;

namespace {

const std::set<std::string> kOwnedKinds = {"Service",
                                           "Endpoints",
                                           "Node",
                                           "ConfigMap",
                                           "Secret",
                                           "ServiceAccount",
                                           "PersistentVolume",
                                           "PersistentVolumeClaim",
                                           "ResourceQuota",
                                           "LimitRange",
                                           "Event",
                                           "Lease",
                                           "EndpointSlice",
                                           "StorageClass",
                                           "Namespace"};

} // namespace

class CoreKindsCreateTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void examplesPass();
    void badInput_data();
    void badInput();
};

void CoreKindsCreateTest::examplesPass()
{
    QVERIFY2(!examplesDir().isEmpty(), kNoExamples);
    int checked = 0;
    for (const QString &path : exampleFiles()) {
        const QByteArray text = readExample(path);
        auto documents = parseYamlDocuments(std::string_view(text.constData(), size_t(text.size())));
        if (!documents.ok())
            QFAIL(qPrintable(path + ": " + QString::fromStdString(documents.error().message)));
        for (const YamlDocument &document : *documents) {
            const std::string kind = str(document.value, {"kind"});
            if (!kOwnedKinds.count(kind))
                continue;
            const Json object = created(document.value);
            const auto errors = createErrors(object);
            QVERIFY2(errors.empty(), qPrintable(path + " (" + QString::fromStdString(kind) + "):\n" + joined(errors)));
            // Writing the stored object back unchanged is accepted too.
            const auto again = updateErrors(updated(object, object), object);
            QVERIFY2(again.empty(), qPrintable(path + " update:\n" + joined(again)));
            ++checked;
        }
    }
    // The corpus has Services, volumes, claims, config, quotas, limit ranges, namespaces...
    QVERIFY2(checked >= 20, qPrintable(QString::number(checked)));
}

void CoreKindsCreateTest::badInput_data()
{
    QTest::addColumn<QString>("manifest");
    QTest::addColumn<QString>("expected");

    auto row = [](const char *name, const char *manifest, const char *expected) {
        QTest::newRow(name) << QString(manifest) << QString(expected);
    };
    // --- Service
    row("service duplicate ports", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: a, port: 80}, {name: b, port: 80}]
)",
        R"(spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0})");
    row("service nodePort out of range", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, ports: [{port: 80, nodePort: 80}]}
)",
        "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid "
        "ports is 30000-32767");
    row("service nodePort on ClusterIP", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80, nodePort: 30080}]}
)",
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
    row("service without ports", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}}
)",
        "spec.ports: Required value");
    row("service port out of range", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 70000}]}
)",
        "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive");
    row("service unnamed second port", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{name: http, port: 80}, {port: 443}]}
)",
        "spec.ports[1].name: Required value");
    row("service duplicate port names", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{name: http, port: 80}, {name: http, port: 443}]}
)",
        R"(spec.ports[1].name: Duplicate value: "http")");
    row("service bad target port name", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80, targetPort: http_x}]}
)",
        R"(spec.ports[0].targetPort: Invalid value: "http_x": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-))");
    row("service target port out of range", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80, targetPort: 65536}]}
)",
        "spec.ports[0].targetPort: Invalid value: 65536: must be between 1 and 65535, inclusive");
    row("service bad type", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: Bogus, ports: [{port: 80}]}
)",
        R"(spec.type: Unsupported value: "Bogus": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort")");
    row("service bad selector", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: "no spaces"}, ports: [{port: 80}]}
)",
        R"(spec.selector: Invalid value: "no spaces": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'))");
    row("service name is a DNS-1035 label", R"(
apiVersion: v1
kind: Service
metadata: {name: 1web}
spec: {ports: [{port: 80}]}
)",
        R"(metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?'))");
    row("service headless LoadBalancer", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: LoadBalancer, clusterIP: None, ports: [{port: 80}]}
)",
        R"(spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for LoadBalancer services)");
    row("service bad clusterIP", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: 10.96.0.300, ports: [{port: 80}]}
)",
        R"(spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff))");
    row("service ExternalName without name", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: ExternalName}
)",
        "spec.externalName: Required value");
    row("service externalTrafficPolicy on ClusterIP", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {externalTrafficPolicy: Local, ports: [{port: 80}]}
)",
        R"(spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services)");
    row("service dual-stack on a single-stack cluster", R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ipFamilyPolicy: RequireDualStack, selector: {app: web}, ports: [{port: 80}]}
)",
        R"(spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services)");
    // --- Endpoints
    row("endpoints bad address", R"(
apiVersion: v1
kind: Endpoints
metadata: {name: web}
subsets: [{addresses: [{ip: 127.0.0.1}], ports: [{port: 80}]}]
)",
        R"(subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128))");
    // --- PersistentVolumeClaim
    row("claim without storage request", R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce]}
)",
        "spec.resources[storage]: Required value");
    row("claim bad quantity", R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 3 gigs}}}
)",
        R"(spec.resources.requests[storage]: Invalid value: "3 gigs": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$')");
    row("claim zero storage", R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: "0"}}}
)",
        R"(spec.resources[storage]: Invalid value: "0": must be greater than zero)");
    row("claim without access modes", R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {resources: {requests: {storage: 1Gi}}}
)",
        "spec.accessModes: Required value: at least 1 access mode is required");
    row("claim bad access mode", R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteSometimes], resources: {requests: {storage: 1Gi}}}
)",
        R"(spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")");
    row("claim ReadWriteOncePod with others", R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOncePod, ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
)",
        "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes");
    // --- PersistentVolume
    row("volume with two sources", R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /data}, nfs: {server: nas, path: /x}}
)",
        "spec.nfs: Forbidden: may not specify more than 1 volume type");
    row("volume without source", R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce]}
)",
        "spec: Required value: must specify a volume type");
    row("volume without capacity", R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {accessModes: [ReadWriteOnce], hostPath: {path: /data}}
)",
        "spec.capacity: Required value");
    row("volume without access modes", R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {capacity: {storage: 1Gi}, hostPath: {path: /data}}
)",
        "spec.accessModes: Required value");
    row("volume negative capacity", R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {capacity: {storage: -1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /data}}
)",
        R"(spec.capacity[storage]: Invalid value: "-1Gi": must be greater than zero)");
    // hostPath and nfs sources follow the pod volume rules (podspec.h).
    row("volume bad hostPath type", R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /data, type: Dir}}
)",
        R"(spec.hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket")");
    row("volume hostPath with backsteps", R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /data/../etc}}
)",
        R"(spec.hostPath.path: Invalid value: "/data/../etc": must not contain '..')");
    row("volume relative nfs path", R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteMany], nfs: {server: nas, path: exports}}
)",
        R"(spec.nfs.path: Invalid value: "exports": must be an absolute path)");
    row("volume bad reclaim policy", R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /data}, persistentVolumeReclaimPolicy: Keep}
)",
        R"(spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain")");
    row("local volume needs node affinity", R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], local: {path: /mnt/disk}}
)",
        "spec.nodeAffinity: Required value: Local volume requires node affinity");
    // --- ConfigMap and Secret
    row("configmap bad key", R"(
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {"a b": x}
)",
        R"(data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+'))");
    row("configmap key in both maps", R"(
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {k: x}
binaryData: {k: eA==}
)",
        R"(data[k]: Invalid value: "k": duplicate of key present in binaryData)");
    row("secret bad base64", R"(
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {password: "abcd!efg"}
)",
        R"(data[password]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 4)");
    row("secret too large", nullptr, "data: Too long: may not be more than 1048576 bytes");
    row("configmap too large", "configmap", "[]: Too long: may not be more than 1048576 bytes");
    row("tls secret without key", R"(
apiVersion: v1
kind: Secret
metadata: {name: s}
type: kubernetes.io/tls
stringData: {tls.crt: cert}
)",
        "data[tls.key]: Required value");
    // --- Node
    row("node bad taint effect", R"(
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {taints: [{key: dedicated, value: gpu, effect: Sometimes}]}
)",
        R"(metadata.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute")");
    row("node duplicate taints", R"(
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {taints: [{key: a, value: x, effect: NoSchedule}, {key: a, value: y, effect: NoSchedule}]}
)",
        R"(metadata.taints[1]: Duplicate value: core.Taint{Key:"a", Value:"y", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair)");
    row("node bad pod CIDR", R"(
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {podCIDR: 10.244.0.0/33}
)",
        R"(spec.podCIDRs[0]: Invalid value: "10.244.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64))");
    row("node name is a subdomain", R"(
apiVersion: v1
kind: Node
metadata: {name: Node_1}
)",
        R"(metadata.name: Invalid value: "Node_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))");
    // --- ResourceQuota and LimitRange
    row("quota unknown resource", R"(
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {foo: "1"}}
)",
        R"(spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota)");
    row("quota negative", R"(
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {pods: "-1"}}
)",
        R"(spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0)");
    row("quota fractional count", R"(
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {pods: "1.5"}}
)",
        "spec.hard[pods]: Invalid value: 1500m: must be an integer");
    row("quota conflicting scopes", R"(
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {pods: "1"}, scopes: [BestEffort, NotBestEffort]}
)",
        R"(spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}: conflicting scopes)");
    row("limit range min above max", R"(
apiVersion: v1
kind: LimitRange
metadata: {name: l}
spec: {limits: [{type: Container, min: {cpu: "2"}, max: {cpu: "1"}}]}
)",
        "spec.limits[0].min[cpu]: Invalid value: 2: min value 2 is greater than max value 1");
    row("limit range default above max", R"(
apiVersion: v1
kind: LimitRange
metadata: {name: l}
spec: {limits: [{type: Container, default: {memory: 1Gi}, max: {memory: 512Mi}}]}
)",
        "spec.limits[0].default[memory]: Invalid value: 512Mi: default value 1Gi is greater than max value 512Mi");
    row("limit range request above default", R"(
apiVersion: v1
kind: LimitRange
metadata: {name: l}
spec: {limits: [{type: Container, default: {cpu: 500m}, defaultRequest: {cpu: "1"}}]}
)",
        "spec.limits[0].defaultRequest[cpu]: Invalid value: 1: default request value 1 is greater than default limit "
        "value 500m");
    row("limit range bad type", R"(
apiVersion: v1
kind: LimitRange
metadata: {name: l}
spec: {limits: [{type: Bogus, max: {cpu: "1"}}]}
)",
        R"(spec.limits[0].type: Invalid value: "Bogus": must be a standard limit type or fully qualified)");
    row("limit range pod defaults", R"(
apiVersion: v1
kind: LimitRange
metadata: {name: l}
spec: {limits: [{type: Pod, default: {cpu: "1"}}]}
)",
        "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'");
    row("limit range claim without storage", R"(
apiVersion: v1
kind: LimitRange
metadata: {name: l}
spec: {limits: [{type: PersistentVolumeClaim, max: {cpu: "1"}}]}
)",
        "spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither "
        "was provided");
    // --- Event, Lease, EndpointSlice, StorageClass, Namespace
    row("event in another namespace", R"(
apiVersion: v1
kind: Event
metadata: {name: web.1, namespace: default}
involvedObject: {kind: Pod, name: web, namespace: other}
reason: Started
)",
        R"(involvedObject.namespace: Invalid value: "other": does not match event.namespace)");
    row("lease zero duration", R"(
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: l}
spec: {leaseDurationSeconds: 0}
)",
        "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0");
    row("endpointslice without address type", R"(
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s}
endpoints: []
)",
        "addressType: Required value");
    row("endpointslice address of the wrong type", R"(
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s}
addressType: IPv4
endpoints: [{addresses: ["2001:db8::1"]}]
)",
        R"(endpoints[0].addresses[0]: Invalid value: "2001:db8::1": must be a valid IPv4 address)");
    row("endpointslice duplicate port names", R"(
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s}
addressType: IPv4
ports: [{port: 80}, {port: 81}]
)",
        R"(ports[1].name: Duplicate value: "")");
    row("storageclass without provisioner", R"(
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
)",
        "provisioner: Required value");
    row("storageclass recycle", R"(
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/disk
reclaimPolicy: Recycle
)",
        R"(reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain")");
    row("namespace bad finalizer", R"(
apiVersion: v1
kind: Namespace
metadata: {name: team}
spec: {finalizers: [cleanup]}
)",
        R"(spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified)");
}

void CoreKindsCreateTest::badInput()
{
    QFETCH(QString, manifest);
    QFETCH(QString, expected);
    Json object;
    if (manifest.isEmpty()) { // a Secret over the 1 MiB limit
        object = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "big"}}}};
        object["stringData"] = {{"blob", std::string(1024 * 1024 + 1, 'x')}};
    } else if (manifest == "configmap") { // a ConfigMap over it, counting both maps
        object = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "big"}}}};
        object["data"] = {{"text", std::string(1024 * 1024 - 2, 'x')}};
        object["binaryData"] = {{"bin", "eHh4"}}; // 3 bytes
    } else {
        object = yaml(manifest.toUtf8().constData());
    }
    const auto errors = createErrors(created(object));
    QVERIFY2(hasLine(errors, expected), qPrintable("got:\n" + joined(errors)));
}

QTEST_GUILESS_MAIN(CoreKindsCreateTest)
#include "tst_corekinds_create.moc"
