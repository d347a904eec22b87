// Kubernetes protobuf request bodies to JSON. The golden files under data/protobuf are bodies
// captured from kubectl v1.32 (its typed clients send built-in kinds as protobuf) with, beside
// each, the JSON kubectl sends for the same command (--dry-run=client -o json); see the README
// there for the few built by hand. The other tests build messages by hand to reach what kubectl's
// commands do not send.

#include "engine/api/decode.h"
#include "engine/api/protobuf.h"
#include "engine/api/schemas.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <set>

using cd::Json;
using namespace cd::api;

Q_DECLARE_METATYPE(std::string)

namespace {

// --- a minimal protobuf writer for hand-built messages ---------------------------------------

std::string varint(uint64_t value)
{
    std::string out;
    do {
        char byte = static_cast<char>(value & 0x7f);
        value >>= 7;
        if (value)
            byte = static_cast<char>(byte | 0x80);
        out += byte;
    } while (value);
    return out;
}

std::string key(int number, int wireType)
{
    return varint(static_cast<uint64_t>(number) << 3 | static_cast<uint64_t>(wireType));
}

std::string num(int number, int64_t value)
{
    return key(number, 0) + varint(static_cast<uint64_t>(value));
}

std::string bytes(int number, const std::string &payload)
{
    return key(number, 2) + varint(payload.size()) + payload;
}

std::string envelope(const std::string &apiVersion, const std::string &kind, const std::string &raw)
{
    return std::string("k8s\0", 4) + bytes(1, bytes(1, apiVersion) + bytes(2, kind)) + bytes(2, raw);
}

Json parse(const std::string &text)
{
    Json value = Json::parse(text, nullptr, false);
    if (value.is_discarded())
        qFatal("bad JSON in test: %s", text.c_str());
    return value;
}

QString describe(const Json &actual, const Json &expected)
{
    return QStringLiteral("\nactual:   %1\nexpected: %2")
        .arg(QString::fromStdString(actual.dump()), QString::fromStdString(expected.dump()));
}

// QVERIFY(decoded.ok()) that prints the error.
#define VERIFY_OK(result) QVERIFY2((result).ok(), (result).ok() ? "" : (result).error().message.c_str())

#define COMPARE_JSON(actual, expected)                                                                                 \
    do {                                                                                                               \
        const Json actualValue = (actual), expectedValue = (expected);                                                 \
        if (actualValue != expectedValue)                                                                              \
            QFAIL(qPrintable(describe(actualValue, expectedValue)));                                                   \
    } while (false)

QString dataDir()
{
    return qEnvironmentVariable("CLUSTERDECK_SOURCE_DIR", QStringLiteral(".")) +
           QStringLiteral("/tests/engine/api/data/protobuf");
}

std::string readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return file.readAll().toStdString();
}

const std::string kSpecial[] = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity", "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time",     "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1", "io.k8s.apimachinery.pkg.runtime.RawExtension",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Duration",
};

bool isSpecial(const std::string &name)
{
    for (const std::string &s : kSpecial)
        if (s == name)
            return true;
    return false;
}

} // namespace

class TestProtobuf : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyReachablePropertyHasANumber();
    void everyNumberNamesAProperty();
    void goldenBodies_data();
    void goldenBodies();
    void scalars();
    void zeroValuesFollowGoJson();
    void negativeInt32();
    void repeatedPackedAndNot();
    void mapsAndBytes();
    void specialTypes();
    void inlineAndWrapped();
    void unknownFieldsAreReported();
    void errors_data();
    void errors();
    void decodeBodyByContentType();
};

// Every property of every object definition the served kinds reach needs a number, or a
// protobuf body would silently lose it. apiVersion and kind have none where they are TypeMeta:
// they travel in the envelope.
void TestProtobuf::everyReachablePropertyHasANumber()
{
    const SchemaRegistry &schemas = SchemaRegistry::builtin();
    const ProtobufFields &fields = ProtobufFields::builtin();
    std::vector<std::string> roots;
    for (auto it = schemas.definitions().begin(); it != schemas.definitions().end(); ++it)
        if (it.value().contains("x-kubernetes-group-version-kind"))
            roots.push_back(it.key());
    QVERIFY(roots.size() > 40);
    int checked = 0;
    QStringList missing;
    for (const std::string &name : schemas.closure(roots)) {
        const Json *schema = schemas.definition(name);
        if (isSpecial(name) || !schema->contains("properties"))
            continue;
        if (!fields.describes(name)) {
            missing << QString::fromStdString(name + " (no numbers at all)");
            continue;
        }
        const std::vector<std::string> numbered = fields.properties(name);
        const std::set<std::string> have(numbered.begin(), numbered.end());
        for (auto p = (*schema)["properties"].begin(); p != (*schema)["properties"].end(); ++p) {
            ++checked;
            if (!have.count(p.key()) && p.key() != "apiVersion" && p.key() != "kind")
                missing << QString::fromStdString(name + "." + p.key());
        }
    }
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(", ")));
    QVERIFY(checked > 1000);
}

