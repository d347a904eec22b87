// The pod spec rules against Kubernetes v1.32: upstream example manifests pass after the
// defaults, the defaults give what `kubectl get -o yaml` shows on a real cluster, and bad input
// gives Kubernetes' exact field paths and messages.

#include "engine/api/registry.h"
#include "engine/api/resources/podspec.h"
#include "engine/core/yaml.h"
#include "tests/support/examples.h"

#include <QtTest>

#include <algorithm>
#include <functional>

using namespace cd;
using namespace cd::api;
using namespace cd::test;

namespace {

Json yaml(const char *text)
{
    auto parsed = parseYaml(text);
    if (!parsed.ok())
        qFatal("bad test YAML: %s", parsed.error().message.c_str());
    return parsed.value();
}

// A small valid pod, to which each case applies its one mistake.
Json basePod()
{
    return yaml(R"(
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec:
  containers:
  - name: app
    image: nginx:1.27
    ports:
    - {name: http, containerPort: 80}
    volumeMounts:
    - {name: data, mountPath: /data}
  volumes:
  - name: data
    emptyDir: {}
)");
}

const ResourceType &podType()
{
    const ResourceType *type = Registry::builtin().findKind("", "Pod");
    if (!type)
        qFatal("no Pod type registered");
    return *type;
}

// The pipeline of the API server for a new pod: prepare, default, validate.
std::vector<std::string> createErrors(Json pod)
{
    const ResourceType &type = podType();
    type.prepareForCreate(pod);
    type.defaults(pod);
    FieldErrors errors;
    type.validate(pod, errors);
    return errors.lines();
}

Json created(Json pod)
{
    const ResourceType &type = podType();
    type.prepareForCreate(pod);
    type.defaults(pod);
    return pod;
}

std::vector<std::string> updateErrors(const Json &old, Json pod)
{
    const ResourceType &type = podType();
    pod["status"] = old["status"];
    type.defaults(pod);
    FieldErrors errors;
    type.validate(pod, errors);
    type.validateUpdate(pod, old, errors);
    return errors.lines();
}

QString joined(const std::vector<std::string> &lines)
{
    QStringList out;
    for (const std::string &l : lines)
        out << QString::fromStdString(l);
    return out.join(QStringLiteral("\n"));
}

// Every object of the given kinds in the example manifests, with the file it came from.
std::vector<std::pair<QString, Json>> exampleObjects(const std::vector<std::string> &kinds)
{
    std::vector<std::pair<QString, Json>> out;
    for (const QString &path : exampleFiles()) {
        const QByteArray bytes = readExample(path);
        auto docs = parseYamlDocuments(std::string_view(bytes.constData(), size_t(bytes.size())));
        if (!docs.ok())
            continue;
        for (const YamlDocument &doc : docs.value())
            if (std::find(kinds.begin(), kinds.end(), str(doc.value, {"kind"})) != kinds.end())
                out.emplace_back(path, doc.value);
    }
    return out;
}

} // namespace

class TestPodSpec : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void examplePodsAreValid();
    void exampleTemplatesAreValid();
    void podDefaults();
    void podDefaultsKeepWhatIsGiven();
    void imagePullPolicy_data();
    void imagePullPolicy();
    void containerPartsDefaults();
    void templateDefaults();
    void qosClass_data();
    void qosClass();
    void badPods_data();
    void badPods();
    void replicaSetTemplateRules();
    void templatePaths();
    void updates_data();
    void updates();
    void schedulingGates();
};

void TestPodSpec::examplePodsAreValid()
{
    const auto pods = exampleObjects({"Pod"});
    QVERIFY2(!examplesDir().isEmpty(), "CLUSTERDECK_EXAMPLES_DIR (set by CTest) is missing");
    // 18 pods: 12 in block-style files plus the KYAML ones (flow style, kind not at a line start).
    QVERIFY2(pods.size() >= 18, qPrintable(QStringLiteral("only %1 pods found").arg(pods.size())));
    for (const auto &[file, object] : pods) {
        Json pod = object;
        if (str(pod, {"metadata", "namespace"}).empty())
            pod["metadata"]["namespace"] = "default";
        const auto errors = createErrors(pod);
        QVERIFY2(errors.empty(), qPrintable(file + QStringLiteral(": ") + joined(errors)));
    }
}

