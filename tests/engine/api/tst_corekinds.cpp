// The rules of the core kinds (Service, Endpoints, Node, ConfigMap, Secret, ServiceAccount,
// PersistentVolume(Claim), ResourceQuota, LimitRange, Event, Lease, EndpointSlice,
// StorageClass, Namespace): the upstream example manifests pass after defaulting, and bad
// input fails with the field path and message Kubernetes v1.32 gives.

#include "engine/api/objectmeta.h"
#include "engine/api/registry.h"
#include "engine/api/resources/corekinds.h"
#include "engine/core/yaml.h"

#include <QDirIterator>
#include <QFile>
#include <QtTest>

#include <map>
#include <set>

using namespace cd;
using namespace cd::api;

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

const ResourceType &typeOf(const Json &object)
{
    const ResourceType *t = Registry::builtin().forObject(str(object, {"apiVersion"}), str(object, {"kind"}));
    if (!t)
        qFatal("no type for %s %s", str(object, {"apiVersion"}).c_str(), str(object, {"kind"}).c_str());
    return *t;
}

Json yaml(const char *text)
{
    auto parsed = parseYaml(text);
    if (!parsed.ok())
        qFatal("bad fixture: %s", parsed.error().message.c_str());
    return *parsed;
}

// What the API server does to a new object before storing it (context.cpp's create path).
Json create(Json object)
{
    const ResourceType &type = typeOf(object);
    if (type.namespaced && str(object, {"metadata", "namespace"}).empty())
        object["metadata"]["namespace"] = "default";
    prepareMetaForCreate(type, object);
    if (type.prepareForCreate)
        type.prepareForCreate(object);
    if (type.defaults)
        type.defaults(object);
    return object;
}

std::vector<std::string> validateCreate(const Json &object)
{
    const ResourceType &type = typeOf(object);
    FieldErrors errors;
    validateObjectMeta(type, object, errors);
    if (type.validate)
        type.validate(object, errors);
    return errors.lines();
}

// The update path: a main-resource write over a stored object.
Json update(Json object, const Json &old)
{
    const ResourceType &type = typeOf(object);
    if (type.namespaced && str(object, {"metadata", "namespace"}).empty())
        object["metadata"]["namespace"] = str(old, {"metadata", "namespace"});
    prepareMetaForUpdate(type, object, old);
    if (type.statusSubresource) {
        if (old.contains("status"))
            object["status"] = old["status"];
        else
            object.erase("status");
    }
    if (type.prepareForUpdate)
        type.prepareForUpdate(object, old);
    if (type.defaults)
        type.defaults(object);
    return object;
}

std::vector<std::string> validateUpdate(const Json &object, const Json &old)
{
    const ResourceType &type = typeOf(object);
    FieldErrors errors;
    validateObjectMeta(type, object, errors);
    validateObjectMetaUpdate(object, old, errors);
    if (type.validate)
        type.validate(object, errors);
    if (type.validateUpdate)
        type.validateUpdate(object, old, errors);
    return errors.lines();
}

QString joined(const std::vector<std::string> &lines)
{
    QStringList out;
    for (const auto &l : lines)
        out << QString::fromStdString(l);
    return out.join("\n");
}

bool hasLine(const std::vector<std::string> &lines, const QString &expected, bool prefixOnly)
{
    for (const auto &l : lines) {
        const QString line = QString::fromStdString(l);
        if (prefixOnly ? line.startsWith(expected) : line == expected)
            return true;
    }
    return false;
}

} // namespace

class CoreKindsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void examplesPass();
    void badInput_data();
    void badInput();
    void badUpdate_data();
    void badUpdate();
    void serviceDefaults();
    void serviceUpdateKeepsAllocatedValues();
    void volumeDefaults();
    void secretStringData();
    void otherDefaults();
    void selectableFields();
    void base64LikeGo();
};

