// Deployments, ReplicaSets and Jobs through the API's write pipeline: Kubernetes v1.32's defaults,
// the Job's generated selector, and validation with Kubernetes' exact paths and messages.

#include "engine/api/context.h"
#include "engine/api/registry.h"
#include "engine/api/resources/gosyntax.h"
#include "engine/core/yaml.h"
#include "engine/store/store.h"
#include "tests/support/examples.h"

#include <QtTest>

using namespace cd;
using namespace cd::api;

namespace {

Json yaml(const char *text)
{
    auto parsed = parseYaml(text);
    if (!parsed.ok())
        qFatal("test YAML does not parse: %s", parsed.error().message.c_str());
    return *parsed;
}

const char *kDeployment = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx}]
)";

const char *kReplicaSet = R"(
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx}]
)";

const char *kJob = R"(
apiVersion: batch/v1
kind: Job
metadata: {name: pi, namespace: default}
spec:
  template:
    spec:
      containers: [{name: pi, image: perl, command: [perl, -e, print 1]}]
      restartPolicy: Never
)";

// Sets a value at a dotted path ("spec.strategy.type"), creating objects along the way.
void set(Json &object, const std::string &path, const Json &value)
{
    Json *node = &object;
    size_t start = 0;
    for (size_t dot; (dot = path.find('.', start)) != std::string::npos; start = dot + 1)
        node = &(*node)[path.substr(start, dot - start)];
    (*node)[path.substr(start)] = value;
}

std::string linesOf(const Error &error)
{
    std::string out;
    for (const ErrorCause &c : error.causes)
        out += (out.empty() ? "" : "\n") + (c.field.empty() ? c.message : c.field + ": " + c.message);
    return out;
}

} // namespace

class TstWorkloads : public QObject {
    Q_OBJECT

    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<ApiContext> m_api;

    const ResourceType &type(const Json &object)
    {
        const ResourceType *t = Registry::builtin().forObject(str(object, {"apiVersion"}), str(object, {"kind"}));
        if (!t)
            qFatal("no resource type for %s", str(object, {"kind"}).c_str());
        return *t;
    }
    Result<StoredObject> create(const Json &object) { return m_api->createObject(type(object), object, {}); }
    Result<StoredObject> update(const Json &object, const StoredObject &old)
    {
        return m_api->updateObject(type(object), object, old, {});
    }
    StoredObject mustCreate(const Json &object)
    {
        auto created = create(object);
        if (!created.ok())
            qFatal("create failed: %s", created.error().message.c_str());
        return *created;
    }

private Q_SLOTS:
    void init()
    {
        store::StoreOptions options;
        options.writerThread = false;
        auto opened = store::Store::open(options);
        QVERIFY(opened.ok());
        m_store = std::move(*opened);
        m_api = std::make_unique<ApiContext>(*m_store, Registry::builtin(), ApiOptions{});
    }

    void cleanup()
    {
        m_api.reset();
        m_store.reset();
    }

    // Every Deployment, ReplicaSet and Job of the example corpus is accepted once defaulted.
    void examplesPassAfterDefaults()
    {
        QVERIFY2(!test::examplesDir().isEmpty(), test::kNoExamples);
        std::map<std::string, int> seen;
        int fileIndex = 0;
        for (const QString &path : test::exampleFiles()) {
            const QByteArray text = test::readExample(path);
            auto documents = parseYamlDocuments(std::string_view(text.constData(), size_t(text.size())));
            QVERIFY2(documents.ok(), qPrintable(path));
            ++fileIndex;
            for (const YamlDocument &document : *documents) {
                const std::string kind = str(document.value, {"kind"});
                if (kind != "Deployment" && kind != "ReplicaSet" && kind != "Job")
                    continue;
                Json object = document.value;
                // One namespace per file: some examples reuse names.
                object["metadata"]["namespace"] = "ex" + std::to_string(fileIndex);
                auto created = create(object);
                QVERIFY2(created.ok(), qPrintable(path + ": " + QString::fromStdString(created.ok() ? "" : created.error().message)));
                const Json &spec = created->object["spec"];
                QVERIFY(spec.contains("replicas") || kind == "Job");
                QCOMPARE(created->object["status"], Json::object());
                QCOMPARE(integer(created->object, {"metadata", "generation"}), 1LL);
                ++seen[kind];
            }
        }
        // The corpus holds 10 Deployments, 1 ReplicaSet and 2 Jobs (INDEX.md).
        QCOMPARE(seen["Deployment"], 10);
        QCOMPARE(seen["ReplicaSet"], 1);
        QCOMPARE(seen["Job"], 2);
    }

