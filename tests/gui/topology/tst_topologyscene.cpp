// The canvas's scene mirrors the design document: palette drops create valid objects, drawn
// edges write the right fields, YAML edits change the cards, and every edit is one undo step.
#include "gui/design/designdocument.h"
#include "gui/design/diagnostics.h"
#include "gui/design/templates.h"
#include "gui/topology/edgeitem.h"
#include "gui/topology/namespaceframe.h"
#include "gui/topology/nodeitem.h"
#include "gui/topology/objectcard.h"
#include "gui/topology/topologyscene.h"
#include "tests/support/examples.h"

#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFile>
#include <QGraphicsSceneMouseEvent>
#include <QImage>
#include <QMimeData>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <memory>

using namespace cd;
using namespace cd::gui;

namespace {

const QString kProject = QString::fromLatin1(DesignDocument::kProjectFile);

const QString kShop = QStringLiteral(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: front
spec:
  ports:
  - port: 80
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: disk
spec:
  storageClassName: manual
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /tmp/disk}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData: {password: x}
)");

ObjectKey key(const char *group, const char *kind, const char *ns, const char *name)
{
    return {QString::fromLatin1(group), QString::fromLatin1(kind), QString::fromLatin1(ns), QString::fromLatin1(name)};
}

const ObjectKey kWeb = key("apps", "Deployment", "default", "web");
const ObjectKey kFront = key("", "Service", "default", "front");
const ObjectKey kData = key("", "PersistentVolumeClaim", "default", "data");
const ObjectKey kDisk = key("", "PersistentVolume", "", "disk");
const ObjectKey kSettings = key("", "ConfigMap", "default", "settings");
const ObjectKey kCreds = key("", "Secret", "default", "creds");

EdgeItem *edgeBetween(const TopologyScene &scene, const ObjectKey &from, const ObjectKey &to, relations::EdgeKind kind)
{
    for (EdgeItem *e : scene.edgeItems())
        if (e->edge().from == from && e->edge().to == to && e->edge().kind == kind && !e->edge().broken)
            return e;
    return nullptr;
}

// Sends a scene mouse event as a view would.
void sendMouse(TopologyScene &scene, QEvent::Type type, const QPointF &pos, Qt::MouseButton button,
               Qt::MouseButtons buttons, Qt::KeyboardModifiers modifiers = {})
{
    QGraphicsSceneMouseEvent event(type);
    event.setScenePos(pos);
    event.setButtonDownScenePos(button, pos);
    event.setLastScenePos(pos);
    event.setButton(button);
    event.setButtons(buttons);
    event.setModifiers(modifiers);
    QApplication::sendEvent(&scene, &event);
}

QPointF centerOf(const ObjectCard *card)
{
    return card->scenePos() + QPointF(ObjectCard::kWidth / 2, 20);
}

QList<Diagnostic> errorsOf(const DesignDocument &doc, const QString &file)
{
    QList<Diagnostic> errors;
    for (const Diagnostic &d : diagnose(doc.documents(file), doc.text(file)))
        if (d.severity == Diagnostic::Severity::Error)
            errors << d;
    return errors;
}

QString describe(const QList<Diagnostic> &diagnostics)
{
    QStringList out;
    for (const Diagnostic &d : diagnostics)
        out << QStringLiteral("%1:%2 %3 %4").arg(d.line).arg(d.column).arg(d.fieldPath, d.message);
    return out.join(QLatin1Char('\n'));
}

} // namespace

