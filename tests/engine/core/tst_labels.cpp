// Label selectors: the `labelSelector` grammar of apimachinery's labels.Parse (with its exact
// error messages), Kubernetes' matching rules, metav1.LabelSelector, and the canonical text.
#include "engine/core/labels.h"

#include <QtTest>

using cd::Json;
using cd::LabelRequirement;
using cd::Labels;
using cd::LabelSelector;

namespace {

const std::string kNamePart =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string kLabelValue =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

LabelSelector parsed(const std::string &text)
{
    auto s = LabelSelector::parse(text);
    if (!s.ok())
        qFatal("cannot parse %s: %s", text.c_str(), s.error().message.c_str());
    return *s;
}

std::string parseError(const std::string &text)
{
    auto s = LabelSelector::parse(text);
    if (s.ok())
        return "parsed as: " + s->toString();
    if (s.error().kind != cd::ErrorKind::BadRequest)
        return "not a BadRequest: " + s.error().message;
    return s.error().message;
}

std::string jsonError(const Json &selector)
{
    auto s = LabelSelector::fromJson(selector);
    return s.ok() ? "accepted as: " + s->toString() : s.error().message;
}

} // namespace

class TestLabels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parseCanonical_data();
    void parseCanonical();
    void parseOperators();
    void parseErrors_data();
    void parseErrors();
    void matching_data();
    void matching();
    void matchingJsonLabels();
    void everythingAndNothing();
    void fromJson();
    void fromJsonErrors();
    void fromMap();
};

void TestLabels::parseCanonical_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("canonical");
    auto row = [](const char *in, const char *out) { QTest::newRow(in) << QString(in) << QString(out); };
    row("", "");
    row("   ", "");
    row("a=b", "a=b");
    row("a!=b", "a!=b");
    row("a", "a");
    row("!a", "!a");
    row("a>1", "a>1");
    row("a in (b)", "a in (b)");
    row("a in (c,b)", "a in (b,c)");
    row("a notin (c,b,c)", "a notin (b,c)"); // values are a set
    row("a in(b)", "a in (b)");
    row("a=", "a=");
    row("a in ()", "a in ()");
    // Sorted by key, whatever the order or spacing of the input.
    row("b=1,a=2", "a=2,b=1");
    row("  a = b ,  c in ( x , y ) , ! d  ", "a=b,c in (x,y),!d");
    row("\ta\t=\tb\n,\r!c", "a=b,!c");
    row("z,y=1,x!=2,!w", "!w,x!=2,y=1,z");
    // The example in labels.Parse's comment: empty values in a set.
    row("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()");
    row("x in (,a)", "x in (,a)");
    row("x in (a,)", "x in (,a)");
    // "in" and "notin" are ordinary words where a key or value is expected.
    row("in in (in)", "in in (in)");
    row("notin notin (notin,in)", "notin notin (in,notin)");
    row("in=notin", "in=notin");
    // Prefixed keys and the characters a value may hold.
    row("example.com/app=web", "example.com/app=web");
    row("app.kubernetes.io/name in (my_app,My.App-2)", "app.kubernetes.io/name in (My.App-2,my_app)");
}

void TestLabels::parseCanonical()
{
    QFETCH(QString, input);
    QFETCH(QString, canonical);
    auto s = LabelSelector::parse(input.toStdString());
    QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
    QCOMPARE(QString::fromStdString(s->toString()), canonical);
    QVERIFY(!s->isNothing());
    QCOMPARE(s->isEverything(), canonical.isEmpty());
    // The canonical text parses to the same selector.
    QCOMPARE(QString::fromStdString(parsed(s->toString()).toString()), canonical);
}

void TestLabels::parseOperators()
{
    using Op = LabelRequirement::Op;
    auto single = [](const std::string &text) {
        const LabelSelector s = parsed(text);
        if (s.requirements().size() != 1)
            qFatal("expected one requirement in %s", text.c_str());
        return s.requirements()[0];
    };
    QCOMPARE(single("a=b").op, Op::Equals);
    QCOMPARE(single("a==b").op, Op::Equals);
    QCOMPARE(single("a==b").values, std::vector<std::string>{"b"});
    QCOMPARE(single("a!=b").op, Op::NotEquals);
    QCOMPARE(single("a in (b)").op, Op::In);
    QCOMPARE(single("a notin (b)").op, Op::NotIn);
    QCOMPARE(single("a").op, Op::Exists);
    QCOMPARE(single("!a").op, Op::DoesNotExist);
    QCOMPARE(single("! a").op, Op::DoesNotExist);
    QCOMPARE(single("a>5").op, Op::GreaterThan);
    QCOMPARE(single("a<5").op, Op::LessThan);
    QCOMPARE(single("a<5").values, std::vector<std::string>{"5"});
    QCOMPARE(single("a=").values, std::vector<std::string>{""});
    QCOMPARE(single("a in ()").values, std::vector<std::string>{""});
    QCOMPARE(single("x in (b,,a)").values, (std::vector<std::string>{"", "a", "b"}));
    QCOMPARE(single("!a").values, std::vector<std::string>{});
    QCOMPARE(single("a").key, std::string("a"));
    QCOMPARE(single("a==b").key, std::string("a"));
}

