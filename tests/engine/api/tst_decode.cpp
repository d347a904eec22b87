// JSON request bodies: repeated fields named by path (what fieldValidation=Strict reports), no
// repeat seen where there is none (colons and quotes inside strings), errors with line and
// column, and the schema walk's paths for unknown fields and type errors.

#include "engine/api/decode.h"
#include "engine/api/schemas.h"

#include <QTest>

using cd::Json;
using namespace cd::api;

class TestDecode : public QObject {
    Q_OBJECT

    static std::vector<std::string> duplicatesOf(const std::string &body)
    {
        auto decoded = decodeBody(body, "application/json");
        if (!decoded.ok())
            return {"error: " + decoded.error().message};
        return decoded->duplicateFields;
    }

private Q_SLOTS:
    void repeatedFieldsAreNamed()
    {
        QCOMPARE(duplicatesOf(R"json({"a": 1, "a": 2})json"), std::vector<std::string>{"a"});
        QCOMPARE(duplicatesOf(R"json({"spec": {"replicas": 1, "x": {}, "replicas": 2}})json"),
                 std::vector<std::string>{"spec.replicas"});
        QCOMPARE(duplicatesOf(R"json({"items": [{"n": 1}, {"n": 2, "n": 3}]})json"), std::vector<std::string>{"items[1].n"});
        // The last value wins, as Go's decoder keeps it.
        auto decoded = decodeBody(R"json({"a": 1, "a": 2})json", "application/json");
        QVERIFY(decoded.ok());
        QCOMPARE(decoded->value["a"].get<int>(), 2);
    }

    void noRepeatWhereThereIsNone()
    {
        QCOMPARE(duplicatesOf("{\"a\": \"x:y\", \"b\": \"say \\\"k\\\": v\", \"c\": {\"d\": \"\\\\\", \"e\": \":\"}}"),
                 std::vector<std::string>{});
        QCOMPARE(duplicatesOf(R"json([{"a": 1}, {"a": 1}])json"), std::vector<std::string>{});
        QCOMPARE(duplicatesOf(R"json({"a": {"a": {"a": 1}}})json"), std::vector<std::string>{});
        auto decoded = decodeBody("{\"k\": \"a\\\"b:c\", \"n\": [1, 2, {\"m\": null}]}", "application/json");
        QVERIFY(decoded.ok());
        QCOMPARE(decoded->value["k"].get<std::string>(), std::string("a\"b:c"));
        QCOMPARE(decoded->value["n"].size(), size_t(3));
    }

    void errorsSayWhere()
    {
        auto decoded = decodeBody("{\n  \"a\": 1,\n  \"b\": }", "application/json");
        QVERIFY(!decoded.ok());
        QVERIFY2(decoded.error().message.rfind("the request body is not valid JSON: line 3, column 8:", 0) == 0,
                 decoded.error().message.c_str());
    }

    void schemaProblemsHavePaths()
    {
        const SchemaRegistry &schemas = SchemaRegistry::builtin();
        const std::string pod = schemas.definitionFor("", "v1", "Pod");
        QVERIFY(!pod.empty());
        const Json object = Json::parse(R"json({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "i"}, {"name": "d", "image": "i", "portz": [],
                     "ports": [{"containerPort": "80"}]}], "extra": 1}})json");
        std::vector<std::string> messages;
        for (const SchemaRegistry::Problem &problem : schemas.check(pod, object))
            messages.push_back(problem.path + " | " + problem.message);
        std::sort(messages.begin(), messages.end());
        const std::vector<std::string> expected = {
            "spec.containers[1].ports[0].containerPort | cannot unmarshal string into "
            "spec.containers[1].ports[0].containerPort of type int32",
            "spec.containers[1].portz | unknown field \"spec.containers[1].portz\"",
            "spec.extra | unknown field \"spec.extra\""};
        const auto joined = [](const std::vector<std::string> &lines) {
            QStringList out;
            for (const std::string &line : lines)
                out << QString::fromStdString(line);
            return out.join('\n');
        };
        QCOMPARE(joined(messages), joined(expected));
    }
};

QTEST_GUILESS_MAIN(TestDecode)
#include "tst_decode.moc"
