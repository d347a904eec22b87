// checkManifest: a manifest checked offline as the API server checks it on create. The upstream
// examples pass (except the listed ones), and broken variants of a good example give the exact
// Kubernetes message at the exact field path.

#include "engine/api/manifestcheck.h"
#include "engine/core/yaml.h"
#include "engine/core/yamlsource.h"
#include "tests/support/examples.h"

#include <QtTest>

#include <map>

using namespace cd;
using namespace cd::api;
using namespace cd::test;
using Severity = ManifestProblem::Severity;

namespace {

Json example(const QString &relativePath, int document = 0)
{
    const QByteArray text = readExample(relativePath);
    const auto documents = parseYamlSource(std::string_view(text.constData(), size_t(text.size())));
    int index = 0;
    for (const SourceDocument &d : documents) {
        if (d.empty)
            continue;
        if (index++ == document)
            return d.value;
    }
    qFatal("no document %d in %s", document, qPrintable(relativePath));
}

QString describe(const std::vector<ManifestProblem> &problems)
{
    QStringList lines;
    for (const ManifestProblem &p : problems)
        lines << QString::fromStdString(p.path + ": " + p.message);
    return lines.join(QLatin1Char('\n'));
}

std::vector<ManifestProblem> ofSeverity(const std::vector<ManifestProblem> &problems, Severity severity)
{
    std::vector<ManifestProblem> out;
    for (const ManifestProblem &p : problems)
        if (p.severity == severity)
            out.push_back(p);
    return out;
}

// The examples that do not pass as they are, and why. Key: "file#document" (non-empty documents
// counted from 0). Every other document must give no problem at all.
struct Exception {
    Severity severity;
    const char *path; // the one problem's field path
    const char *reason;
};
const std::map<QString, Exception> kExceptions = {
    {QStringLiteral("website/controllers/daemonset.yaml#0"),
     {Severity::Info, "kind", "DaemonSet is not served by Clusterdeck"}},
    {QStringLiteral("website/service/networking/minimal-ingress.yaml#0"),
     {Severity::Info, "kind", "Ingress is not served by Clusterdeck"}},
    {QStringLiteral("website/controllers/statefulset.yaml#1"),
     {Severity::Info, "kind", "StatefulSet is not served by Clusterdeck"}},
};

} // namespace

class TestManifestCheck : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void examples_data();
    void examples();
    void brokenVariants_data();
    void brokenVariants();
    void missingApiVersionAndKind();
    void wrongApiVersionOfServedKind();
    void unservedKindIsOneInfo();
    void namespaceDefaultsToDefault();
    void nullValuesDoNotThrow();
};

void TestManifestCheck::initTestCase()
{
    QVERIFY2(!examplesDir().isEmpty(), kNoExamples);
}

void TestManifestCheck::examples_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("document");
    const QStringList files = exampleFiles();
    QVERIFY(files.size() >= 40);
    int documents = 0;
    for (const QString &file : files) {
        const QByteArray text = readExample(file);
        int index = 0;
        for (const SourceDocument &d : parseYamlSource(std::string_view(text.constData(), size_t(text.size())))) {
            if (d.empty)
                continue;
            QVERIFY2(!d.error,
                     qPrintable(file + QStringLiteral(": ") + QString::fromStdString(d.error.value_or(std::string()))));
            QTest::addRow("%s#%d", qPrintable(file), index) << file << index;
            ++index;
            ++documents;
        }
    }
    QVERIFY(documents >= 50);
}

void TestManifestCheck::examples()
{
    QFETCH(QString, file);
    QFETCH(int, document);
    const auto problems = checkManifest(example(file, document));
    const auto exception = kExceptions.find(file + QStringLiteral("#") + QString::number(document));
    if (exception == kExceptions.end()) {
        QVERIFY2(problems.empty(), qPrintable(describe(problems)));
        return;
    }
    QCOMPARE(problems.size(), size_t(1));
    QVERIFY2(problems[0].severity == exception->second.severity, exception->second.reason);
    QCOMPARE(QString::fromStdString(problems[0].path), QString::fromLatin1(exception->second.path));
}

void TestManifestCheck::brokenVariants_data()
{
    QTest::addColumn<QString>("pointer"); // JSON pointer of the edit in nginx-deployment.yaml
    QTest::addColumn<QString>("value");   // JSON of the new value, "remove" to delete the field
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");

    QTest::newRow("replicas -1") << "/spec/replicas"
                                 << "-1"
                                 << "spec.replicas"
                                 << "Invalid value: -1: must be greater than or equal to 0";
    QTest::newRow("unknown field") << "/spec/replica"
                                   << "3"
                                   << "spec.replica"
                                   << "unknown field \"spec.replica\"";
    QTest::newRow("unknown nested field") << "/spec/template/spec/containers/0/imagePolicy"
                                          << "\"Always\""
                                          << "spec.template.spec.containers[0].imagePolicy"
                                          << "unknown field \"spec.template.spec.containers[0].imagePolicy\"";
    QTest::newRow("bad name")
        << "/metadata/name"
        << "\"Nginx_Deployment\""
        << "metadata.name"
        << "Invalid value: \"Nginx_Deployment\": a lowercase RFC 1123 subdomain must consist of lower case "
           "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
           "'example.com', regex used for validation is "
           "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    QTest::newRow("string for integer") << "/spec/replicas"
                                        << "\"three\""
                                        << "spec.replicas"
                                        << "cannot unmarshal string into spec.replicas of type int32";
    QTest::newRow("missing image") << "/spec/template/spec/containers/0/image"
                                   << "remove"
                                   << "spec.template.spec.containers[0].image"
                                   << "Required value";
    QTest::newRow("bad port") << "/spec/template/spec/containers/0/ports/0/containerPort"
                              << "70000"
                              << "spec.template.spec.containers[0].ports[0].containerPort"
                              << "Invalid value: 70000: must be between 1 and 65535, inclusive";
}

