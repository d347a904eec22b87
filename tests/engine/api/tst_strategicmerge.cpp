// Strategic merge patch against the bundled schemas. Expected results follow apimachinery's
// strategicpatch (and, where noted, what a real API server stores).

#include "engine/api/patch/patch.h"
#include "engine/api/schemas.h"

#include <QTest>

using cd::Json;
using namespace cd::api;

Q_DECLARE_METATYPE(std::string)

namespace {

const std::string kDeployment = "io.k8s.api.apps.v1.Deployment";
const std::string kPod = "io.k8s.api.core.v1.Pod";
const std::string kService = "io.k8s.api.core.v1.Service";

Json parse(const char *text)
{
    Json value = Json::parse(text, nullptr, false);
    if (value.is_discarded())
        qFatal("bad JSON in test: %s", text);
    return value;
}

// A pod spec inside a Deployment, for rows that only care about the pod template.
Json deployment(const Json &podSpec)
{
    Json d = parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},
                       "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
                               "template":{"metadata":{"labels":{"app":"web"}}}}})");
    d["spec"]["template"]["spec"] = podSpec;
    return d;
}

bool holdsDirective(const Json &value)
{
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it)
            if (it.key().rfind('$', 0) == 0 || holdsDirective(it.value()))
                return true;
    } else if (value.is_array()) {
        for (const Json &item : value)
            if (holdsDirective(item))
                return true;
    }
    return false;
}

QString describe(const Json &actual, const Json &expected)
{
    return QStringLiteral("\nactual:   %1\nexpected: %2")
        .arg(QString::fromStdString(actual.dump()), QString::fromStdString(expected.dump()));
}

// QCOMPARE cannot print nlohmann::json; this fails the calling test with both values.
#define COMPARE_JSON(actual, expected)                                                                                 \
    do {                                                                                                               \
        const Json actualValue = (actual), expectedValue = (expected);                                                 \
        if (actualValue != expectedValue)                                                                              \
            QFAIL(qPrintable(describe(actualValue, expectedValue)));                                                   \
    } while (false)

const Json kTwoContainers = parse(R"({"containers":[
    {"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}],
     "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
     "volumeMounts":[{"name":"data","mountPath":"/data"}]},
    {"name":"sidecar","image":"busybox"}],
  "volumes":[{"name":"data","emptyDir":{}}],
  "tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]})");

} // namespace

class TestStrategicMerge : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void merge_data();
    void merge();
    void podTemplateMerge_data();
    void podTemplateMerge();
    void kubectlApplyThreeWayPatch();
    void errors_data();
    void errors();
};

