// The design document: text is the truth; every edit rewrites only what it changes, is one undo
// step, and saving then reopening gives the same files.
#include "gui/design/designdocument.h"
#include "gui/design/templates.h"

#include "engine/api/registry.h"
#include "engine/core/yaml.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace cd;
using namespace cd::gui;

namespace {

const QString kManifest = QStringLiteral(
    "# The shop: a web front and its cache.\n"
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: web   # the front\n"
    "spec:\n"
    "  replicas: 2\n"
    "  selector:\n"
    "    matchLabels: {app: web}\n"
    "  template:\n"
    "    metadata:\n"
    "      labels: {app: web}\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: web\n"
    "        image: nginx\n"
    "---\n"
    "# the cache keeps its comment\n"
    "apiVersion: v1\n"
    "kind: Service\n"
    "metadata:\n"
    "  name: web\n"
    "spec:\n"
    "  selector: {app: web}\n"
    "  ports:\n"
    "  - port: 80\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: ConfigMap\n"
    "metadata:\n"
    "  name: settings\n"
    "data:\n"
    "  mode: fast\n");

ObjectKey key(const char *group, const char *kind, const char *ns, const char *name)
{
    return {QString::fromLatin1(group), QString::fromLatin1(kind), QString::fromLatin1(ns), QString::fromLatin1(name)};
}

} // namespace