    void deploymentDefaults()
    {
        const StoredObject d = mustCreate(yaml(kDeployment));
        Json spec = d.object["spec"];
        const Json podTemplate = spec["template"];
        spec.erase("template");
        QCOMPARE(spec, yaml(R"(
replicas: 1
selector: {matchLabels: {app: web}}
strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}
revisionHistoryLimit: 10
progressDeadlineSeconds: 600
)"));
        // The pod template got the pod defaults (Kubernetes writes its zero creationTimestamp as null).
        QVERIFY(podTemplate["metadata"].contains("creationTimestamp"));
        QVERIFY(podTemplate["metadata"]["creationTimestamp"].is_null());
        QCOMPARE(str(podTemplate, {"spec", "restartPolicy"}), std::string("Always"));
        QCOMPARE(d.object["status"], Json::object());
        QCOMPARE(integer(d.object, {"metadata", "generation"}), 1LL);
    }

    void deploymentKeepsGivenValues()
    {
        Json object = yaml(kDeployment);
        set(object, "spec.replicas", 0);
        set(object, "spec.strategy.rollingUpdate.maxSurge", 2);
        set(object, "spec.revisionHistoryLimit", 0);
        const StoredObject d = mustCreate(object);
        QCOMPARE(d.object["spec"]["replicas"], Json(0));
        QCOMPARE(d.object["spec"]["strategy"],
                 yaml("{type: RollingUpdate, rollingUpdate: {maxSurge: 2, maxUnavailable: 25%}}"));
        QCOMPARE(d.object["spec"]["revisionHistoryLimit"], Json(0));
    }

    void recreateStrategyHasNoRollingUpdate()
    {
        Json object = yaml(kDeployment);
        set(object, "spec.strategy", yaml("{type: Recreate}"));
        const StoredObject d = mustCreate(object);
        QCOMPARE(d.object["spec"]["strategy"], yaml("{type: Recreate}"));
    }

    void statusIsClearedAtCreation()
    {
        Json object = yaml(kDeployment);
        object["status"] = yaml("{replicas: 5, readyReplicas: 5}");
        QCOMPARE(mustCreate(object).object["status"], Json::object());
    }

    void replicaSetDefaults()
    {
        const StoredObject rs = mustCreate(yaml(kReplicaSet));
        QCOMPARE(rs.object["spec"]["replicas"], Json(1));
        QVERIFY(!rs.object["spec"].contains("strategy"));
        QCOMPARE(rs.object["status"], Json::object());
    }

    void jobDefaultsAndGeneratedSelector()
    {
        const StoredObject job = mustCreate(yaml(kJob));
        const std::string uid = job.uid();
        QVERIFY(!uid.empty());
        Json spec = job.object["spec"];
        const Json podTemplate = spec["template"];
        spec.erase("template");
        Json expected = yaml(R"(
backoffLimit: 6
completionMode: NonIndexed
completions: 1
manualSelector: false
parallelism: 1
podReplacementPolicy: TerminatingOrFailed
suspend: false
)");
        expected["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"] = uid;
        QCOMPARE(spec, expected);
        const Json labels = {{"batch.kubernetes.io/controller-uid", uid},
                             {"batch.kubernetes.io/job-name", "pi"},
                             {"controller-uid", uid},
                             {"job-name", "pi"}};
        QCOMPARE(podTemplate["metadata"]["labels"], labels);
        // A Job without labels of its own takes its pods' labels.
        QCOMPARE(job.object["metadata"]["labels"], labels);
        QCOMPARE(job.object["status"], Json::object());
    }

