// Relations between design objects: edges found in manifests, broken references flagged, and
// connect() writing the fields that make an edge true (checked by finding the edge afterwards).
#include "engine/core/yaml.h"
#include "gui/design/designdocument.h"
#include "gui/design/relations.h"
#include "gui/design/templates.h"
#include "tests/support/examples.h"

#include <QDir>
#include <QtTest>

using namespace cd;
using namespace cd::gui;
using namespace cd::gui::relations;
using namespace cd::test;

namespace {

std::vector<DesignObject> objectsOf(const std::string &yaml)
{
    std::vector<DesignObject> out;
    auto docs = parseYamlDocuments(yaml);
    if (!docs)
        qFatal("test YAML does not parse");
    for (const YamlDocument &d : *docs) {
        DesignObject o;
        o.key = ObjectKey::of(d.value);
        o.object = d.value;
        out.push_back(std::move(o));
    }
    return out;
}

std::vector<DesignObject> objectsFrom(const std::vector<Json> &objects)
{
    std::vector<DesignObject> out;
    for (const Json &j : objects)
        out.push_back({ObjectKey::of(j), j});
    return out;
}

QList<Edge> ofKind(const QList<Edge> &all, EdgeKind kind)
{
    QList<Edge> out;
    for (const Edge &e : all)
        if (e.kind == kind)
            out << e;
    return out;
}

bool hasEdge(const QList<Edge> &all, const QString &fromId, const QString &toId, EdgeKind kind)
{
    for (const Edge &e : all)
        if (e.from.id() == fromId && e.to.id() == toId && e.kind == kind && !e.broken)
            return true;
    return false;
}

// Replaces the objects of `objects` that connect() changed (same key).
std::vector<Json> applied(std::vector<Json> objects, const std::vector<Json> &changed)
{
    for (const Json &c : changed)
        for (Json &o : objects)
            if (ObjectKey::of(o) == ObjectKey::of(c))
                o = c;
    return objects;
}

} // namespace

