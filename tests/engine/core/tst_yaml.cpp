// YAML to JSON: multi-document streams, YAML 1.2 core-schema scalars, errors with line and column,
// emitting, and every upstream example manifest of tests/data/k8s-examples (block and KYAML).
#include "engine/core/yaml.h"
#include "tests/support/examples.h"

#include <QFile>
#include <QtTest>

#include <cmath>

using cd::Json;

namespace {

Json one(const std::string &text)
{
    auto v = cd::parseYaml(text);
    if (!v.ok())
        qFatal("cannot parse %s: %s", text.c_str(), v.error().message.c_str());
    return *v;
}

std::string error(const std::string &text)
{
    auto v = cd::parseYamlDocuments(text);
    if (v.ok())
        return "parsed";
    if (v.error().kind != cd::ErrorKind::BadRequest)
        return "not a BadRequest: " + v.error().message;
    return v.error().message;
}

} // namespace

class TestYaml : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void multiDocument();
    void documentMarkers();
    void scalars_data();
    void scalars();
    void tags();
    void blockScalars();
    void flowAndAnchors();
    void duplicateKeys();
    void errors();
    void emitRoundTrip();
    void examplesAllParse();
    void examplesContent();
};

void TestYaml::multiDocument()
{
    auto docs = cd::parseYamlDocuments("a: 1\n---\nb: 2\n---\n- x\n- y\n");
    QVERIFY(docs.ok());
    QCOMPARE(docs->size(), size_t(3));
    QCOMPARE((*docs)[0].value, Json({{"a", 1}}));
    QCOMPARE((*docs)[1].value, Json({{"b", 2}}));
    QCOMPARE((*docs)[2].value, Json::array({"x", "y"}));
    QCOMPARE((*docs)[0].line, 1);
    QCOMPARE((*docs)[1].line, 3);
    QCOMPARE((*docs)[2].line, 5);

    // parseYaml wants exactly one document.
    auto two = cd::parseYaml("a: 1\n---\nb: 2\n");
    QVERIFY(!two.ok());
    QCOMPARE(two.error().message, std::string("yaml: expected one document, found 2"));
    QCOMPARE(one(""), Json(nullptr));
    QCOMPARE(one("# only a comment\n"), Json(nullptr));
    QCOMPARE(one("---\n"), Json(nullptr));
}

void TestYaml::documentMarkers()
{
    // "---" followed by a blank line, a leading "---", empty documents in between.
    auto docs = cd::parseYamlDocuments("---\n\na: 1\n---\n\n---\nb: 2\n");
    QVERIFY(docs.ok());
    QCOMPARE(docs->size(), size_t(2));
    QCOMPARE((*docs)[0].value, Json({{"a", 1}}));
    QCOMPARE((*docs)[1].value, Json({{"b", 2}}));
    QCOMPARE((*docs)[0].line, 3);
    // No trailing newline.
    QCOMPARE(one("a: 1\nb: two"), Json({{"a", 1}, {"b", "two"}}));
    // "..." ends a document, with or without a newline after it.
    QCOMPARE(one("a: 1\n...\n"), Json({{"a", 1}}));
    QCOMPARE(one("---\na: 1\n..."), Json({{"a", 1}}));
    auto ended = cd::parseYamlDocuments("---\na: 1\n...\n---\nb: 2\n...");
    QVERIFY(ended.ok());
    QCOMPARE(ended->size(), size_t(2));
    // Windows line ends.
    QCOMPARE(one("a: 1\r\nb: x\r\n"), Json({{"a", 1}, {"b", "x"}}));
}