    void jobKeepsItsOwnLabels()
    {
        Json object = yaml(kJob);
        set(object, "metadata.labels", yaml("{team: a}"));
        QCOMPARE(mustCreate(object).object["metadata"]["labels"], yaml("{team: a}"));
    }

    void jobWorkQueueLeavesCompletionsUnset()
    {
        Json object = yaml(kJob);
        set(object, "spec.parallelism", 3);
        const Json spec = mustCreate(object).object["spec"];
        QVERIFY(!spec.contains("completions"));
        QCOMPARE(spec["parallelism"], Json(3));
    }

    void jobPolicyDefaults()
    {
        Json object = yaml(kJob);
        set(object, "spec.completionMode", "Indexed");
        set(object, "spec.completions", 3);
        set(object, "spec.backoffLimitPerIndex", 1);
        set(object, "spec.podFailurePolicy",
            yaml("{rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]}"));
        const Json spec = mustCreate(object).object["spec"];
        QCOMPARE(spec["backoffLimit"], Json(2147483647));
        QCOMPARE(spec["podReplacementPolicy"], Json("Failed"));
        QCOMPARE(spec["podFailurePolicy"]["rules"][0]["onPodConditions"][0]["status"], Json("True"));
        QCOMPARE(spec["parallelism"], Json(1));
    }

    void manualSelectorIsNotGenerated()
    {
        Json object = yaml(kJob);
        set(object, "spec.manualSelector", true);
        set(object, "spec.selector", yaml("{matchLabels: {app: pi}}"));
        set(object, "spec.template.metadata.labels", yaml("{app: pi}"));
        const Json spec = mustCreate(object).object["spec"];
        QCOMPARE(spec["selector"], yaml("{matchLabels: {app: pi}}"));
        QCOMPARE(spec["template"]["metadata"]["labels"], yaml("{app: pi}"));
    }