void TestPodSpec::exampleTemplatesAreValid()
{
    // StatefulSets are left out: their volumeClaimTemplates add volumes a bare template lacks.
    const auto objects = exampleObjects({"Deployment", "ReplicaSet", "Job", "DaemonSet"});
    QCOMPARE_GE(objects.size(), size_t(14));
    for (const auto &[file, object] : objects) {
        Json podTemplate = object["spec"]["template"];
        defaultPodTemplate(podTemplate);
        FieldErrors errors;
        validatePodTemplate(podTemplate, FieldPath("spec").child("template"), errors);
        if (str(object, {"kind"}) == "Deployment" || str(object, {"kind"}) == "ReplicaSet")
            validateReplicaSetTemplateRules(podTemplate, FieldPath("spec").child("template"), errors);
        QVERIFY2(errors.empty(), qPrintable(file + QStringLiteral(": ") + joined(errors.lines())));
    }
}

void TestPodSpec::podDefaults()
{
    const Json pod = created(yaml(R"(
metadata: {name: p, namespace: default}
spec:
  containers:
  - name: c
    image: nginx
)"));
    const Json expectedSpec = yaml(R"(
containers:
- name: c
  image: nginx
  imagePullPolicy: Always
  resources: {}
  terminationMessagePath: /dev/termination-log
  terminationMessagePolicy: File
dnsPolicy: ClusterFirst
enableServiceLinks: true
preemptionPolicy: PreemptLowerPriority
priority: 0
restartPolicy: Always
schedulerName: default-scheduler
securityContext: {}
serviceAccount: default
serviceAccountName: default
terminationGracePeriodSeconds: 30
)");
    QCOMPARE(QString::fromStdString(pod["spec"].dump(1)), QString::fromStdString(expectedSpec.dump(1)));
    QCOMPARE(pod["status"], yaml("{phase: Pending, qosClass: BestEffort}"));

    // Defaults are stable: applying them again changes nothing.
    Json again = pod;
    defaultPod(again);
    QCOMPARE(again, pod);
}

void TestPodSpec::podDefaultsKeepWhatIsGiven()
{
    const Json pod = created(yaml(R"(
metadata: {name: p, namespace: default}
spec:
  serviceAccount: builder
  priorityClassName: system-node-critical
  restartPolicy: Never
  dnsPolicy: Default
  terminationGracePeriodSeconds: 5
  hostNetwork: true
  tolerations:
  - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute}
  containers:
  - name: c
    image: busybox@sha256:0123
    ports: [{containerPort: 8080}]
    resources:
      limits: {cpu: "0.5", memory: 1Gi}
      requests: {cpu: 100m}
)"));
    const Json &spec = pod["spec"];
    QCOMPARE(spec["serviceAccountName"], Json("builder"));
    QCOMPARE(spec["serviceAccount"], Json("builder"));
    QCOMPARE(spec["priority"], Json(2000001000));
    QCOMPARE(spec["restartPolicy"], Json("Never"));
    QCOMPARE(spec["dnsPolicy"], Json("Default"));
    QCOMPARE(spec["terminationGracePeriodSeconds"], Json(5));
    // Defaulting leaves tolerations alone (admission adds the not-ready and unreachable ones).
    QCOMPARE(spec["tolerations"].size(), size_t(1));
    const Json &c = spec["containers"][0];
    QCOMPARE(c["imagePullPolicy"], Json("IfNotPresent"));
    QCOMPARE(c["ports"][0], yaml("{containerPort: 8080, hostPort: 8080, protocol: TCP}"));
    // Quantities in canonical form; the memory request comes from the limit.
    QCOMPARE(c["resources"], yaml("{limits: {cpu: 500m, memory: 1Gi}, requests: {cpu: 100m, memory: 1Gi}}"));
    QCOMPARE(pod["status"]["qosClass"], Json("Burstable"));
}

void TestPodSpec::imagePullPolicy_data()
{
    QTest::addColumn<QString>("image");
    QTest::addColumn<QString>("policy");
    QTest::newRow("no tag") << "nginx"
                            << "Always";
    QTest::newRow("latest") << "nginx:latest"
                            << "Always";
    QTest::newRow("tag") << "nginx:1.27"
                         << "IfNotPresent";
    QTest::newRow("registry port, no tag") << "localhost:5000/team/app"
                                           << "Always";
    QTest::newRow("registry port, tag") << "registry.k8s.io:443/pause:3.10"
                                        << "IfNotPresent";
    QTest::newRow("digest") << "nginx@sha256:abcdef"
                            << "IfNotPresent";
    QTest::newRow("unparsable") << "Nginx"
                                << "IfNotPresent";
}

void TestPodSpec::imagePullPolicy()
{
    QFETCH(QString, image);
    QFETCH(QString, policy);
    Json spec = {{"containers", {{{"name", "c"}, {"image", image.toStdString()}}}}};
    defaultPodSpec(spec);
    QCOMPARE(QString::fromStdString(str(spec["containers"][0], {"imagePullPolicy"})), policy);
}

void TestPodSpec::containerPartsDefaults()
{
    Json spec = yaml(R"(
containers:
- name: c
  image: app:1
  env:
  - name: NODE
    valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
  - name: CPU
    valueFrom: {resourceFieldRef: {resource: limits.cpu}}
  livenessProbe:
    httpGet: {port: 8080}
  readinessProbe:
    grpc: {port: 9000}
    periodSeconds: 3
  lifecycle:
    preStop: {httpGet: {port: 80, path: /quit}}
volumes:
- name: a
- name: b
  configMap: {name: settings}
- name: c
  secret: {secretName: s}
- name: d
  hostPath: {path: /var/log}
- name: e
  persistentVolumeClaim: {claimName: data}
- name: f
  downwardAPI:
    items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]
- name: g
  projected:
    sources: [{serviceAccountToken: {path: token}}]
)");
    defaultPodSpec(spec);
    const Json &c = spec["containers"][0];
    QCOMPARE(c["env"][0]["valueFrom"]["fieldRef"], yaml("{apiVersion: v1, fieldPath: spec.nodeName}"));
    QCOMPARE(c["env"][1]["valueFrom"]["resourceFieldRef"], yaml("{resource: limits.cpu, divisor: '0'}"));
    QCOMPARE(c["livenessProbe"], yaml(R"({httpGet: {port: 8080, path: /, scheme: HTTP}, timeoutSeconds: 1,
                                         periodSeconds: 10, successThreshold: 1, failureThreshold: 3})"));
    QCOMPARE(c["readinessProbe"], yaml(R"({grpc: {port: 9000, service: ""}, timeoutSeconds: 1,
                                          periodSeconds: 3, successThreshold: 1, failureThreshold: 3})"));
    QCOMPARE(c["lifecycle"]["preStop"]["httpGet"], yaml("{port: 80, path: /quit, scheme: HTTP}"));
    const Json &v = spec["volumes"];
    QCOMPARE(v[0], yaml("{name: a, emptyDir: {}}"));
    QCOMPARE(v[1]["configMap"], yaml("{name: settings, defaultMode: 420}"));
    QCOMPARE(v[2]["secret"], yaml("{secretName: s, defaultMode: 420}"));
    QCOMPARE(v[3]["hostPath"], yaml("{path: /var/log, type: ''}"));
    QCOMPARE(v[4]["persistentVolumeClaim"], yaml("{claimName: data}"));
    QCOMPARE(v[5]["downwardAPI"]["defaultMode"], Json(420));
    QCOMPARE(v[5]["downwardAPI"]["items"][0]["fieldRef"]["apiVersion"], Json("v1"));
    QCOMPARE(v[6]["projected"],
             yaml("{defaultMode: 420, sources: [{serviceAccountToken: {path: token, expirationSeconds: 3600}}]}"));
}