void TestStrategicMerge::merge_data()
{
    QTest::addColumn<std::string>("definition");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("patch");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("maps merge, null deletes a label")
        << kPod
        << QByteArray(R"({"metadata":{"name":"p","labels":{"app":"web","tier":"front"}},"spec":{"nodeName":"n1"}})")
        << QByteArray(R"({"metadata":{"labels":{"tier":null,"env":"prod"}}})")
        << QByteArray(R"({"metadata":{"name":"p","labels":{"app":"web","env":"prod"}},"spec":{"nodeName":"n1"}})");
    QTest::newRow("null for a missing key is ignored")
        << kPod << QByteArray(R"({"metadata":{"name":"p"}})")
        << QByteArray(R"({"metadata":{"labels":{"x":null},"annotations":null}})")
        << QByteArray(R"({"metadata":{"name":"p","labels":{}}})");
    QTest::newRow("finalizers: union, new ones first without $setElementOrder")
        << kPod << QByteArray(R"({"metadata":{"finalizers":["a","b"]}})")
        << QByteArray(R"({"metadata":{"finalizers":["c","a"]}})")
        << QByteArray(R"({"metadata":{"finalizers":["c","a","b"]}})");
    QTest::newRow("finalizers: $setElementOrder puts them in order")
        << kPod << QByteArray(R"({"metadata":{"finalizers":["a","b"]}})")
        << QByteArray(R"({"metadata":{"$setElementOrder/finalizers":["a","b","c"],"finalizers":["c"]}})")
        << QByteArray(R"({"metadata":{"finalizers":["a","b","c"]}})");
    QTest::newRow("finalizers: $deleteFromPrimitiveList")
        << kPod << QByteArray(R"({"metadata":{"finalizers":["a","b","c"]}})")
        << QByteArray(R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b","zz"]}})")
        << QByteArray(R"({"metadata":{"finalizers":["a","c"]}})");
    QTest::newRow("finalizers: what kubectl apply sends to drop one")
        << kPod << QByteArray(R"({"metadata":{"finalizers":["a","b","c"]}})")
        << QByteArray(
               R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"],"$setElementOrder/finalizers":["a","c"]}})")
        << QByteArray(R"({"metadata":{"finalizers":["a","c"]}})");
    QTest::newRow("$deleteFromPrimitiveList on a missing list stores nothing")
        << kPod << QByteArray(R"({"metadata":{"name":"p"}})")
        << QByteArray(R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}})")
        << QByteArray(R"({"metadata":{"name":"p"}})");
    QTest::newRow("ownerReferences merge by uid")
        << kPod
        << QByteArray(
               R"({"metadata":{"ownerReferences":[{"uid":"u1","kind":"ReplicaSet","name":"a"},{"uid":"u2","kind":"ReplicaSet","name":"b"}]}})")
        << QByteArray(R"({"metadata":{"ownerReferences":[{"uid":"u2","controller":true}]}})")
        << QByteArray(
               R"({"metadata":{"ownerReferences":[{"uid":"u1","kind":"ReplicaSet","name":"a"},{"uid":"u2","kind":"ReplicaSet","name":"b","controller":true}]}})");
    QTest::newRow("status conditions merge by type")
        << kDeployment
        << QByteArray(
               R"({"status":{"conditions":[{"type":"Available","status":"False"},{"type":"Progressing","status":"True"}]}})")
        << QByteArray(
               R"({"status":{"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"}]}})")
        << QByteArray(
               R"({"status":{"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"},{"type":"Progressing","status":"True"}]}})");
    QTest::newRow("service ports merge by port")
        << kService
        << QByteArray(
               R"({"spec":{"type":"ClusterIP","ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"},{"name":"https","port":443,"protocol":"TCP"}]}})")
        << QByteArray(R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})")
        << QByteArray(
               R"({"spec":{"type":"ClusterIP","ports":[{"name":"http","port":80,"targetPort":9090,"protocol":"TCP"},{"name":"https","port":443,"protocol":"TCP"}]}})");
    QTest::newRow("an atomic map (service selector) still merges: SMP ignores map-type")
        << kService << QByteArray(R"({"spec":{"selector":{"app":"web","tier":"a"}}})")
        << QByteArray(R"({"spec":{"selector":{"tier":"b"}}})")
        << QByteArray(R"({"spec":{"selector":{"app":"web","tier":"b"}}})");
    QTest::newRow("$patch: replace on a map")
        << kPod << QByteArray(R"({"metadata":{"labels":{"app":"web","tier":"front"}}})")
        << QByteArray(R"({"metadata":{"labels":{"$patch":"replace","only":"this"}}})")
        << QByteArray(R"({"metadata":{"labels":{"only":"this"}}})");
    QTest::newRow("$patch: delete on a map empties it")
        << kPod << QByteArray(R"({"metadata":{"labels":{"app":"web"}},"spec":{"nodeName":"n"}})")
        << QByteArray(R"({"metadata":{"labels":{"$patch":"delete"}}})")
        << QByteArray(R"({"metadata":{"labels":{}},"spec":{"nodeName":"n"}})");
    QTest::newRow("$patch: merge on a map is a plain merge")
        << kPod << QByteArray(R"({"metadata":{"labels":{"app":"web"}}})")
        << QByteArray(R"({"metadata":{"labels":{"$patch":"merge","tier":"a"}}})")
        << QByteArray(R"({"metadata":{"labels":{"app":"web","tier":"a"}}})");
    QTest::newRow("a new key takes the patch value without its directives")
        << kPod << QByteArray(R"({"metadata":{"name":"p"}})")
        << QByteArray(
               R"({"spec":{"$setElementOrder/containers":[{"name":"a"}],"containers":[{"name":"a","image":"x","env":[{"name":"E","value":"1"},{"$patch":"delete","name":"F"}]}]}})")
        << QByteArray(
               R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","env":[{"name":"E","value":"1"}]}]}})");
    QTest::newRow("a value of another JSON type replaces")
        << kPod << QByteArray(R"({"spec":{"containers":"oops"}})")
        << QByteArray(R"({"spec":{"containers":[{"name":"a","image":"x"}]}})")
        << QByteArray(R"({"spec":{"containers":[{"name":"a","image":"x"}]}})");
    QTest::newRow("without a schema: lists are replaced, maps merged")
        << std::string("io.example.v1.Unknown")
        << QByteArray(R"({"spec":{"items":[{"name":"a"},{"name":"b"}],"m":{"x":1,"y":2}}})")
        << QByteArray(R"({"spec":{"items":[{"name":"c"}],"m":{"y":3}}})")
        << QByteArray(R"({"spec":{"items":[{"name":"c"}],"m":{"x":1,"y":3}}})");
    QTest::newRow("$retainKeys: RollingUpdate to Recreate drops rollingUpdate")
        << kDeployment
        << QByteArray(
               R"({"spec":{"replicas":2,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}}}})")
        << QByteArray(R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})")
        << QByteArray(R"({"spec":{"replicas":2,"strategy":{"type":"Recreate"}}})");
    QTest::newRow("$retainKeys keeps listed keys it does not set")
        << kDeployment << QByteArray(R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})")
        << QByteArray(
               R"({"spec":{"strategy":{"$retainKeys":["rollingUpdate","type"],"rollingUpdate":{"maxUnavailable":0}}}})")
        << QByteArray(
               R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}})");
}