void CoreKindsTest::examplesPass()
{
    const QString root = qEnvironmentVariable("CLUSTERDECK_EXAMPLES_DIR");
    QVERIFY2(!root.isEmpty(), "CLUSTERDECK_EXAMPLES_DIR is set by CTest");
    QVERIFY2(QDir(root).exists(), qPrintable(root));
    int checked = 0;
    QDirIterator it(root, {"*.yaml", "*.yml"}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        auto documents = parseYamlDocuments(std::string_view(text.constData(), size_t(text.size())));
        if (!documents.ok())
            QFAIL(qPrintable(path + ": " + QString::fromStdString(documents.error().message)));
        for (const YamlDocument &document : *documents) {
            const std::string kind = str(document.value, {"kind"});
            if (!kOwnedKinds.count(kind))
                continue;
            const Json object = create(document.value);
            const auto errors = validateCreate(object);
            QVERIFY2(errors.empty(), qPrintable(path + " (" + QString::fromStdString(kind) + "):\n" + joined(errors)));
            // Writing the stored object back unchanged is accepted too.
            const auto again = validateUpdate(update(object, object), object);
            QVERIFY2(again.empty(), qPrintable(path + " update:\n" + joined(again)));
            ++checked;
        }
    }
    // The corpus has Services, volumes, claims, config, quotas, limit ranges, namespaces...
    QVERIFY2(checked >= 20, qPrintable(QString::number(checked)));
}

void CoreKindsTest::badInput_data()
{
    QTest::addColumn<QString>("manifest");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("goLiteral"); // needs FieldErrors to carry Go-printed values

    auto row = [](const char *name, const char *manifest, const char *expected, bool literal = false) {
        QTest::newRow(name) << QString(manifest) << QString(expected) << literal;
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
        R"(spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0})",
        true);
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
        R"(metadata.taints[1]: Duplicate value: core.Taint{Key:"a", Value:"y", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair)",
        true);
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
        "spec.hard[pods]: Invalid value: 1500m: must be an integer", true);
    row("quota conflicting scopes", R"(
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {pods: "1"}, scopes: [BestEffort, NotBestEffort]}
)",
        R"(spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}: conflicting scopes)",
        true);
    row("limit range min above max", R"(
apiVersion: v1
kind: LimitRange
metadata: {name: l}
spec: {limits: [{type: Container, min: {cpu: "2"}, max: {cpu: "1"}}]}
)",
        "spec.limits[0].min[cpu]: Invalid value: 2: min value 2 is greater than max value 1", true);
    row("limit range default above max", R"(
apiVersion: v1
kind: LimitRange
metadata: {name: l}
spec: {limits: [{type: Container, default: {memory: 1Gi}, max: {memory: 512Mi}}]}
)",
        "spec.limits[0].default[memory]: Invalid value: 512Mi: default value 1Gi is greater than max value 512Mi",
        true);
    row("limit range request above default", R"(
apiVersion: v1
kind: LimitRange
metadata: {name: l}
spec: {limits: [{type: Container, default: {cpu: 500m}, defaultRequest: {cpu: "1"}}]}
)",
        "spec.limits[0].defaultRequest[cpu]: Invalid value: 1: default request value 1 is greater than default limit "
        "value 500m",
        true);
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

void CoreKindsTest::badInput()
{
    QFETCH(QString, manifest);
    QFETCH(QString, expected);
    QFETCH(bool, goLiteral);
    Q_UNUSED(goLiteral); // marks rows whose value Kubernetes prints as a Go literal
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
    const auto errors = validateCreate(create(object));
    QVERIFY2(hasLine(errors, expected, false), qPrintable("got:\n" + joined(errors)));
}

void CoreKindsTest::badUpdate_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<QString>("expected"); // empty: the update is accepted
    QTest::addColumn<bool>("prefixOnly");
    QTest::addColumn<bool>("goLiteral");

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
        << R"(spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set)" << false << true;
    QTest::newRow("service replace without clusterIP") << service << R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 8080}]}
)"
                                                       << "" << false << false;

    const char *immutableSecret = R"(
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: default}
immutable: true
data: {k: YQ==}
)";
    QTest::newRow("immutable secret data")
        << immutableSecret << R"(
