// diagnose(): problems of a manifest file at the right line, column and length, with the
// Kubernetes message and field path. Expected places are computed from the text itself.

#include "gui/design/diagnostics.h"
#include "tests/support/examples.h"

#include <QtTest>

using namespace cd;
using namespace cd::gui;
using namespace cd::test;
using Severity = Diagnostic::Severity;

namespace {

QList<Diagnostic> diagnoseText(const QString &text, const QSet<ObjectKey> &before = {})
{
    const QByteArray utf8 = text.toUtf8();
    const std::string_view view(utf8.constData(), size_t(utf8.size()));
    return diagnose(parseYamlSource(view), view, before);
}

QList<Diagnostic> ofSeverity(const QList<Diagnostic> &all, Severity severity)
{
    QList<Diagnostic> out;
    for (const Diagnostic &d : all)
        if (d.severity == severity)
            out << d;
    return out;
}

QString describe(const QList<Diagnostic> &all)
{
    QStringList lines;
    for (const Diagnostic &d : all)
        lines << QStringLiteral("%1:%2+%3 [%4] %5: %6")
                     .arg(d.line)
                     .arg(d.column)
                     .arg(d.length)
                     .arg(severityName(d.severity), d.fieldPath, d.message);
    return lines.join(QLatin1Char('\n'));
}

// 1-based line and column of the first occurrence of `needle` in `text` (after `from` if given).
struct Place {
    int line = 0;
    int column = 0;
};
Place placeOf(const QString &text, const QString &needle, const QString &after = {})
{
    const int start = after.isEmpty() ? 0 : text.indexOf(after) + int(after.size());
    const int at = text.indexOf(needle, start);
    if (at < 0)
        qFatal("%s not in the text", qPrintable(needle));
    const int lineStart = text.lastIndexOf(QLatin1Char('\n'), at - 1) + 1;
    return {int(text.left(at).count(QLatin1Char('\n'))) + 1, at - lineStart + 1};
}

const QString kDeployment = QStringLiteral("website/controllers/nginx-deployment.yaml");

} // namespace

class TestDiagnostics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void examplesHaveNoFalseDiagnostics_data();
    void examplesHaveNoFalseDiagnostics();
    void brokenVariants_data();
    void brokenVariants();
    void missingFieldAtNearestAncestor();
    void parseErrorAtItsPlace();
    void columnsInCharactersNotBytes();
    void missingKindAtDocumentHead();
    void unsupportedKindIsInfo();
    void duplicateObjectIsErrorOnSecond();
    void definedInAnotherFile();
    void cachedResultsFollowMovedLines();
    void severalDocuments();
};

void TestDiagnostics::initTestCase()
{
    QVERIFY2(!examplesDir().isEmpty(), kNoExamples);
}

void TestDiagnostics::examplesHaveNoFalseDiagnostics_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("unsupportedKind"); // the one kind expected as an info, if any
    int count = 0;
    for (const QString &file : exampleFiles()) {
        if (!file.endsWith(QLatin1String(".yaml")))
            continue;
        QString unsupported;
        if (file.endsWith(QLatin1String("daemonset.yaml")))
            unsupported = QStringLiteral("DaemonSet");
        else if (file.endsWith(QLatin1String("minimal-ingress.yaml")))
            unsupported = QStringLiteral("Ingress");
        else if (file.endsWith(QLatin1String("statefulset.yaml")))
            unsupported = QStringLiteral("StatefulSet");
        QTest::newRow(qPrintable(file)) << file << unsupported;
        ++count;
    }
    QVERIFY(count >= 45);
}