void TestLabels::parseErrors_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("message");
    auto row = [](const std::string &in, const std::string &message) {
        QTest::newRow(in.c_str()) << QString::fromStdString(in) << QString::fromStdString(message);
    };
    const std::string prefix = "unable to parse requirement: ";
    // Errors of the selector as a whole carry no prefix.
    row("a=b c", "found 'c', expected: ',' or 'end of string'");
    row("a=b=c", "found '=', expected: ',' or 'end of string'");
    row("!a=b", "found '=', expected: ',' or 'end of string'");
    row("a,", "found '', expected: identifier after ','");
    row("a,,b", "found ',', expected: identifier after ','");
    row(",a", "found ',', expected: !, identifier, or 'end of string'");
    row("=b", "found '=', expected: !, identifier, or 'end of string'");
    row("(a)", "found '(', expected: !, identifier, or 'end of string'");
    // A requirement's own errors do.
    row("!", prefix + "found '', expected: identifier");
    row("!=a", "found '!=', expected: !, identifier, or 'end of string'");
    row("a b", prefix + "found 'b', expected: in, notin, =, ==, !=, gt, lt");
    row("a!b", prefix + "found '!', expected: in, notin, =, ==, !=, gt, lt");
    row("a in b", prefix + "found 'b' expected: '('");
    row("a in", prefix + "found '' expected: '('");
    row("a in (", prefix + "found '', expected: ',', ')' or identifier");
    row("a in (=)", prefix + "found '=', expected: ',', ')' or identifier");
    row("a in (b", prefix + "found '', expected: ',' or ')'");
    row("a in (b c)", prefix + "found 'c', expected: ',' or ')'");
    row("a in (b,=)", prefix + "found '=', expected: ',', or identifier");
    row("a=(b)", prefix + "found '(', expected: identifier");
    row("a=!b", prefix + "found '!', expected: identifier");
    // Keys are checked as qualified names, with the "<nil>" field path Kubernetes prints.
    row("app:monolith", prefix + "<nil>: Invalid value: \"app:monolith\": " + kNamePart);
    row("*bar=1", prefix + "<nil>: Invalid value: \"*bar\": " + kNamePart);
    row("app: nginx", prefix + "<nil>: Invalid value: \"app:\": " + kNamePart);
    row("a/b/c ?=? def",
        prefix + "<nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', "
                 "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
                 "or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an "
                 "optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    row("app.kubernetes_io/name=x",
        prefix + "<nil>: Invalid value: \"app.kubernetes_io/name\": prefix part a lowercase RFC 1123 subdomain must "
                 "consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
                 "alphanumeric character (e.g. 'example.com', regex used for validation is "
                 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    row("example.com/=x", prefix + "<nil>: Invalid value: \"example.com/\": name part must be non-empty; " + kNamePart);
    row(std::string(64, 'k'), prefix + "<nil>: Invalid value: \"" + std::string(64, 'k') +
                                  "\": name part must be no more than 63 characters");
    // Values are checked as label values, with the path values[i][key].
    row("good-key=" + std::string(64, 'z'), prefix + "values[0][good-key]: Invalid value: \"" + std::string(64, 'z') +
                                                "\": must be no more than 63 characters");
    row("a=b@c", prefix + "values[0][a]: Invalid value: \"b@c\": " + kLabelValue);
    row("a in (ok,-bad)", prefix + "values[0][a]: Invalid value: \"-bad\": " + kLabelValue);
    row("a in (c@,b@)", prefix + "[values[0][a]: Invalid value: \"b@\": " + kLabelValue +
                            ", values[1][a]: Invalid value: \"c@\": " + kLabelValue + "]");
    // Gt and Lt take integers.
    row("a>b", prefix + "values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer");
    row("a<1.5", prefix + "values[0]: Invalid value: \"1.5\": for 'Gt', 'Lt' operators, the value must be an integer");
    // A negative number is not a valid label value, so Gt/Lt cannot compare with one.
    row("a<-1", prefix + "values[0][a]: Invalid value: \"-1\": " + kLabelValue);
    row("a>", prefix + "values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an integer");
}