apiVersion: v1
kind: Secret
metadata: {name: s}
immutable: true
stringData: {k: b}
)"
        << "data: Forbidden: field is immutable when `immutable` is set" << false << false;
    QTest::newRow("immutable secret made mutable")
        << immutableSecret << R"(
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {k: YQ==}
)"
        << "immutable: Forbidden: field is immutable when `immutable` is set" << false << false;
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
                                        << R"(type: Invalid value: "example.com/two": field is immutable)" << false
                                        << false;
    QTest::newRow("immutable configmap data")
        << R"(
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
        << "data: Forbidden: field is immutable when `immutable` is set" << false << false;

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
        << true << false;
    QTest::newRow("unbound claim expansion") << claim << R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}
)"
                                             << "spec: Forbidden: spec is immutable after creation" << true << false;
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
                                           << "" << false << false;
    QTest::newRow("claim bound by the binder") << claim << R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, volumeName: pv1}
)"
                                               << "" << false << false;
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
        << true << false;
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
        << "provisioner: Forbidden: updates to provisioner are forbidden." << false << false;
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
        << "parameters: Forbidden: updates to parameters are forbidden." << false << false;
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
        << R"(addressType: Invalid value: "FQDN": field is immutable)" << false << false;
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
        << R"(spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid)" << false << false;
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
        << R"(spec.scopes: Invalid value: []core.ResourceQuotaScope{"NotTerminating"}: field is immutable)" << false
        << true;
}

void CoreKindsTest::badUpdate()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(QString, expected);
    QFETCH(bool, prefixOnly);
    QFETCH(bool, goLiteral);
    Q_UNUSED(goLiteral); // marks rows whose value Kubernetes prints as a Go literal
    const Json stored = yaml(before.toUtf8().constData());
    Json old = create(stored);
    QVERIFY2(validateCreate(old).empty(), qPrintable(joined(validateCreate(old))));
    if (stored.contains("status")) // as a controller would have written it through /status
        old["status"] = stored["status"];
    const auto errors = validateUpdate(update(yaml(after.toUtf8().constData()), old), old);
    if (expected.isEmpty()) {
        QVERIFY2(errors.empty(), qPrintable(joined(errors)));
        return;
    }
    QVERIFY2(hasLine(errors, expected, prefixOnly), qPrintable("got:\n" + joined(errors)));
}

void CoreKindsTest::serviceDefaults()
{
    const Json svc = create(yaml(R"(
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

    const Json lb = create(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: lb}
spec: {type: LoadBalancer, ports: [{port: 80}]}
)"));
    QCOMPARE(lb["spec"]["externalTrafficPolicy"], Json("Cluster"));
    QCOMPARE(lb["spec"]["allocateLoadBalancerNodePorts"], Json(true));
    QVERIFY(validateCreate(lb).empty());
    const Json nodePort = create(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: np}
spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}], sessionAffinity: ClientIP}
)"));
    QCOMPARE(nodePort["spec"]["externalTrafficPolicy"], Json("Cluster"));
    QVERIFY(!nodePort["spec"].contains("allocateLoadBalancerNodePorts"));
    QCOMPARE(nodePort["spec"]["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"], Json(10800));
    QVERIFY2(validateCreate(nodePort).empty(), qPrintable(joined(validateCreate(nodePort))));

    const Json headless = create(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}}
)"));
    QCOMPARE(headless["spec"]["clusterIP"], Json("None"));
    QCOMPARE(headless["spec"]["clusterIPs"], Json::array({"None"}));
    QCOMPARE(headless["spec"]["ipFamilies"], Json::array({"IPv4"}));
    QVERIFY2(validateCreate(headless).empty(), qPrintable(joined(validateCreate(headless))));
    // Headless without a selector: endpoints are managed by hand, in any family.
    const Json manual = create(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {clusterIP: None}
)"));
    QCOMPARE(manual["spec"]["ipFamilyPolicy"], Json("RequireDualStack"));
    QCOMPARE(manual["spec"]["ipFamilies"], Json::array({"IPv4", "IPv6"}));
    QVERIFY2(validateCreate(manual).empty(), qPrintable(joined(validateCreate(manual))));

    const Json external = create(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: example.com.}
)"));
    QVERIFY(!external["spec"].contains("ipFamilies"));
    QVERIFY(!external["spec"].contains("ipFamilyPolicy"));
    QVERIFY(!external["spec"].contains("internalTrafficPolicy"));
    QVERIFY2(validateCreate(external).empty(), qPrintable(joined(validateCreate(external))));
}