class TestDesignDocument : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsObjectsFromText()
    {
        DesignDocument d;
        d.load({{QStringLiteral("shop.yaml"), kManifest}});
        QCOMPARE(int(d.objects().size()), 3);
        const DesignObject *web = d.find(key("apps", "Deployment", "default", "web"));
        QVERIFY(web);
        QCOMPARE(web->file, QStringLiteral("shop.yaml"));
        QCOMPARE(web->document, 0);
        QVERIFY(web->served);
        QVERIFY(web->object["spec"]["replicas"] == Json(2));
        QVERIFY(d.find(key("", "Service", "default", "web")));
        QCOMPARE(d.find(key("", "ConfigMap", "default", "settings"))->line, 28);
        QVERIFY(!d.isModified());
        QCOMPARE(d.manifestFiles(), QStringList{QStringLiteral("shop.yaml")});
        QVERIFY(d.files().contains(QString::fromLatin1(DesignDocument::kProjectFile)));
    }

    void updateRewritesOnlyThatDocument()
    {
        DesignDocument d;
        d.load({{QStringLiteral("shop.yaml"), kManifest}});
        Json service = d.find(key("", "Service", "default", "web"))->object;
        service["spec"]["type"] = "NodePort";
        QVERIFY(d.updateObject(key("", "Service", "default", "web"), service));
        const QString text = d.text(QStringLiteral("shop.yaml"));
        // The other documents and the comments around them are as written.
        QVERIFY(text.startsWith(kManifest.left(kManifest.indexOf(QLatin1String("---\n# the cache")) + 30)));
        QVERIFY(text.contains(QLatin1String("  name: web   # the front\n")));
        QVERIFY(text.endsWith(QLatin1String("kind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n")));
        QVERIFY(text.contains(QLatin1String("type: NodePort")));
        QVERIFY(d.find(key("", "Service", "default", "web"))->object["spec"]["type"] == Json("NodePort"));
        QVERIFY(d.isModified());
        d.undoStack()->undo();
        QCOMPARE(d.text(QStringLiteral("shop.yaml")), kManifest);
        d.undoStack()->redo();
        QVERIFY(d.text(QStringLiteral("shop.yaml")).contains(QLatin1String("type: NodePort")));
    }

    void addAndRemoveAreOneStepEach()
    {
        DesignDocument d;
        d.load({{QStringLiteral("shop.yaml"), kManifest}});
        QSignalSpy objectsChanged(&d, &DesignDocument::objectsChanged);
        const QString name = d.uniqueName(QStringLiteral("Deployment"), QStringLiteral("default"), QStringLiteral("web"));
        QCOMPARE(name, QStringLiteral("web-2"));
        const ObjectKey added = d.addObject(newObject(QStringLiteral("Deployment"), name), QPointF(120.4, 80));
        QCOMPARE(added, key("apps", "Deployment", "default", "web-2"));
        QCOMPARE(int(d.objects().size()), 4);
        QCOMPARE(d.position(added.id()), std::optional<QPointF>(QPointF(120, 80)));
        QCOMPARE(d.undoStack()->count(), 1);
        QCOMPARE(objectsChanged.count(), 1);
        // The new object went into the same file as a new document.
        QCOMPARE(d.find(added)->file, QStringLiteral("shop.yaml"));
        QCOMPARE(d.find(added)->document, 3);

        d.removeObjects({key("", "Service", "default", "web"), key("", "ConfigMap", "default", "settings")});
        QCOMPARE(int(d.objects().size()), 2);
        const QString text = d.text(QStringLiteral("shop.yaml"));
        QVERIFY(!text.contains(QLatin1String("kind: Service")));
        QVERIFY(!text.contains(QLatin1String("ConfigMap")));
        QCOMPARE(text.count(QLatin1String("---\n")), 1);  // one separator between the two left
        QCOMPARE(d.undoStack()->count(), 2);
        d.undoStack()->undo();
        d.undoStack()->undo();
        QCOMPARE(d.text(QStringLiteral("shop.yaml")), kManifest);
        QVERIFY(!d.position(added.id()));
    }

    void removingTheLastDocumentTakesItsSeparator()
    {
        DesignDocument d;
        d.load({{QStringLiteral("shop.yaml"), kManifest}});
        d.removeObjects({key("", "ConfigMap", "default", "settings")});
        QVERIFY(d.text(QStringLiteral("shop.yaml")).endsWith(QLatin1String("  - port: 80\n")));
        d.removeObjects({key("apps", "Deployment", "default", "web")});
        QVERIFY(d.text(QStringLiteral("shop.yaml")).startsWith(QLatin1String("# the cache keeps its comment\n")));
    }

    void typingMergesIntoOneStep()
    {
        DesignDocument d;
        d.load({{QStringLiteral("a.yaml"), QStringLiteral("kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: a\n")}});
        QSignalSpy textChanged(&d, &DesignDocument::textChanged);
        QString name = QStringLiteral("a");
        for (QChar c : QStringLiteral("bcd")) {
            name += c;
            d.setText(QStringLiteral("a.yaml"), QStringLiteral("kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: ") + name + QLatin1Char('\n'), this);
        }
        QCOMPARE(d.undoStack()->count(), 1);
        QVERIFY(d.find(key("", "ConfigMap", "default", "abcd")));
        QCOMPARE(textChanged.count(), 3);
        QCOMPARE(textChanged.last().at(1).value<QObject *>(), static_cast<QObject *>(this));  // the editor knows its own edit
        d.undoStack()->undo();
        QCOMPARE(textChanged.last().at(1).value<QObject *>(), nullptr);  // undo comes from elsewhere
        QVERIFY(d.find(key("", "ConfigMap", "default", "a")));
    }

    void renameKeepsThePosition()
    {
        DesignDocument d;
        d.load({{QStringLiteral("shop.yaml"), kManifest}});
        d.setPositions({{key("", "ConfigMap", "default", "settings").id(), QPointF(10, 20)}});
        Json config = d.find(key("", "ConfigMap", "default", "settings"))->object;
        config["metadata"]["name"] = "options";
        d.updateObject(key("", "ConfigMap", "default", "settings"), config);
        QCOMPARE(d.position(key("", "ConfigMap", "default", "options").id()), std::optional<QPointF>(QPointF(10, 20)));
    }

    void nodePlanIsAProjectFile()
    {
        DesignDocument d;
        d.load({});
        QSignalSpy nodesChanged(&d, &DesignDocument::nodesChanged);
        const QString first = d.addNode(newNodeEntry(d.uniqueNodeName(), QStringLiteral("process")), QPointF(0, 0));
        const QString second = d.addNode(newNodeEntry(d.uniqueNodeName()));
        QCOMPARE(first, QStringLiteral("node-1"));
        QCOMPARE(second, QStringLiteral("node-2"));
        QCOMPARE(int(d.nodes().size()), 2);
        QCOMPARE(nodesChanged.count(), 2);
        Json entry = *d.node(second);
        entry["cpu"] = "8";
        QVERIFY(d.updateNode(second, entry));
        QVERIFY((*d.node(second))["cpu"] == Json("8"));
        // The project file reads as YAML with the plan and the layout.
        auto project = parseYaml(d.text(QString::fromLatin1(DesignDocument::kProjectFile)).toStdString());
        QVERIFY(project.ok());
        QCOMPARE(int((*project)["nodes"].size()), 2);
        QVERIFY((*project)["layout"]["Node/node-1"]["x"] == Json(0));
        d.removeNodes({first});
        QCOMPARE(int(d.nodes().size()), 1);
        QVERIFY(!d.position(QStringLiteral("Node/node-1")));
    }

    void saveAndReopenGiveTheSameFiles()
    {
        QTemporaryDir dir;
        DesignDocument d;
        d.load({{QStringLiteral("shop.yaml"), kManifest}, {QStringLiteral("more/config.yml"), QStringLiteral("# empty\n")}});
        d.addNode(newNodeEntry(QStringLiteral("node-1")), QPointF(5, 5));
        QString error;
        QVERIFY2(d.saveAs(dir.path(), &error), qPrintable(error));
        QVERIFY(!d.isModified());
        DesignDocument reopened;
        QVERIFY2(reopened.open(dir.path(), &error), qPrintable(error));
        QCOMPARE(reopened.files(), d.files());
        for (const QString &file : d.files())
            QCOMPARE(reopened.text(file), d.text(file));
        QCOMPARE(int(reopened.objects().size()), 3);
        QCOMPARE(reopened.position(QStringLiteral("Node/node-1")), std::optional<QPointF>(QPointF(5, 5)));
        QVERIFY(!reopened.isModified());
        QVERIFY2(!reopened.open(dir.filePath(QStringLiteral("missing")), &error), "a missing folder");
        QVERIFY(error.contains(QLatin1String("does not exist")));
    }

    void everyPaletteKindMakesAServedObject()
    {
        for (const KindTemplate &t : paletteKinds()) {
            if (t.kind == QLatin1String("Node"))
                continue;
            const Json object = newObject(t.kind, t.baseName);
            QVERIFY2(api::Registry::builtin().forObject(str(object, {"apiVersion"}), str(object, {"kind"})),
                     qPrintable(t.kind));
            QCOMPARE(ObjectKey::of(object).name, t.baseName);
        }
    }
};

QTEST_GUILESS_MAIN(TestDesignDocument)
#include "tst_designdocument.moc"
