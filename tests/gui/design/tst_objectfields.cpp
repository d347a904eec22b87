// The inspector's fields read and write the right places of an object, and refuse bad text
// with a message that says what is expected.
#include "gui/design/objectfields.h"
#include "gui/design/templates.h"

#include "engine/api/manifestcheck.h"

#include <QTest>

using namespace cd;
using namespace cd::gui;

namespace {

const ObjectField &field(const std::vector<ObjectField> &fields, const char *id)
{
    for (const ObjectField &f : fields)
        if (f.id == QLatin1String(id))
            return f;
    qFatal("no field %s", id);
}

} // namespace

class TestObjectFields : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void workloadFields()
    {
        Json d = newObject(QStringLiteral("Deployment"), QStringLiteral("web"));
        const auto fields = objectFields(QStringLiteral("Deployment"));
        QCOMPARE(field(fields, "replicas").read(d), QStringLiteral("1"));
        QVERIFY(!field(fields, "replicas").write(d, QStringLiteral("3")));
        QVERIFY(d["spec"]["replicas"] == Json(3));
        QVERIFY(field(fields, "replicas").write(d, QStringLiteral("-1")).has_value());
        QVERIFY(d["spec"]["replicas"] == Json(3));

        QVERIFY(!field(fields, "image").write(d, QStringLiteral("python:3.12")));
        QVERIFY(d["spec"]["template"]["spec"]["containers"][0]["image"] == Json("python:3.12"));
        QVERIFY(!field(fields, "command").write(d, QStringLiteral("python3 -m http.server \"8000\"")));
        QVERIFY(d["spec"]["template"]["spec"]["containers"][0]["command"] ==
                Json::array({"python3", "-m", "http.server", "8000"}));
        QCOMPARE(field(fields, "command").read(d), QStringLiteral("python3 -m http.server 8000"));
        QVERIFY(field(fields, "command").write(d, QStringLiteral("sh -c 'echo")).has_value());

        QVERIFY(!field(fields, "ports").write(d, QStringLiteral("8000, 9090")));
        QCOMPARE(field(fields, "ports").read(d), QStringLiteral("8000, 9090"));
        QVERIFY(field(fields, "ports").write(d, QStringLiteral("70000")).has_value());

        QVERIFY(!field(fields, "limits.memory").write(d, QStringLiteral("256Mi")));
        QVERIFY(d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] == Json("256Mi"));
        const auto bad = field(fields, "requests.cpu").write(d, QStringLiteral("lots"));
        QVERIFY(bad && bad->contains(QLatin1String("not a quantity")));

        QVERIFY(!field(fields, "env").write(d, QStringLiteral("MODE=fast\nEMPTY=")));
        QCOMPARE(field(fields, "env").read(d), QStringLiteral("MODE=fast\nEMPTY="));

        QVERIFY(!field(fields, "readinessProbe").write(d, QStringLiteral("http /healthz 8000")));
        QVERIFY(d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] == Json(8000));
        QCOMPARE(field(fields, "readinessProbe").read(d), QStringLiteral("http /healthz 8000"));
        QVERIFY(!field(fields, "readinessProbe").write(d, QStringLiteral("")));
        QVERIFY(!d["spec"]["template"]["spec"]["containers"][0].contains("readinessProbe"));

        QVERIFY(!field(fields, "labels").write(d, QStringLiteral("app=web\ntier=front")));
        QVERIFY(d["metadata"]["labels"] == Json({{"app", "web"}, {"tier", "front"}}));
        // What the inspector wrote is a valid Deployment for the API server.
        for (const auto &problem : api::checkManifest(d))
            QVERIFY2(problem.severity != api::ManifestProblem::Severity::Error, problem.message.c_str());
    }

    void serviceFields()
    {
        Json s = newObject(QStringLiteral("Service"), QStringLiteral("web"));
        const auto fields = objectFields(QStringLiteral("Service"));
        QCOMPARE(field(fields, "service.type").read(s), QStringLiteral("ClusterIP"));
        QVERIFY(!field(fields, "service.type").write(s, QStringLiteral("NodePort")));
        QVERIFY(!field(fields, "service.ports").write(s, QStringLiteral("http 80:8080\n53:53/UDP nodePort 30053")));
        QVERIFY(s["spec"]["ports"][0] == Json({{"name", "http"}, {"port", 80}, {"targetPort", 8080}, {"protocol", "TCP"}}));
        QVERIFY(s["spec"]["ports"][1]["nodePort"] == Json(30053));
        QCOMPARE(field(fields, "service.ports").read(s), QStringLiteral("http 80:8080\n53:53/UDP nodePort 30053"));
        const auto bad = field(fields, "service.ports").write(s, QStringLiteral("eighty"));
        QVERIFY(bad && bad->contains(QLatin1String("PORT[:TARGET]")));
        QVERIFY(!field(fields, "selector").write(s, QStringLiteral("app=web")));
        QVERIFY(s["spec"]["selector"] == Json({{"app", "web"}}));
    }

    void storageFields()
    {
        Json c = newObject(QStringLiteral("PersistentVolumeClaim"), QStringLiteral("data"));
        const auto fields = objectFields(QStringLiteral("PersistentVolumeClaim"));
        QCOMPARE(field(fields, "storage").read(c), QStringLiteral("1Gi"));
        QVERIFY(!field(fields, "storage").write(c, QStringLiteral("10Gi")));
        QVERIFY(c["spec"]["resources"]["requests"]["storage"] == Json("10Gi"));
        QVERIFY(!field(fields, "accessModes").write(c, QStringLiteral("ReadWriteOnce, ReadOnlyMany")));
        QCOMPARE(int(c["spec"]["accessModes"].size()), 2);
        QVERIFY(!field(fields, "storageClassName").write(c, QStringLiteral("fast")));
        QVERIFY(!field(fields, "storageClassName").write(c, QStringLiteral("")));
        QVERIFY(!c["spec"].contains("storageClassName"));
    }

    void nodeEntryFields()
    {
        Json n = newNodeEntry(QStringLiteral("node-1"));
        const auto fields = nodeFields();
        QCOMPARE(field(fields, "node.kind").read(n), QStringLiteral("simulated"));
        QVERIFY(!field(fields, "memory").write(n, QStringLiteral("16Gi")));
        QVERIFY(n["memory"] == Json("16Gi"));
        QVERIFY(field(fields, "cpu").write(n, QStringLiteral("four")).has_value());
        QVERIFY(!field(fields, "labels").write(n, QStringLiteral("zone=a")));
        QVERIFY(n["labels"] == Json({{"zone", "a"}}));
    }
};

QTEST_GUILESS_MAIN(TestObjectFields)
#include "tst_objectfields.moc"