void TestDiagnostics::examplesHaveNoFalseDiagnostics()
{
    QFETCH(QString, file);
    QFETCH(QString, unsupportedKind);
    const QString text = readExampleText(file);
    const QList<Diagnostic> all = diagnoseText(text);
    if (unsupportedKind.isEmpty()) {
        QVERIFY2(all.isEmpty(), qPrintable(describe(all)));
        return;
    }
    QVERIFY2(all.size() == 1, qPrintable(describe(all)));
    QVERIFY(all[0].severity == Severity::Info);
    QVERIFY2(all[0].message.contains(unsupportedKind), qPrintable(all[0].message));
    // Underlines the kind's value.
    const Place kind = placeOf(text, QStringLiteral("kind: ") + unsupportedKind);
    QCOMPARE(all[0].line, kind.line);
    QCOMPARE(all[0].column, kind.column + 6);
    QCOMPARE(all[0].length, int(unsupportedKind.size()));
}

void TestDiagnostics::brokenVariants_data()
{
    QTest::addColumn<QString>("from"); // text replaced in nginx-deployment.yaml
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("token"); // the underlined text, found in the new text
    QTest::addColumn<QString>("after"); // find the token after this text ("" from the start)
    QTest::addColumn<QString>("fieldPath");
    QTest::addColumn<QString>("message");

    QTest::newRow("replicas -1") << "replicas: 3"
                                 << "replicas: -1"
                                 << "-1"
                                 << "replicas:"
                                 << "spec.replicas"
                                 << "Invalid value: -1: must be greater than or equal to 0";
    QTest::newRow("string for integer") << "replicas: 3"
                                        << "replicas: three"
                                        << "three"
                                        << ""
                                        << "spec.replicas"
                                        << "cannot unmarshal string into spec.replicas of type int32";
    QTest::newRow("unknown field") << "  replicas: 3\n"
                                   << "  replicas: 3\n  replica: 3\n"
                                   << "replica"
                                   << "replicas: 3\n"
                                   << "spec.replica"
                                   << "unknown field \"spec.replica\"";
    QTest::newRow("bad name") << "name: nginx-deployment"
                              << "name: Nginx_Deployment"
                              << "Nginx_Deployment"
                              << ""
                              << "metadata.name"
                              << "Invalid value: \"Nginx_Deployment\": a lowercase RFC 1123 subdomain must consist of "
                                 "lower case alphanumeric characters, '-' or '.', and must start and end with an "
                                 "alphanumeric character (e.g. 'example.com', regex used for validation is "
                                 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    QTest::newRow("quoted bad port") << "containerPort: 80"
                                     << "containerPort: \"80\""
                                     << "\"80\""
                                     << ""
                                     << "spec.template.spec.containers[0].ports[0].containerPort"
                                     << "cannot unmarshal string into "
                                        "spec.template.spec.containers[0].ports[0].containerPort of type int32";
    QTest::newRow("port out of range") << "containerPort: 80"
                                       << "containerPort: 70000 # too big"
                                       << "70000"
                                       << ""
                                       << "spec.template.spec.containers[0].ports[0].containerPort"
                                       << "Invalid value: 70000: must be between 1 and 65535, inclusive";
}

void TestDiagnostics::brokenVariants()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, token);
    QFETCH(QString, after);
    QFETCH(QString, fieldPath);
    QFETCH(QString, message);
    QString text = readExampleText(kDeployment);
    QVERIFY(diagnoseText(text).isEmpty());
    QVERIFY(text.contains(from));
    text.replace(from, to);
    const QList<Diagnostic> errors = ofSeverity(diagnoseText(text), Severity::Error);
    QVERIFY2(errors.size() == 1, qPrintable(describe(errors)));
    const Place expected = placeOf(text, token, after);
    QCOMPARE(errors[0].line, expected.line);
    QCOMPARE(errors[0].column, expected.column);
    QCOMPARE(errors[0].length, int(token.size()));
    QCOMPARE(errors[0].fieldPath, fieldPath);
    QCOMPARE(errors[0].message, message);
    QCOMPARE(errors[0].document, 0);
}