class TestRelations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void guestbookAllInOne()
    {
        QVERIFY2(!examplesDir().isEmpty(), kNoExamples);
        DesignDocument doc;
        doc.load({{QStringLiteral("guestbook.yaml"),
                   readExampleText(QStringLiteral("examples/web/guestbook/all-in-one/guestbook-all-in-one.yaml"))}});
        QCOMPARE(int(doc.objects().size()), 6);
        const QList<Edge> all = edges(doc.objects());
        const QList<Edge> selectors = ofKind(all, EdgeKind::Selector);
        int services = 0;
        for (const DesignObject &o : doc.objects()) {
            if (o.key.kind != QLatin1String("Service"))
                continue;
            ++services;
            const QString deployment = QStringLiteral("Deployment.apps/default/") + o.key.name;
            QVERIFY2(hasEdge(selectors, o.key.id(), deployment, EdgeKind::Selector), qPrintable(o.key.id()));
            QCOMPARE(problems(all, o.key), QStringList());
        }
        QCOMPARE(services, 3);
        QCOMPARE(selectors.size(), 3); // each Service selects exactly its own Deployment
        for (const Edge &e : all)
            QVERIFY2(!e.broken, qPrintable(e.message));
    }

    void guestbookWebsite()
    {
        QVERIFY2(!examplesDir().isEmpty(), kNoExamples);
        const QString folder = QStringLiteral("website/application/guestbook");
        QMap<QString, QString> files;
        for (const QString &name :
             QDir(examplesDir() + QLatin1Char('/') + folder).entryList({QStringLiteral("*.yaml")}, QDir::Files))
            files.insert(name, readExampleText(folder + QLatin1Char('/') + name));
        QCOMPARE(files.size(), 6);
        DesignDocument doc;
        doc.load(files);
        const QList<Edge> all = edges(doc.objects());
        int services = 0;
        for (const DesignObject &o : doc.objects())
            if (o.key.kind == QLatin1String("Service")) {
                ++services;
                QVERIFY2(hasEdge(all, o.key.id(), QStringLiteral("Deployment.apps/default/") + o.key.name,
                                 EdgeKind::Selector),
                         qPrintable(o.key.id()));
            }
        QCOMPARE(services, 3);
    }

    void brokenReferences()
    {
        const auto objects = objectsOf(R"(
apiVersion: v1
kind: Service
metadata: {name: lost}
spec:
  selector: {app: web, tier: front}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      volumes:
      - {name: d, persistentVolumeClaim: {claimName: data}}
      - {name: c, configMap: {name: settings}}
      - {name: s, secret: {secretName: creds, optional: true}}
      containers:
      - name: api
        image: x
        env:
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: tokens, key: t}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: bound}
spec: {volumeName: pv-missing}
---
apiVersion: v1
kind: Service
metadata: {name: manual}
spec: {ports: [{port: 80}]}
)");
        const QList<Edge> all = edges(objects);
        const ObjectKey lost = objects[0].key;
        QCOMPARE(problems(all, lost),
                 QStringList{QStringLiteral("selector app=web,tier=front matches no pods in the design")});
        const QStringList api = problems(all, objects[1].key);
        QCOMPARE(api.size(), 3); // claim, ConfigMap, Secret; the optional secret volume is not a problem
        QVERIFY(api.contains(QStringLiteral("claim data is not defined in the design")));
        QVERIFY(api.contains(QStringLiteral("ConfigMap settings is not defined in the design")));
        QVERIFY(api.contains(QStringLiteral("Secret tokens is not defined in the design")));
        QCOMPARE(problems(all, objects[2].key),
                 QStringList{QStringLiteral("volume pv-missing is not defined in the design")});
        QCOMPARE(problems(all, objects[3].key), QStringList()); // no selector: hand-made endpoints
        for (const Edge &e : all) {
            QVERIFY(e.broken);
            if (e.kind == EdgeKind::Volume)
                QCOMPARE(e.to.id(), QStringLiteral("PersistentVolumeClaim/default/data"));
        }
    }

    void edgesOfEachKind()
    {
        const auto objects = objectsOf(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      volumes:
      - {name: d, persistentVolumeClaim: {claimName: data}}
      - {name: p, projected: {sources: [{configMap: {name: extra}}]}}
      containers:
      - name: web
        image: nginx
        envFrom: [{configMapRef: {name: settings}}, {secretRef: {name: creds}}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-123, namespace: shop, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-123-x
  namespace: shop
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-123, uid: u}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: other}
spec: {selector: {app: web}}
---
{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data, namespace: shop}, spec: {volumeName: disk}}
---
{apiVersion: v1, kind: PersistentVolume, metadata: {name: disk}, spec: {capacity: {storage: 1Gi}}}
---
{apiVersion: v1, kind: ConfigMap, metadata: {name: settings, namespace: shop}}
---
{apiVersion: v1, kind: ConfigMap, metadata: {name: extra, namespace: shop}}
---
{apiVersion: v1, kind: Secret, metadata: {name: creds, namespace: shop}}
)");
        const QList<Edge> all = edges(objects);
        const QString web = QStringLiteral("Deployment.apps/shop/web");
        QVERIFY(hasEdge(all, QStringLiteral("Service/shop/web"), web, EdgeKind::Selector));
        QVERIFY(hasEdge(all, QStringLiteral("Service/shop/web"), QStringLiteral("ReplicaSet.apps/shop/web-123"),
                        EdgeKind::Selector));
        QVERIFY(
            hasEdge(all, QStringLiteral("Service/shop/web"), QStringLiteral("Pod/shop/web-123-x"), EdgeKind::Selector));
        QVERIFY(hasEdge(all, web, QStringLiteral("PersistentVolumeClaim/shop/data"), EdgeKind::Volume));
        QVERIFY(hasEdge(all, web, QStringLiteral("ConfigMap/shop/settings"), EdgeKind::Config));
        QVERIFY(hasEdge(all, web, QStringLiteral("ConfigMap/shop/extra"), EdgeKind::Config));
        QVERIFY(hasEdge(all, web, QStringLiteral("Secret/shop/creds"), EdgeKind::Config));
        QVERIFY(hasEdge(all, QStringLiteral("PersistentVolumeClaim/shop/data"), QStringLiteral("PersistentVolume/disk"),
                        EdgeKind::Claim));
        QVERIFY(hasEdge(all, web, QStringLiteral("ReplicaSet.apps/shop/web-123"), EdgeKind::Ownership));
        QVERIFY(hasEdge(all, QStringLiteral("ReplicaSet.apps/shop/web-123"), QStringLiteral("Pod/shop/web-123-x"),
                        EdgeKind::Ownership));
        // The owner reference and the selector name the same ownership once.
        QCOMPARE(ofKind(all, EdgeKind::Ownership).size(), 2);
        // The Service in another namespace selects nothing there.
        QCOMPARE(problems(all, ObjectKey::of(objects[4].object)).size(), 1);
        QCOMPARE(edges(objects), all); // deterministic
    }

    void connectServiceToLabelledWorkload()
    {
        const Json service = newObject(QStringLiteral("Service"), QStringLiteral("front"));
        Json deployment = newObject(QStringLiteral("Deployment"), QStringLiteral("web"));
        deployment["spec"]["template"]["metadata"]["labels"]["tier"] = "front";
        QCOMPARE(connectionKind(service, deployment), std::optional<EdgeKind>(EdgeKind::Selector));
        const auto changed = relations::connect(EdgeKind::Selector, service, deployment);
        QCOMPARE(int(changed.size()), 1); // only the Service: the workload's labels are reused
        QVERIFY(changed[0]["spec"]["selector"] == Json({{"app", "web"}, {"tier", "front"}}));
        QVERIFY(changed[0]["spec"]["ports"] == service["spec"]["ports"]); // the rest kept
        const auto after = applied({service, deployment}, changed);
        QVERIFY(hasEdge(edges(objectsFrom(after)), QStringLiteral("Service/default/front"),
                        QStringLiteral("Deployment.apps/default/web"), EdgeKind::Selector));
        QVERIFY(relations::connect(EdgeKind::Selector, after[0], after[1]).empty()); // already holds
    }

    void connectServiceToUnlabelledWorkload()
    {
        const Json service = newObject(QStringLiteral("Service"), QStringLiteral("front"));
        Json deployment = newObject(QStringLiteral("Deployment"), QStringLiteral("api"));
        deployment["spec"]["template"]["metadata"].erase("labels");
        deployment["spec"].erase("selector");
        const auto changed = relations::connect(EdgeKind::Selector, service, deployment);
        QCOMPARE(int(changed.size()), 2);
        QVERIFY(changed[0]["spec"]["selector"] == Json({{"app", "api"}}));
        QVERIFY(changed[1]["spec"]["template"]["metadata"]["labels"] == Json({{"app", "api"}}));
        QVERIFY(changed[1]["spec"]["selector"]["matchLabels"] == Json({{"app", "api"}}));

        // A Pod without labels gets them in its metadata; a Job keeps its generated selector.
        Json pod = newObject(QStringLiteral("Pod"), QStringLiteral("solo"));
        pod["metadata"].erase("labels");
        const auto forPod = relations::connect(EdgeKind::Selector, service, pod);
        QCOMPARE(int(forPod.size()), 2);
        QVERIFY(forPod[1]["metadata"]["labels"] == Json({{"app", "solo"}}));
        const Json job = newObject(QStringLiteral("Job"), QStringLiteral("batch"));
        const auto forJob = relations::connect(EdgeKind::Selector, service, job);
        QCOMPARE(int(forJob.size()), 2);
        QVERIFY(forJob[1]["spec"]["template"]["metadata"]["labels"] == Json({{"app", "batch"}}));
        QVERIFY(!has(forJob[1], {"spec", "selector"}));
        QVERIFY(hasEdge(edges(objectsFrom(applied({service, job}, forJob))), QStringLiteral("Service/default/front"),
                        QStringLiteral("Job.batch/default/batch"), EdgeKind::Selector));
    }

    void connectWorkloadToClaims()
    {
        const Json deployment = newObject(QStringLiteral("Deployment"), QStringLiteral("web"));
        const Json data = newObject(QStringLiteral("PersistentVolumeClaim"), QStringLiteral("data"));
        const Json logs = newObject(QStringLiteral("PersistentVolumeClaim"), QStringLiteral("logs"));
        QCOMPARE(connectionKind(deployment, data), std::optional<EdgeKind>(EdgeKind::Volume));
        auto first = relations::connect(EdgeKind::Volume, deployment, data);
        QCOMPARE(int(first.size()), 1);
        const Json &spec = first[0]["spec"]["template"]["spec"];
        QVERIFY(spec["volumes"] == Json::parse(R"([{"name":"data","persistentVolumeClaim":{"claimName":"data"}}])"));
        QVERIFY(spec["containers"][0]["volumeMounts"] == Json::parse(R"([{"name":"data","mountPath":"/data"}])"));
        auto second = relations::connect(EdgeKind::Volume, first[0], logs);
        QCOMPARE(int(second.size()), 1);
        const Json &mounts = second[0]["spec"]["template"]["spec"]["containers"][0]["volumeMounts"];
        QCOMPARE(int(mounts.size()), 2);
        QCOMPARE(QString::fromStdString(mounts[1]["mountPath"].get<std::string>()), QStringLiteral("/data-2"));
        QVERIFY(relations::connect(EdgeKind::Volume, second[0], data).empty()); // mounted already
        const QList<Edge> all = edges(objectsFrom({second[0], data, logs}));
        QVERIFY(hasEdge(all, QStringLiteral("Deployment.apps/default/web"),
                        QStringLiteral("PersistentVolumeClaim/default/logs"), EdgeKind::Volume));
        QVERIFY(hasEdge(all, QStringLiteral("Deployment.apps/default/web"),
                        QStringLiteral("PersistentVolumeClaim/default/data"), EdgeKind::Volume));
    }

    void connectWorkloadToConfig()
    {
        const Json pod = newObject(QStringLiteral("Pod"), QStringLiteral("p"));
        const Json config = newObject(QStringLiteral("ConfigMap"), QStringLiteral("settings"));
        const Json secret = newObject(QStringLiteral("Secret"), QStringLiteral("creds"));
        auto withConfig = relations::connect(EdgeKind::Config, pod, config);
        QCOMPARE(int(withConfig.size()), 1);
        auto withBoth = relations::connect(EdgeKind::Config, withConfig[0], secret);
        QCOMPARE(int(withBoth.size()), 1);
        QVERIFY(withBoth[0]["spec"]["containers"][0]["envFrom"] ==
                Json::parse(R"([{"configMapRef":{"name":"settings"}},{"secretRef":{"name":"creds"}}])"));
        QVERIFY(relations::connect(EdgeKind::Config, withBoth[0], secret).empty());
        const QList<Edge> all = edges(objectsFrom({withBoth[0], config, secret}));
        QVERIFY(hasEdge(all, QStringLiteral("Pod/default/p"), QStringLiteral("ConfigMap/default/settings"),
                        EdgeKind::Config));
        QVERIFY(
            hasEdge(all, QStringLiteral("Pod/default/p"), QStringLiteral("Secret/default/creds"), EdgeKind::Config));
    }

    void connectClaimToVolume()
    {
        const Json claim = newObject(QStringLiteral("PersistentVolumeClaim"), QStringLiteral("data"));
        Json volume = newObject(QStringLiteral("PersistentVolume"), QStringLiteral("disk"), QString());
        volume["spec"]["storageClassName"] = "fast";
        auto changed = relations::connect(EdgeKind::Claim, claim, volume);
        QCOMPARE(int(changed.size()), 1);
        QCOMPARE(QString::fromStdString(str(changed[0], {"spec", "volumeName"})), QStringLiteral("disk"));
        QCOMPARE(QString::fromStdString(str(changed[0], {"spec", "storageClassName"})), QStringLiteral("fast"));
        QVERIFY(changed[0]["spec"]["resources"] == claim["spec"]["resources"]);
        QVERIFY(relations::connect(EdgeKind::Claim, changed[0], volume).empty());
        QVERIFY(hasEdge(edges(objectsFrom({changed[0], volume})), QStringLiteral("PersistentVolumeClaim/default/data"),
                        QStringLiteral("PersistentVolume/disk"), EdgeKind::Claim));
    }

    void pairsWithoutMeaning()
    {
        const Json service = newObject(QStringLiteral("Service"), QStringLiteral("s"));
        const Json deployment = newObject(QStringLiteral("Deployment"), QStringLiteral("d"));
        const Json elsewhere = newObject(QStringLiteral("Deployment"), QStringLiteral("d"), QStringLiteral("other"));
        const Json config = newObject(QStringLiteral("ConfigMap"), QStringLiteral("c"));
        QVERIFY(!connectionKind(deployment, service)); // the canvas tries the reverse itself
        QVERIFY(!connectionKind(service, elsewhere));  // selectors stay in their namespace
        QVERIFY(!connectionKind(config, deployment));
        QVERIFY(!connectionKind(service, config));
        QVERIFY(relations::connect(EdgeKind::Volume, deployment, config).empty());
        QVERIFY(relations::connect(EdgeKind::Selector, deployment, service).empty());
    }
};

QTEST_GUILESS_MAIN(TestRelations)
#include "tst_relations.moc"