    void badInputs_data()
    {
        QTest::addColumn<QString>("manifest");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("value");  // JSON; null removes the field
        QTest::addColumn<QString>("expected");

        const QString deployment = kDeployment;
        const QString replicaSet = kReplicaSet;
        const QString job = kJob;
        QTest::newRow("selector does not match labels")
            << deployment << "spec.template.metadata.labels" << R"({"app":"x"})"
            << "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: "
               "map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`";
        QTest::newRow("negative replicas")
            << deployment << "spec.replicas" << "-1"
            << "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0";
        QTest::newRow("maxSurge and maxUnavailable both 0")
            << deployment << "spec.strategy" << R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":0,"maxUnavailable":0}})"
            << "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
               "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0";
        QTest::newRow("percent zero counts as zero")
            << deployment << "spec.strategy.rollingUpdate" << R"({"maxSurge":"0%","maxUnavailable":"0%"})"
            << "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
               "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"0%\"}: may not be 0 when `maxSurge` is 0";
        QTest::newRow("maxUnavailable over 100%")
            << deployment << "spec.strategy.rollingUpdate" << R"({"maxUnavailable":"120%"})"
            << "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
               "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"120%\"}: must not be greater than 100%";
        QTest::newRow("maxSurge not a percent")
            << deployment << "spec.strategy.rollingUpdate" << R"({"maxSurge":"abc"})"
            << "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxSurge: Invalid value: "
               "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"abc\"}: a valid percent string must be a numeric string "
               "followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
        QTest::newRow("rollingUpdate with Recreate")
            << deployment << "spec.strategy" << R"({"type":"Recreate","rollingUpdate":{"maxSurge":1}})"
            << "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when "
               "strategy `type` is 'Recreate'";
        QTest::newRow("unknown strategy")
            << deployment << "spec.strategy" << R"({"type":"BlueGreen"})"
            << "Deployment.apps \"web\" is invalid: spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"
               "\"BlueGreen\", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", "
               "\"RollingUpdate\"";
        QTest::newRow("restartPolicy Never in a Deployment")
            << deployment << "spec.template.spec.restartPolicy" << R"("Never")"
            << "Deployment.apps \"web\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Never\": "
               "supported values: \"Always\"";
        QTest::newRow("activeDeadlineSeconds in a Deployment")
            << deployment << "spec.template.spec.activeDeadlineSeconds" << "30"
            << "Deployment.apps \"web\" is invalid: spec.template.spec.activeDeadlineSeconds: Forbidden: "
               "activeDeadlineSeconds in ReplicaSet is not Supported";
        QTest::newRow("missing selector")
            << deployment << "spec.selector" << "null"
            << "Deployment.apps \"web\" is invalid: [spec.selector: Required value, spec.template.metadata.labels: "
               "Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`]";
        QTest::newRow("empty selector")
            << deployment << "spec.selector" << R"({"matchLabels":{}})"
            << "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:"
               "map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid "
               "for deployment";
        QTest::newRow("selector operator")
            << deployment << "spec.selector" << R"({"matchExpressions":[{"key":"app","operator":"Like","values":["web"]}]})"
            << "Deployment.apps \"web\" is invalid: [spec.selector.matchExpressions[0].operator: Invalid value: \"Like\": "
               "not a valid selector operator, spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]"
               "string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"app\", "
               "Operator:\"Like\", Values:[]string{\"web\"}}}}: invalid label selector]";
        QTest::newRow("negative revisionHistoryLimit")
            << deployment << "spec.revisionHistoryLimit" << "-1"
            << "Deployment.apps \"web\" is invalid: spec.revisionHistoryLimit: Invalid value: -1: must be greater than "
               "or equal to 0";
        QTest::newRow("progress deadline within minReadySeconds")
            << deployment << "spec.minReadySeconds" << "600"
            << "Deployment.apps \"web\" is invalid: spec.progressDeadlineSeconds: Invalid value: 600: must be greater "
               "than minReadySeconds";
        QTest::newRow("ReplicaSet restartPolicy OnFailure")
            << replicaSet << "spec.template.spec.restartPolicy" << R"("OnFailure")"
            << "ReplicaSet.apps \"web\" is invalid: spec.template.spec.restartPolicy: Unsupported value: "
               "\"OnFailure\": supported values: \"Always\"";
        QTest::newRow("ReplicaSet empty selector")
            << replicaSet << "spec.selector" << "{}"
            << "ReplicaSet.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:"
               "map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is "
               "invalid for deployment";
        QTest::newRow("ReplicaSet negative minReadySeconds")
            << replicaSet << "spec.minReadySeconds" << "-5"
            << "ReplicaSet.apps \"web\" is invalid: spec.minReadySeconds: Invalid value: -5: must be greater than or "
               "equal to 0";
        QTest::newRow("Job with restartPolicy Always")
            << job << "spec.template.spec.restartPolicy" << R"("Always")"
            << "Job.batch \"pi\" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "
               "\"OnFailure\", \"Never\"";
        QTest::newRow("Job without restartPolicy")
            << job << "spec.template.spec.restartPolicy" << "null"
            << "Job.batch \"pi\" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "
               "\"OnFailure\", \"Never\"";
        QTest::newRow("Job negative parallelism")
            << job << "spec.parallelism" << "-1"
            << "Job.batch \"pi\" is invalid: spec.parallelism: Invalid value: -1: must be greater than or equal to 0";
        QTest::newRow("Job negative backoffLimit")
            << job << "spec.backoffLimit" << "-2"
            << "Job.batch \"pi\" is invalid: spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0";
        QTest::newRow("Job completion mode")
            << job << "spec.completionMode" << R"("Sequential")"
            << "Job.batch \"pi\" is invalid: spec.completionMode: Unsupported value: \"Sequential\": supported values: "
               "\"NonIndexed\", \"Indexed\"";
        QTest::newRow("Job backoffLimitPerIndex without Indexed")
            << job << "spec.backoffLimitPerIndex" << "1"
            << "Job.batch \"pi\" is invalid: spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode";
        QTest::newRow("Job podReplacementPolicy")
            << job << "spec.podReplacementPolicy" << R"("Always")"
            << "Job.batch \"pi\" is invalid: spec.podReplacementPolicy: Unsupported value: \"Always\": supported "
               "values: \"Failed\", \"TerminatingOrFailed\"";
        QTest::newRow("Job wrong generated label")
            << job << "spec.template.metadata.labels" << R"({"job-name":"other"})"
            << "Job.batch \"pi\" is invalid: spec.template.metadata.labels[job-name]: Invalid value: map[string]string{"
               "\"batch.kubernetes.io/controller-uid\":\"UID\", \"batch.kubernetes.io/job-name\":\"pi\", "
               "\"controller-uid\":\"UID\", \"job-name\":\"other\"}: must be 'pi'";
        QTest::newRow("Job with restartPolicy OnFailure is valid")
            << job << "spec.template.spec.restartPolicy" << R"("OnFailure")" << "";
    }

