// Name rules with Kubernetes' exact messages (apimachinery util/validation).
#include "engine/core/names.h"

#include <QRegularExpression>
#include <QtTest>

#include <set>

namespace names = cd::names;
using Messages = cd::names::Messages;

namespace {

const std::string kSubdomain =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string kLabel =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const std::string kDns1035 =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, "
    "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
    "'[a-z]([-a-z0-9]*[a-z0-9])?')";
const std::string kNamePart =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string kLabelValue =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const std::string kCIdentifier =
    "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric "
    "characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is "
    "'[A-Za-z_][A-Za-z0-9_]*')";
const std::string kConfigKey =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  "
    "or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const std::string kEnvName =
    "a valid environment variable name must consist only of printable ASCII characters other than '='";
const std::string kOnlyAlnumDash = "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
const std::string kOneLetter = "must contain at least one letter (a-z)";

} // namespace

class TestNames : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dns1123Subdomain();
    void dns1123Label();
    void dns1035Label();
    void qualifiedName();
    void labelValue();
    void ianaServiceName();
    void portNumber();
    void cIdentifier();
    void envVarName();
    void configMapKey();
    void generated();
};

void TestNames::dns1123Subdomain()
{
    for (const char *ok : {"a", "0", "abc", "a-b", "a.b", "a-b.c-d", "example.com", "1.2.3", "my-app.v1"})
        QVERIFY2(names::dns1123Subdomain(ok).empty(), ok);
    QVERIFY(names::dns1123Subdomain(std::string(253, 'a')).empty());
    for (const char *bad : {"", "A", "a_b", "-a", "a-", ".a", "a.", "a..b", "a.-b", "a b", "é"})
        QCOMPARE(names::dns1123Subdomain(bad), Messages{kSubdomain});
    QCOMPARE(names::dns1123Subdomain(std::string(254, 'a')), Messages{"must be no more than 253 characters"});
    QCOMPARE(names::dns1123Subdomain(std::string(254, 'A')),
             (Messages{"must be no more than 253 characters", kSubdomain}));
}

void TestNames::dns1123Label()
{
    for (const char *ok : {"a", "0", "my-name", "123-abc", "a1", "1a"})
        QVERIFY2(names::dns1123Label(ok).empty(), ok);
    QVERIFY(names::dns1123Label(std::string(63, 'a')).empty());
    for (const char *bad : {"", "A", "a_b", "-a", "a-", "a b", "My-Name"})
        QCOMPARE(names::dns1123Label(bad), Messages{kLabel});
    QVERIFY(!names::dns1123Label("a.b").empty());
    QCOMPARE(names::dns1123Label(std::string(64, 'a')), Messages{"must be no more than 63 characters"});
    QCOMPARE(names::dns1123Label(std::string(64, '-')), (Messages{"must be no more than 63 characters", kLabel}));
}

void TestNames::dns1035Label()
{
    for (const char *ok : {"a", "my-name", "abc-123", "a1"})
        QVERIFY2(names::dns1035Label(ok).empty(), ok);
    QVERIFY(names::dns1035Label(std::string(63, 'a')).empty());
    for (const char *bad : {"", "1a", "123", "-a", "a-", "A", "a.b", "a_b"})
        QCOMPARE(names::dns1035Label(bad), Messages{kDns1035});
    QCOMPARE(names::dns1035Label(std::string(64, 'a')), Messages{"must be no more than 63 characters"});
    QCOMPARE(names::dns1035Label("1" + std::string(63, 'a')),
             (Messages{"must be no more than 63 characters", kDns1035}));
}

void TestNames::qualifiedName()
{
    for (const char *ok : {"a", "A", "app", "MyName", "my.name", "123-abc", "a_b", "example.com/MyName",
                           "app.kubernetes.io/name", "kubernetes.io/os", "a/b"})
        QVERIFY2(names::qualifiedName(ok).empty(), ok);
    QVERIFY(names::qualifiedName(std::string(63, 'x')).empty());
    QVERIFY(names::qualifiedName(std::string(253, 'p') + "/" + std::string(63, 'n')).empty());

    QCOMPARE(names::qualifiedName("-a"), Messages{kNamePart});
    QCOMPARE(names::qualifiedName("a b"), Messages{kNamePart});
    QCOMPARE(names::qualifiedName("app:x"), Messages{kNamePart});
    // An empty name part gets both messages, as in Kubernetes.
    QCOMPARE(names::qualifiedName(""), (Messages{"name part must be non-empty", kNamePart}));
    QCOMPARE(names::qualifiedName("example.com/"), (Messages{"name part must be non-empty", kNamePart}));
    QCOMPARE(names::qualifiedName(std::string(64, 'x')), Messages{"name part must be no more than 63 characters"});
    QCOMPARE(names::qualifiedName(std::string(64, '_')),
             (Messages{"name part must be no more than 63 characters", kNamePart}));
    // The prefix is a DNS subdomain.
    QCOMPARE(names::qualifiedName("/a"), Messages{"prefix part must be non-empty"});
    QCOMPARE(names::qualifiedName("Example.com/a"), Messages{"prefix part " + kSubdomain});
    QCOMPARE(names::qualifiedName("app.kubernetes_io/name"), Messages{"prefix part " + kSubdomain});
    QCOMPARE(names::qualifiedName(std::string(254, 'p') + "/a"),
             Messages{"prefix part must be no more than 253 characters"});
    QCOMPARE(names::qualifiedName("Bad_/-x"), (Messages{"prefix part " + kSubdomain, kNamePart}));
    // More than one slash.
    QCOMPARE(names::qualifiedName("a/b/c"),
             Messages{"a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and "
                      "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
                      "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain "
                      "prefix and '/' (e.g. 'example.com/MyName')"});
}