void TestYaml::scalars_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("json");
    auto row = [](const char *name, const char *yaml, const char *json) {
        QTest::newRow(name) << QString(yaml) << QString(json);
    };
    // Quoted scalars are always strings.
    row("quoted true", "v: \"true\"", R"({"v":"true"})");
    row("single-quoted true", "v: 'true'", R"({"v":"true"})");
    row("quoted number", "v: \"1\"", R"({"v":"1"})");
    row("quoted null", "v: \"null\"", R"({"v":"null"})");
    row("quoted tilde", "v: '~'", R"({"v":"~"})");
    row("quoted empty", "v: \"\"", R"({"v":""})");
    row("quoted 0.5", "cpu: \"0.5\"", R"({"cpu":"0.5"})");
    // Plain scalars by the YAML 1.2 core schema.
    row("true", "v: true", R"({"v":true})");
    row("True", "v: True", R"({"v":true})");
    row("FALSE", "v: FALSE", R"({"v":false})");
    row("yes is a string", "v: yes", R"({"v":"yes"})");
    row("on is a string", "v: on", R"({"v":"on"})");
    row("tilde", "v: ~", R"({"v":null})");
    row("null", "v: null", R"({"v":null})");
    row("Null", "v: Null", R"({"v":null})");
    row("empty", "v:", R"({"v":null})");
    row("int", "v: 42", R"({"v":42})");
    row("negative int", "v: -42", R"({"v":-42})");
    row("plus int", "v: +7", R"({"v":7})");
    row("zero", "v: 0", R"({"v":0})");
    row("hex", "v: 0x1F", R"({"v":31})");
    row("hex lower", "v: 0xff", R"({"v":255})");
    row("octal", "v: 0o17", R"({"v":15})");
    row("leading zero", "v: 012", R"({"v":12})");
    row("uint64", "v: 18446744073709551615", R"({"v":18446744073709551615})");
    row("float", "v: 3.25", R"({"v":3.25})");
    row("exponent float", "v: 1e3", R"({"v":1000.0})");
    row("negative exponent", "v: -2.5E-1", R"({"v":-0.25})");
    row("dot float", "v: .5", R"({"v":0.5})");
    row("percent", "maxSurge: 30%", R"({"maxSurge":"30%"})");
    row("version", "v: 1.2.3", R"({"v":"1.2.3"})");
    row("not hex", "v: 0x1G", R"({"v":"0x1G"})");
    row("signed hex is a string", "v: 0x-1", R"({"v":"0x-1"})");
    row("spaced hex is a string", "v: 0x 1", R"({"v":"0x 1"})");
    row("not octal", "v: 0o9", R"({"v":"0o9"})");
    row("dashes", "v: --", R"({"v":"--"})");
    row("dash word", "v: -x", R"({"v":"-x"})");
    row("negative uint64 is a float", "v: -18446744073709551615", R"({"v":-1.8446744073709552e+19})");
    row("e alone", "v: e3", R"({"v":"e3"})");
    row("quantity", "memory: 1Gi", R"({"memory":"1Gi"})");
    row("time", "v: 12:30", R"({"v":"12:30"})");
    row("numeric key", "80: http", R"({"80":"http"})");
    row("bool key", "true: x", R"({"true":"x"})");
    row("url", "image: registry.k8s.io/busybox:1.27.2", R"({"image":"registry.k8s.io/busybox:1.27.2"})");
    row("escapes", R"(v: "a\tb\nc\\d\"e\u00e9")", "{\"v\":\"a\\tb\\nc\\\\d\\\"e\xc3\xa9\"}");
}

void TestYaml::scalars()
{
    QFETCH(QString, yaml);
    QFETCH(QString, json);
    const Json got = one(yaml.toStdString());
    const Json want = Json::parse(json.toStdString());
    QCOMPARE(QString::fromStdString(got.dump()), QString::fromStdString(want.dump()));
    // Same kind of JSON value (integers signed or not), not only the same printed text.
    auto kind = [](const Json &v) {
        return v.is_number_integer() ? std::string("integer") : v.is_number_float() ? "float" : v.type_name();
    };
    QCOMPARE(kind(*got.begin()), kind(*want.begin()));
}

void TestYaml::tags()
{
    QCOMPARE(one("v: !!str 123"), Json({{"v", "123"}}));
    QCOMPARE(one("v: !!str true"), Json({{"v", "true"}}));
    QCOMPARE(one("v: !!int \"42\""), Json({{"v", 42}}));
    QCOMPARE(one("v: !!float 1"), Json({{"v", 1}}));
    QCOMPARE(one("v: !!bool true"), Json({{"v", true}}));
    QCOMPARE(one("v: !!null ~"), Json({{"v", nullptr}}));
    QCOMPARE(error("v: !!int abc"), std::string("yaml: line 1, column 4: cannot read \"abc\" as int"));
    QCOMPARE(error("v: !!bool maybe"), std::string("yaml: line 1, column 4: cannot read \"maybe\" as bool"));
    QCOMPARE(one("v: !custom text"), Json({{"v", "text"}}));
}

