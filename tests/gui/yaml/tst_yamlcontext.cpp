// The place of a cursor in a manifest (yamlContextAt, yamlKeyAt) and what the OpenAPI schemas
// offer there (schemaSuggestions, schemaField).

#include "engine/api/schemas.h"
#include "gui/yaml/schemahelp.h"
#include "gui/yaml/yamlcontext.h"

#include <QTextDocument>
#include <QtTest>

using namespace cd;
using namespace cd::gui;

namespace {

// The text with `|` marking the cursor: the context there.
YamlContext contextOf(const QString &marked)
{
    const int at = int(marked.lastIndexOf(QLatin1Char('|'))); // the last: a block scalar's | may come before
    if (at < 0)
        qFatal("no cursor mark");
    QTextDocument document;
    document.setPlainText(QString(marked).remove(at, 1));
    return yamlContextAt(&document, at);
}

QStringList texts(const QList<SchemaSuggestion> &suggestions)
{
    QStringList out;
    for (const SchemaSuggestion &s : suggestions)
        out << s.text;
    return out;
}

const QString kDeployment = QStringLiteral(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 80
          protocol: TCP
        resources:
          limits:
            cpu: 1
      volumes:
      - name: data
        emptyDir: {}
)");

// The cursor put at the start of the line holding `anchor`, plus `column` characters.
QString marked(const QString &text, const QString &anchor, int column, const QString &typed = {})
{
    const int found = int(text.indexOf(anchor));
    if (found < 0)
        qFatal("anchor not found");
    const int lineStart = int(text.lastIndexOf(QLatin1Char('\n'), found)) + 1;
    QString out = text;
    out.insert(lineStart, QString(column, QLatin1Char(' ')) + typed + QStringLiteral("|\n"));
    return out;
}

} // namespace

class TestYamlContext : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void paths_data();
    void paths();
    void valuePosition();
    void notValidInFlowOrComment();
    void kindFoundBelowTheCursor();
    void keyUnderPosition();
    void fieldsOfDeploymentSpec();
    void enumValues();
    void booleanAndKindValues();
    void unknownKindOffersTheStart();
    void hoverDescription();
};

void TestYamlContext::paths_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("prefix");

    QTest::newRow("root") << marked(kDeployment, QStringLiteral("kind:"), 0, QStringLiteral("me")) << ""
                          << "me";
    QTest::newRow("under spec") << marked(kDeployment, QStringLiteral("  template:"), 2, QStringLiteral("rep"))
                                << "spec"
                                << "rep";
    QTest::newRow("in a container") << marked(kDeployment, QStringLiteral("        ports:"), 8)
                                    << "spec.template.spec.containers.[]"
                                    << "";
    QTest::newRow("in a port item") << marked(kDeployment, QStringLiteral("        resources:"), 10,
                                              QStringLiteral("na"))
                                    << "spec.template.spec.containers.[].ports.[]"
                                    << "na";
    QTest::newRow("new item") << marked(kDeployment, QStringLiteral("        resources:"), 8, QStringLiteral("- con"))
                              << "spec.template.spec.containers.[].ports.[]"
                              << "con";
    QTest::newRow("deep mapping") << marked(kDeployment, QStringLiteral("      volumes:"), 12, QStringLiteral("mem"))
                                  << "spec.template.spec.containers.[].resources.limits"
                                  << "mem";
    QTest::newRow("after the sequence") << marked(kDeployment, QStringLiteral("      volumes:"), 6)
                                        << "spec.template.spec"
                                        << "";
    QTest::newRow("second volume item") << QString(kDeployment + QStringLiteral("      - name: b\n        |\n"))
                                        << "spec.template.spec.volumes.[]"
                                        << "";
    QTest::newRow("item with nested mapping")
        << QStringLiteral("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - resources:\n      limits:\n        |\n")
        << "spec.containers.[].resources.limits"
        << "";
    QTest::newRow("document boundary")
        << QStringLiteral("apiVersion: v1\nkind: Service\nspec:\n  type: NodePort\n---\napiVersion: v1\nkind: Pod\n|\n")
        << ""
        << "";
}