void CoreKindsTest::serviceUpdateKeepsAllocatedValues()
{
    Json old = create(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, selector: {app: web}, ports: [{name: http, port: 80}]}
)"));
    // What the allocator would have written.
    old["spec"]["clusterIP"] = "10.96.0.20";
    old["spec"]["clusterIPs"] = Json::array({"10.96.0.20"});
    old["spec"]["ports"][0]["nodePort"] = 31000;
    const Json updated = update(yaml(R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, selector: {app: web, tier: front}, ports: [{name: http, port: 80}]}
)"),
                                old);
    QCOMPARE(updated["spec"]["clusterIP"], Json("10.96.0.20"));
    QCOMPARE(updated["spec"]["clusterIPs"], Json::array({"10.96.0.20"}));
    QCOMPARE(updated["spec"]["ports"][0]["nodePort"], Json(31000));
    QVERIFY2(validateUpdate(updated, old).empty(), qPrintable(joined(validateUpdate(updated, old))));

    // Switching to ClusterIP releases the node ports the client left unchanged.
    Json toClusterIP = old;
    toClusterIP["spec"]["type"] = "ClusterIP";
    toClusterIP["spec"].erase("externalTrafficPolicy");
    const Json switched = update(toClusterIP, old);
    QVERIFY(!switched["spec"]["ports"][0].contains("nodePort"));
    QVERIFY2(validateUpdate(switched, old).empty(), qPrintable(joined(validateUpdate(switched, old))));
}

void CoreKindsTest::volumeDefaults()
{
    const Json pv = create(yaml(R"(
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

    const Json pvc = create(yaml(R"(
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

void CoreKindsTest::secretStringData()
{
    const Json secret = create(yaml(R"(
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {a: eA==, b: eA==}
stringData: {b: hello, c: ""}
)"));
    QCOMPARE(secret["type"], Json("Opaque"));
    QVERIFY(!secret.contains("stringData"));
    QCOMPARE(secret["data"], Json({{"a", "eA=="}, {"b", "aGVsbG8="}, {"c", ""}}));
    QVERIFY(validateCreate(secret).empty());
}

void CoreKindsTest::otherDefaults()
{
    const Json sc = create(yaml(R"(
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/disk
)"));
    QCOMPARE(sc["reclaimPolicy"], Json("Delete"));
    QCOMPARE(sc["volumeBindingMode"], Json("Immediate"));

    const Json limits = create(yaml(R"(
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
    QVERIFY2(validateCreate(limits).empty(), qPrintable(joined(validateCreate(limits))));

    const Json slice = create(yaml(R"(
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s}
addressType: IPv4
endpoints: [{addresses: [10.244.0.5]}]
ports: [{port: 80}]
)"));
    QCOMPARE(slice["ports"][0], Json({{"name", ""}, {"port", 80}, {"protocol", "TCP"}}));
    QCOMPARE(slice["metadata"]["generation"], Json(1));
    QVERIFY2(validateCreate(slice).empty(), qPrintable(joined(validateCreate(slice))));

    const Json quota = create(yaml(R"(
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {requests.cpu: 0.5, pods: 10}}
)"));
    QCOMPARE(quota["spec"]["hard"], Json({{"requests.cpu", "500m"}, {"pods", "10"}}));
    QCOMPARE(quota["status"], Json::object());

    const Json ns = create(yaml(R"(
apiVersion: v1
kind: Namespace
metadata: {name: team}
spec: {finalizers: [example.com/cleanup]}
)"));
    QCOMPARE(ns["spec"]["finalizers"], Json::array({"example.com/cleanup", "kubernetes"}));
    QVERIFY(validateCreate(ns).empty());

    const Json node = create(yaml(R"(
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {podCIDR: 10.244.1.0/24}
status: {capacity: {cpu: "2", memory: 4Gi}}
)"));
    QCOMPARE(node["spec"]["podCIDRs"], Json::array({"10.244.1.0/24"}));
    QCOMPARE(node["status"]["allocatable"], node["status"]["capacity"]);
    QVERIFY(validateCreate(node).empty());
}

void CoreKindsTest::selectableFields()
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
    QVERIFY(validateCreate(create(event)).empty());
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

void CoreKindsTest::base64LikeGo()
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

QTEST_GUILESS_MAIN(CoreKindsTest)
#include "tst_corekinds.moc"