void TestYaml::blockScalars()
{
    // Literal blocks keep "#" lines: they are content, not comments.
    const std::string cnf = "data:\n"
                            "  primary.cnf: |\n"
                            "    # Apply this config only on the primary.\n"
                            "    [mysqld]\n"
                            "    log-bin\n"
                            "  strip: |-\n"
                            "    no newline\n"
                            "  keep: |+\n"
                            "    two\n"
                            "\n"
                            "  folded: >\n"
                            "    one\n"
                            "    line\n"
                            "\n"
                            "    next\n"
                            "  indented: |2\n"
                            "      four spaces\n";
    const Json data = one(cnf)["data"];
    QCOMPARE(data["primary.cnf"], Json("# Apply this config only on the primary.\n[mysqld]\nlog-bin\n"));
    QCOMPARE(data["strip"], Json("no newline"));
    QCOMPARE(data["keep"], Json("two\n\n"));
    QCOMPARE(data["folded"], Json("one line\nnext\n"));
    QCOMPARE(data["indented"], Json("  four spaces\n"));
    // A multi-line plain scalar folds into one line.
    QCOMPARE(one("v: one\n  two\n  three\n"), Json({{"v", "one two three"}}));
    // Escaped line breaks in double quotes join lines.
    QCOMPARE(one("v: \"\\\n   a\\n\\\n   b\\n\\\n  \"\n"), Json({{"v", "a\nb\n"}}));
}

void TestYaml::flowAndAnchors()
{
    // KYAML style: flow mappings with trailing commas and comments inside.
    const Json v = one("---\n{\n  # leading comment\n  a: \"x\", # trailing\n  b: [1, 2,],\n  c: {d: e,},\n}\n");
    QCOMPARE(v, Json::parse(R"({"a":"x","b":[1,2],"c":{"d":"e"}})"));
    QCOMPARE(one("a: &x {k: v}\nb: *x\n"), Json::parse(R"({"a":{"k":"v"},"b":{"k":"v"}})"));
    QCOMPARE(one("[]"), Json::array());
    QCOMPARE(one("{}"), Json::object());
    QCOMPARE(one("a: []\nb: {}\n"), Json::parse(R"({"a":[],"b":{}})"));
    QCOMPARE(one("z: 1\na: 2\nm: 3\n"), Json::parse(R"({"z":1,"a":2,"m":3})"));
}

void TestYaml::duplicateKeys()
{
    QCOMPARE(error("a: 1\nb: 2\na: 3\n"), std::string("yaml: line 3, column 1: mapping key \"a\" already defined"));
    QCOMPARE(error("m:\n  x: 1\n  y: 2\n  x: 2\n"),
             std::string("yaml: line 4, column 3: mapping key \"x\" already defined"));
    QCOMPARE(error("---\nok: 1\n---\nlist:\n- k: 1\n  k: 2\n"),
             std::string("yaml: line 6, column 3: mapping key \"k\" already defined"));
    QCOMPARE(error("{a: 1, a: 2}"), std::string("yaml: line 1, column 8: mapping key \"a\" already defined"));
    // The same key in different mappings is fine; "1" and 1 are the same JSON key.
    QVERIFY(cd::parseYaml("a: {x: 1}\nb: {x: 2}\n").ok());
    QCOMPARE(error("1: a\n\"1\": b\n"), std::string("yaml: line 2, column 1: mapping key \"1\" already defined"));
}

void TestYaml::errors()
{
    const std::string unclosed = error("a: [1, 2\nb: 3\n");
    QVERIFY2(unclosed.rfind("yaml: line ", 0) == 0, unclosed.c_str());
    const std::string badIndent = error("a:\n  b: 1\n c: 2\n");
    QVERIFY2(badIndent.rfind("yaml: line 3, column ", 0) == 0, badIndent.c_str());
    const std::string tab = error("a:\n\tb: 1\n");
    QVERIFY2(tab.rfind("yaml: line ", 0) == 0, tab.c_str());
    QCOMPARE(error("a: 1\n<<: {b: 2}\n"), std::string("yaml: line 2, column 1: merge keys (<<) are not supported"));
    QCOMPARE(error("? [a, b]\n: 1\n"), std::string("yaml: line 1, column 3: a mapping key must be a scalar"));
    const std::string deep = std::string(300, '[') + std::string(300, ']');
    const std::string deepError = error(deep);
    QVERIFY2(deepError.find("the document is nested too deeply") != std::string::npos, deepError.c_str());
    const std::string unknownAlias = error("a: *nope\n");
    QVERIFY2(unknownAlias.rfind("yaml: line 1, column ", 0) == 0, unknownAlias.c_str());
}