    void badInputs()
    {
        QFETCH(QString, manifest);
        QFETCH(QString, path);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        Json object = yaml(manifest.toUtf8().constData());
        const Json v = Json::parse(value.toStdString());
        if (v.is_null()) {
            Json *parent = &object;
            const std::string p = path.toStdString();
            size_t start = 0;
            for (size_t dot; (dot = p.find('.', start)) != std::string::npos; start = dot + 1)
                parent = &(*parent)[p.substr(start, dot - start)];
            parent->erase(p.substr(start));
        } else {
            set(object, path.toStdString(), v);
        }
        auto created = create(object);
        if (expected.isEmpty()) {
            QVERIFY2(created.ok(), created.ok() ? "" : created.error().message.c_str());
            return;
        }
        QVERIFY(!created.ok());
        QCOMPARE(created.error().kind, ErrorKind::Invalid);
        std::string message = created.error().message;
        // Generated uids differ per run; the expected messages write UID.
        const std::string uidLabel = "controller-uid\":\"";
        for (size_t at = 0; (at = message.find(uidLabel, at)) != std::string::npos;) {
            at += uidLabel.size();
            const size_t end = message.find('"', at);
            message.replace(at, end - at, "UID");
        }
        QCOMPARE(QString::fromStdString(message), expected);
    }

    void podFailurePolicyRules()
    {
        Json object = yaml(kJob);
        set(object, "spec.template.spec.restartPolicy", "OnFailure");
        set(object, "spec.podFailurePolicy",
            yaml("{rules: [{action: FailJob, onExitCodes: {operator: In, values: [3, 0, 3]}}, {action: Retry, "
                 "onExitCodes: {operator: NotIn, values: [1]}, onPodConditions: [{type: DisruptionTarget}]}]}"));
        auto created = create(object);
        QVERIFY(!created.ok());
        const std::string lines = linesOf(created.error());
        for (const char *line : {
                 "spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator",
                 "spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 3",
                 "spec.podFailurePolicy.rules[1].action: Unsupported value: \"Retry\": supported values: \"Count\", "
                 "\"FailIndex\", \"FailJob\", \"Ignore\"",
                 "spec.template.spec.restartPolicy: Invalid value: \"OnFailure\": only \"Never\" is supported when "
                 "podFailurePolicy is specified",
             })
            QVERIFY2(lines.find(line) != std::string::npos, qPrintable(QString::fromStdString(lines)));
    }

    void indexedJobNameMustFitHostnames()
    {
        Json object = yaml(kJob);
        const std::string name(62, 'a');
        set(object, "metadata.name", name);
        set(object, "spec.completionMode", "Indexed");
        set(object, "spec.completions", 10);
        auto created = create(object);
        QVERIFY(!created.ok());
        QCOMPARE(QString::fromStdString(linesOf(created.error())),
                 QString::fromStdString("metadata.name: Invalid value: \"" + name +
                                        "\": will not able to create pod with invalid DNS label: " + name + "-9"));
    }