void TestNames::labelValue()
{
    for (const char *ok : {"", "a", "MyValue", "my_value", "12345", "a.b-c_d", "v1.2.3"})
        QVERIFY2(names::labelValue(ok).empty(), ok);
    QVERIFY(names::labelValue(std::string(63, 'v')).empty());
    for (const char *bad : {"-a", "a-", "_a", "a b", "a/b", "a:b", ".", "-1"})
        QCOMPARE(names::labelValue(bad), Messages{kLabelValue});
    QCOMPARE(names::labelValue(std::string(64, 'v')), Messages{"must be no more than 63 characters"});
    QCOMPARE(names::labelValue(std::string(64, '-')), (Messages{"must be no more than 63 characters", kLabelValue}));
}

void TestNames::ianaServiceName()
{
    for (const char *ok : {"http", "http-alt", "h2c", "a1", "web-8080", "aaaaaaaaaaaaaaa"})
        QVERIFY2(names::ianaServiceName(ok).empty(), ok);
    // IsValidPortName's messages, in its order.
    QCOMPARE(names::ianaServiceName("HTTP"), (Messages{kOnlyAlnumDash, kOneLetter}));
    QCOMPARE(names::ianaServiceName("80"), Messages{kOneLetter});
    QCOMPARE(names::ianaServiceName("a--b"), Messages{"must not contain consecutive hyphens"});
    QCOMPARE(names::ianaServiceName("-a"), Messages{"must not begin or end with a hyphen"});
    QCOMPARE(names::ianaServiceName("a-"), Messages{"must not begin or end with a hyphen"});
    QCOMPARE(names::ianaServiceName("--"),
             (Messages{kOneLetter, "must not contain consecutive hyphens", "must not begin or end with a hyphen"}));
    QCOMPARE(names::ianaServiceName("a_b"), Messages{kOnlyAlnumDash});
    QCOMPARE(names::ianaServiceName(""), (Messages{kOnlyAlnumDash, kOneLetter}));
    QCOMPARE(names::ianaServiceName(std::string(16, 'a')), Messages{"must be no more than 15 characters"});
    QCOMPARE(names::ianaServiceName("-1234567890123456"),
             (Messages{"must be no more than 15 characters", kOneLetter, "must not begin or end with a hyphen"}));
}

void TestNames::portNumber()
{
    for (long long ok : {1LL, 80LL, 65535LL})
        QVERIFY(names::portNumber(ok).empty());
    for (long long bad : {0LL, -1LL, 65536LL, 100000LL})
        QCOMPARE(names::portNumber(bad), Messages{"must be between 1 and 65535, inclusive"});
}

void TestNames::cIdentifier()
{
    for (const char *ok : {"a", "_", "my_name", "MY_NAME", "MyName", "_1"})
        QVERIFY2(names::cIdentifier(ok).empty(), ok);
    for (const char *bad : {"", "1a", "a-b", "a.b", "a b"})
        QCOMPARE(names::cIdentifier(bad), Messages{kCIdentifier});
}

void TestNames::envVarName()
{
    // Relaxed names (v1.32 default): any printable ASCII but '='.
    for (const char *ok : {"PATH", "my.env-name", "1ABC", "a b", "$x", "~", "a:b"})
        QVERIFY2(names::envVarName(ok).empty(), ok);
    QCOMPARE(names::envVarName(""), Messages{"environment variable name must be non-empty"});
    for (const char *bad : {"A=B", "=", "tab\there", "é"})
        QCOMPARE(names::envVarName(bad), Messages{kEnvName});
}

void TestNames::configMapKey()
{
    for (const char *ok : {"key", "key.name", "KEY_NAME", "key-name", ".secret-file", "a..b", "game.properties"})
        QVERIFY2(names::configMapKey(ok).empty(), ok);
    QVERIFY(names::configMapKey(std::string(253, 'k')).empty());
    QCOMPARE(names::configMapKey(""), Messages{kConfigKey});
    QCOMPARE(names::configMapKey("a/b"), Messages{kConfigKey});
    QCOMPARE(names::configMapKey("a b"), Messages{kConfigKey});
    QCOMPARE(names::configMapKey("."), Messages{"must not be '.'"});
    QCOMPARE(names::configMapKey(".."), Messages{"must not be '..'"});
    QCOMPARE(names::configMapKey("..data"), Messages{"must not start with '..'"});
    QCOMPARE(names::configMapKey("../x"), (Messages{kConfigKey, "must not start with '..'"}));
    QCOMPARE(names::configMapKey(std::string(254, 'k')), Messages{"must be no more than 253 characters"});
}

void TestNames::generated()
{
    const std::string allowed = "bcdfghjklmnpqrstvwxz2456789";
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const std::string s = names::randomSuffix();
        QCOMPARE(s.size(), size_t(5));
        for (char c : s)
            QVERIFY2(allowed.find(c) != std::string::npos, s.c_str());
        seen.insert(s);
    }
    QVERIFY(seen.size() > 190); // 27^5 choices: collisions are rare
    QCOMPARE(names::randomSuffix(8).size(), size_t(8));

    const QRegularExpression uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    for (int i = 0; i < 50; ++i) {
        const QString u = QString::fromStdString(names::uuid());
        QVERIFY2(uuid.match(u).hasMatch(), qPrintable(u));
    }
    QVERIFY(names::uuid() != names::uuid());
    const std::string hex = names::randomHex(16);
    QCOMPARE(hex.size(), size_t(32));
    QVERIFY(hex.find_first_not_of("0123456789abcdef") == std::string::npos);
}

QTEST_GUILESS_MAIN(TestNames)
#include "tst_names.moc"