void TestYaml::emitRoundTrip()
{
    const Json value = Json::parse(R"({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "x", "labels": {"app.kubernetes.io/name": "web"}, "annotations": {}},
        "data": {"t": "true", "n": "1", "f": "1e3", "nul": "null", "tilde": "~", "empty": "", "hex": "0x1F",
                 "text": "multi\nline\n", "hash": "# not a comment", "colon": "a: b", "dash": "- x",
                 "lead": " space", "yes": "yes"},
        "list": [1, 2.5, true, false, null, "s", [], {}, [1, [2]]],
        "neg": -3, "big": 18446744073709551615
    })");
    const std::string yaml = cd::toYaml(value);
    QVERIFY(!yaml.empty());
    QCOMPARE(yaml.back(), '\n');
    auto back = cd::parseYaml(yaml);
    QVERIFY2(back.ok(), back.ok() ? "" : (back.error().message + "\n" + yaml).c_str());
    QCOMPARE(QString::fromStdString(back->dump()), QString::fromStdString(value.dump()));
    // Keys come out in the object's order (nlohmann sorts them).
    QVERIFY(yaml.find("apiVersion: v1") < yaml.find("kind: ConfigMap"));
    QCOMPARE(cd::toYaml(Json({{"a", "true"}})), std::string("a: \"true\"\n"));
}

void TestYaml::examplesAllParse()
{
    QVERIFY2(!cd::test::examplesDir().isEmpty(), cd::test::kNoExamples);
    QFile index(cd::test::examplesDir() + "/INDEX.md");
    QVERIFY2(index.open(QIODevice::ReadOnly), qPrintable("missing " + index.fileName()));
    // The table of INDEX.md: | path | kinds in document order | format | ...
    QMap<QString, QStringList> kindsByFile;
    QSet<QString> kyamlFiles;
    for (const QString &line : QString::fromUtf8(index.readAll()).split('\n')) {
        const QStringList cells = line.split('|');
        if (cells.size() < 4)
            continue;
        const QString path = cells[1].trimmed();
        if (!path.endsWith(".yaml"))
            continue;
        QStringList kinds;
        for (const QString &k : cells[2].split(','))
            kinds << k.trimmed();
        kindsByFile.insert(path, kinds);
        if (cells[3].trimmed() == "KYAML")
            kyamlFiles.insert(path);
    }
    QVERIFY(kindsByFile.size() >= 50);

    int files = 0;
    int kyaml = 0;
    for (const QString &relative : cd::test::exampleFiles()) {
        const QByteArray text = cd::test::readExample(relative);
        if (kyamlFiles.contains(relative)) {
            // Flow style: the document is one "{ ... }" mapping.
            QVERIFY2(text.startsWith("---\n{") || text.contains("\n{\n"), qPrintable(relative));
            ++kyaml;
        }
        auto docs = cd::parseYamlDocuments(text.toStdString());
        QVERIFY2(docs.ok(),
                 qPrintable(relative + ": " + QString::fromStdString(docs.ok() ? "" : docs.error().message)));
        QStringList kinds;
        for (const auto &doc : *docs) {
            QVERIFY2(doc.value.is_object(), qPrintable(relative));
            QVERIFY2(!cd::str(doc.value, {"apiVersion"}).empty(), qPrintable(relative));
            QVERIFY2(!cd::str(doc.value, {"metadata", "name"}).empty(), qPrintable(relative));
            QVERIFY2(doc.line >= 1, qPrintable(relative));
            kinds << QString::fromStdString(cd::str(doc.value, {"kind"}));
        }
        QVERIFY2(kindsByFile.contains(relative), qPrintable(relative + " is not in INDEX.md"));
        QCOMPARE(kinds, kindsByFile.value(relative));
        ++files;
    }
    QCOMPARE(files, int(kindsByFile.size()));
    QCOMPARE(kyaml, int(kyamlFiles.size()));
    QVERIFY(kyaml >= 15); // many website examples are KYAML
}