void TestYamlContext::paths()
{
    QFETCH(QString, text);
    QFETCH(QString, path);
    QFETCH(QString, prefix);
    const YamlContext context = contextOf(text);
    QVERIFY(context.valid);
    QVERIFY(!context.atValue);
    QCOMPARE(context.path.join(QLatin1Char('.')), path);
    QCOMPARE(context.prefix, prefix);
}

void TestYamlContext::valuePosition()
{
    const QString text = QStringLiteral("apiVersion: v1\nkind: Service\nspec:\n  type: Node|\n");
    const YamlContext context = contextOf(text);
    QVERIFY(context.valid);
    QVERIFY(context.atValue);
    QCOMPARE(context.path, QStringList({QStringLiteral("spec"), QStringLiteral("type")}));
    QCOMPARE(context.prefix, QStringLiteral("Node"));
    QCOMPARE(context.prefixStart, int(text.indexOf(QLatin1String("Node"))));
    QCOMPARE(context.kind, QStringLiteral("Service"));
    QCOMPARE(context.apiVersion, QStringLiteral("v1"));
}

void TestYamlContext::notValidInFlowOrComment()
{
    QVERIFY(!contextOf(QStringLiteral("kind: Pod\nmetadata: {name: x, lab|}\n")).valid);
    QVERIFY(!contextOf(QStringLiteral("kind: Pod\n# a comment |\n")).valid);
    QVERIFY(!contextOf(QStringLiteral("kind: ConfigMap\ndata:\n  script: |\n    ech|\n")).valid);
}

void TestYamlContext::kindFoundBelowTheCursor()
{
    const YamlContext context = contextOf(QStringLiteral("metadata:\n  name: x\n|\napiVersion: batch/v1\nkind: Job\n"
                                                         "---\nkind: Pod\n"));
    QVERIFY(context.valid);
    QCOMPARE(context.kind, QStringLiteral("Job"));
    QCOMPARE(context.apiVersion, QStringLiteral("batch/v1"));
}

void TestYamlContext::keyUnderPosition()
{
    QTextDocument document;
    document.setPlainText(kDeployment);
    const int at = int(kDeployment.indexOf(QLatin1String("containerPort"))) + 3;
    const YamlContext context = yamlKeyAt(&document, at);
    QVERIFY(context.valid);
    QCOMPARE(context.path.join(QLatin1Char('.')),
             QStringLiteral("spec.template.spec.containers.[].ports.[].containerPort"));
    // On a value, not a key: nothing.
    QVERIFY(!yamlKeyAt(&document, int(kDeployment.indexOf(QLatin1String("nginx"))) + 1).valid);
}

void TestYamlContext::fieldsOfDeploymentSpec()
{
    const YamlContext context = contextOf(marked(kDeployment, QStringLiteral("  template:"), 2, QStringLiteral("re")));
    const QList<SchemaSuggestion> suggestions = schemaSuggestions(context);
    const QStringList names = texts(suggestions);
    for (const char *field : {"replicas", "selector", "template", "strategy", "minReadySeconds", "paused"})
        QVERIFY2(names.contains(QLatin1String(field)), field);
    QVERIFY(!names.contains(QStringLiteral("containers")));
    const SchemaSuggestion replicas = suggestions[names.indexOf(QStringLiteral("replicas"))];
    QCOMPARE(replicas.type, QStringLiteral("integer"));
    QVERIFY(replicas.description.startsWith(QLatin1String("Desired number of pods")));
    QVERIFY(!replicas.block);
    const SchemaSuggestion selector = suggestions[names.indexOf(QStringLiteral("selector"))];
    QVERIFY(selector.block);
    QCOMPARE(selector.type, QStringLiteral("LabelSelector"));

    // The root: no status (the cluster writes it).
    const QStringList root = texts(schemaSuggestions(contextOf(marked(kDeployment, QStringLiteral("kind:"), 0))));
    QVERIFY(root.contains(QStringLiteral("spec")));
    QVERIFY(root.contains(QStringLiteral("metadata")));
    QVERIFY(!root.contains(QStringLiteral("status")));
    // A container's fields, with their list types.
    const QList<SchemaSuggestion> container =
        schemaSuggestions(contextOf(marked(kDeployment, QStringLiteral("        ports:"), 8)));
    const QStringList containerNames = texts(container);
    QVERIFY(containerNames.contains(QStringLiteral("imagePullPolicy")));
    const SchemaSuggestion env = container[containerNames.indexOf(QStringLiteral("env"))];
    QVERIFY(env.list);
    QCOMPARE(env.type, QStringLiteral("[]EnvVar"));
}