// The reverse: no number names a property the schema lacks (a typo would make a field unknown).
void TestProtobuf::everyNumberNamesAProperty()
{
    const SchemaRegistry &schemas = SchemaRegistry::builtin();
    const ProtobufFields &fields = ProtobufFields::builtin();
    QStringList wrong;
    for (auto it = schemas.definitions().begin(); it != schemas.definitions().end(); ++it) {
        if (!fields.describes(it.key()))
            continue;
        for (const std::string &property : fields.properties(it.key()))
            if (!schemas.rawProperty(&it.value(), property))
                wrong << QString::fromStdString(it.key() + "." + property);
    }
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(", ")));
    // Spot checks against k8s.io/api v1.32 generated.proto.
    QCOMPARE(fields.field("io.k8s.api.core.v1.ContainerPort", 3)->name, std::string("containerPort"));
    QCOMPARE(fields.field("io.k8s.api.core.v1.PodSpec", 40)->name, std::string("resources"));
    QCOMPARE(fields.field("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", 17)->name, std::string("managedFields"));
    QCOMPARE(fields.field("io.k8s.api.core.v1.Volume", 2)->inlineDefinition,
             std::string("io.k8s.api.core.v1.VolumeSource"));
    QVERIFY(fields.field("io.k8s.api.apps.v1.DeploymentSpec", 1)->emitZero);               // *int32 replicas
    QVERIFY(!fields.field("io.k8s.api.apps.v1.DeploymentSpec", 5)->emitZero);              // minReadySeconds,omitempty
    QVERIFY(fields.field("io.k8s.apimachinery.pkg.apis.meta.v1.APIResource", 4)->wrapped); // Verbs
    QVERIFY(!fields.field("io.k8s.api.apps.v1.DeploymentSpec", 8)); // rollbackTo: gone since extensions
}

void TestProtobuf::goldenBodies_data()
{
    QTest::addColumn<QString>("name");
    const QStringList bodies = QDir(dataDir()).entryList({QStringLiteral("*.pb")}, QDir::Files, QDir::Name);
    QVERIFY2(bodies.size() >= 8, qPrintable(dataDir()));
    for (const QString &file : bodies) {
        const QString name = file.chopped(3);
        QTest::newRow(qPrintable(name)) << name;
    }
}

void TestProtobuf::goldenBodies()
{
    QFETCH(QString, name);
    const std::string body = readFile(dataDir() + "/" + name + ".pb");
    const Json expected = parse(readFile(dataDir() + "/" + name + ".json"));
    auto decoded = decodeProtobuf(body);
    VERIFY_OK(decoded);
    QVERIFY(decoded->unknownFields.empty());
    COMPARE_JSON(decoded->value, expected);
}

void TestProtobuf::scalars()
{
    // ContainerPort {1 name, 2 hostPort, 3 containerPort, 4 protocol, 5 hostIP}
    auto decoded = decodeProtobufMessage(bytes(1, "http") + num(3, 8080) + bytes(4, "TCP") + num(2, 30080),
                                         "io.k8s.api.core.v1.ContainerPort");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"name":"http","containerPort":8080,"protocol":"TCP","hostPort":30080})"));
    // A later occurrence of a scalar wins, as in Go.
    decoded = decodeProtobufMessage(num(3, 1) + num(3, 2), "io.k8s.api.core.v1.ContainerPort");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"containerPort":2})"));
    // Bools and int64.
    decoded = decodeProtobufMessage(num(1, 30) + num(3, 1) + bytes(4, "Foreground"),
                                    "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"gracePeriodSeconds":30,"orphanDependents":true,
                                          "propagationPolicy":"Foreground"})"));
}