void TestDiagnostics::missingFieldAtNearestAncestor()
{
    // No image: the error is about containers[0].image, which is not written; the container is.
    QString text = readExampleText(kDeployment);
    text.remove(QStringLiteral("        image: nginx:1.14.2\n"));
    const QList<Diagnostic> errors = diagnoseText(text);
    QVERIFY2(errors.size() == 1, qPrintable(describe(errors)));
    QCOMPARE(errors[0].fieldPath, QStringLiteral("spec.template.spec.containers[0].image"));
    QCOMPARE(errors[0].message, QStringLiteral("Required value"));
    const Place item = placeOf(text, QStringLiteral("- name: nginx\n"));
    QCOMPARE(errors[0].line, item.line);
    QCOMPARE(errors[0].column, item.column + 2);
    QCOMPARE(errors[0].length, 4); // "name", the item's first key
}

void TestDiagnostics::parseErrorAtItsPlace()
{
    QString text = readExampleText(kDeployment);
    text.replace(QStringLiteral("  replicas: 3"), QStringLiteral("  replicas: [3"));
    const QList<Diagnostic> all = diagnoseText(text);
    QVERIFY2(all.size() == 1, qPrintable(describe(all)));
    QVERIFY(all[0].severity == Severity::Error);
    QVERIFY(all[0].fieldPath.isEmpty());
    QVERIFY(!all[0].message.startsWith(QLatin1String("yaml: line")));
    // The parser notices the unclosed flow sequence at or after the line that opens it.
    QVERIFY(all[0].line >= placeOf(text, QStringLiteral("[3")).line);

    // A tab in the indentation: the parser stops at the tab's line.
    QString tabbed = readExampleText(kDeployment);
    tabbed.replace(QStringLiteral("  replicas: 3"), QStringLiteral("  replicas: 3\n\tpaused: true"));
    const QList<Diagnostic> tab = diagnoseText(tabbed);
    QVERIFY2(tab.size() == 1, qPrintable(describe(tab)));
    QCOMPARE(tab[0].line, placeOf(tabbed, QStringLiteral("\tpaused")).line);
}

void TestDiagnostics::columnsInCharactersNotBytes()
{
    const QString text = QStringLiteral("apiVersion: v1\nkind: ConfigMap\n"
                                        "metadata: {annotations: {note: \"데모 설정\"}, name: Bad_Name}\n");
    const QList<Diagnostic> errors = diagnoseText(text);
    QVERIFY2(errors.size() == 1, qPrintable(describe(errors)));
    const Place expected = placeOf(text, QStringLiteral("Bad_Name"));
    QCOMPARE(errors[0].line, 3);
    QCOMPARE(errors[0].column, expected.column);
    QCOMPARE(errors[0].length, 8);
    QCOMPARE(errors[0].fieldPath, QStringLiteral("metadata.name"));
}

void TestDiagnostics::missingKindAtDocumentHead()
{
    const QString text = QStringLiteral("# a config map without its kind\n\napiVersion: v1\nmetadata:\n  name: x\n");
    const QList<Diagnostic> errors = diagnoseText(text);
    QVERIFY2(errors.size() == 1, qPrintable(describe(errors)));
    QCOMPARE(errors[0].message, QStringLiteral("kind not set"));
    QCOMPARE(errors[0].line, 3);
    QCOMPARE(errors[0].column, 1);
    QCOMPARE(errors[0].length, int(qstrlen("apiVersion")));
}

void TestDiagnostics::unsupportedKindIsInfo()
{
    const QString text =
        QStringLiteral("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec: {size: -1}\n");
    const QList<Diagnostic> all = diagnoseText(text);
    QVERIFY2(all.size() == 1, qPrintable(describe(all)));
    QVERIFY(all[0].severity == Severity::Info);
    QCOMPARE(all[0].message, QStringLiteral("Kind Widget (apiVersion example.com/v1) is not served by Clusterdeck; it "
                                            "is kept as written"));
    QCOMPARE(all[0].line, 2);
    QCOMPARE(all[0].column, 7);
}