void TestPodSpec::templateDefaults()
{
    Json podTemplate = yaml(R"(
metadata: {labels: {app: web}}
spec:
  containers:
  - name: web
    image: nginx:1.14.2
    resources: {limits: {memory: 128Mi}}
)");
    defaultPodTemplate(podTemplate);
    // What `kubectl get deployment -o yaml` shows for the template on a v1.32 cluster: no
    // admission defaults, no requests from limits, no enableServiceLinks.
    const Json expected = yaml(R"(
metadata:
  creationTimestamp: null
  labels: {app: web}
spec:
  containers:
  - name: web
    image: nginx:1.14.2
    imagePullPolicy: IfNotPresent
    resources: {limits: {memory: 128Mi}}
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: File
  dnsPolicy: ClusterFirst
  restartPolicy: Always
  schedulerName: default-scheduler
  securityContext: {}
  terminationGracePeriodSeconds: 30
)");
    QCOMPARE(QString::fromStdString(podTemplate.dump(1)), QString::fromStdString(expected.dump(1)));
}

void TestPodSpec::qosClass_data()
{
    QTest::addColumn<QString>("resources");
    QTest::addColumn<QString>("qos");
    QTest::newRow("none") << "{}"
                          << "BestEffort";
    QTest::newRow("equal") << "{limits: {cpu: 700m, memory: 200Mi}, requests: {cpu: 700m, memory: 200Mi}}"
                           << "Guaranteed";
    QTest::newRow("limits only") << "{limits: {cpu: '1', memory: 1Gi}}"
                                 << "Guaranteed";
    QTest::newRow("requests only") << "{requests: {memory: 64Mi}}"
                                   << "Burstable";
    QTest::newRow("cpu limit only") << "{limits: {cpu: '1'}}"
                                    << "Burstable";
    QTest::newRow("lower request") << "{limits: {cpu: '1', memory: 1Gi}, requests: {cpu: 500m}}"
                                   << "Burstable";
    QTest::newRow("only other resources") << "{requests: {ephemeral-storage: 1Gi}}"
                                          << "BestEffort";
}