void TestLabels::parseErrors()
{
    QFETCH(QString, input);
    QFETCH(QString, message);
    QCOMPARE(QString::fromStdString(parseError(input.toStdString())), message);
}

void TestLabels::matching_data()
{
    QTest::addColumn<QString>("selector");
    QTest::addColumn<bool>("matches");
    // Against the labels {app: web, tier: frontend, version: "3", note: ""}.
    auto row = [](const char *selector, bool matches) { QTest::newRow(selector) << QString(selector) << matches; };
    row("", true);
    row("app=web", true);
    row("app==web", true);
    row("app=db", false);
    row("app!=db", true);
    row("app!=web", false);
    row("missing!=x", true); // != matches a missing key
    row("missing=x", false);
    row("app in (web,db)", true);
    row("app in (db)", false);
    row("missing in (x)", false);
    row("app notin (db)", true);
    row("app notin (web,db)", false);
    row("missing notin (x)", true); // notin matches a missing key
    row("app", true);
    row("missing", false);
    row("!missing", true);
    row("!app", false);
    row("note", true);
    row("note=", true);
    row("note in ()", true);
    row("note!=", false);
    row("app=", false);
    row("version>2", true);
    row("version>3", false);
    row("version<4", true);
    row("version<3", false);
    row("version>0", true);
    row("app>1", false); // not an integer: never matches
    row("app<1", false);
    row("missing>1", false);
    row("missing<1", false);
    row("app=web,tier=frontend", true);
    row("app=web,tier=backend", false);
    row("app=web,!missing,version>1,tier notin (backend)", true);
}

void TestLabels::matching()
{
    QFETCH(QString, selector);
    QFETCH(bool, matches);
    const Labels labels{{"app", "web"}, {"tier", "frontend"}, {"version", "3"}, {"note", ""}};
    const LabelSelector s = parsed(selector.toStdString());
    QCOMPARE(s.matches(labels), matches);
    // The same answer for metadata.labels as JSON.
    const Json json = {{"app", "web"}, {"tier", "frontend"}, {"version", "3"}, {"note", ""}};
    QCOMPARE(s.matches(json), matches);
}

void TestLabels::matchingJsonLabels()
{
    // Missing metadata.labels (null) is an empty label set.
    QVERIFY(parsed("").matches(Json(nullptr)));
    QVERIFY(parsed("missing!=x").matches(Json(nullptr)));
    QVERIFY(parsed("missing notin (x)").matches(Json(nullptr)));
    QVERIFY(parsed("!missing").matches(Json(nullptr)));
    QVERIFY(!parsed("app").matches(Json(nullptr)));
    QVERIFY(!parsed("app=web").matches(Json::object()));
    // A non-string value is not a label.
    QVERIFY(!parsed("n").matches(Json{{"n", 5}}));
    QVERIFY(parsed("!n").matches(Json{{"n", 5}}));
    // Gt/Lt read the label as an int64; values beyond it never match.
    QVERIFY(!parsed("n>1").matches(Labels{{"n", "99999999999999999999"}}));
    QVERIFY(parsed("n>1").matches(Labels{{"n", "+5"}}));
    QVERIFY(!parsed("n>1").matches(Labels{{"n", " 5"}}));
    QVERIFY(!parsed("n>1").matches(Labels{{"n", ""}}));
    // LabelRequirement works alone too.
    const LabelRequirement r{"a", LabelRequirement::Op::NotIn, {"x"}};
    QVERIFY(r.matches(Labels{}));
    QVERIFY(!r.matches(Labels{{"a", "x"}}));
    QVERIFY(r.matches(Json{{"a", "y"}}));
}

void TestLabels::everythingAndNothing()
{
    const LabelSelector everything = LabelSelector::everything();
    QVERIFY(everything.isEverything());
    QVERIFY(!everything.isNothing());
    QVERIFY(everything.matches(Labels{}));
    QVERIFY(everything.matches(Labels{{"a", "b"}}));
    QVERIFY(everything.matches(Json(nullptr)));
    QCOMPARE(everything.toString(), std::string());

    const LabelSelector nothing = LabelSelector::nothing();
    QVERIFY(nothing.isNothing());
    QVERIFY(!nothing.isEverything());
    QVERIFY(!nothing.matches(Labels{}));
    QVERIFY(!nothing.matches(Labels{{"a", "b"}}));
    QVERIFY(!nothing.matches(Json{{"a", "b"}}));
    QCOMPARE(nothing.toString(), std::string());
}