void TestStrategicMerge::merge()
{
    QFETCH(std::string, definition);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, patch);
    QFETCH(QByteArray, expected);
    auto result = applyStrategicMergePatch(SchemaRegistry::builtin(), definition, parse(target.constData()),
                                           parse(patch.constData()));
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
    QVERIFY(!holdsDirective(*result));
    COMPARE_JSON(*result, parse(expected.constData()));
}

// Patches of a Deployment's pod template; the expected value is the whole pod spec.
void TestStrategicMerge::podTemplateMerge_data()
{
    QTest::addColumn<QByteArray>("patch");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("containers merge by name, the other container kept")
        << QByteArray(R"({"containers":[{"name":"web","image":"nginx:1.27"}]})") << QByteArray(R"({"containers":[
              {"name":"web","image":"nginx:1.27","ports":[{"containerPort":80,"protocol":"TCP"}],
               "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"volumeMounts":[{"name":"data","mountPath":"/data"}]},
              {"name":"sidecar","image":"busybox"}],
             "volumes":[{"name":"data","emptyDir":{}}],
             "tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]})");
    QTest::newRow("a new container comes first without $setElementOrder")
        << QByteArray(R"({"containers":[{"name":"log","image":"fluentd"}]})")
        << QByteArray(R"({"containers":[{"name":"log","image":"fluentd"},
              {"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}],
               "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"volumeMounts":[{"name":"data","mountPath":"/data"}]},
              {"name":"sidecar","image":"busybox"}],
             "volumes":[{"name":"data","emptyDir":{}}],
             "tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]})");
    QTest::newRow("env, ports and volumeMounts merge by their keys") << QByteArray(R"({"containers":[{"name":"web",
              "env":[{"name":"B","value":"3"},{"name":"C","value":"4"}],
              "ports":[{"containerPort":443}],
              "volumeMounts":[{"mountPath":"/data","readOnly":true}]}]})")
                                                                     << QByteArray(R"({"containers":[
              {"name":"web","image":"nginx:1.25","ports":[{"containerPort":443},{"containerPort":80,"protocol":"TCP"}],
               "env":[{"name":"A","value":"1"},{"name":"B","value":"3"},{"name":"C","value":"4"}],
               "volumeMounts":[{"name":"data","mountPath":"/data","readOnly":true}]},
              {"name":"sidecar","image":"busybox"}],
             "volumes":[{"name":"data","emptyDir":{}}],
             "tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]})");
    QTest::newRow("$patch: delete removes a container")
        << QByteArray(R"({"containers":[{"$patch":"delete","name":"sidecar"}]})") << QByteArray(R"({"containers":[
              {"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}],
               "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"volumeMounts":[{"name":"data","mountPath":"/data"}]}],
             "volumes":[{"name":"data","emptyDir":{}}],
             "tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]})");
    QTest::newRow("$patch: replace on a list")
        << QByteArray(R"({"containers":[{"$patch":"replace"},{"name":"only","image":"x"}]})")
        << QByteArray(R"({"containers":[{"name":"only","image":"x"}],
             "volumes":[{"name":"data","emptyDir":{}}],
             "tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]})");
    QTest::newRow("$setElementOrder reorders and places a new item")
        << QByteArray(R"({"$setElementOrder/containers":[{"name":"sidecar"},{"name":"log"},{"name":"web"}],
                          "containers":[{"name":"log","image":"fluentd"}]})")
        << QByteArray(R"({"containers":[{"name":"sidecar","image":"busybox"},{"name":"log","image":"fluentd"},
              {"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}],
               "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"volumeMounts":[{"name":"data","mountPath":"/data"}]}],
             "volumes":[{"name":"data","emptyDir":{}}],
             "tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]})");
    QTest::newRow("tolerations are replaced")
        << QByteArray(R"({"tolerations":[{"key":"c","operator":"Exists"}]})") << QByteArray(R"({"containers":[
              {"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}],
               "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"volumeMounts":[{"name":"data","mountPath":"/data"}]},
              {"name":"sidecar","image":"busybox"}],
             "volumes":[{"name":"data","emptyDir":{}}],
             "tolerations":[{"key":"c","operator":"Exists"}]})");
    QTest::newRow("volumes merge by name with $retainKeys on the item")
        << QByteArray(R"({"volumes":[{"$retainKeys":["configMap","name"],"name":"data","configMap":{"name":"cfg"}}]})")
        << QByteArray(R"({"containers":[
              {"name":"web","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}],
               "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"volumeMounts":[{"name":"data","mountPath":"/data"}]},
              {"name":"sidecar","image":"busybox"}],
             "volumes":[{"name":"data","configMap":{"name":"cfg"}}],
             "tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]})");
}

