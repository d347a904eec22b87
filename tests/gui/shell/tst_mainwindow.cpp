// The main window as a person uses it: a sample opens into every view; selecting in one view
// selects in the others; an edit in the inspector, the YAML or the canvas shows everywhere at
// once and is one undo step; problems are listed and lead to their place.
#include "gui/design/designdocument.h"
#include "gui/design/templates.h"
#include "gui/shell/autosave.h"
#include "gui/shell/designdiagnostics.h"
#include "gui/shell/inspector.h"
#include "gui/shell/mainwindow.h"
#include "gui/shell/objecttree.h"
#include "gui/shell/problemspanel.h"
#include "gui/shell/yamlfiles.h"
#include "gui/topology/topologyscene.h"
#include "gui/topology/topologyview.h"
#include "gui/yaml/yamleditor.h"
#include "gui/yaml/yamltextedit.h"

#include <QApplication>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace cd;
using namespace cd::gui;

namespace {

const ObjectKey kFrontend{QStringLiteral("apps"), QStringLiteral("Deployment"), QStringLiteral("default"), QStringLiteral("frontend")};

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);  // settings and autosaves stay out of the home folder
        qputenv("CLUSTERDECK_NO_RECOVERY", "1");
    }

    void aSampleOpensInEveryView()
    {
        MainWindow window;
        QVERIFY(window.openSample(QStringLiteral("guestbook")));
        window.show();
        QCOMPARE(int(window.document()->objects().size()), 6);
        QCOMPARE(int(window.document()->nodes().size()), 3);
        QVERIFY(window.objectTree()->itemFor(kFrontend));
        QVERIFY(window.yaml()->editor(QStringLiteral("guestbook.yaml")));
        QVERIFY(window.yaml()->editor(QStringLiteral("guestbook.yaml"))->text().contains(QLatin1String("name: frontend")));
        window.diagnostics()->refresh();
        QCOMPARE(window.problems()->errorCount(), 0);
        QVERIFY(!window.openSample(QStringLiteral("no-such-sample")));
    }

    void selectionIsShared()
    {
        MainWindow window;
        window.openSample(QStringLiteral("guestbook"));
        window.show();
        window.objectTree()->selectKeys({});
        window.objectTree()->itemFor(kFrontend)->setSelected(true);
        QCOMPARE(window.inspector()->inspected(), kFrontend);
        // The YAML shows the object's document.
        YamlEditor *editor = window.yaml()->editor(QStringLiteral("guestbook.yaml"));
        QCOMPARE(window.yaml()->currentEditor(), editor);
        const int line = editor->textEdit()->textCursor().blockNumber() + 1;
        QCOMPARE(line, window.document()->find(kFrontend)->line);
    }

    // Closing with a selection on the canvas: the scene's last selection change reaches no view
    // that reads the document (it crashed at exit once).
    void closingWithASelection()
    {
        auto *window = new MainWindow;
        window->openSample(QStringLiteral("guestbook"));
        window->show();
        window->selectKeys({kFrontend});
        QCOMPARE(window->scene()->selectedKeys(), QList<ObjectKey>{kFrontend});
        bool documentGone = false;
        int lateSignals = 0;
        connect(window->document(), &QObject::destroyed, this, [&] { documentGone = true; });
        connect(window->scene(), &TopologyScene::selectionChangedTo, this, [&] { lateSignals += documentGone; });
        delete window;
        QVERIFY(documentGone);
        QCOMPARE(lateSignals, 0);
    }

    // UX flow 2: a Deployment dropped from the palette gets a sensible name, one replica, and
    // the inspector's image field takes the keyboard.
    void droppingAWorkloadFocusesItsImage()
    {
        MainWindow window;
        window.openSample(QStringLiteral("three-nodes"));
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        const ObjectKey key = window.scene()->dropKind(*findTemplate(QStringLiteral("Deployment")), QPointF(400, 400));
        QCOMPARE(key.name, QStringLiteral("web"));
        QCOMPARE(window.inspector()->inspected(), key);
        QVERIFY(window.document()->find(key)->object["spec"]["replicas"] == Json(1));
        auto *image = qobject_cast<QLineEdit *>(window.inspector()->editorFor(QStringLiteral("image")));
        QVERIFY(image);
        QTRY_COMPARE(QApplication::focusWidget(), image);
        QVERIFY(image->hasSelectedText());
        QTest::keyClicks(image, QStringLiteral("python:3.12"));
        QTest::keyClick(image, Qt::Key_Return);
        QVERIFY(window.document()->find(key)->object["spec"]["template"]["spec"]["containers"][0]["image"] == Json("python:3.12"));
        QCOMPARE(window.scene()->dropKind(*findTemplate(QStringLiteral("Deployment")), QPointF(700, 400)).name,
                 QStringLiteral("web-2"));
    }

    void inspectorEditsShowInTheYamlAndUndo()
    {
        MainWindow window;
        window.openSample(QStringLiteral("guestbook"));
        window.show();
        window.selectKeys({kFrontend});
        auto *replicas = qobject_cast<QLineEdit *>(window.inspector()->editorFor(QStringLiteral("replicas")));
        QVERIFY(replicas);
        QCOMPARE(replicas->text(), QStringLiteral("3"));
        const QString before = window.document()->text(QStringLiteral("guestbook.yaml"));
        replicas->setText(QStringLiteral("5"));
        Q_EMIT replicas->editingFinished();
        YamlEditor *editor = window.yaml()->editor(QStringLiteral("guestbook.yaml"));
        QVERIFY(editor->text().contains(QLatin1String("replicas: 5")));
        QVERIFY(window.document()->find(kFrontend)->object["spec"]["replicas"] == Json(5));
        QCOMPARE(window.document()->undoStack()->count(), 1);
        window.document()->undoStack()->undo();
        QCOMPARE(editor->text(), before);
        QCOMPARE(replicas->text(), QStringLiteral("3"));
        // A bad value is refused with a reason; nothing changes.
        replicas->setText(QStringLiteral("many"));
        Q_EMIT replicas->editingFinished();
        QVERIFY(window.inspector()->problem().contains(QLatin1String("not a whole number")));
        QCOMPARE(window.document()->text(QStringLiteral("guestbook.yaml")), before);
    }

    void typingInTheYamlChangesTheModelAndKeepsTheCursor()
    {
        MainWindow window;
        window.openSample(QStringLiteral("guestbook"));
        window.show();
        YamlEditor *editor = window.yaml()->editor(QStringLiteral("guestbook.yaml"));
        window.yaml()->goTo(QStringLiteral("guestbook.yaml"), 1, 1);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        // Rename the first object (the Service redis-master) by typing at the end of its name.
        const int nameLine = int(editor->text().left(editor->text().indexOf(QLatin1String("name: redis-master"))).count(QLatin1Char('\n'))) + 1;
        window.yaml()->goTo(QStringLiteral("guestbook.yaml"), nameLine, 21);
        QTest::keyClicks(editor->textEdit(), QStringLiteral("-x"));
        const ObjectKey renamed{{}, QStringLiteral("Service"), QStringLiteral("default"), QStringLiteral("redis-master-x")};
        QVERIFY(window.document()->find(renamed));
        QVERIFY(window.objectTree()->itemFor(renamed));
        QCOMPARE(editor->textEdit()->textCursor().blockNumber() + 1, nameLine);
        // An edit from elsewhere (the inspector) keeps the cursor where the person left it.
        const int position = editor->textEdit()->textCursor().position();
        Json frontend = window.document()->find(kFrontend)->object;
        frontend["spec"]["replicas"] = 4;
        window.document()->updateObject(kFrontend, frontend);
        QCOMPARE(editor->textEdit()->textCursor().position(), position);
        QVERIFY(editor->text().contains(QLatin1String("replicas: 4")));
    }

    void autosaveAndRecovery()
    {
        QTemporaryDir dir;
        QString modified;
        {
            MainWindow window;
            window.openSample(QStringLiteral("webapp"));
            QVERIFY(window.document()->saveAs(dir.path()));
            QString text = window.document()->text(QStringLiteral("webapp.yaml"));
            text.replace(QLatin1String("replicas: 1"), QLatin1String("replicas: 7"));
            window.document()->setText(QStringLiteral("webapp.yaml"), text);
            modified = text;
            window.autosave();  // then Clusterdeck "crashes": the window goes without saving
        }
        const QMap<QString, QString> autosaved = Autosave::read(QDir(dir.path()).absolutePath());
        QCOMPARE(autosaved.value(QStringLiteral("webapp.yaml")), modified);
        MainWindow window;
        QVERIFY(window.openProject(dir.path()));
        QVERIFY(!window.document()->text(QStringLiteral("webapp.yaml")).contains(QLatin1String("replicas: 7")));
        window.recover(autosaved);
        QCOMPARE(window.document()->text(QStringLiteral("webapp.yaml")), modified);
        QVERIFY(window.document()->isModified());
        QCOMPARE(window.document()->undoStack()->count(), 1);
        // Saving makes the autosave unnecessary.
        QVERIFY(window.document()->save());
        Autosave::discard(window.document()->folder());
        QVERIFY(Autosave::read(window.document()->folder()).isEmpty());
    }

    void problemsAreListedAndLeadToTheirPlace()
    {
        MainWindow window;
        window.openSample(QStringLiteral("guestbook"));
        window.show();
        QString text = window.document()->text(QStringLiteral("guestbook.yaml"));
        text.replace(QLatin1String("replicas: 3"), QLatin1String("replicas: -3"));
        window.document()->setText(QStringLiteral("guestbook.yaml"), text);
        window.diagnostics()->refresh();
        QCOMPARE(window.problems()->errorCount(), 1);
        QTreeWidgetItem *item = window.problems()->topLevelItem(0);
        QVERIFY(item->text(1).contains(QLatin1String("must be greater than or equal to 0")));
        QCOMPARE(item->text(3), QStringLiteral("spec.replicas"));
        QSignalSpy activated(window.problems(), &ProblemsPanel::activated);
        Q_EMIT window.problems()->itemActivated(item, 0);
        QCOMPARE(activated.count(), 1);
        YamlEditor *editor = window.yaml()->editor(QStringLiteral("guestbook.yaml"));
        const int expectedLine = int(text.left(text.indexOf(QLatin1String("replicas: -3"))).count(QLatin1Char('\n'))) + 1;
        QCOMPARE(editor->textEdit()->textCursor().blockNumber() + 1, expectedLine);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
