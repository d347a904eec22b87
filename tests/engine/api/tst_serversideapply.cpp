// Server-side apply against the bundled schemas: ownership in managedFields (FieldsV1), removal of
// fields a manager stopped applying, conflicts between appliers and forcing them.

#include "engine/api/patch/patch.h"
#include "engine/api/schemas.h"
#include "engine/core/clock.h"

#include <QTest>

using cd::Json;
using namespace cd::api;

namespace {

const std::string kDeployment = "io.k8s.api.apps.v1.Deployment";
const std::string kService = "io.k8s.api.core.v1.Service";
const std::string kConfigMap = "io.k8s.api.core.v1.ConfigMap";

Json parse(const char *text)
{
    Json value = Json::parse(text, nullptr, false);
    if (value.is_discarded())
        qFatal("bad JSON in test: %s", text);
    return value;
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

const char *kWebConfig = R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"web","namespace":"default","labels":{"app":"web","tier":"front"}},
    "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
            "template":{"metadata":{"labels":{"app":"web"}},
                        "spec":{"containers":[{"name":"web","image":"nginx:1.25","ports":[{"containerPort":80}]}]}}}})";

// What the store adds on create: identity, defaults, status. Apply must keep all of it.
Json stored(Json object)
{
    object["metadata"]["uid"] = "1234";
    object["metadata"]["resourceVersion"] = "7";
    object["metadata"]["creationTimestamp"] = "2025-01-01T00:00:00Z";
    object["spec"]["strategy"] =
        parse(R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}})");
    object["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "IfNotPresent";
    object["status"] = parse(R"({"replicas":2})");
    return object;
}

Json entryOf(const Json &object, const std::string &manager)
{
    for (const Json &entry : object["metadata"]["managedFields"])
        if (entry["manager"] == manager)
            return entry;
    return Json();
}

ApplyResult apply(const Json &live, const Json &config, const std::string &manager, bool force = false,
                  const std::string &definition = kDeployment)
{
    auto result = applyServerSide(SchemaRegistry::builtin(), definition, live, config, manager, force,
                                  definition == kDeployment ? "apps/v1" : "v1");
    if (!result.ok())
        qFatal("apply failed: %s", result.error().message.c_str());
    return std::move(result).value();
}

} // namespace

class TestServerSideApply : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { cd::Clock::install(&m_clock); }
    void cleanupTestCase() { cd::Clock::install(nullptr); }

    void create();
    void reapplyUnchanged();
    void removedFieldsGo();
    void removedContainerGoes();
    void emptiedMapGoes();
    void conflictBetweenManagers();
    void sameValueIsShared();
    void forceTakesOwnership();
    void setListUnion();
    void keyedListsShareItems();
    void mapKeysWithDefaults();
    void statusAndUpdateEntries();
    void duplicateKeysAreRejected();

private:
    cd::FakeClock m_clock;
};