void TestPodSpec::qosClass()
{
    QFETCH(QString, resources);
    QFETCH(QString, qos);
    Json pod = basePod();
    pod["spec"]["containers"][0]["resources"] = yaml(resources.toUtf8().constData());
    QCOMPARE(QString::fromStdString(str(created(pod), {"status", "qosClass"})), qos);
}

void TestPodSpec::badPods_data()
{
    QTest::addColumn<QString>("change");       // YAML merged over the base pod's spec (lists replace)
    QTest::addColumn<QStringList>("expected"); // every error line, in order

    QTest::newRow("no containers") << "{containers: []}" << QStringList{"spec.containers: Required value"};
    QTest::newRow("missing image") << "{containers: [{name: app}]}"
                                   << QStringList{"spec.containers[0].image: Required value"};
    QTest::newRow("bad container name")
        << "{containers: [{name: App_1, image: x}]}"
        << QStringList{"spec.containers[0].name: Invalid value: \"App_1\": a lowercase RFC 1123 label must consist of "
                       "lower case alphanumeric characters or '-', and must start and end with an alphanumeric "
                       "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
                       "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"};
    QTest::newRow("duplicate container names") << "{containers: [{name: app, image: x}, {name: app, image: y}]}"
                                               << QStringList{"spec.containers[1].name: Duplicate value: \"app\""};
    QTest::newRow("init container clashes with container")
        << "{initContainers: [{name: app, image: busybox}], containers: [{name: app, image: x}]}"
        << QStringList{"spec.initContainers[0].name: Duplicate value: \"app\""};
    QTest::newRow("containerPort out of range")
        << "{containers: [{name: app, image: x, ports: [{containerPort: 70000}]}]}"
        << QStringList{"spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, "
                       "inclusive"};
    QTest::newRow("hostPort out of range")
        << "{containers: [{name: app, image: x, ports: [{containerPort: 80, hostPort: -1}]}]}"
        << QStringList{
               "spec.containers[0].ports[0].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive"};
    QTest::newRow("bad protocol")
        << "{containers: [{name: app, image: x, ports: [{containerPort: 80, protocol: HTTP}]}]}"
        << QStringList{"spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", "
                       "\"TCP\", \"UDP\""};
    QTest::newRow("duplicate port names") << "{containers: [{name: app, image: x, ports: [{name: web, containerPort: "
                                             "80}, {name: web, containerPort: 81}]}]}"
                                          << QStringList{"spec.containers[0].ports[1].name: Duplicate value: \"web\""};
    QTest::newRow("same port twice is only a warning")
        << "{containers: [{name: app, image: x, ports: [{containerPort: 80}, {containerPort: 80}]}]}" << QStringList{};
    QTest::newRow("bad port name")
        << "{containers: [{name: app, image: x, ports: [{name: '8080', containerPort: 8080}]}]}"
        << QStringList{
               "spec.containers[0].ports[0].name: Invalid value: \"8080\": must contain at least one letter (a-z)"};
    QTest::newRow("unknown volume mount")
        << "{containers: [{name: app, image: x, volumeMounts: [{name: x, mountPath: /x}]}]}"
        << QStringList{"spec.containers[0].volumeMounts[0].name: Not found: \"x\""};
    QTest::newRow("mount path twice")
        << "{containers: [{name: app, image: x, volumeMounts: [{name: data, mountPath: /d}, {name: data, mountPath: "
           "/d}]}]}"
        << QStringList{"spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/d\": must be unique"};
    QTest::newRow("mount path missing") << "{containers: [{name: app, image: x, volumeMounts: [{name: data}]}]}"
                                        << QStringList{"spec.containers[0].volumeMounts[0].mountPath: Required value"};
    QTest::newRow("requests over limits")
        << "{containers: [{name: app, image: x, resources: {limits: {cpu: '1'}, requests: {cpu: '2'}}}]}"
        << QStringList{"spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu "
                       "limit of 1"};
    QTest::newRow("negative quantity") << "{containers: [{name: app, image: x, resources: {requests: {memory: -1Gi}}}]}"
                                       << QStringList{"spec.containers[0].resources.requests[memory]: Invalid value: "
                                                      "\"-1Gi\": must be greater than or equal to 0"};
    QTest::newRow("unknown resource") << "{containers: [{name: app, image: x, resources: {limits: {gpu: '1'}}}]}"
                                      // A Pod's requests default to its limits, so the request is reported too.
                                      << QStringList{"spec.containers[0].resources.limits[gpu]: Invalid value: "
                                                     "\"gpu\": must be a standard resource type or fully qualified",
                                                     "spec.containers[0].resources.limits[gpu]: Invalid value: "
                                                     "\"gpu\": must be a standard resource for containers",
                                                     "spec.containers[0].resources.requests[gpu]: Invalid value: "
                                                     "\"gpu\": must be a standard resource type or fully qualified",
                                                     "spec.containers[0].resources.requests[gpu]: Invalid value: "
                                                     "\"gpu\": must be a standard resource for containers"};
    QTest::newRow("bad restartPolicy") << "{restartPolicy: Sometimes}"
                                       << QStringList{"spec.restartPolicy: Unsupported value: \"Sometimes\": supported "
                                                      "values: \"Always\", \"OnFailure\", \"Never\""};
    QTest::newRow("bad dnsPolicy")
        << "{dnsPolicy: Google}"
        << QStringList{"spec.dnsPolicy: Unsupported value: \"Google\": supported values: \"ClusterFirstWithHostNet\", "
                       "\"ClusterFirst\", \"Default\", \"None\""};
    QTest::newRow("activeDeadlineSeconds zero")
        << "{activeDeadlineSeconds: 0}"
        << QStringList{"spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"};
    QTest::newRow("two volume sources")
        << "{volumes: [{name: data, emptyDir: {}, hostPath: {path: /tmp}}]}"
        << QStringList{"spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type",
                       // An invalid volume cannot be mounted either (Kubernetes reports both).
                       "spec.containers[0].volumeMounts[0].name: Not found: \"data\""};
    QTest::newRow("duplicate volume names") << "{volumes: [{name: data, emptyDir: {}}, {name: data, emptyDir: {}}]}"
                                            << QStringList{"spec.volumes[1].name: Duplicate value: \"data\""};
    QTest::newRow("bad volume name mounts are not found")
        << "{volumes: [{name: Data, emptyDir: {}}], containers: [{name: app, image: x, volumeMounts: [{name: Data, "
           "mountPath: /d}]}]}"
        << QStringList{
               "spec.volumes[0].name: Invalid value: \"Data\": a lowercase RFC 1123 label must consist of lower case "
               "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. "
               "'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
               "spec.containers[0].volumeMounts[0].name: Not found: \"Data\""};
    QTest::newRow("configMap without name")
        << "{volumes: [{name: data, configMap: {}}]}"
        << QStringList{"spec.volumes[0].configMap.name: Required value",
                       "spec.containers[0].volumeMounts[0].name: Not found: \"data\""};
    QTest::newRow("bad hostPath type")
        << "{volumes: [{name: data, hostPath: {path: /x, type: Folder}}]}"
        << QStringList{
               "spec.volumes[0].hostPath.type: Unsupported value: \"Folder\": supported values: \"\", \"BlockDevice\", "
               "\"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\"",
               "spec.containers[0].volumeMounts[0].name: Not found: \"data\""};
    QTest::newRow("env without name") << "{containers: [{name: app, image: x, env: [{value: x}]}]}"
                                      << QStringList{"spec.containers[0].env[0].name: Required value"};
    QTest::newRow("env with two sources")
        << "{containers: [{name: app, image: x, env: [{name: A, valueFrom: {fieldRef: {fieldPath: metadata.name}, "
           "secretKeyRef: {name: s, key: k}}}]}]}"
        << QStringList{"spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not have more than one field "
                       "specified at a time"};
    QTest::newRow("env with value and source") << "{containers: [{name: app, image: x, env: [{name: A, value: x, "
                                                  "valueFrom: {configMapKeyRef: {name: c, key: k}}}]}]}"
                                               << QStringList{"spec.containers[0].env[0].valueFrom: Invalid value: "
                                                              "\"\": may not be specified when `value` is not empty"};
    QTest::newRow("env fieldRef unsupported")
        << "{containers: [{name: app, image: x, env: [{name: A, valueFrom: {fieldRef: {fieldPath: "
           "metadata.labels}}}]}]}"
        << QStringList{
               "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: \"metadata.labels\": "
               "supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", "
               "\"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", "
               "\"status.podIPs\""};
    QTest::newRow("envFrom without source")
        << "{containers: [{name: app, image: x, envFrom: [{prefix: P_}]}]}"
        << QStringList{
               "spec.containers[0].envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`"};
    QTest::newRow("probe with two handlers")
        << "{containers: [{name: app, image: x, livenessProbe: {exec: {command: [true]}, tcpSocket: {port: 80}}}]}"
        << QStringList{
               "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"};
    QTest::newRow("probe without handler")
        << "{containers: [{name: app, image: x, readinessProbe: {periodSeconds: 5}}]}"
        << QStringList{"spec.containers[0].readinessProbe: Required value: must specify a handler type"};
    QTest::newRow("liveness successThreshold")
        << "{containers: [{name: app, image: x, livenessProbe: {tcpSocket: {port: 80}, successThreshold: 2}}]}"
        << QStringList{"spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"};
    QTest::newRow("negative probe timing")
        << "{containers: [{name: app, image: x, readinessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: -5}}]}"
        << QStringList{"spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -5: must be greater than "
                       "or equal to 0"};
    QTest::newRow("init container probe")
        << "{initContainers: [{name: init, image: busybox, readinessProbe: {tcpSocket: {port: 80}}}]}"
        << QStringList{"spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without "
                       "restartPolicy=Always"};
    QTest::newRow("sidecar may have probes") << "{initContainers: [{name: proxy, image: envoy, restartPolicy: Always, "
                                                "readinessProbe: {tcpSocket: {port: 80}}}]}"
                                             << QStringList{};
    QTest::newRow("regular container restartPolicy")
        << "{containers: [{name: app, image: x, restartPolicy: Always}]}"
        << QStringList{"spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"};
    QTest::newRow("toleration without key")
        << "{tolerations: [{operator: Equal, value: x}]}"
        << QStringList{
               "spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, "
               "which means \"match all values and all keys\""};
    QTest::newRow("toleration seconds need NoExecute")
        << "{tolerations: [{key: k, operator: Exists, effect: NoSchedule, tolerationSeconds: 10}]}"
        << QStringList{"spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when "
                       "`tolerationSeconds` is set"};
    QTest::newRow("toleration bad effect")
        << "{tolerations: [{key: k, operator: Exists, effect: Never}]}"
        << QStringList{"spec.tolerations[0].effect: Unsupported value: \"Never\": supported values: \"NoSchedule\", "
                       "\"PreferNoSchedule\", \"NoExecute\""};
    QTest::newRow("node affinity operator")
        << "{affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: "
           "[{matchExpressions: [{key: zone, operator: Near, values: [a]}]}]}}}}"
        << QStringList{"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
                       "matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector operator"};
    QTest::newRow("pod affinity without topologyKey")
        << "{affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: "
           "{matchLabels: {app: web}}, topologyKey: ''}]}}}"
        << QStringList{
               "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required "
               "value: can not be empty",
               "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid "
               "value: \"\": name part must be non-empty",
               "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid "
               "value: \"\": "
               "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
               "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
               "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"};
    QTest::newRow("bad hostname")
        << "{hostname: Web_1}"
        << QStringList{"spec.hostname: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case "
                       "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. "
                       "'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"};
    QTest::newRow("bad nodeSelector value")
        << "{nodeSelector: {disk: 'fast ssd'}}"
        << QStringList{
               "spec.nodeSelector: Invalid value: \"fast ssd\": a valid label must be an empty string or consist of "
               "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
               "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
               "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"};
    QTest::newRow("runAsUser negative")
        << "{securityContext: {runAsUser: -1}}"
        << QStringList{
               "spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive"};
    QTest::newRow("host network ports must match")
        << "{hostNetwork: true, containers: [{name: app, image: x, ports: [{containerPort: 80, hostPort: 8080}]}]}"
        << QStringList{"spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when "
                       "`hostNetwork` is true"};
    QTest::newRow("host port used twice")
        << "{containers: [{name: a, image: x, ports: [{containerPort: 80, hostPort: 80}]}, {name: b, image: y, ports: "
           "[{containerPort: 81, hostPort: 80}]}]}"
        << QStringList{"spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//80\""};
    QTest::newRow("dnsPolicy None needs config")
        << "{dnsPolicy: None}"
        << QStringList{"spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"};
    QTest::newRow("bad imagePullPolicy") << "{containers: [{name: app, image: x, imagePullPolicy: Sometimes}]}"
                                         << QStringList{
                                                "spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": "
                                                "supported values: \"Always\", \"IfNotPresent\", \"Never\""};
    QTest::newRow("image with spaces")
        << "{containers: [{name: app, image: ' nginx'}]}"
        << QStringList{
               "spec.containers[0].image: Invalid value: \" nginx\": must not have leading or trailing whitespace"};
}