void TestYaml::examplesContent()
{
    QVERIFY2(!cd::test::examplesDir().isEmpty(), cd::test::kNoExamples);
    auto documents = [&](const QString &relative) {
        auto docs = cd::parseYamlDocuments(cd::test::readExample(relative).toStdString());
        if (!docs.ok())
            qFatal("%s: %s", qPrintable(relative), docs.error().message.c_str());
        return *docs;
    };
    // Literal blocks whose lines start with "#".
    const Json mysql = documents("website/application/mysql/mysql-configmap.yaml").at(0).value;
    QCOMPARE(mysql["data"]["primary.cnf"],
             Json("# Apply this config only on the primary.\n[mysqld]\nlog-bin\n# datadir=/var/lib/mysql/mysql\n"));
    // KYAML: escaped line continuations in a double-quoted string.
    const Json redisConfig = documents("website/pods/config/example-redis-config.yaml").at(0).value;
    QCOMPARE(redisConfig["data"]["redis-config"], Json("maxmemory 2mb\nmaxmemory-policy allkeys-lru\n"));
    // KYAML: "\\n" stays a backslash and an n.
    const Json dapi = documents("website/pods/inject/dapi-volume.yaml").at(0).value;
    const std::string args = dapi["spec"]["containers"][0]["args"][0].get<std::string>();
    QVERIFY(args.find("echo -en '\\n\\n'") != std::string::npos);
    QCOMPARE(dapi["metadata"]["labels"]["rack"], Json("rack-22"));
    // Quoted values stay strings.
    const Json redisPod = documents("website/pods/config/redis-pod.yaml").at(0).value;
    QCOMPARE(redisPod["spec"]["containers"][0]["env"][0]["value"], Json("true"));
    QCOMPARE(redisPod["spec"]["containers"][0]["resources"]["limits"]["cpu"], Json("0.1"));
    const Json cpu = documents("website/pods/resource/cpu-request-limit.yaml").at(0).value;
    QCOMPARE(cpu["spec"]["containers"][0]["resources"]["requests"]["cpu"], Json("0.5"));
    QCOMPARE(cpu["spec"]["containers"][0]["resources"]["limits"]["cpu"], Json("1"));
    const Json retain = documents("website/application/deployment-retainkeys.yaml").at(0).value;
    QCOMPARE(retain["spec"]["strategy"]["rollingUpdate"]["maxSurge"], Json("30%"));
    // "---" then a blank line.
    const auto configmaps = documents("website/configmap/configmaps.yaml");
    QCOMPARE(configmaps.size(), size_t(2));
    QCOMPARE(configmaps[0].value["data"]["special.how"], Json("very"));
    QCOMPARE(configmaps[1].value["metadata"]["name"], Json("env-config"));
    QCOMPARE(configmaps[0].line, 1);
    QVERIFY(configmaps[1].line > 8);
    // Leading "---", trailing "..." and no final newline.
    const auto frontend = documents("website/service/access/frontend-service.yaml");
    QCOMPARE(frontend.size(), size_t(1));
    QCOMPARE(frontend[0].value["spec"]["type"], Json("LoadBalancer"));
    QCOMPARE(frontend[0].value["spec"]["ports"][0]["protocol"], Json("TCP"));
    QCOMPARE(frontend[0].value["spec"]["ports"][0]["port"], Json(80));
    const auto dotfile = documents("website/secret/dotfile-secret.yaml");
    QCOMPARE(dotfile.size(), size_t(2));
    QVERIFY(dotfile[0].value["data"].contains(".secret-file"));
    // Comments inside a multi-line flow sequence.
    const Json konnectivity = documents("website/admin/konnectivity/konnectivity-server.yaml").at(0).value;
    const Json &kargs = konnectivity["spec"]["containers"][0]["args"];
    QVERIFY(kargs.is_array());
    QCOMPARE(kargs[0], Json("--logtostderr=true"));
    QCOMPARE(kargs[1], Json("--uds-name=/etc/kubernetes/konnectivity-server/konnectivity-server.socket"));
    for (const Json &a : kargs)
        QVERIFY(a.get<std::string>().rfind("--", 0) == 0);
    QCOMPARE(konnectivity["spec"]["hostNetwork"], Json(true));
    // KYAML with comments after values and a key holding "/".
    const Json storage = documents("website/storage/storageclass-low-latency.yaml").at(0).value;
    QCOMPARE(storage["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"], Json("false"));
    QCOMPARE(storage["reclaimPolicy"], Json("Retain"));
    QCOMPARE(storage["allowVolumeExpansion"], Json(true));
    QCOMPARE(storage["mountOptions"], Json::array({"discard"}));
    QCOMPARE(storage["parameters"]["guaranteedReadWriteLatency"], Json("true"));
    // Six documents in one file.
    const auto guestbook = documents("examples/web/guestbook/all-in-one/guestbook-all-in-one.yaml");
    QCOMPARE(guestbook.size(), size_t(6));
}

QTEST_GUILESS_MAIN(TestYaml)
#include "tst_yaml.moc"