class TestTopologyScene : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void dropEachPaletteKind_data()
    {
        QTest::addColumn<int>("index");
        for (int i = 0; i < paletteKinds().size(); ++i) {
            const KindTemplate &t = paletteKinds()[i];
            QTest::newRow(qPrintable(t.kind + QLatin1Char(' ') + t.nodeKind)) << i;
        }
    }

    void dropEachPaletteKind()
    {
        QFETCH(int, index);
        const KindTemplate &kind = paletteKinds()[index];
        DesignDocument doc;
        doc.load({});
        TopologyScene scene(&doc);
        QSignalSpy selection(&scene, &TopologyScene::selectionChangedTo);
        const QPointF at(400, 300);
        const ObjectKey added = scene.dropKind(kind, at);
        QVERIFY(!added.isNull());
        QCOMPARE(doc.undoStack()->count(), 1);
        QCOMPARE(scene.selectedKeys(), QList<ObjectKey>{added});
        QCOMPARE(selection.count(), 1);

        if (kind.kind == QLatin1String("Node")) {
            const Json *entry = doc.node(added.name);
            QVERIFY(entry);
            QCOMPARE(QString::fromStdString(str(*entry, {"kind"})), kind.nodeKind);
            QVERIFY(doc.text(kProject).contains(QStringLiteral("name: ") + added.name));
            NodeItem *item = scene.nodeItem(added.name);
            QVERIFY(item);
            QCOMPARE(item->nodeKind(), kind.nodeKind);
            QCOMPARE(item->sceneBoundingRect().center().toPoint(), at.toPoint());
        } else {
            const DesignObject *object = doc.find(added);
            QVERIFY(object);
            QCOMPARE(added.kind, kind.kind);
            QCOMPARE(added.name, kind.baseName);
            QVERIFY(object->served);
            const QString text = doc.text(object->file);
            QVERIFY(text.contains(QStringLiteral("kind: ") + kind.kind));
            QVERIFY(text.contains(QStringLiteral("name: ") + kind.baseName));
            const QList<Diagnostic> errors = errorsOf(doc, object->file);
            QVERIFY2(errors.isEmpty(), qPrintable(describe(errors)));
            QGraphicsItem *item = scene.itemFor(added);
            QVERIFY(item);
            if (kind.kind == QLatin1String("Namespace"))
                QCOMPARE(item->type(), int(NamespaceFrame::Type));
            else
                QCOMPARE(item->type(), int(ObjectCard::Type));
            if (kind.kind != QLatin1String("Namespace"))
                QCOMPARE(QRectF(item->scenePos(), QSizeF(ObjectCard::kWidth, ObjectCard::kHeight)).center().toPoint(),
                         at.toPoint());
            QVERIFY(doc.position(added.id()));
        }

        doc.undoStack()->undo();
        QVERIFY(!scene.itemFor(added));
        QVERIFY(doc.objects().empty());
        QCOMPARE(int(doc.nodes().size()), 0);
        doc.undoStack()->redo();
        QVERIFY(scene.itemFor(added));
    }

    void dropsGetUniqueNamesAndTheFramesNamespace()
    {
        DesignDocument doc;
        doc.load({{QStringLiteral("shop.yaml"),
                   QStringLiteral("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
                                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n")}});
        TopologyScene scene(&doc);
        const KindTemplate *deployment = findTemplate(QStringLiteral("Deployment"));
        QCOMPARE(scene.dropKind(*deployment, QPointF(-2000, -2000)), key("apps", "Deployment", "default", "web"));
        QCOMPARE(scene.dropKind(*deployment, QPointF(-2000, -1800)), key("apps", "Deployment", "default", "web-2"));
        NamespaceFrame *shop = scene.frame(QStringLiteral("shop"));
        QVERIFY(shop);
        QVERIFY(shop->isDefined());
        const QPointF inside = shop->sceneBoundingRect().center();
        QCOMPARE(scene.namespaceAt(inside), QStringLiteral("shop"));
        const ObjectKey inShop = scene.dropKind(*deployment, inside);
        QCOMPARE(inShop, key("apps", "Deployment", "shop", "web"));
        QVERIFY(shop->cards().contains(scene.card(inShop)));
        QVERIFY(shop->sceneBoundingRect().contains(scene.card(inShop)->sceneBoundingRect().center()));
        const ObjectKey node1 = scene.dropKind(paletteKinds().front(), QPointF(0, -500));
        const ObjectKey node2 = scene.dropKind(paletteKinds().front(), QPointF(300, -500));
        QVERIFY(node1 != node2);
        QCOMPARE(int(doc.nodes().size()), 2);
        QCOMPARE(doc.undoStack()->count(), 5);
    }

    void connectEachEdgeKind_data()
    {
        QTest::addColumn<ObjectKey>("from");
        QTest::addColumn<ObjectKey>("to");
        QTest::addColumn<int>("kind");
        QTest::addColumn<ObjectKey>("changed");
        QTest::addColumn<QString>("field"); // JSON pointer into the changed object
        QTest::addColumn<QString>("value"); // its expected value (JSON)
        using K = relations::EdgeKind;
        QTest::newRow("selector") << kFront << kWeb << int(K::Selector) << kFront << "/spec/selector"
                                  << R"({"app":"web"})";
        QTest::newRow("selector, drawn backwards") << kWeb << kFront << int(K::Selector) << kFront << "/spec/selector"
                                                   << R"({"app":"web"})";
        QTest::newRow("volume") << kWeb << kData << int(K::Volume) << kWeb << "/spec/template/spec/volumes"
                                << R"([{"name":"data","persistentVolumeClaim":{"claimName":"data"}}])";
        QTest::newRow("volume mount") << kWeb << kData << int(K::Volume) << kWeb
                                      << "/spec/template/spec/containers/0/volumeMounts"
                                      << R"([{"mountPath":"/data","name":"data"}])";
        QTest::newRow("configmap") << kWeb << kSettings << int(K::Config) << kWeb
                                   << "/spec/template/spec/containers/0/envFrom"
                                   << R"([{"configMapRef":{"name":"settings"}}])";
        QTest::newRow("secret") << kCreds << kWeb << int(K::Config) << kWeb
                                << "/spec/template/spec/containers/0/envFrom"
                                << R"([{"secretRef":{"name":"creds"}}])";
        QTest::newRow("claim") << kData << kDisk << int(K::Claim) << kData << "/spec/volumeName"
                               << R"("disk")";
        QTest::newRow("claim class") << kData << kDisk << int(K::Claim) << kData << "/spec/storageClassName"
                                     << R"("manual")";
    }

    void connectEachEdgeKind()
    {
        QFETCH(ObjectKey, from);
        QFETCH(ObjectKey, to);
        QFETCH(int, kind);
        QFETCH(ObjectKey, changed);
        QFETCH(QString, field);
        QFETCH(QString, value);
        DesignDocument doc;
        doc.load({{QStringLiteral("shop.yaml"), kShop}});
        TopologyScene scene(&doc);
        const auto edgeKind = relations::EdgeKind(kind);
        const ObjectKey source = edgeKind == relations::EdgeKind::Config && from == kCreds ? to : from;
        const ObjectKey target = source == from ? to : from;
        const ObjectKey natural = edgeKind == relations::EdgeKind::Selector ? kFront : source;
        const ObjectKey naturalTarget = natural == source ? target : source;
        QVERIFY(!edgeBetween(scene, natural, naturalTarget, edgeKind));
        const Json before = doc.find(changed)->object;

        QVERIFY(scene.connectItems(from, to));
        QCOMPARE(doc.undoStack()->count(), 1);
        const Json after = doc.find(changed)->object;
        const Json::json_pointer pointer(field.toStdString());
        QVERIFY2(after.contains(pointer), qPrintable(field));
        QVERIFY2(after[pointer] == Json::parse(value.toStdString()), after[pointer].dump().c_str());
        QVERIFY(edgeBetween(scene, natural, naturalTarget, edgeKind));
        QVERIFY(!scene.connectItems(from, to)); // holds already: no second step
        QCOMPARE(doc.undoStack()->count(), 1);

        doc.undoStack()->undo();
        QVERIFY(doc.find(changed)->object == before);
        QVERIFY(!edgeBetween(scene, natural, naturalTarget, edgeKind));
        doc.undoStack()->redo();
        QVERIFY(doc.find(changed)->object == after);
        QVERIFY(edgeBetween(scene, natural, naturalTarget, edgeKind));
    }

    void connectingPairsWithoutMeaningDoesNothing()
    {
        DesignDocument doc;
        doc.load({{QStringLiteral("shop.yaml"), kShop}});
        TopologyScene scene(&doc);
        QSignalSpy messages(&scene, &TopologyScene::statusMessage);
        const QString text = doc.text(QStringLiteral("shop.yaml"));
        QVERIFY(!scene.connectItems(kSettings, kCreds));
        QVERIFY(!scene.connectItems(kFront, kData));
        QVERIFY(!scene.connectItems(kWeb, kWeb));
        QCOMPARE(doc.undoStack()->count(), 0);
        QCOMPARE(doc.text(QStringLiteral("shop.yaml")), text);
        QCOMPARE(messages.count(), 2);
    }

    void drawingWithTheMouseConnects()
    {
        DesignDocument doc;
        doc.load({{QStringLiteral("shop.yaml"), kShop}});
        TopologyScene scene(&doc);
        ObjectCard *front = scene.card(kFront);
        ObjectCard *web = scene.card(kWeb);
        const QPointF handle = front->mapToScene(front->handleRect().center());
        sendMouse(scene, QEvent::GraphicsSceneMousePress, handle, Qt::LeftButton, Qt::LeftButton);
        sendMouse(scene, QEvent::GraphicsSceneMouseMove, centerOf(web), Qt::NoButton, Qt::LeftButton);
        QCOMPARE(front->scenePos(), scene.card(kFront)->scenePos()); // drawing, not moving
        sendMouse(scene, QEvent::GraphicsSceneMouseRelease, centerOf(web), Qt::LeftButton, {});
        QVERIFY(edgeBetween(scene, kFront, kWeb, relations::EdgeKind::Selector));
        QCOMPARE(doc.undoStack()->count(), 1);

        // Right-button drag from the Deployment onto the claim mounts it.
        sendMouse(scene, QEvent::GraphicsSceneMousePress, centerOf(scene.card(kWeb)), Qt::RightButton, Qt::RightButton);
        sendMouse(scene, QEvent::GraphicsSceneMouseRelease, centerOf(scene.card(kData)), Qt::RightButton, {});
        QVERIFY(edgeBetween(scene, kWeb, kData, relations::EdgeKind::Volume));
        QCOMPARE(doc.undoStack()->count(), 2);
        // Released on empty canvas: nothing.
        sendMouse(scene, QEvent::GraphicsSceneMousePress, centerOf(scene.card(kWeb)), Qt::LeftButton, Qt::LeftButton,
                  Qt::ShiftModifier);
        sendMouse(scene, QEvent::GraphicsSceneMouseRelease, QPointF(-5000, -5000), Qt::LeftButton, {});
        QCOMPARE(doc.undoStack()->count(), 2);
    }

    void yamlEditsChangeTheScene()
    {
        DesignDocument doc;
        doc.load({{QStringLiteral("shop.yaml"), kShop}});
        TopologyScene scene(&doc);
        QCOMPARE(scene.cards().size(), 6);
        ObjectCard *settings = scene.card(kSettings);
        settings->setSelected(true);
        QCOMPARE(scene.card(kWeb)->summary(), QStringLiteral("2 × nginx"));

        QString text = doc.text(QStringLiteral("shop.yaml"));
        text.replace(QStringLiteral("  name: web\n"), QStringLiteral("  name: shopfront\n"));
        text.replace(QStringLiteral("        image: nginx\n"), QStringLiteral("        image: httpd:2.4\n"));
        doc.setText(QStringLiteral("shop.yaml"), text);
        QVERIFY(!scene.card(kWeb));
        ObjectCard *renamed = scene.card(key("apps", "Deployment", "default", "shopfront"));
        QVERIFY(renamed);
        QCOMPARE(renamed->name(), QStringLiteral("shopfront"));
        QCOMPARE(renamed->summary(), QStringLiteral("2 × httpd:2.4"));
        QCOMPARE(scene.card(kSettings), settings); // unchanged key: the same item, still selected
        QVERIFY(settings->isSelected());

        // Removing the ConfigMap's document removes its card.
        const int start = text.indexOf(QStringLiteral("---\napiVersion: v1\nkind: ConfigMap"));
        const int end = text.indexOf(QStringLiteral("---\n"), start + 4);
        text.remove(start, end - start);
        doc.setText(QStringLiteral("shop.yaml"), text);
        QVERIFY(!scene.card(kSettings));
        QCOMPARE(scene.cards().size(), 5);
        QVERIFY(scene.selectedKeys().isEmpty());

        // A namespace typed in moves the object into its own frame.
        text.replace(QStringLiteral("  name: creds\n"), QStringLiteral("  name: creds\n  namespace: vault\n"));
        doc.setText(QStringLiteral("shop.yaml"), text);
        NamespaceFrame *vault = scene.frame(QStringLiteral("vault"));
        QVERIFY(vault);
        QVERIFY(!vault->isDefined());
        QCOMPARE(vault->cards().size(), 1);
        QVERIFY(vault->sceneBoundingRect().contains(vault->cards().front()->sceneBoundingRect()));

        // A Service selecting nothing gets the warning badge; a fix takes it away.
        text.replace(QStringLiteral("  ports:\n  - port: 80\n"),
                     QStringLiteral("  selector: {app: nothing}\n  ports:\n  - port: 80\n"));
        doc.setText(QStringLiteral("shop.yaml"), text);
        ObjectCard *front = scene.card(kFront);
        QCOMPARE(front->problems(), QStringList{QStringLiteral("selector app=nothing matches no pods in the design")});
        QVERIFY(front->toolTip().contains(QStringLiteral("matches no pods")));
        bool brokenEdge = false;
        for (EdgeItem *e : scene.edgeItems())
            brokenEdge |= e->edge().broken && e->fromCard() == front && !e->toCard();
        QVERIFY(brokenEdge);
        text.replace(QStringLiteral("{app: nothing}"), QStringLiteral("{app: web}"));
        doc.setText(QStringLiteral("shop.yaml"), text);
        QVERIFY(front->problems().isEmpty());
        QVERIFY(edgeBetween(scene, kFront, key("apps", "Deployment", "default", "shopfront"),
                            relations::EdgeKind::Selector));
    }

    void unsupportedKindsAreShownAsSuch()
    {
        DesignDocument doc;
        doc.load({{QStringLiteral("x.yaml"),
                   QStringLiteral("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: in}\n"
                                  "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")}});
        TopologyScene scene(&doc);
        QCOMPARE(scene.cards().size(), 2);
        for (ObjectCard *card : scene.cards()) {
            QVERIFY(!card->isServed());
            QVERIFY(card->toolTip().contains(QStringLiteral("does not serve")));
        }
    }

    void moveUndoRedo()
    {
        DesignDocument doc;
        doc.load({{QStringLiteral("shop.yaml"), kShop}});
        TopologyScene scene(&doc);
        ObjectCard *web = scene.card(kWeb);
        ObjectCard *front = scene.card(kFront);
        ObjectCard *settings = scene.card(kSettings);
        const QPointF webStart = web->pos(), frontStart = front->pos(), settingsStart = settings->pos();
        QVERIFY(!doc.position(kWeb.id())); // placed by the automatic layout

        scene.selectKeys({kWeb, kFront});
        const QPointF grab = centerOf(web);
        sendMouse(scene, QEvent::GraphicsSceneMousePress, grab, Qt::LeftButton, Qt::LeftButton);
        sendMouse(scene, QEvent::GraphicsSceneMouseMove, grab + QPointF(100, 40), Qt::NoButton, Qt::LeftButton);
        sendMouse(scene, QEvent::GraphicsSceneMouseMove, grab + QPointF(150, 60), Qt::NoButton, Qt::LeftButton);
        sendMouse(scene, QEvent::GraphicsSceneMouseRelease, grab + QPointF(150, 60), Qt::LeftButton, {});
        QCOMPARE(web->pos(), webStart + QPointF(150, 60));
        QCOMPARE(front->pos(), frontStart + QPointF(150, 60));
        QCOMPARE(doc.undoStack()->count(), 1); // both cards, one step
        QCOMPARE(*doc.position(kWeb.id()), webStart + QPointF(150, 60));
        QCOMPARE(*doc.position(kFront.id()), frontStart + QPointF(150, 60));
        // The others are pinned where they were, so nothing else jumps.
        QCOMPARE(*doc.position(kSettings.id()), settingsStart);
        QCOMPARE(settings->pos(), settingsStart);
        // The frame follows its cards.
        QVERIFY(web->frame()->sceneBoundingRect().contains(web->sceneBoundingRect().adjusted(0, 0, -12, -12)));
        // Edges follow too.
        scene.connectItems(kFront, kWeb);
        EdgeItem *edge = edgeBetween(scene, kFront, kWeb, relations::EdgeKind::Selector);
        QVERIFY(edge);
        const QLineF line = edge->line();

        doc.undoStack()->undo(); // the connect
        doc.undoStack()->undo(); // the move
        QCOMPARE(scene.card(kWeb)->pos(), webStart);
        QCOMPARE(scene.card(kFront)->pos(), frontStart);
        QVERIFY(!doc.position(kWeb.id()));
        doc.undoStack()->redo();
        QCOMPARE(scene.card(kWeb)->pos(), webStart + QPointF(150, 60));
        doc.undoStack()->redo();
        edge = edgeBetween(scene, kFront, kWeb, relations::EdgeKind::Selector);
        QVERIFY(edge);
        QCOMPARE(edge->line(), line);
        scene.card(kWeb)->moveBy(0, 300);
        QVERIFY(edge->line() != line);
    }

    void movingAFrameMovesItsCards()
    {
        DesignDocument doc;
        doc.load({{QStringLiteral("shop.yaml"), kShop}});
        TopologyScene scene(&doc);
        NamespaceFrame *frame = scene.frame(QStringLiteral("default"));
        QVERIFY(frame);
        const QPointF cardStart = scene.card(kWeb)->pos();
        const QPointF titleBar = frame->scenePos() + QPointF(60, 10);
        sendMouse(scene, QEvent::GraphicsSceneMousePress, titleBar, Qt::LeftButton, Qt::LeftButton);
        QVERIFY(frame->isSelected());
        sendMouse(scene, QEvent::GraphicsSceneMouseMove, titleBar + QPointF(0, 200), Qt::NoButton, Qt::LeftButton);
        sendMouse(scene, QEvent::GraphicsSceneMouseRelease, titleBar + QPointF(0, 200), Qt::LeftButton, {});
        QCOMPARE(scene.card(kWeb)->pos(), cardStart + QPointF(0, 200));
        QCOMPARE(*doc.position(kWeb.id()), cardStart + QPointF(0, 200));
        QCOMPARE(doc.undoStack()->count(), 1);
        doc.undoStack()->undo();
        QCOMPARE(scene.card(kWeb)->pos(), cardStart);
    }

    void deleteUndoRedo()
    {
        DesignDocument doc;
        doc.load({{QStringLiteral("shop.yaml"), kShop}});
        TopologyScene scene(&doc);
        doc.addNode(newNodeEntry(QStringLiteral("n1"), QStringLiteral("vm")));
        QVERIFY(scene.nodeItem(QStringLiteral("n1")));
        QCOMPARE(scene.nodeItem(QStringLiteral("n1"))->nodeKind(), QStringLiteral("vm"));
        const int steps = doc.undoStack()->count();
        scene.selectKeys({kWeb, kSettings, NodeItem::keyOf(QStringLiteral("n1"))});
        QCOMPARE(scene.selectedKeys().size(), 3);
        scene.deleteSelection();
        QCOMPARE(doc.undoStack()->count(), steps + 1);
        QVERIFY(!doc.find(kWeb) && !doc.find(kSettings));
        QVERIFY(!scene.card(kWeb) && !scene.card(kSettings));
        QVERIFY(!scene.nodeItem(QStringLiteral("n1")));
        QCOMPARE(int(doc.nodes().size()), 0);
        QVERIFY(scene.card(kFront));
        doc.undoStack()->undo();
        QVERIFY(scene.card(kWeb) && scene.card(kSettings) && scene.nodeItem(QStringLiteral("n1")));
        QVERIFY(doc.find(kWeb));
        doc.undoStack()->redo();
        QVERIFY(!scene.card(kWeb) && !scene.nodeItem(QStringLiteral("n1")));

        // A namespace goes with what is in it.
        doc.load({{QStringLiteral("ns.yaml"),
                   QStringLiteral("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
                                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n---\n"
                                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n")}});
        scene.selectKeys({key("", "Namespace", "", "shop")});
        scene.deleteSelection();
        QCOMPARE(int(doc.objects().size()), 1);
        QVERIFY(!scene.frame(QStringLiteral("shop")));
        QCOMPARE(doc.undoStack()->count(), 1);
    }

    void copyPaste()
    {
        DesignDocument doc;
        doc.load({{QStringLiteral("shop.yaml"), kShop}});
        TopologyScene scene(&doc);
        scene.selectKeys({kWeb, kFront});
        std::unique_ptr<QMimeData> copied(scene.selectionMimeData());
        const QString yaml = copied->text();
        QVERIFY(yaml.contains(QStringLiteral("kind: Deployment")));
        QVERIFY(yaml.contains(QStringLiteral("kind: Service")));
        QVERIFY(yaml.contains(QStringLiteral("\n---\n")));
        const QPointF webAt = scene.card(kWeb)->pos();

        QSignalSpy selection(&scene, &TopologyScene::selectionChangedTo);
        const QList<ObjectKey> pasted = scene.pasteMimeData(copied.get());
        QCOMPARE(pasted.size(), 2);
        const ObjectKey web2 = key("apps", "Deployment", "default", "web-2");
        QVERIFY(pasted.contains(web2));
        QVERIFY(pasted.contains(key("", "Service", "default", "front-2")));
        QCOMPARE(doc.undoStack()->count(), 1);
        QVERIFY(doc.find(web2));
        QVERIFY(doc.find(web2)->object["spec"] == doc.find(kWeb)->object["spec"]);
        QCOMPARE(scene.card(web2)->pos(), webAt + QPointF(32, 32));
        QCOMPARE(scene.card(kWeb)->pos(), webAt);
        QCOMPARE(scene.selectedKeys().size(), 2);
        QCOMPARE(selection.count(), 1);
        // A second paste lands further along with new names again.
        const QList<ObjectKey> again = scene.pasteMimeData(copied.get());
        QVERIFY(again.contains(key("apps", "Deployment", "default", "web-3")));
        QCOMPARE(scene.card(key("apps", "Deployment", "default", "web-3"))->pos(), webAt + QPointF(64, 64));
        doc.undoStack()->undo();
        doc.undoStack()->undo();
        QVERIFY(!doc.find(web2));
        QCOMPARE(scene.cards().size(), 6);

        // Through the clipboard, and YAML from anywhere else pastes too.
        scene.selectKeys({kSettings});
        scene.copySelection();
        QVERIFY(QGuiApplication::clipboard()->text().contains(QStringLiteral("name: settings")));
        scene.paste();
        QVERIFY(doc.find(key("", "ConfigMap", "default", "settings-2")));
        QMimeData foreign;
        foreign.setText(
            QStringLiteral("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, uid: abc, resourceVersion: '5'}\n"
                           "data: {a: b}\nstatus: {}\n"));
        QCOMPARE(scene.pasteMimeData(&foreign), QList<ObjectKey>{key("", "ConfigMap", "default", "other")});
        const Json &other = doc.find(key("", "ConfigMap", "default", "other"))->object;
        QVERIFY(!has(other, {"metadata", "uid"}));
        QVERIFY(!has(other, {"status"}));
    }

    void exportPngAndSvg()
    {
        DesignDocument doc;
        doc.load({{QStringLiteral("shop.yaml"), kShop}});
        TopologyScene scene(&doc);
        scene.connectItems(kFront, kWeb);
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("canvas.png"));
        const QString svg = dir.filePath(QStringLiteral("canvas.svg"));
        QString error;
        QVERIFY2(scene.exportImage(png, &error), qPrintable(error));
        QVERIFY2(scene.exportImage(svg, &error), qPrintable(error));
        QVERIFY(!scene.exportImage(dir.filePath(QStringLiteral("canvas.nope")), &error));
        QVERIFY(error.contains(QStringLiteral("nope")));

        QImage image(png);
        QVERIFY(!image.isNull());
        const QRectF bounds = scene.itemsBoundingRect();
        QVERIFY(image.width() >= bounds.width() && image.height() >= bounds.height());
        // Not a blank page: the card's kind color is there somewhere.
        QSet<QRgb> colors;
        for (int y = 0; y < image.height(); y += 3)
            for (int x = 0; x < image.width(); x += 3)
                colors.insert(image.pixel(x, y));
        QVERIFY(colors.size() > 20);

        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray content = file.readAll();
        QVERIFY(content.size() > 1000);
        QXmlStreamReader xml(content);
        int elements = 0;
        while (!xml.atEnd())
            if (xml.readNext() == QXmlStreamReader::StartElement)
                ++elements;
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(elements > 10);
        QVERIFY(content.contains("front")); // text stays text in vector output
        QVERIFY(QSvgRenderer(svg).isValid());
    }

    void exportKeepsTheSelection()
    {
        DesignDocument doc;
        doc.load({{QStringLiteral("shop.yaml"), kShop}});
        TopologyScene scene(&doc);
        scene.selectKeys({kWeb});
        QSignalSpy selection(&scene, &TopologyScene::selectionChangedTo);
        QTemporaryDir dir;
        QVERIFY(scene.exportImage(dir.filePath(QStringLiteral("a.png"))));
        QCOMPARE(scene.selectedKeys(), QList<ObjectKey>{kWeb});
        QCOMPARE(selection.count(), 0);
    }

    void sharedSelection()
    {
        DesignDocument doc;
        doc.load({{QStringLiteral("shop.yaml"), kShop}});
        TopologyScene scene(&doc);
        QSignalSpy selection(&scene, &TopologyScene::selectionChangedTo);
        scene.selectKeys({kWeb, kDisk});
        QCOMPARE(selection.count(), 0);                                  // asked for from outside: no echo
        QCOMPARE(scene.selectedKeys(), (QList<ObjectKey>{kWeb, kDisk})); // sorted by id
        QVERIFY(scene.card(kWeb)->isSelected() && scene.card(kDisk)->isSelected());
        scene.card(kFront)->setSelected(true); // as a click does
        QCOMPARE(selection.count(), 1);
        QCOMPARE(selection.last().at(0).value<QList<ObjectKey>>().size(), 3);
        selection.clear();
        scene.selectAllItems();
        QCOMPARE(selection.count(), 1);
        QCOMPARE(selection.last().at(0).value<QList<ObjectKey>>().size(), 7); // six cards and the frame
    }

    void automaticLayoutIsDeterministicAndTidy()
    {
        QVERIFY2(!test::examplesDir().isEmpty(), test::kNoExamples);
        const QString text =
            test::readExampleText(QStringLiteral("examples/web/guestbook/all-in-one/guestbook-all-in-one.yaml"));
        const QString project = QStringLiteral(
            "nodes:\n- {name: a, kind: simulated}\n- {name: b, kind: process}\n- {name: c, kind: container}\n");
        DesignDocument doc;
        doc.load({{QStringLiteral("guestbook.yaml"), text}, {kProject, project}});
        TopologyScene scene(&doc);
        DesignDocument doc2;
        doc2.load({{QStringLiteral("guestbook.yaml"), text}, {kProject, project}});
        TopologyScene scene2(&doc2);
        QCOMPARE(scene.cards().size(), 6);
        QCOMPARE(scene.nodeItems().size(), 3);
        qreal nodesBottom = 0;
        for (NodeItem *node : scene.nodeItems()) {
            QCOMPARE(node->pos().y(), 0.0);
            nodesBottom = std::max(nodesBottom, node->sceneBoundingRect().bottom());
        }
        const QList<ObjectCard *> cards = scene.cards();
        for (ObjectCard *a : cards) {
            QCOMPARE(a->pos(), scene2.card(a->key())->pos());
            QVERIFY(a->pos().y() > nodesBottom);
            for (ObjectCard *b : cards)
                if (a != b)
                    QVERIFY(!QRectF(a->pos(), QSizeF(ObjectCard::kWidth, ObjectCard::kHeight))
                                 .intersects(QRectF(b->pos(), QSizeF(ObjectCard::kWidth, ObjectCard::kHeight))));
        }
        // Every Service of the guestbook has its selector edge to its Deployment on the canvas.
        for (const QString &name :
             {QStringLiteral("redis-master"), QStringLiteral("redis-replica"), QStringLiteral("frontend")})
            QVERIFY(edgeBetween(
                scene, ObjectKey{QString(), QStringLiteral("Service"), QStringLiteral("default"), name},
                ObjectKey{QStringLiteral("apps"), QStringLiteral("Deployment"), QStringLiteral("default"), name},
                relations::EdgeKind::Selector));
    }

    void fiveThousandObjects()
    {
        QString text;
        for (int ns = 0; ns < 10; ++ns)
            for (int i = 0; i < 250; ++i) {
                text += QStringLiteral(
                            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-%1, namespace: ns-%2}\n"
                            "spec:\n  selector: {matchLabels: {app: app-%1}}\n  template:\n    metadata: {labels: "
                            "{app: app-%1}}\n"
                            "    spec: {containers: [{name: c, image: nginx}]}\n")
                            .arg(i)
                            .arg(ns);
                text +=
                    QStringLiteral("---\napiVersion: v1\nkind: Service\nmetadata: {name: app-%1, namespace: ns-%2}\n"
                                   "spec: {selector: {app: app-%1}, ports: [{port: 80}]}\n")
                        .arg(i)
                        .arg(ns);
            }
        DesignDocument doc;
        doc.load({{QStringLiteral("big.yaml"), text}});
        QElapsedTimer timer;
        timer.start();
        TopologyScene scene(&doc);
        const qint64 build = timer.elapsed();
        QCOMPARE(scene.cards().size(), 5000);
        QCOMPARE(scene.edgeItems().size(), 2500);
        QCOMPARE(scene.frames().size(), 10);
        timer.restart();
        scene.selectKeys({ObjectKey{QStringLiteral("apps"), QStringLiteral("Deployment"), QStringLiteral("ns-3"),
                                    QStringLiteral("app-7")}});
        const QPointF grab = centerOf(scene.card(scene.selectedKeys().value(0)));
        sendMouse(scene, QEvent::GraphicsSceneMousePress, grab, Qt::LeftButton, Qt::LeftButton);
        sendMouse(scene, QEvent::GraphicsSceneMouseMove, grab + QPointF(40, 40), Qt::NoButton, Qt::LeftButton);
        sendMouse(scene, QEvent::GraphicsSceneMouseRelease, grab + QPointF(40, 40), Qt::LeftButton, {});
        const qint64 move = timer.elapsed();
        QCOMPARE(doc.undoStack()->count(), 1);
        qInfo("5,000 objects: scene built in %lld ms, a move written in %lld ms", build, move);
    }
};

QTEST_MAIN(TestTopologyScene)
#include "tst_topologyscene.moc"