// Kubernetes' encoder writes every non-pointer scalar, zero or not; the JSON keeps a zero only
// where Go's encoder would (pointers, and fields without omitempty).
void TestProtobuf::zeroValuesFollowGoJson()
{
    // DeploymentSpec: 1 replicas (*int32), 5 minReadySeconds (int32,omitempty), 7 paused (bool,omitempty)
    auto decoded = decodeProtobufMessage(num(1, 0) + num(5, 0) + num(7, 0), "io.k8s.api.apps.v1.DeploymentSpec");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"replicas":0})"));
    // ContainerPort.containerPort has no omitempty; hostPort has; name "" is dropped.
    decoded = decodeProtobufMessage(bytes(1, "") + num(2, 0) + num(3, 0), "io.k8s.api.core.v1.ContainerPort");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"containerPort":0})"));
    // Nested value structs are always written, and kept even when empty (Go never omits a struct).
    decoded = decodeProtobufMessage(bytes(1, "") + bytes(2, "") + bytes(3, ""), "io.k8s.api.core.v1.Namespace");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"metadata":{},"spec":{},"status":{}})"));
}

void TestProtobuf::negativeInt32()
{
    // int32 -1 travels as a 10-byte varint (sign-extended to 64 bits).
    const std::string minusOne = num(5, -1);
    QCOMPARE(minusOne.size(), size_t(11));
    // TopologySpreadConstraint.maxSkew is field 1 (int32), minDomains field 5 (*int32).
    auto decoded = decodeProtobufMessage(num(1, -2) + minusOne, "io.k8s.api.core.v1.TopologySpreadConstraint");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"maxSkew":-2,"minDomains":-1})"));
    // int64 keeps the full range.
    decoded = decodeProtobufMessage(num(1, -9000000000LL), "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"gracePeriodSeconds":-9000000000})"));
}

void TestProtobuf::repeatedPackedAndNot()
{
    // PodFailurePolicyOnExitCodesRequirement {1 containerName, 2 operator, 3 values (repeated int32)}
    const std::string packed = bytes(3, varint(1) + varint(2) + varint(static_cast<uint64_t>(-3LL)));
    auto decoded = decodeProtobufMessage(bytes(2, "In") + packed + num(3, 42),
                                         "io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"operator":"In","values":[1,2,-3,42]})"));
    // Repeated strings and messages, one field occurrence per item.
    const std::string container = bytes(1, "web") + bytes(2, "nginx") + bytes(3, "sh") + bytes(3, "-c") +
                                  bytes(6, num(3, 80)) + bytes(6, num(3, 443));
    decoded = decodeProtobufMessage(container, "io.k8s.api.core.v1.Container");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"name":"web","image":"nginx","command":["sh","-c"],
                                          "ports":[{"containerPort":80},{"containerPort":443}]})"));
}

void TestProtobuf::mapsAndBytes()
{
    // Secret {1 metadata, 2 data map<string,bytes>, 3 type, 4 stringData map<string,string>}
    const std::string secret =
        bytes(2, bytes(1, "p") + bytes(2, "q")) + bytes(2, bytes(1, "bin") + bytes(2, std::string("\x00\xff", 2))) +
        bytes(4, bytes(1, "s") + bytes(2, "t")) + bytes(3, "Opaque") + bytes(2, bytes(1, "empty"));
    auto decoded = decodeProtobufMessage(secret, "io.k8s.api.core.v1.Secret");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"data":{"p":"cQ==","bin":"AP8=","empty":""},"stringData":{"s":"t"},
                                          "type":"Opaque"})"));
    // map<string, Quantity>: ResourceRequirements {1 limits, 2 requests}
    decoded = decodeProtobufMessage(bytes(1, bytes(1, "cpu") + bytes(2, bytes(1, "500m"))) +
                                        bytes(2, bytes(1, "memory") + bytes(2, bytes(1, "64Mi"))),
                                    "io.k8s.api.core.v1.ResourceRequirements");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"limits":{"cpu":"500m"},"requests":{"memory":"64Mi"}})"));
}

