// Bad input to a real clusterdeckd: each is answered with a Kubernetes Status error (the code,
// reason and message a real API server gives, or what kubectl prints for it), and nothing stored
// changes — checked by reading the object or the list again afterwards.
#include "clusterfixture.h"

using cd::Json;
using namespace cd::test;

namespace {

const char *kObjects = R"(apiVersion: v1
kind: Namespace
metadata:
  name: bad
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: keep
  namespace: bad
data:
  value: original
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: keep
  namespace: bad
spec:
  replicas: 1
  selector:
    matchLabels:
      app: keep
  template:
    metadata:
      labels:
        app: keep
    spec:
      containers:
      - name: main
        image: busybox:1.36
)";

// The parts of a list that must not move: names and resourceVersions, in order.
QStringList snapshotOf(const Json &list)
{
    QStringList out;
    if (!list.contains("items"))
        return {"<no list>"};
    for (const Json &item : list["items"])
        out.push_back(QString::fromStdString(cd::str(item, {"metadata", "name"}) + "@" +
                                             cd::str(item, {"metadata", "resourceVersion"})));
    return out;
}

} // namespace

class TstBadInput : public QObject {
    Q_OBJECT

private:
    ClusterFixture m_cluster;
    QStringList m_before;  // the watched lists before each test

    QStringList watchedState()
    {
        QStringList state;
        for (const char *path : {"/api/v1/namespaces/bad/configmaps", "/api/v1/namespaces/bad/pods",
                                 "/api/v1/namespaces/bad/services", "/apis/apps/v1/namespaces/bad/deployments",
                                 "/api/v1/namespaces"})
            state += QString(path) + ": " + snapshotOf(m_cluster.getJson(path)).join(' ');
        return state;
    }

    bool waitUntilSettled()
    {
        QStringList previous = watchedState();
        for (int attempt = 0; attempt < 30; ++attempt) {
            QTest::qWait(1000);
            QStringList now = watchedState();
            if (now == previous)
                return true;
            previous = std::move(now);
        }
        return false;
    }

    // A Status error with this code and reason; returns its message.
    static QString statusMessage(const HttpReply &reply, int code, const char *reason)
    {
        const Json status = reply.json();
        if (reply.status != code || cd::str(status, {"kind"}) != "Status" || cd::str(status, {"status"}) != "Failure" ||
            cd::integer(status, {"code"}) != code || cd::str(status, {"reason"}) != reason)
            return "<unexpected reply: " + reply.report() + ">";
        return QString::fromStdString(cd::str(status, {"message"}));
    }

    HttpReply post(const QString &path, const QByteArray &body, const QByteArray &contentType = "application/json")
    {
        return m_cluster.request("POST", path, body, contentType);
    }

private Q_SLOTS:
    void initTestCase()
    {
        CD_START_CLUSTER(m_cluster);
        CD_KUBECTL_OK(m_cluster.kubectl({"apply", "-f", "-"}, kObjects));
        // The controllers answer the apply (the Deployment's ReplicaSet and status); the tests
        // compare against a state they no longer change.
        QVERIFY2(waitUntilSettled(), "the controllers kept changing the watched objects for 30 s");
    }

    void cleanupTestCase() { QCOMPARE(m_cluster.stop(), 0); }

    void init() { m_before = watchedState(); }

    // Every test leaves the stored objects as they were.
    void cleanup()
    {
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(watchedState(), m_before);
    }

    void malformedYaml()
    {
        const QByteArray body = "apiVersion: v1\n"
                                "kind: ConfigMap\n"
                                "metadata:\n"
                                "  name: broken\n"
                                "data:\n"
                                "  a: [1, 2\n"
                                "  b: c\n";
        const HttpReply reply = post("/api/v1/namespaces/bad/configmaps", body, "application/yaml");
        const QString message = statusMessage(reply, 400, "BadRequest");
        QVERIFY2(QRegularExpression("line [67], column \\d+").match(message).hasMatch(), qPrintable(message));

        // kubectl reads YAML itself and says where it broke, before anything is sent.
        const KubectlRun run = m_cluster.kubectl({"create", "-f", "-"}, body);
        QVERIFY2(!run.ok(), qPrintable(run.report()));
        QVERIFY2(run.err.startsWith("error: error parsing STDIN: error converting YAML to JSON: yaml: line "),
                 qPrintable(run.report()));
    }