void TestPodSpec::badPods()
{
    QFETCH(QString, change);
    QFETCH(QStringList, expected);
    Json pod = basePod();
    const Json patch = yaml(change.toUtf8().constData());
    for (auto it = patch.begin(); it != patch.end(); ++it)
        pod["spec"][it.key()] = it.value();
    const auto errors = createErrors(pod);
    QCOMPARE(joined(errors), expected.join(QStringLiteral("\n")));
}

void TestPodSpec::replicaSetTemplateRules()
{
    Json podTemplate =
        yaml("{metadata: {labels: {app: web}}, spec: {restartPolicy: OnFailure, activeDeadlineSeconds: 10, "
             "containers: [{name: web, image: nginx}]}}");
    defaultPodTemplate(podTemplate);
    FieldErrors errors;
    const FieldPath path = FieldPath("spec").child("template");
    validatePodTemplate(podTemplate, path, errors);
    QVERIFY2(errors.empty(), qPrintable(joined(errors.lines())));
    validateReplicaSetTemplateRules(podTemplate, path, errors);
    QCOMPARE(joined(errors.lines()),
             QStringLiteral(
                 "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\"\n"
                 "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not "
                 "Supported"));
}

void TestPodSpec::templatePaths()
{
    Json podTemplate = yaml("{metadata: {labels: {'bad key!': x}}, spec: {containers: [{name: web}]}}");
    defaultPodTemplate(podTemplate);
    FieldErrors errors;
    validatePodTemplate(podTemplate, FieldPath("spec").child("template"), errors);
    const QString lines = joined(errors.lines());
    // Kubernetes names template labels without "metadata" (ValidatePodTemplateSpec).
    QVERIFY2(lines.startsWith(
                 QStringLiteral("spec.template.labels: Invalid value: \"bad key!\": name part must consist of")),
             qPrintable(lines));
    QVERIFY2(lines.endsWith(QStringLiteral("spec.template.spec.containers[0].image: Required value")),
             qPrintable(lines));
    // A template keeps ephemeral containers out.
    Json withEphemeral =
        yaml("{spec: {containers: [{name: a, image: x}], ephemeralContainers: [{name: e, image: x}]}}");
    defaultPodTemplate(withEphemeral);
    FieldErrors ephemeral;
    validatePodTemplate(withEphemeral, FieldPath("template"), ephemeral);
    QCOMPARE(joined(ephemeral.lines()),
             QStringLiteral(
                 "template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template"));
}