void TestManifestCheck::brokenVariants()
{
    QFETCH(QString, pointer);
    QFETCH(QString, value);
    QFETCH(QString, path);
    QFETCH(QString, message);
    Json object = example(QStringLiteral("website/controllers/nginx-deployment.yaml"));
    QVERIFY(checkManifest(object).empty());
    const Json::json_pointer at(pointer.toStdString());
    if (value == QLatin1String("remove"))
        object[at.parent_pointer()].erase(at.back());
    else
        object[at] = Json::parse(value.toStdString());
    const auto problems = checkManifest(object);
    QVERIFY2(!problems.empty(), "the broken variant passed");
    const auto errors = ofSeverity(problems, Severity::Error);
    QVERIFY2(errors.size() == 1, qPrintable(describe(problems)));
    QCOMPARE(QString::fromStdString(errors[0].path), path);
    QCOMPARE(QString::fromStdString(errors[0].message), message);
}

void TestManifestCheck::missingApiVersionAndKind()
{
    Json object = example(QStringLiteral("website/service/nginx-service.yaml"));
    object.erase("apiVersion");
    auto problems = checkManifest(object);
    QCOMPARE(problems.size(), size_t(1));
    QCOMPARE(problems[0].path, std::string("apiVersion"));
    QCOMPARE(problems[0].message, std::string("apiVersion not set"));
    object.erase("kind");
    problems = checkManifest(object);
    QCOMPARE(problems.size(), size_t(2));
    QCOMPARE(problems[1].path, std::string("kind"));
    QCOMPARE(problems[1].message, std::string("kind not set"));
}

void TestManifestCheck::wrongApiVersionOfServedKind()
{
    Json object = example(QStringLiteral("website/controllers/nginx-deployment.yaml"));
    object["apiVersion"] = "extensions/v1beta1";
    const auto problems = checkManifest(object);
    QCOMPARE(problems.size(), size_t(1));
    QVERIFY(problems[0].severity == Severity::Error);
    QCOMPARE(problems[0].path, std::string("apiVersion"));
    QVERIFY2(problems[0].message.rfind("no matches for kind \"Deployment\" in version \"extensions/v1beta1\"", 0) == 0,
             problems[0].message.c_str());
}

void TestManifestCheck::unservedKindIsOneInfo()
{
    // Even a broken unserved object gives only the one info: Clusterdeck cannot judge it.
    Json object = example(QStringLiteral("website/controllers/daemonset.yaml"));
    object["spec"]["bogus"] = 1;
    const auto problems = checkManifest(object);
    QCOMPARE(problems.size(), size_t(1));
    QVERIFY(problems[0].severity == Severity::Info);
    QCOMPARE(problems[0].message,
             std::string("Kind DaemonSet (apiVersion apps/v1) is not served by Clusterdeck; it is kept as written"));
}

void TestManifestCheck::namespaceDefaultsToDefault()
{
    Json object = example(QStringLiteral("website/pods/storage/redis.yaml"));
    QVERIFY(!has(object, {"metadata", "namespace"}));
    QVERIFY2(checkManifest(object).empty(), qPrintable(describe(checkManifest(object))));
    object["metadata"]["namespace"] = "Bad_NS";
    const auto problems = checkManifest(object);
    QVERIFY(!problems.empty());
    QCOMPARE(problems[0].path, std::string("metadata.namespace"));
}

// While typing, `replicas:` is briefly null; no value anywhere may make the check throw.
void TestManifestCheck::nullValuesDoNotThrow()
{
    for (const char *file :
         {"website/controllers/nginx-deployment.yaml", "website/admin/konnectivity/konnectivity-server.yaml",
          "website/application/job/indexed-job.yaml", "website/storage/storageclass-low-latency.yaml"}) {
        const Json good = example(QString::fromLatin1(file));
        const Json flat = good.flatten();
        for (auto it = flat.begin(); it != flat.end(); ++it) {
            // Null each leaf and each of its ancestors.
            Json::json_pointer at(it.key());
            while (!at.empty()) {
                Json object = good;
                object[at] = nullptr;
                std::vector<ManifestProblem> problems;
                try {
                    problems = checkManifest(object);
                } catch (const std::exception &e) {
                    QFAIL(qPrintable(QString::fromLatin1(file) + QLatin1Char(' ') +
                                     QString::fromStdString(at.to_string()) + QStringLiteral(": ") +
                                     QString::fromLatin1(e.what())));
                }
                for (const ManifestProblem &p : problems)
                    QVERIFY2(p.message.rfind("cannot be checked", 0) != 0,
                             qPrintable(QString::fromStdString(at.to_string() + ": " + p.message)));
                at = at.parent_pointer();
            }
        }
    }
}

QTEST_GUILESS_MAIN(TestManifestCheck)
#include "tst_manifestcheck.moc"