    void malformedJson()
    {
        const QByteArray body = "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n"
                                " \"metadata\": {\"name\": \"broken\"},\n"
                                " \"data\": {\"a\": }\n"
                                "}\n";
        HttpReply reply = post("/api/v1/namespaces/bad/configmaps", body);
        QString message = statusMessage(reply, 400, "BadRequest");
        QVERIFY2(message.contains("line 3, column 16"), qPrintable(message));

        reply = m_cluster.request("PUT", "/api/v1/namespaces/bad/configmaps/keep", "{\"metadata\": {\"name\": \"keep\"}");
        message = statusMessage(reply, 400, "BadRequest");
        QVERIFY2(QRegularExpression("line 1, column \\d+").match(message).hasMatch(), qPrintable(message));

        reply = m_cluster.request("PATCH", "/api/v1/namespaces/bad/configmaps/keep", "{\"data\": {\"value\": \"x\",}}",
                                  "application/merge-patch+json");
        message = statusMessage(reply, 400, "BadRequest");
        QVERIFY2(QRegularExpression("line 1, column \\d+").match(message).hasMatch(), qPrintable(message));
    }

    void unknownFieldStrict()
    {
        const QByteArray pod = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"strict"},
            "spec":{"containers":[{"name":"main","image":"busybox:1.36","imagePullPolice":"Always"}],"colour":"red"}})";
        HttpReply reply = post("/api/v1/namespaces/bad/pods?fieldValidation=Strict", pod);
        QCOMPARE(statusMessage(reply, 400, "BadRequest"),
                 QString("Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field "
                         "\"spec.colour\", unknown field \"spec.containers[0].imagePullPolice\""));

        // kubectl asks for Strict validation by default.
        const KubectlRun run = m_cluster.kubectl({"create", "-n", "bad", "-f", "-"}, pod);
        CD_KUBECTL_FAILS_WITH(run, "Error from server (BadRequest): error when creating \"STDIN\": Pod in version \"v1\" "
                                   "cannot be handled as a Pod: strict decoding error: unknown field \"spec.colour\", "
                                   "unknown field \"spec.containers[0].imagePullPolice\"");

        // The same update under Strict is refused too, and the stored object stays.
        reply = m_cluster.request("PUT", "/api/v1/namespaces/bad/configmaps/keep?fieldValidation=Strict",
                                  R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep"},"data":{"value":"x"},"extra":1})");
        QCOMPARE(statusMessage(reply, 400, "BadRequest"),
                 QString("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: "
                         "unknown field \"extra\""));
        reply = m_cluster.request("PATCH", "/api/v1/namespaces/bad/configmaps/keep?fieldValidation=Strict",
                                  R"({"extra":1})", "application/merge-patch+json");
        QCOMPARE(statusMessage(reply, 400, "BadRequest"),
                 QString("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: "
                         "unknown field \"extra\""));
        QCOMPARE(cd::str(m_cluster.getJson("/api/v1/namespaces/bad/configmaps/keep"), {"data", "value"}),
                 std::string("original"));
    }

    void unknownFieldWarnCreates()
    {
        // Under Warn the object is stored without the field, and the answer carries a warning.
        const HttpReply reply = post("/api/v1/namespaces/bad/configmaps?fieldValidation=Warn",
                                     R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"warned"},"extra":1})");
        QCOMPARE(reply.status, 201);
        QCOMPARE(reply.warnings, QList<QByteArray>{"299 - \"unknown field \\\"extra\\\"\""});
        QVERIFY(!reply.json().contains("extra"));
        QCOMPARE(m_cluster.request("DELETE", "/api/v1/namespaces/bad/configmaps/warned").status, 200);
    }

    void invalidNames_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QStringList>("expected");
        const QString subdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                                  "'-' or '.', and must start and end with an alphanumeric character (e.g. "
                                  "'example.com', regex used for validation is "
                                  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
        const QString dns1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
                                "with an alphabetic character, and end with an alphanumeric character (e.g. "
                                "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
        QTest::newRow("configmap upper case")
            << QByteArray("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n")
            << QStringList{"The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": " +
                           subdomain};
        // Service names are DNS-1035 labels (ValidateServiceName).
        QTest::newRow("service with a dot")
            << QByteArray("apiVersion: v1\nkind: Service\nmetadata:\n  name: web.v2\nspec:\n  ports:\n  - port: 80\n")
            << QStringList{"The Service \"web.v2\" is invalid: metadata.name: Invalid value: \"web.v2\": " + dns1035};
        QTest::newRow("service starting with a digit")
            << QByteArray("apiVersion: v1\nkind: Service\nmetadata:\n  name: 1web\nspec:\n  ports:\n  - port: 80\n")
            << QStringList{"The Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": " + dns1035};
        // The namespace's automatic kubernetes.io/metadata.name label is too long as well, and a
        // real API server says both (several causes: kubectl lists them one per line).
        const QString n64(64, 'n');
        QTest::newRow("namespace too long")
            << QByteArray("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + n64.toUtf8() + "\n")
            << QStringList{"The Namespace \"" + n64 + "\" is invalid: ",
                           "* metadata.name: Invalid value: \"" + n64 + "\": must be no more than 63 characters",
                           "* metadata.labels: Invalid value: \"" + n64 + "\": must be no more than 63 characters"};
    }

    void invalidNames()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QStringList, expected);
        const KubectlRun run = m_cluster.kubectl({"apply", "-n", "bad", "-f", "-"}, yaml);
        QVERIFY2(!run.ok(), qPrintable(run.report()));
        QCOMPARE(run.err.split('\n', Qt::SkipEmptyParts), expected);
    }

    void badQuantities()
    {
        const QString pod = R"(apiVersion: v1
kind: Pod
metadata:
  name: hungry
spec:
  containers:
  - name: main
    image: busybox:1.36
    resources:
      limits:
        memory: %1
)";
        // Not a quantity at all: refused while decoding, as Kubernetes does.
        KubectlRun run = m_cluster.kubectl({"create", "-n", "bad", "-f", "-"}, pod.arg("12 GiB").toUtf8());
        CD_KUBECTL_FAILS_WITH(run, "Error from server (BadRequest): error when creating \"STDIN\": Pod in version \"v1\" "
                                   "cannot be handled as a Pod: quantities must match the regular expression "
                                   "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        // A quantity, but negative: refused by validation, twice, since the requests were
        // defaulted from the limits first.
        run = m_cluster.kubectl({"create", "-n", "bad", "-f", "-"}, pod.arg("\"-1Gi\"").toUtf8());
        QVERIFY2(!run.ok(), qPrintable(run.report()));
        QCOMPARE(run.err.split('\n', Qt::SkipEmptyParts),
                 (QStringList{"The Pod \"hungry\" is invalid: ",
                              "* spec.containers[0].resources.limits[memory]: Invalid value: \"-1Gi\": must be greater "
                              "than or equal to 0",
                              "* spec.containers[0].resources.requests[memory]: Invalid value: \"-1Gi\": must be "
                              "greater than or equal to 0"}));
        // Good quantities are stored in canonical form; a JSON number is a quantity too.
        const QStringList jsonpath = {"create", "-n", "bad", "--dry-run=server", "-o",
                                      "jsonpath={.spec.containers[0].resources.limits.memory}", "-f", "-"};
        run = m_cluster.kubectl(jsonpath, pod.arg("2048Mi").toUtf8());
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out, QString("2Gi"));
        run = m_cluster.kubectl(jsonpath, pod.arg("1000").toUtf8());
        CD_KUBECTL_OK(run);
        QCOMPARE(run.out, QString("1k"));
    }

    void duplicatePorts()
    {
        const QByteArray service = R"(apiVersion: v1
kind: Service
metadata:
  name: twice
spec:
  selector:
    app: web
  ports:
  - name: a
    port: 80
  - name: b
    port: 80
)";
        const KubectlRun run = m_cluster.kubectl({"create", "-n", "bad", "-f", "-"}, service);
        QVERIFY2(!run.ok(), qPrintable(run.report()));
        QVERIFY2(run.err.startsWith("The Service \"twice\" is invalid: spec.ports[1]: Duplicate value: "),
                 qPrintable(run.report()));
    }

    void selectorDoesNotMatchTemplate()
    {
        const QByteArray deployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: mismatch
spec:
  selector:
    matchLabels:
      app: a
  template:
    metadata:
      labels:
        app: b
    spec:
      containers:
      - name: main
        image: busybox:1.36
)";
        const KubectlRun run = m_cluster.kubectl({"create", "-n", "bad", "-f", "-"}, deployment);
        CD_KUBECTL_FAILS_WITH(run, "The Deployment \"mismatch\" is invalid: spec.template.metadata.labels: Invalid "
                                   "value: map[string]string{\"app\":\"b\"}: `selector` does not match template "
                                   "`labels`");
    }

    void staleResourceVersion()
    {
        const Json current = m_cluster.getJson("/api/v1/namespaces/bad/configmaps/keep");
        Json stale = current;
        stale["data"]["value"] = "stale";
        stale["metadata"]["resourceVersion"] = std::to_string(std::stoll(cd::str(current, {"metadata", "resourceVersion"})) - 1);
        const HttpReply reply = m_cluster.request("PUT", "/api/v1/namespaces/bad/configmaps/keep",
                                                  QByteArray::fromStdString(stale.dump()));
        QCOMPARE(statusMessage(reply, 409, "Conflict"),
                 QString("Operation cannot be fulfilled on configmaps \"keep\": the object has been modified; please "
                         "apply your changes to the latest version and try again"));
        QCOMPARE(m_cluster.getJson("/api/v1/namespaces/bad/configmaps/keep").dump(), current.dump());

        const KubectlRun run = m_cluster.kubectl({"replace", "-f", "-"}, QByteArray::fromStdString(stale.dump()));
        CD_KUBECTL_FAILS_WITH(run, "Error from server (Conflict): error when replacing \"STDIN\": Operation cannot be "
                                   "fulfilled on configmaps \"keep\": the object has been modified; please apply your "
                                   "changes to the latest version and try again");
        QCOMPARE(m_cluster.getJson("/api/v1/namespaces/bad/configmaps/keep").dump(), current.dump());
    }

    void missingNamespace()
    {
        const HttpReply reply =
            post("/api/v1/namespaces/ghost/configmaps", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}})");
        QCOMPARE(statusMessage(reply, 404, "NotFound"), QString("namespaces \"ghost\" not found"));
        QCOMPARE(m_cluster.request("GET", "/api/v1/namespaces/ghost/configmaps/x").status, 404);

        const KubectlRun run = m_cluster.kubectl({"create", "-n", "ghost", "-f", "-"},
                                                 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
        CD_KUBECTL_FAILS_WITH(run, "Error from server (NotFound): error when creating \"STDIN\": namespaces \"ghost\" "
                                   "not found");
    }

    void bodyTooLarge()
    {
        Json configMap = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "huge"}}}};
        configMap["data"]["blob"] = std::string(10 * 1024 * 1024, 'x');
        const QByteArray body = QByteArray::fromStdString(configMap.dump());
        const HttpReply reply = post("/api/v1/namespaces/bad/configmaps", body);
        QCOMPARE(statusMessage(reply, 413, "RequestEntityTooLarge"), QString("Request entity too large: limit is 3145728"));

        const QString file = m_cluster.scratchPath("huge.json");
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(body);
        out.close();
        const KubectlRun run = m_cluster.kubectl({"create", "-n", "bad", "-f", file});
        CD_KUBECTL_FAILS_WITH(run, "Error from server (RequestEntityTooLarge): error when creating \"" + file +
                                       "\": Request entity too large: limit is 3145728");
        // The server still answers on new connections.
        QCOMPARE(m_cluster.request("GET", "/api/v1/namespaces/bad/configmaps/huge").status, 404);
    }

    void deepNesting()
    {
        // 1,000 levels inside an otherwise ordinary object.
        QByteArray nested;
        for (int i = 0; i < 1000; ++i)
            nested += "{\"a\":";
        nested += "1";
        for (int i = 0; i < 1000; ++i)
            nested += "}";
        const QByteArray body = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"extra":)" + nested + "}";
        HttpReply reply = post("/api/v1/namespaces/bad/configmaps", body);
        QString message = statusMessage(reply, 400, "BadRequest");
        QVERIFY2(message.contains("nested"), qPrintable(message));

        QByteArray yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\nextra: ";
        for (int i = 0; i < 1000; ++i)
            yaml += "[";
        for (int i = 0; i < 1000; ++i)
            yaml += "]";
        yaml += "\n";
        reply = post("/api/v1/namespaces/bad/configmaps", yaml, "application/yaml");
        message = statusMessage(reply, 400, "BadRequest");
        QVERIFY2(message.contains("nested"), qPrintable(message));

        reply = m_cluster.request("PATCH", "/api/v1/namespaces/bad/configmaps/keep", "{\"data\":" + nested + "}",
                                  "application/merge-patch+json");
        message = statusMessage(reply, 400, "BadRequest");
        QVERIFY2(message.contains("nested"), qPrintable(message));
    }

    void unauthorized()
    {
        const QByteArray configMap = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"intruder"}})";
        for (const QByteArray &token : {QByteArray(), QByteArray("wrong"), m_cluster.engine().token() + "x"}) {
            HttpReply reply = m_cluster.request("POST", "/api/v1/namespaces/bad/configmaps", configMap,
                                                "application/json", token);
            QCOMPARE(statusMessage(reply, 401, "Unauthorized"), QString("Unauthorized"));
            reply = m_cluster.request("GET", "/api/v1/namespaces/bad/configmaps/keep", {}, {}, token);
            QCOMPARE(statusMessage(reply, 401, "Unauthorized"), QString("Unauthorized"));
            reply = m_cluster.request("DELETE", "/api/v1/namespaces/bad/configmaps/keep", {}, {}, token);
            QCOMPARE(statusMessage(reply, 401, "Unauthorized"), QString("Unauthorized"));
        }

        // With discovery cached (earlier commands succeeded), the request itself is refused.
        KubectlRun run = m_cluster.kubectl({"get", "configmap", "keep", "-n", "bad", "--token", "wrong"});
        CD_KUBECTL_FAILS_WITH(run, "error: You must be logged in to the server (Unauthorized)");
        run = m_cluster.kubectl({"delete", "configmap", "keep", "-n", "bad", "--token", "wrong"});
        CD_KUBECTL_FAILS_WITH(run, "error: You must be logged in to the server (Unauthorized)");

        // No token at all: a kubeconfig user without one. kubectl would prompt for a user name and
        // password (basic authentication) when the user has no credentials, so give those; the
        // server, which knows only its bearer token, refuses the request alike.
        QFile config(m_cluster.kubeconfig());
        QVERIFY(config.open(QIODevice::ReadOnly));
        QString text = QString::fromUtf8(config.readAll());
        text.replace(QRegularExpression("user:\\s*\\n\\s*token:\\s*\\S+"), "user: {}");
        QVERIFY(!text.contains("token:"));
        const QString noToken = m_cluster.scratchPath("kubeconfig-without-token");
        QFile out(noToken);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(text.toUtf8());
        out.close();
        run = m_cluster.kubectl({"--kubeconfig", noToken, "--username", "nobody", "--password", "nothing", "get",
                                 "configmap", "keep", "-n", "bad"});
        CD_KUBECTL_FAILS_WITH(run, "error: You must be logged in to the server (Unauthorized)");

        // A fresh kubectl fails at discovery already, with client-go's words for a 401.
        Kubectl fresh(m_cluster.kubeconfig());
        const CommandResult result = fresh.run({"get", "configmaps", "-n", "bad", "--token", "wrong"});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.split('\n').contains(
                     "error: You must be logged in to the server (the server has asked for the client to provide "
                     "credentials)"),
                 qPrintable(result.err));
    }
};

QTEST_GUILESS_MAIN(TstBadInput)
#include "tst_bad_input.moc"