void TestPodSpec::updates_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QStringList>("expected");
    const QString immutable = QStringLiteral(
        "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
        "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)");

    QTest::newRow("new image")
        << "{containers: [{name: app, image: 'nginx:1.28', ports: [{name: http, containerPort: 80}], "
           "volumeMounts: [{name: data, mountPath: /data}]}]}"
        << QStringList{};
    QTest::newRow("nothing") << "{}" << QStringList{};
    QTest::newRow("restartPolicy") << "{restartPolicy: Never}" << QStringList{immutable};
    QTest::newRow("nodeName") << "{nodeName: node-1}" << QStringList{immutable};
    QTest::newRow("new port") << "{containers: [{name: app, image: 'nginx:1.27', ports: [{containerPort: 81}], "
                                 "volumeMounts: [{name: data, mountPath: /data}]}]}"
                              << QStringList{immutable};
    QTest::newRow("add container") << "{containers: [{name: app, image: a}, {name: b, image: b}]}"
                                   << QStringList{
                                          "spec.containers: Forbidden: pod updates may not add or remove containers"};
    QTest::newRow("deadline set") << "{activeDeadlineSeconds: 60}" << QStringList{};
    // The old pod tolerates gpu; the admission defaults add the not-ready/unreachable ones again.
    QTest::newRow("toleration added") << "{tolerations: [{key: gpu, operator: Exists}, {key: spot, operator: Exists}]}"
                                      << QStringList{};
    QTest::newRow("toleration seconds changed")
        << "{tolerations: [{key: gpu, operator: Exists}, {key: node.kubernetes.io/unreachable, operator: Exists, "
           "effect: NoExecute, tolerationSeconds: 60}]}"
        << QStringList{};
    QTest::newRow("toleration changed")
        << "{tolerations: [{key: gpu, operator: Equal, value: 'yes'}]}"
        << QStringList{
               "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"};
    QTest::newRow("toleration removed")
        << "{tolerations: []}"
        << QStringList{
               "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"};
}