void TestLabels::fromJson()
{
    // A missing selector (null) selects nothing; an empty one selects everything.
    auto null = LabelSelector::fromJson(Json(nullptr));
    QVERIFY(null.ok());
    QVERIFY(null->isNothing());
    QVERIFY(!null->matches(Labels{}));

    for (const Json &empty :
         {Json::object(), Json{{"matchLabels", Json::object()}, {"matchExpressions", Json::array()}}}) {
        auto s = LabelSelector::fromJson(empty);
        QVERIFY(s.ok());
        QVERIFY(s->isEverything());
        QVERIFY(s->matches(Labels{}));
        QVERIFY(s->matches(Labels{{"x", "y"}}));
    }

    const Json selector = Json::parse(R"({
        "matchLabels": {"app": "web", "env": "prod"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["fe", "be"]},
            {"key": "legacy", "operator": "DoesNotExist"},
            {"key": "zone", "operator": "NotIn", "values": ["b", "a"]},
            {"key": "canary", "operator": "Exists"}
        ]})");
    auto s = LabelSelector::fromJson(selector);
    QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
    QCOMPARE(s->toString(), std::string("app=web,canary,env=prod,!legacy,tier in (be,fe),zone notin (a,b)"));
    QVERIFY(s->matches(Labels{{"app", "web"}, {"env", "prod"}, {"tier", "fe"}, {"canary", ""}}));
    QVERIFY(s->matches(Labels{{"app", "web"}, {"env", "prod"}, {"tier", "be"}, {"canary", "1"}, {"zone", "c"}}));
    QVERIFY(!s->matches(Labels{{"app", "web"}, {"env", "prod"}, {"tier", "fe"}})); // no canary
    QVERIFY(!s->matches(Labels{{"app", "web"}, {"env", "prod"}, {"tier", "fe"}, {"canary", ""}, {"legacy", "y"}}));
    QVERIFY(!s->matches(Labels{{"app", "web"}, {"env", "prod"}, {"tier", "fe"}, {"canary", ""}, {"zone", "a"}}));
    QVERIFY(!s->matches(Labels{{"app", "web"}, {"env", "dev"}, {"tier", "fe"}, {"canary", ""}}));
    QVERIFY(!s->isEverything());
    QVERIFY(!s->isNothing());
}

void TestLabels::fromJsonErrors()
{
    QCOMPARE(jsonError(Json("app=web")), std::string("a label selector must be an object"));
    QCOMPARE(jsonError(Json::parse(R"({"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]})")),
             std::string("\"Gt\" is not a valid label selector operator"));
    QCOMPARE(jsonError(Json::parse(R"({"matchExpressions":[{"key":"a","operator":"in","values":["1"]}]})")),
             std::string("\"in\" is not a valid label selector operator"));
    QCOMPARE(
        jsonError(Json::parse(R"({"matchExpressions":[{"key":"a","operator":"In"}]})")),
        std::string("values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"));
    QCOMPARE(
        jsonError(Json::parse(R"({"matchExpressions":[{"key":"a","operator":"NotIn","values":[]}]})")),
        std::string("values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"));
    QCOMPARE(jsonError(Json::parse(R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x","y"]}]})")),
             std::string("values: Invalid value: []string{\"x\", \"y\"}: values set must be empty for exists and does "
                         "not exist"));
    QCOMPARE(jsonError(Json::parse(R"({"matchLabels":{"a b":"c"}})")), "key: Invalid value: \"a b\": " + kNamePart);
    QCOMPARE(jsonError(Json::parse(R"({"matchLabels":{"app":"x y"}})")),
             "values[0][app]: Invalid value: \"x y\": " + kLabelValue);
    QCOMPARE(jsonError(Json::parse(R"({"matchExpressions":[{"key":"","operator":"In"}]})")),
             "[key: Invalid value: \"\": name part must be non-empty; " + kNamePart +
                 ", values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty]");
    QCOMPARE(jsonError(Json::parse(R"({"matchExpressions":[{"key":"a","operator":"In","values":["ok","b@"]}]})")),
             "values[1][a]: Invalid value: \"b@\": " + kLabelValue);
    QCOMPARE(jsonError(Json::parse(R"({"matchLabels":{"a":1}})")), std::string("matchLabels values must be strings"));
}

void TestLabels::fromMap()
{
    QVERIFY(LabelSelector::fromMap({}).isEverything());
    QVERIFY(LabelSelector::fromMap({}).matches(Labels{{"x", "y"}}));
    const LabelSelector s = LabelSelector::fromMap({{"b", "2"}, {"a", "1"}});
    QCOMPARE(s.toString(), std::string("a=1,b=2"));
    QVERIFY(s.matches(Labels{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
    QVERIFY(!s.matches(Labels{{"a", "1"}}));
}

QTEST_GUILESS_MAIN(TestLabels)
#include "tst_labels.moc"