void TestServerSideApply::create()
{
    const ApplyResult result = apply(Json(), parse(kWebConfig), "kubectl");
    QVERIFY(result.conflicts.empty());
    Json expected = parse(kWebConfig);
    expected["metadata"]["managedFields"] = Json::array({{
        {"manager", "kubectl"},
        {"operation", "Apply"},
        {"apiVersion", "apps/v1"},
        {"time", cd::rfc3339(m_clock.now())},
        {"fieldsType", "FieldsV1"},
        {"fieldsV1", parse(R"({
            "f:metadata":{"f:labels":{"f:app":{},"f:tier":{}}},
            "f:spec":{"f:replicas":{},"f:selector":{},
                      "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},
                                    "f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},
                                        "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})")},
    }});
    COMPARE_JSON(result.object, expected);
}

void TestServerSideApply::reapplyUnchanged()
{
    const Json live = stored(apply(Json(), parse(kWebConfig), "kubectl").object);
    m_clock.advance(std::chrono::minutes(5));
    const ApplyResult again = apply(live, parse(kWebConfig), "kubectl");
    QVERIFY(again.conflicts.empty());
    COMPARE_JSON(again.object, live);
}

void TestServerSideApply::removedFieldsGo()
{
    const Json live = stored(apply(Json(), parse(kWebConfig), "kubectl").object);
    Json config = parse(kWebConfig);
    config["metadata"]["labels"].erase("tier");
    config["spec"].erase("replicas");
    m_clock.advance(std::chrono::minutes(1));
    const ApplyResult result = apply(live, config, "kubectl");

    Json expected = live;
    expected["metadata"]["labels"].erase("tier");
    expected["spec"].erase("replicas");
    Json &fields = expected["metadata"]["managedFields"][0];
    fields["time"] = cd::rfc3339(m_clock.now());
    fields["fieldsV1"]["f:metadata"]["f:labels"].erase("f:tier");
    fields["fieldsV1"]["f:spec"].erase("f:replicas");
    COMPARE_JSON(result.object, expected);
}

void TestServerSideApply::removedContainerGoes()
{
    Json config = parse(kWebConfig);
    config["spec"]["template"]["spec"]["containers"].push_back({{"name", "sidecar"}, {"image", "busybox"}});
    const Json live = stored(apply(Json(), config, "kubectl").object);
    QCOMPARE(live["spec"]["template"]["spec"]["containers"].size(), size_t(2));

    const ApplyResult result = apply(live, parse(kWebConfig), "kubectl");
    const Json &containers = result.object["spec"]["template"]["spec"]["containers"];
    QCOMPARE(containers.size(), size_t(1));
    COMPARE_JSON(containers[0]["name"], Json("web"));
    COMPARE_JSON(containers[0]["imagePullPolicy"], Json("IfNotPresent")); // a default nobody applied stays
    const Json fields = entryOf(result.object, "kubectl")["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"];
    QVERIFY(!fields.contains("k:{\"name\":\"sidecar\"}"));
}

void TestServerSideApply::emptiedMapGoes()
{
    const Json first = parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"1"}},
                                 "data":{"k":"v"}})");
    const Json live = apply(Json(), first, "kubectl", false, kConfigMap).object;
    const Json second = parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}})");
    const ApplyResult result = apply(live, second, "kubectl", false, kConfigMap);
    QVERIFY(!result.object["metadata"].contains("labels"));
    COMPARE_JSON(entryOf(result.object, "kubectl")["fieldsV1"], parse(R"({"f:data":{"f:k":{}}})"));
}

void TestServerSideApply::conflictBetweenManagers()
{
    const Json live = stored(apply(Json(), parse(kWebConfig), "kubectl").object);
    const Json scale = parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
                                 "spec":{"replicas":5,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}})");
    const ApplyResult result = apply(live, scale, "other-manager");
    const std::vector<std::string> expected = {
        "conflict with \"kubectl\" using apps/v1: .spec.replicas",
        "conflict with \"kubectl\" using apps/v1: .spec.template.spec.containers[name=\"web\"].image",
    };
    QCOMPARE(result.conflicts, expected);
    COMPARE_JSON(result.object, live);
}

void TestServerSideApply::sameValueIsShared()
{
    Json live = stored(apply(Json(), parse(kWebConfig), "kubectl").object);
    const Json same =
        parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}})");
    live = apply(live, same, "autoscaler").object;
    QVERIFY(entryOf(live, "autoscaler")["fieldsV1"]["f:spec"].contains("f:replicas"));
    QVERIFY(entryOf(live, "kubectl")["fieldsV1"]["f:spec"].contains("f:replicas"));

    // kubectl stops applying replicas: the autoscaler still owns it, so it stays.
    Json config = parse(kWebConfig);
    config["spec"].erase("replicas");
    const ApplyResult result = apply(live, config, "kubectl");
    QVERIFY(result.conflicts.empty());
    COMPARE_JSON(result.object["spec"]["replicas"], Json(2));
    QVERIFY(!entryOf(result.object, "kubectl")["fieldsV1"]["f:spec"].contains("f:replicas"));
}

void TestServerSideApply::forceTakesOwnership()
{
    const Json live = stored(apply(Json(), parse(kWebConfig), "kubectl").object);
    const Json scale =
        parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5}})");
    const ApplyResult result = apply(live, scale, "autoscaler", true);
    QVERIFY(result.conflicts.empty());
    COMPARE_JSON(result.object["spec"]["replicas"], Json(5));
    QVERIFY(entryOf(result.object, "autoscaler")["fieldsV1"]["f:spec"].contains("f:replicas"));
    QVERIFY(!entryOf(result.object, "kubectl")["fieldsV1"]["f:spec"].contains("f:replicas"));
    QVERIFY(entryOf(result.object, "kubectl")["fieldsV1"]["f:spec"].contains("f:template"));

    // kubectl applying its manifest again now conflicts on replicas.
    const ApplyResult back = apply(result.object, parse(kWebConfig), "kubectl");
    QCOMPARE(back.conflicts, std::vector<std::string>{"conflict with \"autoscaler\" using apps/v1: .spec.replicas"});
}

