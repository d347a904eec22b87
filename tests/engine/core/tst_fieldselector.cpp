// Field selectors as apimachinery's fields.ParseSelector reads them: =, == and !=, terms split on
// unescaped commas, values unescaped (\\ \, \=), the field name taken literally.
#include "engine/core/fieldselector.h"

#include <QtTest>

#include <map>

using cd::FieldSelector;

namespace {

std::string parseError(const std::string &text)
{
    auto s = FieldSelector::parse(text);
    if (s.ok())
        return "parsed";
    if (s.error().kind != cd::ErrorKind::BadRequest)
        return "not a BadRequest: " + s.error().message;
    return s.error().message;
}

// "field op value|field op value" for comparing the parsed terms.
std::string terms(const FieldSelector &s)
{
    std::string out;
    for (const auto &r : s.requirements())
        out += (out.empty() ? "" : "|") + r.field + (r.equals ? "=" : "!=") + r.value;
    return out;
}

} // namespace

class TestFieldSelector : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void errors_data();
    void errors();
    void requiredValue();
    void matches();
};

void TestFieldSelector::parse_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("terms");
    auto row = [](const char *in, const char *out) { QTest::newRow(in) << QString(in) << QString(out); };
    row("", "");
    row(",", "");
    row("metadata.name=foo", "metadata.name=foo");
    row("metadata.name==foo", "metadata.name=foo");
    row("metadata.name!=foo", "metadata.name!=foo");
    row("spec.nodeName=n1,status.phase!=Failed", "spec.nodeName=n1|status.phase!=Failed");
    row("a=b,,c=d", "a=b|c=d");
    row("a=", "a=");
    row("a!=", "a!=");
    row("=b", "=b");
    // Escapes in the value.
    row("a=b\\,c", "a=b,c");
    row("a=b\\=c", "a=b=c");
    row("a=b\\\\c", "a=b\\c");
    row("a=\\,\\=\\\\", "a=,=\\");
    // The first operator splits the term; the field name keeps its backslashes.
    row("a\\b=c", "a\\b=c");
    row("a!=b!c", "a!=b!c");
    // No trimming: spaces belong to the name and value.
    row("a = b", "a = b");
}

void TestFieldSelector::parse()
{
    QFETCH(QString, input);
    QFETCH(QString, terms);
    auto s = FieldSelector::parse(input.toStdString());
    QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
    QCOMPARE(QString::fromStdString(::terms(*s)), terms);
    QCOMPARE(s->empty(), terms.isEmpty());
}

void TestFieldSelector::errors_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("message");
    auto row = [](const char *in, const char *message) { QTest::newRow(in) << QString(in) << QString(message); };
    row("abc", "invalid selector: 'abc'; can't understand 'abc'");
    row("a=b,abc", "invalid selector: 'a=b,abc'; can't understand 'abc'");
    row("a<b", "invalid selector: 'a<b'; can't understand 'a<b'");
    // An unescaped = or , in a value (Go prints the rune as a number).
    row("a=b=c", "invalid field selector: unescaped character in value: 61");
    row("a!==b", "invalid field selector: unescaped character in value: 61");
    row("a===b", "invalid field selector: unescaped character in value: 61");
    row("a\\=b=c", "invalid field selector: unescaped character in value: 61");
    // Only \\, \, and \= are escapes.
    row("a=b\\x", "invalid field selector: invalid escape sequence: \\x");
    row("a=b\\", "invalid field selector: invalid escape sequence: \\");
}

void TestFieldSelector::errors()
{
    QFETCH(QString, input);
    QFETCH(QString, message);
    QCOMPARE(QString::fromStdString(parseError(input.toStdString())), message);
}

void TestFieldSelector::requiredValue()
{
    auto s = FieldSelector::parse("metadata.namespace!=kube-system,metadata.name=web,spec.nodeName==n1");
    QVERIFY(s.ok());
    QVERIFY(s->requiredValue("metadata.name"));
    QCOMPARE(*s->requiredValue("metadata.name"), std::string("web"));
    QCOMPARE(*s->requiredValue("spec.nodeName"), std::string("n1"));
    QVERIFY(!s->requiredValue("metadata.namespace")); // != requires nothing
    QVERIFY(!s->requiredValue("status.phase"));
}

void TestFieldSelector::matches()
{
    const std::map<std::string, std::string> fields{
        {"metadata.name", "web"}, {"status.phase", "Running"}, {"spec.nodeName", ""}};
    auto value = [&](const std::string &field) {
        auto it = fields.find(field);
        return it == fields.end() ? std::string() : it->second;
    };
    auto matches = [&](const char *text) {
        auto s = FieldSelector::parse(text);
        if (!s.ok())
            qFatal("cannot parse %s", text);
        return s->matches(value);
    };
    QVERIFY(matches(""));
    QVERIFY(matches("metadata.name=web"));
    QVERIFY(!matches("metadata.name=db"));
    QVERIFY(matches("metadata.name!=db"));
    QVERIFY(!matches("metadata.name!=web"));
    QVERIFY(matches("spec.nodeName=")); // unscheduled pods: an empty value
    QVERIFY(!matches("spec.nodeName!="));
    QVERIFY(matches("metadata.name=web,status.phase!=Failed"));
    QVERIFY(!matches("metadata.name=web,status.phase=Failed"));
}

QTEST_GUILESS_MAIN(TestFieldSelector)
#include "tst_fieldselector.moc"