    void deploymentSelectorIsImmutable()
    {
        const StoredObject d = mustCreate(yaml(kDeployment));
        Json changed = d.object;
        set(changed, "spec.selector", yaml("{matchLabels: {app: web2}}"));
        set(changed, "spec.template.metadata.labels", yaml("{app: web2}"));
        auto updated = update(changed, d);
        QVERIFY(!updated.ok());
        QCOMPARE(QString::fromStdString(updated.error().message),
                 QString("Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:"
                         "map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: "
                         "field is immutable"));
    }

    void replicaSetSelectorIsImmutable()
    {
        const StoredObject rs = mustCreate(yaml(kReplicaSet));
        Json changed = rs.object;
        set(changed, "spec.selector", yaml("{matchLabels: {app: web, tier: a}}"));
        set(changed, "spec.template.metadata.labels", yaml("{app: web, tier: a}"));
        auto updated = update(changed, rs);
        QVERIFY(!updated.ok());
        QCOMPARE(QString::fromStdString(linesOf(updated.error())),
                 QString("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", "
                         "\"tier\":\"a\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"));
    }

    void generationCountsSpecChanges()
    {
        const StoredObject d = mustCreate(yaml(kDeployment));
        // The same manifest again, without the defaults: nothing changed.
        Json same = yaml(kDeployment);
        same["metadata"]["resourceVersion"] = d.object["metadata"]["resourceVersion"];
        auto unchanged = update(same, d);
        QVERIFY(unchanged.ok());
        QCOMPARE(integer(unchanged->object, {"metadata", "generation"}), 1LL);

        Json scaled = unchanged->object;
        scaled["spec"]["replicas"] = 4;
        auto afterScale = update(scaled, *unchanged);
        QVERIFY(afterScale.ok());
        QCOMPARE(integer(afterScale->object, {"metadata", "generation"}), 2LL);

        // Deployments count annotation changes too (they are copied onto ReplicaSets).
        Json annotated = afterScale->object;
        annotated["metadata"]["annotations"]["note"] = "x";
        auto afterAnnotation = update(annotated, *afterScale);
        QVERIFY(afterAnnotation.ok());
        QCOMPARE(integer(afterAnnotation->object, {"metadata", "generation"}), 3LL);

        // A main-resource update keeps the status.
        Json withStatus = afterAnnotation->object;
        withStatus["status"] = yaml("{replicas: 9}");
        auto kept = update(withStatus, *afterAnnotation);
        QVERIFY(kept.ok());
        QCOMPARE(kept->object["status"], Json::object());
    }

    void replicaSetIgnoresAnnotationsForGeneration()
    {
        const StoredObject rs = mustCreate(yaml(kReplicaSet));
        Json annotated = rs.object;
        annotated["metadata"]["annotations"]["note"] = "x";
        auto updated = update(annotated, rs);
        QVERIFY(updated.ok());
        QCOMPARE(integer(updated->object, {"metadata", "generation"}), 1LL);
    }

    void jobTemplateIsImmutable()
    {
        const StoredObject job = mustCreate(yaml(kJob));
        Json changed = job.object;
        changed["spec"]["template"]["spec"]["containers"][0]["image"] = "perl:5";
        auto updated = update(changed, job);
        QVERIFY(!updated.ok());
        const QString lines = QString::fromStdString(linesOf(updated.error()));
        QVERIFY2(lines.startsWith("spec.template: Invalid value: core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{Name:\"\""),
                 qPrintable(lines));
        QVERIFY2(lines.endsWith(": field is immutable"), qPrintable(lines));
        QVERIFY(!lines.contains('\n'));
    }

    void suspendedJobMayMoveItsPods()
    {
        Json object = yaml(kJob);
        set(object, "spec.suspend", true);
        const StoredObject job = mustCreate(object);
        Json moved = job.object;
        moved["spec"]["template"]["spec"]["nodeSelector"] = yaml("{disk: ssd}");
        moved["spec"]["template"]["spec"]["tolerations"] = yaml("[{key: a, operator: Exists}]");
        auto updated = update(moved, job);
        QVERIFY2(updated.ok(), updated.ok() ? "" : updated.error().message.c_str());
        QCOMPARE(integer(updated->object, {"metadata", "generation"}), 2LL);

        // Everything else in the template stays fixed.
        Json changed = updated->object;
        changed["spec"]["template"]["spec"]["containers"][0]["image"] = "perl:5";
        QVERIFY(!update(changed, *updated).ok());
    }