void TestProtobuf::specialTypes()
{
    // ServicePort.targetPort (4) is an IntOrString: {1 type, 2 intVal, 3 strVal}.
    auto decoded =
        decodeProtobufMessage(num(3, 80) + bytes(4, num(1, 0) + num(2, 8080)), "io.k8s.api.core.v1.ServicePort");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"port":80,"targetPort":8080})"));
    decoded =
        decodeProtobufMessage(num(3, 80) + bytes(4, num(1, 1) + bytes(3, "http")), "io.k8s.api.core.v1.ServicePort");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"port":80,"targetPort":"http"})"));
    // ObjectMeta: 8 creationTimestamp (Time, seconds only), 9 deletionTimestamp; an empty Time is null.
    decoded = decodeProtobufMessage(bytes(1, "x") + bytes(8, num(1, 1735787045) + num(2, 5)) + bytes(9, ""),
                                    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value,
                 parse(R"({"name":"x","creationTimestamp":"2025-01-02T03:04:05Z","deletionTimestamp":null})"));
    // MicroTime keeps microseconds: LeaseSpec.acquireTime (3), renewTime (4).
    decoded = decodeProtobufMessage(bytes(3, num(1, 1735787045) + num(2, 123456789)) + bytes(4, num(1, -86400)),
                                    "io.k8s.api.coordination.v1.LeaseSpec");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"acquireTime":"2025-01-02T03:04:05.123456Z",
                                          "renewTime":"1969-12-31T00:00:00.000000Z"})"));
    // FieldsV1 and RawExtension carry raw JSON: ManagedFieldsEntry.fieldsV1 (7).
    decoded = decodeProtobufMessage(bytes(1, "kubectl") + bytes(7, bytes(1, R"({"f:metadata":{"f:labels":{}}})")),
                                    "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"manager":"kubectl","fieldsV1":{"f:metadata":{"f:labels":{}}}})"));
    // WatchEvent {1 type, 2 object RawExtension}
    decoded = decodeProtobufMessage(bytes(1, "ADDED") + bytes(2, bytes(1, R"({"kind":"Pod"})")),
                                    "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"type":"ADDED","object":{"kind":"Pod"}})"));
    // Quantity in a plain field: EmptyDirVolumeSource.sizeLimit (2).
    decoded = decodeProtobufMessage(bytes(2, bytes(1, "1Gi")), "io.k8s.api.core.v1.EmptyDirVolumeSource");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"sizeLimit":"1Gi"})"));
}

void TestProtobuf::inlineAndWrapped()
{
    // Volume {1 name, 2 VolumeSource (inline)}; VolumeSource.emptyDir is 2.
    auto decoded = decodeProtobufMessage(bytes(1, "data") + bytes(2, bytes(2, "")), "io.k8s.api.core.v1.Volume");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"name":"data","emptyDir":{}})"));
    // ConfigMapKeySelector {1 LocalObjectReference (inline) {1 name}, 2 key, 3 optional}
    decoded = decodeProtobufMessage(bytes(1, bytes(1, "cfg")) + bytes(2, "k") + num(3, 0),
                                    "io.k8s.api.core.v1.ConfigMapKeySelector");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"name":"cfg","key":"k","optional":false})"));
    // Probe {1 ProbeHandler (inline) {1 exec {1 command}}, 2 initialDelaySeconds}
    decoded = decodeProtobufMessage(bytes(1, bytes(1, bytes(1, "true"))) + num(2, 5), "io.k8s.api.core.v1.Probe");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"exec":{"command":["true"]},"initialDelaySeconds":5})"));
    // APIResource.verbs (4) is metav1.Verbs: a message whose field 1 repeats the items.
    decoded = decodeProtobufMessage(bytes(1, "pods") + bytes(4, bytes(1, "get") + bytes(1, "list")),
                                    "io.k8s.apimachinery.pkg.apis.meta.v1.APIResource");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"name":"pods","verbs":["get","list"]})"));
}

void TestProtobuf::unknownFieldsAreReported()
{
    // ConfigMap {1 metadata, 2 data, 3 binaryData, 4 immutable}; 99 is no field, nor 50 in ObjectMeta.
    const std::string raw =
        bytes(1, bytes(1, "c") + bytes(50, "x")) + num(99, 7) + bytes(2, bytes(1, "a") + bytes(2, "b"));
    auto decoded = decodeProtobuf(envelope("v1", "ConfigMap", raw));
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value,
                 parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"b"}})"));
    QCOMPARE(decoded->unknownFields, (std::vector<std::string>{"metadata.#50", "#99"}));
    // decodeBody carries them for fieldValidation.
    auto body = decodeBody(envelope("v1", "ConfigMap", raw), "application/vnd.kubernetes.protobuf");
    VERIFY_OK(body);
    QCOMPARE(body->unknownFields, (std::vector<std::string>{"metadata.#50", "#99"}));
}