void TestStrategicMerge::podTemplateMerge()
{
    QFETCH(QByteArray, patch);
    QFETCH(QByteArray, expected);
    Json patchDocument = parse(R"({"spec":{"template":{"spec":{}}}})");
    patchDocument["spec"]["template"]["spec"] = parse(patch.constData());
    auto result =
        applyStrategicMergePatch(SchemaRegistry::builtin(), kDeployment, deployment(kTwoContainers), patchDocument);
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
    QVERIFY(!holdsDirective(*result));
    COMPARE_JSON(*result, deployment(parse(expected.constData())));
}

// What kubectl 1.32's client-side apply sends (CreateThreeWayMergePatch of last-applied, the new
// manifest and the live object) after the manifest's image changed and its `tier` label went away.
void TestStrategicMerge::kubectlApplyThreeWayPatch()
{
    const char *lastApplied =
        R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"labels":{"app":"web","tier":"frontend"},"name":"web","namespace":"default"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.25","name":"web","ports":[{"containerPort":80}]}]}}}})";
    const char *newApplied =
        R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"labels":{"app":"web"},"name":"web","namespace":"default"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.27","name":"web","ports":[{"containerPort":80}]}]}}}})";
    Json live = parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
        "metadata":{"name":"web","namespace":"default","uid":"1234","resourceVersion":"42","generation":1,
                    "creationTimestamp":"2025-01-02T03:04:05Z","labels":{"app":"web","tier":"frontend"},
                    "annotations":{"deployment.kubernetes.io/revision":"1"}},
        "spec":{"replicas":2,"revisionHistoryLimit":10,"progressDeadlineSeconds":600,
                "selector":{"matchLabels":{"app":"web"}},
                "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
                "template":{"metadata":{"labels":{"app":"web"}},
                            "spec":{"containers":[{"name":"web","image":"nginx:1.25","imagePullPolicy":"IfNotPresent",
                                                   "ports":[{"containerPort":80,"protocol":"TCP"}],
                                                   "terminationMessagePath":"/dev/termination-log",
                                                   "terminationMessagePolicy":"File","resources":{}}],
                                    "restartPolicy":"Always","dnsPolicy":"ClusterFirst","schedulerName":"default-scheduler",
                                    "terminationGracePeriodSeconds":30,"securityContext":{}}}},
        "status":{"replicas":2,"readyReplicas":2,"observedGeneration":1,
                  "conditions":[{"type":"Available","status":"True"}]}})");
    live["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
        std::string(lastApplied) + "\n";

    Json patch = parse(R"({"metadata":{"annotations":{},"labels":{"tier":null}},
        "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],
                                    "containers":[{"image":"nginx:1.27","name":"web"}]}}}})");
    patch["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
        std::string(newApplied) + "\n";

    auto result = applyStrategicMergePatch(SchemaRegistry::builtin(), kDeployment, live, patch);
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
    QVERIFY(!holdsDirective(*result));

    Json expected = live;
    expected["metadata"]["labels"].erase("tier");
    expected["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
        std::string(newApplied) + "\n";
    expected["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27";
    COMPARE_JSON(*result, expected);
}

void TestStrategicMerge::errors_data()
{
    QTest::addColumn<QByteArray>("patch");
    QTest::newRow("$retainKeys must list what the patch sets")
        << QByteArray(R"({"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{"maxSurge":1}}}})");
    QTest::newRow("$retainKeys must be a list") << QByteArray(R"({"spec":{"strategy":{"$retainKeys":"type"}}})");
    QTest::newRow("an item to delete needs its merge key")
        << QByteArray(R"({"spec":{"template":{"spec":{"containers":[{"$patch":"delete"}]}}}})");
    QTest::newRow("a merged item needs its merge key")
        << QByteArray(R"({"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}})");
    QTest::newRow("unknown directive") << QByteArray(R"({"metadata":{"labels":{"$patch":"explode"}}})");
    QTest::newRow("$setElementOrder disagrees with the patch list")
        << QByteArray(R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"a"}],
                                                      "containers":[{"name":"web","image":"x"}]}}}})");
    QTest::newRow("a patch must be an object") << QByteArray(R"([1,2])");
}

void TestStrategicMerge::errors()
{
    QFETCH(QByteArray, patch);
    auto result = applyStrategicMergePatch(SchemaRegistry::builtin(), kDeployment, deployment(kTwoContainers),
                                           parse(patch.constData()));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().kind, cd::ErrorKind::BadRequest);
}

QTEST_APPLESS_MAIN(TestStrategicMerge)
#include "tst_strategicmerge.moc"