void TestYamlContext::enumValues()
{
    const QStringList service =
        texts(schemaSuggestions(contextOf(QStringLiteral("apiVersion: v1\nkind: Service\nspec:\n  type: |\n"))));
    QCOMPARE(service, QStringList({QStringLiteral("ClusterIP"), QStringLiteral("ExternalName"),
                                   QStringLiteral("LoadBalancer"), QStringLiteral("NodePort")}));
    const QStringList policy = texts(schemaSuggestions(
        contextOf(marked(kDeployment, QStringLiteral("        ports:"), 8, QStringLiteral("imagePullPolicy: ")))));
    QCOMPARE(policy, QStringList({QStringLiteral("Always"), QStringLiteral("IfNotPresent"), QStringLiteral("Never")}));
    // A free string has no values to offer.
    QVERIFY(schemaSuggestions(
                contextOf(marked(kDeployment, QStringLiteral("        ports:"), 8, QStringLiteral("image: "))))
                .isEmpty());
}

void TestYamlContext::booleanAndKindValues()
{
    const QStringList paused = texts(schemaSuggestions(
        contextOf(marked(kDeployment, QStringLiteral("  template:"), 2, QStringLiteral("paused: ")))));
    QCOMPARE(paused, QStringList({QStringLiteral("false"), QStringLiteral("true")}));
    const QStringList kinds = texts(schemaSuggestions(contextOf(QStringLiteral("apiVersion: v1\nkind: |\n"))));
    QVERIFY(kinds.contains(QStringLiteral("Deployment")));
    QVERIFY(kinds.contains(QStringLiteral("ConfigMap")));
    QCOMPARE(kinds.count(QStringLiteral("Deployment")), 1);
    const QStringList versions = texts(schemaSuggestions(contextOf(QStringLiteral("kind: Job\napiVersion: |\n"))));
    QCOMPARE(versions, QStringList({QStringLiteral("batch/v1")}));
}

void TestYamlContext::unknownKindOffersTheStart()
{
    const QStringList start = texts(schemaSuggestions(contextOf(QStringLiteral("|\n"))));
    QCOMPARE(start, QStringList({QStringLiteral("apiVersion"), QStringLiteral("kind"), QStringLiteral("metadata")}));
    QVERIFY(schemaSuggestions(contextOf(QStringLiteral("apiVersion: x/v1\nkind: Widget\nspec:\n  |\n"))).isEmpty());
}

void TestYamlContext::hoverDescription()
{
    QTextDocument document;
    document.setPlainText(kDeployment);
    const SchemaSuggestion field =
        schemaField(yamlKeyAt(&document, int(kDeployment.indexOf(QLatin1String("replicas")))));
    QCOMPARE(field.text, QStringLiteral("replicas"));
    const api::SchemaRegistry &schemas = api::SchemaRegistry::builtin();
    const Json *spec = schemas.definition("io.k8s.api.apps.v1.DeploymentSpec");
    QVERIFY(spec);
    QCOMPARE(field.description, QString::fromStdString(str(*schemas.rawProperty(spec, "replicas"), {"description"})));
    QVERIFY(!field.description.isEmpty());
}

QTEST_MAIN(TestYamlContext)
#include "tst_yamlcontext.moc"