void TestDiagnostics::duplicateObjectIsErrorOnSecond()
{
    const QString one = QStringLiteral("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: b}\n");
    const QString other = QStringLiteral("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n");
    const QString text = one + QStringLiteral("---\n") + other + QStringLiteral("---\n") + one;
    const QList<Diagnostic> errors = diagnoseText(text);
    QVERIFY2(errors.size() == 1, qPrintable(describe(errors)));
    QCOMPARE(errors[0].document, 2);
    QCOMPARE(errors[0].line, int(text.count(QLatin1Char('\n'))) - 1); // the second `name: settings`
    QCOMPARE(errors[0].column, 9);
    QCOMPARE(errors[0].length, 8);
    QVERIFY2(errors[0].message.contains(QLatin1String("ConfigMap default/settings")), qPrintable(errors[0].message));
    QVERIFY2(errors[0].message.contains(QLatin1String("line 4")), qPrintable(errors[0].message));
    // Another namespace is another object.
    QString elsewhere = text;
    elsewhere.replace(elsewhere.lastIndexOf(QLatin1String("name: settings")), 14,
                      QStringLiteral("name: settings\n  namespace: shop"));
    QVERIFY2(diagnoseText(elsewhere).isEmpty(), qPrintable(describe(diagnoseText(elsewhere))));
}

void TestDiagnostics::definedInAnotherFile()
{
    const QString text = QStringLiteral("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n");
    QVERIFY(diagnoseText(text).isEmpty());
    const ObjectKey key{QString(), QStringLiteral("ConfigMap"), QStringLiteral("default"), QStringLiteral("settings")};
    const QList<Diagnostic> errors = diagnoseText(text, {key});
    QVERIFY2(errors.size() == 1, qPrintable(describe(errors)));
    QCOMPARE(errors[0].line, 4);
}

void TestDiagnostics::cachedResultsFollowMovedLines()
{
    // The same broken document, diagnosed again after lines were added above it: the check is
    // cached by text, the place must still move.
    QString text = readExampleText(kDeployment);
    text.replace(QStringLiteral("replicas: 3"), QStringLiteral("replicas: -1"));
    const QList<Diagnostic> first = diagnoseText(text);
    QCOMPARE(first.size(), 1);
    const QString moved = QStringLiteral("# one\n# two\n---\n") + text;
    const QList<Diagnostic> second = diagnoseText(moved);
    QCOMPARE(second.size(), 1);
    QCOMPARE(second[0].line, first[0].line + 3);
    QCOMPARE(second[0].column, first[0].column);
    QCOMPARE(second[0].message, first[0].message);
    QVERIFY(diagnoseText(text) == first);
}

void TestDiagnostics::severalDocuments()
{
    // The guestbook's six documents, the fourth broken: only it is reported, with its index.
    QString text = readExampleText(QStringLiteral("examples/web/guestbook/all-in-one/guestbook-all-in-one.yaml"));
    QVERIFY(diagnoseText(text).isEmpty());
    const int at =
        text.indexOf(QLatin1String("replicas:"), text.indexOf(QLatin1String("name: redis-replica\n  labels")));
    QVERIFY(at > 0);
    const int end = text.indexOf(QLatin1Char('\n'), at);
    text.replace(at, end - at, QStringLiteral("replicas: -2"));
    const QList<Diagnostic> errors = diagnoseText(text);
    QVERIFY2(errors.size() == 1, qPrintable(describe(errors)));
    QCOMPARE(errors[0].fieldPath, QStringLiteral("spec.replicas"));
    QCOMPARE(errors[0].line, placeOf(text, QStringLiteral("replicas: -2")).line);
    const auto documents = parseYamlSource(text.toStdString());
    QVERIFY(documents[size_t(errors[0].document)].value.is_object());
    QCOMPARE(str(documents[size_t(errors[0].document)].value, {"metadata", "name"}), std::string("redis-replica"));
}

QTEST_MAIN(TestDiagnostics)
#include "tst_diagnostics.moc"