void TestServerSideApply::setListUnion()
{
    const Json a =
        parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["example.com/a"]}})");
    const Json b =
        parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["example.com/b"]}})");
    Json live = apply(Json(), a, "first", false, kConfigMap).object;
    live = apply(live, b, "second", false, kConfigMap).object;
    COMPARE_JSON(live["metadata"]["finalizers"], parse(R"(["example.com/a","example.com/b"])"));
    COMPARE_JSON(entryOf(live, "second")["fieldsV1"],
                 parse(R"({"f:metadata":{"f:finalizers":{"v:\"example.com/b\"":{}}}})"));

    // The first manager drops its finalizer; the second one's stays.
    const Json none = parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}})");
    live = apply(live, none, "first", false, kConfigMap).object;
    COMPARE_JSON(live["metadata"]["finalizers"], parse(R"(["example.com/b"])"));
    COMPARE_JSON(live["data"], parse(R"({"k":"v"})"));
}

void TestServerSideApply::keyedListsShareItems()
{
    Json live = stored(apply(Json(), parse(kWebConfig), "kubectl").object);
    const Json sidecar = parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
        "spec":{"template":{"spec":{"containers":[{"name":"log","image":"fluentd"}]}}}})");
    live = apply(live, sidecar, "injector").object;
    const Json &containers = live["spec"]["template"]["spec"]["containers"];
    QCOMPARE(containers.size(), size_t(2));
    COMPARE_JSON(containers[0]["name"], Json("web"));
    COMPARE_JSON(containers[1]["name"], Json("log"));

    // kubectl re-applies its manifest: the injector's container is not kubectl's to remove.
    const ApplyResult again = apply(live, parse(kWebConfig), "kubectl");
    QVERIFY(again.conflicts.empty());
    QCOMPARE(again.object["spec"]["template"]["spec"]["containers"].size(), size_t(2));
}

void TestServerSideApply::mapKeysWithDefaults()
{
    const Json service = parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
        "spec":{"selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080},{"port":53,"protocol":"UDP"}]}})");
    const Json live = apply(Json(), service, "kubectl", false, kService).object;
    const Json ports = entryOf(live, "kubectl")["fieldsV1"]["f:spec"]["f:ports"];
    QVERIFY(ports.contains("k:{\"port\":80,\"protocol\":\"TCP\"}"));
    QVERIFY(ports.contains("k:{\"port\":53,\"protocol\":\"UDP\"}"));
    // A Service's selector is an atomic map (+mapType=atomic): owned whole, unlike labels.
    COMPARE_JSON(entryOf(live, "kubectl")["fieldsV1"]["f:spec"]["f:selector"], Json::object());
    COMPARE_JSON(entryOf(live, "kubectl")["fieldsV1"]["f:metadata"], Json());
}

void TestServerSideApply::statusAndUpdateEntries()
{
    Json live = stored(apply(Json(), parse(kWebConfig), "kubectl").object);
    const Json update = parse(R"({"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1",
        "time":"2025-01-01T00:00:00Z","fieldsType":"FieldsV1","subresource":"status",
        "fieldsV1":{"f:status":{"f:replicas":{}}}})");
    live["metadata"]["managedFields"].push_back(update);

    Json config = parse(kWebConfig);
    config["status"] = parse(R"({"replicas":99})");
    const ApplyResult result = apply(live, config, "kubectl");
    COMPARE_JSON(result.object["status"]["replicas"], Json(2));
    QCOMPARE(result.object["metadata"]["managedFields"].size(), size_t(2));
    COMPARE_JSON(entryOf(result.object, "kube-controller-manager"), update);
    QVERIFY(!entryOf(result.object, "kubectl")["fieldsV1"].contains("f:status"));
}

void TestServerSideApply::duplicateKeysAreRejected()
{
    Json config = parse(kWebConfig);
    config["spec"]["template"]["spec"]["containers"].push_back({{"name", "web"}, {"image", "x"}});
    auto result = applyServerSide(SchemaRegistry::builtin(), kDeployment, Json(), config, "kubectl", false, "apps/v1");
    QVERIFY(!result.ok());
    QCOMPARE(result.error().kind, cd::ErrorKind::BadRequest);
    QCOMPARE(result.error().message,
             std::string(".spec.template.spec.containers: duplicate entries for key [name=\"web\"]"));
}

QTEST_APPLESS_MAIN(TestServerSideApply)
#include "tst_serversideapply.moc"
