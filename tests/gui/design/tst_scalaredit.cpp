// Replacing scalars in place: only the values' characters change; comments, order and flow
// style stay; anything else is refused so the caller rewrites the document.
#include "gui/design/designdocument.h"
#include "gui/design/scalaredit.h"

#include "engine/core/yaml.h"

#include <QTest>

using namespace cd;
using namespace cd::gui;

namespace {

std::optional<std::string> edit(const std::string &text, const std::function<void(Json &)> &change)
{
    const auto documents = parseYamlSource(text);
    Json updated = documents.front().value;
    change(updated);
    return replaceScalars(text, documents.front(), updated);
}

} // namespace

class TestScalarEdit : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void blockStyleKeepsComments()
    {
        const std::string text = "kind: Deployment  # the web\nspec:\n  replicas: 3 # three\n  template:\n    spec:\n"
                                 "      containers:\n      - name: web\n        image: \"nginx:1\"\n";
        const auto out = edit(text, [](Json &o) {
            o["spec"]["replicas"] = 12;
            o["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2";
        });
        QVERIFY(out);
        QCOMPARE(*out, std::string("kind: Deployment  # the web\nspec:\n  replicas: 12 # three\n  template:\n    spec:\n"
                                   "      containers:\n      - name: web\n        image: \"nginx:2\"\n"));
    }

    void flowStyleStaysFlow()
    {
        const std::string text = "{kind: Service, spec: {type: ClusterIP, ports: [{port: 80}]}}\n";
        const auto out = edit(text, [](Json &o) {
            o["spec"]["type"] = "NodePort";
            o["spec"]["ports"][0]["port"] = 8080;
        });
        QVERIFY(out);
        QCOMPARE(*out, std::string("{kind: Service, spec: {type: NodePort, ports: [{port: 8080}]}}\n"));
    }

    void valuesThatNeedQuotesGetThem()
    {
        const auto out = edit("metadata:\n  name: a\ndata:\n  mode: fast\n", [](Json &o) { o["data"]["mode"] = "true"; });
        QVERIFY(out);
        QVERIFY(parseYaml(*out)->at("data")["mode"] == Json("true"));  // still a string
        const auto single = edit("data:\n  quote: 'it''s'\n", [](Json &o) { o["data"]["quote"] = "isn't"; });
        QVERIFY(single);
        QCOMPARE(*single, std::string("data:\n  quote: 'isn''t'\n"));
    }

    void structuralChangesAreRefused()
    {
        QVERIFY(!edit("spec:\n  replicas: 1\n", [](Json &o) { o["spec"]["paused"] = true; }));
        QVERIFY(!edit("spec:\n  ports: [80]\n", [](Json &o) { o["spec"]["ports"].push_back(81); }));
        QVERIFY(!edit("spec:\n  replicas: 1\n", [](Json &o) { o["spec"]["replicas"] = Json::object(); }));
        QVERIFY(!edit("spec:\n  replicas: 1\n", [](Json &) {}));  // nothing changed: nothing to write
    }

    // Through the design document: an inspector-style edit keeps the rest of the document.
    void theDocumentUsesIt()
    {
        DesignDocument d;
        const QString text = QStringLiteral("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}  # front\nspec:\n"
                                            "  replicas: 2  # keep two\n  selector: {matchLabels: {app: web}}\n");
        d.load({{QStringLiteral("a.yaml"), text}});
        const ObjectKey key = ObjectKey::of(d.objects().front().object);
        Json o = d.objects().front().object;
        o["spec"]["replicas"] = 5;
        QVERIFY(d.updateObject(key, o));
        QCOMPARE(d.text(QStringLiteral("a.yaml")), QString(text).replace(QLatin1String("replicas: 2"), QLatin1String("replicas: 5")));
        o["spec"]["paused"] = true;  // a new field: the document is rewritten
        QVERIFY(d.updateObject(key, o));
        QVERIFY(d.text(QStringLiteral("a.yaml")).contains(QLatin1String("paused: true")));
        QVERIFY(d.find(key)->object == o);
    }
};

QTEST_GUILESS_MAIN(TestScalarEdit)
#include "tst_scalaredit.moc"