void TestPodSpec::updates()
{
    QFETCH(QString, change);
    QFETCH(QStringList, expected);
    Json base = basePod();
    base["spec"]["tolerations"] = yaml("[{key: gpu, operator: Exists}]");
    const Json old = created(base);
    Json pod = old;
    const Json patch = yaml(change.toUtf8().constData());
    for (auto it = patch.begin(); it != patch.end(); ++it)
        pod["spec"][it.key()] = it.value();
    QCOMPARE(joined(updateErrors(old, pod)), expected.join(QStringLiteral("\n")));
}

void TestPodSpec::schedulingGates()
{
    Json pod = basePod();
    pod["spec"]["schedulingGates"] = yaml("[{name: example.com/quota}]");
    const Json old = created(pod);
    QCOMPARE(old["status"]["conditions"][0]["reason"], Json("SchedulingGated"));
    // A gated pod may lose its gates and gain node selector entries.
    Json ungated = old;
    ungated["spec"].erase("schedulingGates");
    ungated["spec"]["nodeSelector"] = yaml("{zone: a}");
    QCOMPARE(joined(updateErrors(old, ungated)), QString());
    Json regated = old;
    regated["spec"]["schedulingGates"] = yaml("[{name: example.com/quota}, {name: example.com/other}]");
    QCOMPARE(
        joined(updateErrors(old, regated)),
        QStringLiteral("spec.schedulingGates[1].name: Forbidden: only deletion is allowed, but found new scheduling "
                       "gate 'example.com/other'"));
    // Created with a node and gates at once: not allowed.
    Json bound = basePod();
    bound["spec"]["nodeName"] = "node-1";
    bound["spec"]["schedulingGates"] = yaml("[{name: g}]");
    QCOMPARE(joined(createErrors(bound)),
             QStringLiteral("spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared"));
}

QTEST_GUILESS_MAIN(TestPodSpec)
#include "tst_podspec.moc"