    void jobCompletionsAreImmutable()
    {
        const StoredObject job = mustCreate(yaml(kJob));
        Json changed = job.object;
        changed["spec"]["completions"] = 2;
        auto updated = update(changed, job);
        QVERIFY(!updated.ok());
        QCOMPARE(QString::fromStdString(linesOf(updated.error())),
                 QString("spec.completions: Invalid value: 2: field is immutable"));

        // Indexed Jobs scale completions together with parallelism.
        Json indexed = yaml(kJob);
        set(indexed, "metadata.name", "idx");
        set(indexed, "spec.completionMode", "Indexed");
        set(indexed, "spec.completions", 3);
        set(indexed, "spec.parallelism", 3);
        const StoredObject elastic = mustCreate(indexed);
        Json both = elastic.object;
        both["spec"]["completions"] = 5;
        both["spec"]["parallelism"] = 5;
        QVERIFY(update(both, elastic).ok());
        Json alone = elastic.object;
        alone["spec"]["completions"] = 4;
        auto rejected = update(alone, elastic);
        QVERIFY(!rejected.ok());
        QCOMPARE(QString::fromStdString(linesOf(rejected.error())),
                 QString("spec.completions: Invalid value: 4: can only be modified in tandem with spec.parallelism"));
    }

    void jobSelectorIsImmutable()
    {
        const StoredObject job = mustCreate(yaml(kJob));
        Json changed = job.object;
        changed["spec"]["selector"]["matchLabels"]["extra"] = "x";
        changed["spec"]["template"]["metadata"]["labels"]["extra"] = "x";
        auto updated = update(changed, job);
        QVERIFY(!updated.ok());
        QVERIFY(linesOf(updated.error()).find("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]"
                                              "string{\"batch.kubernetes.io/controller-uid\":\"" +
                                              job.uid() + "\", \"extra\":\"x\"}") != std::string::npos);
    }

    void goSyntax()
    {
        using namespace cd::api::gosyntax;
        QCOMPARE(quote("a\"b\\c\n\x01é"), std::string("\"a\\\"b\\\\c\\n\\x01é\""));
        QCOMPARE(quote("\xff"), std::string("\"\\xff\""));
        QCOMPARE(stringMap(nullptr), std::string("map[string]string(nil)"));
        const Json labels = yaml("{b: '2', a: '1'}");
        QCOMPARE(stringMap(&labels), std::string("map[string]string{\"a\":\"1\", \"b\":\"2\"}"));
        QCOMPARE(labelSelector(yaml("{matchExpressions: [{key: k, operator: Exists}]}")),
                 std::string("v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1."
                             "LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"k\", Operator:\"Exists\", "
                             "Values:[]string(nil)}}}"));
        QCOMPARE(intOrString(Json(3)), std::string("intstr.IntOrString{Type:0, IntVal:3, StrVal:\"\"}"));
        QCOMPARE(intOrString(Json("25%")), std::string("intstr.IntOrString{Type:1, IntVal:0, StrVal:\"25%\"}"));
        // Slices: nil and empty differ, as in Go; the type name is the caller's.
        QCOMPARE(slice(nullptr), std::string("[]string(nil)"));
        const Json empty = Json::array();
        QCOMPARE(slice(&empty, "[]int32"), std::string("[]int32{}"));
        const Json families = yaml("[IPv4, IPv6]");
        QCOMPARE(slice(&families, "[]core.IPFamily"), std::string("[]core.IPFamily{\"IPv4\", \"IPv6\"}"));
        const Json codes = yaml("[3, 1]");
        QCOMPARE(slice(&codes, "[]int32"), std::string("[]int32{3, 1}"));
        QCOMPARE(quote("\a\v\x7f"), std::string("\"\\a\\v\\x7f\""));
    }
};

QTEST_GUILESS_MAIN(TstWorkloads)
#include "tst_workloads.moc"