void TestProtobuf::errors_data()
{
    QTest::addColumn<std::string>("body");
    QTest::addColumn<std::string>("message");
    const std::string prefix("k8s\0", 4);
    QTest::newRow("no magic") << std::string("{\"kind\":\"Pod\"}")
                              << std::string("the protobuf request body could not be read: it does not start with the "
                                             "4 bytes \"k8s\\x00\" of a Kubernetes protobuf message");
    QTest::newRow("no kind") << prefix + bytes(2, "")
                             << std::string("the protobuf request body could not be read: the envelope names no kind");
    QTest::newRow("unknown kind") << envelope("v1", "Gadget", "")
                                  << std::string("the protobuf request body could not be read: no kind \"Gadget\" is "
                                                 "registered for version \"v1\"");
    QTest::newRow("content encoding") << prefix + bytes(1, bytes(1, "v1") + bytes(2, "Namespace")) + bytes(3, "gzip")
                                      << std::string("the protobuf request body could not be read: content encoding "
                                                     "\"gzip\" is not supported");
    // Namespace {1 metadata {1 name}}: the name says 10 bytes, 2 remain. Offsets count from the body start.
    const std::string head = prefix + bytes(1, bytes(1, "v1") + bytes(2, "Namespace"));
    std::string truncated = head + key(2, 2) + varint(6) + key(1, 2) + varint(4) + key(1, 2) + varint(10) + "ab";
    QTest::newRow("truncated string") << truncated
                                      << "the protobuf request body could not be read at byte " +
                                             std::to_string(head.size() + 5) +
                                             " (metadata): field 1 says it has 10 bytes but only 2 remain";
    QTest::newRow("truncated raw") << head + key(2, 2) + varint(50) + "xx"
                                   << "the protobuf request body could not be read at byte " +
                                          std::to_string(head.size() + 1) +
                                          " (envelope): field 2 says it has 50 bytes but only 2 remain";
    // Deployment {2 spec {...}}: the spec message starts 4 bytes into the object.
    const std::string deployment = prefix + bytes(1, bytes(1, "apps/v1") + bytes(2, "Deployment"));
    auto withSpec = [&](const std::string &spec) { return deployment + bytes(2, bytes(2, spec)); };
    const std::string specAt = std::to_string(deployment.size() + 4);
    const std::string at = "the protobuf request body could not be read at byte ";
    QTest::newRow("wrong wire type") << withSpec(bytes(1, "3"))
                                     << at + specAt +
                                            " (spec.replicas): field 1 is length-delimited but an integer (varint) "
                                            "is expected";
    QTest::newRow("group wire type") << withSpec(key(2, 3))
                                     << at + specAt + " (spec): field 2 has wire type 3, which Kubernetes never writes";
    QTest::newRow("cut varint") << withSpec(key(1, 0) + "\xff")
                                << at + std::to_string(deployment.size() + 5) + " (spec): a varint is cut short";
    QTest::newRow("long varint") << withSpec(key(1, 0) + std::string(10, '\xff') + "\x01")
                                 << at + std::to_string(deployment.size() + 5) + " (spec): a varint overflows 64 bits";
    QTest::newRow("field zero") << withSpec(key(0, 0) + varint(1))
                                << at + specAt + " (spec): field number 0 is out of range";
    // Namespace {1 metadata {17 managedFields {7 fieldsV1 {1 raw}}}} whose raw bytes are not JSON.
    const std::string notJson = head + bytes(2, bytes(1, bytes(17, bytes(7, bytes(1, "{nope")))));
    QTest::newRow("raw not json") << notJson
                                  << at + std::to_string(notJson.find("{nope")) +
                                         " (metadata.managedFields[0].fieldsV1): the embedded raw object is not JSON";
    const std::string deep =
        head + bytes(2, bytes(1, bytes(17, bytes(7, bytes(1, std::string(101, '[') + std::string(101, ']'))))));
    QTest::newRow("raw too deep") << deep
                                  << at + std::to_string(deep.find('[')) +
                                         " (metadata.managedFields[0].fieldsV1): the embedded raw object is nested "
                                         "more than 100 levels deep";
}

void TestProtobuf::errors()
{
    QFETCH(std::string, body);
    QFETCH(std::string, message);
    auto decoded = decodeProtobuf(body);
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().kind, cd::ErrorKind::BadRequest);
    QCOMPARE(decoded.error().message, message);
}

void TestProtobuf::decodeBodyByContentType()
{
    const std::string body =
        envelope("v1", "Namespace", bytes(1, bytes(1, "team-a")) + bytes(2, "") + bytes(3, bytes(1, "")));
    auto decoded = decodeBody(body, "application/vnd.kubernetes.protobuf");
    VERIFY_OK(decoded);
    COMPARE_JSON(decoded->value, parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"},
                                          "spec":{},"status":{}})"));
    // Without the content type the same bytes are not JSON.
    QVERIFY(!decodeBody(body, "application/json").ok());
}

QTEST_GUILESS_MAIN(TestProtobuf)
#include "tst_protobuf.moc"
