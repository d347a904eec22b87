// The YAML editor: the sync contract with the design document (setTextKeepingCursor keeps the
// cursor, only the user's edits are reported, no own undo), find and replace, completion and
// hover help, diagnostics as underlines, document navigation, snippets, folding and theme.

#include "engine/api/schemas.h"
#include "gui/design/designdocument.h"
#include "gui/design/templates.h"
#include "gui/yaml/findbar.h"
#include "gui/yaml/folding.h"
#include "gui/yaml/yamleditor.h"
#include "gui/yaml/yamltextedit.h"
#include "tests/support/examples.h"

#include <QAbstractItemView>
#include <QAction>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTextBlock>
#include <QtTest>

using namespace cd;
using namespace cd::gui;
using cd::test::readExampleText;

namespace {

const QString kDeploymentFile = QStringLiteral("website/controllers/nginx-deployment.yaml");
const QString kGuestbookFile = QStringLiteral("examples/web/guestbook/all-in-one/guestbook-all-in-one.yaml");

QList<Diagnostic> diagnoseText(const QString &text)
{
    const std::string utf8 = text.toStdString();
    return diagnose(parseYamlSource(utf8), utf8);
}

// Document position of the first `needle` (after `after`, when given).
int positionOf(const QString &text, const QString &needle, const QString &after = {})
{
    const int from = after.isEmpty() ? 0 : int(text.indexOf(after));
    const int at = int(text.indexOf(needle, from));
    if (at < 0)
        qFatal("%s not found", qPrintable(needle));
    return at;
}

void placeCursor(YamlTextEdit *edit, int position)
{
    QTextCursor cursor = edit->textCursor();
    cursor.setPosition(position);
    edit->setTextCursor(cursor);
}

} // namespace

class TestYamlEditor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void ownUndoIsOff();
    void setTextKeepingCursorKeepsCursorAndScroll();
    void setTextKeepingCursorIsNotAnEdit();
    void typingEmitsTextEdited();
    void findNextPreviousAndCase();
    void replaceAndReplaceAll();
    void completionOffersFieldsUnderSpec();
    void completionOffersServiceTypes();
    void completionWhileTypingInsertsKey();
    void hoverShowsSchemaDescription();
    void diagnosticsBecomeUnderlines();
    void diagnosticsTooltip();
    void documentNavigation();
    void snippetAppendsValidDocument();
    void foldingByIndentation();
    void goToUnfolds();
    void themeFollowsPalette();
    void enterKeepsIndentation();

private:
    YamlEditor *m_editor = nullptr;
    YamlTextEdit *m_edit = nullptr;
};

void TestYamlEditor::initTestCase()
{
    QVERIFY2(!cd::test::examplesDir().isEmpty(), cd::test::kNoExamples);
}

void TestYamlEditor::init()
{
    m_editor = new YamlEditor;
    m_edit = m_editor->textEdit();
    m_editor->resize(800, 600);
    m_editor->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_editor));
}

void TestYamlEditor::cleanup()
{
    delete m_editor;
    m_editor = nullptr;
}

void TestYamlEditor::ownUndoIsOff()
{
    m_editor->setText(readExampleText(kDeploymentFile));
    QVERIFY(!m_edit->document()->isUndoRedoEnabled());
    QTest::keyClicks(m_edit, "x");
    QVERIFY(!m_edit->document()->isUndoAvailable());
    // Ctrl+Z goes to the window's Undo (the design document's stack), not to the text.
    auto *undo = new QAction(m_editor);
    undo->setShortcut(QKeySequence::Undo);
    m_editor->addAction(undo);
    QSignalSpy triggered(undo, &QAction::triggered);
    const QString before = m_editor->text();
    QTest::keySequence(m_edit, QKeySequence::Undo);
    QCOMPARE(triggered.count(), 1);
    QCOMPARE(m_editor->text(), before);
}

void TestYamlEditor::setTextKeepingCursorKeepsCursorAndScroll()
{
    // A long file, scrolled, with the cursor on `image:` of the last document.
    QString text;
    for (int i = 0; i < 20; ++i)
        text += readExampleText(kDeploymentFile)
                    .replace(QStringLiteral("nginx-deployment"), QStringLiteral("web-%1").arg(i)) +
                QStringLiteral("---\n");
    m_editor->setText(text);
    const int imageAt = int(text.lastIndexOf(QLatin1String("image: nginx")));
    placeCursor(m_edit, imageAt + 7);
    m_edit->verticalScrollBar()->setValue(m_edit->verticalScrollBar()->maximum() / 2);
    const int scroll = m_edit->verticalScrollBar()->value();
    QVERIFY(scroll > 0);
    const int lineNumberBefore = m_edit->textCursor().blockNumber();
    const QString lineBefore = m_edit->textCursor().block().text();
    const int columnBefore = m_edit->textCursor().positionInBlock();

    // Another view adds a label near the top (before the cursor).
    QString changed = text;
    changed.insert(positionOf(text, QStringLiteral("  labels:\n")) + 10, QStringLiteral("    tier: web\n"));
    m_edit->setTextKeepingCursor(changed);
    QCOMPARE(m_edit->toPlainText(), changed);
    QCOMPARE(m_edit->textCursor().block().text(), lineBefore);
    QCOMPARE(m_edit->textCursor().positionInBlock(), columnBefore);
    QCOMPARE(m_edit->textCursor().blockNumber(), lineNumberBefore + 1);
    QCOMPARE(m_edit->verticalScrollBar()->value(), scroll);

    // ... and changes a value after the cursor: the cursor does not move at all.
    const int position = m_edit->textCursor().position();
    QString after = changed;
    after.replace(after.lastIndexOf(QLatin1String("containerPort: 80")), 17, QStringLiteral("containerPort: 8080"));
    m_edit->setTextKeepingCursor(after);
    QCOMPARE(m_edit->toPlainText(), after);
    QCOMPARE(m_edit->textCursor().position(), position);
    QCOMPARE(m_edit->text(), after);
}

void TestYamlEditor::setTextKeepingCursorIsNotAnEdit()
{
    QSignalSpy edited(m_editor, &YamlEditor::textEdited);
    m_editor->setText(readExampleText(kDeploymentFile));
    QString text = readExampleText(kDeploymentFile);
    m_editor->setTextKeepingCursor(text.replace(QStringLiteral("replicas: 3"), QStringLiteral("replicas: 5")));
    m_editor->setTextKeepingCursor(text); // unchanged: nothing happens
    QCOMPARE(edited.count(), 0);
    QCOMPARE(m_editor->text(), text);
}

void TestYamlEditor::typingEmitsTextEdited()
{
    const QString text = readExampleText(kDeploymentFile);
    m_editor->setText(text);
    QSignalSpy edited(m_editor, &YamlEditor::textEdited);
    placeCursor(m_edit, positionOf(text, QStringLiteral("3\n")));
    QTest::keyClick(m_edit, Qt::Key_Delete);
    QTest::keyClicks(m_edit, "42");
    QCOMPARE(edited.count(), 3);
    const QString expected = QString(text).replace(QStringLiteral("replicas: 3"), QStringLiteral("replicas: 42"));
    QCOMPARE(edited.last().at(0).toString(), expected);
    QCOMPARE(m_editor->text(), expected);
}

void TestYamlEditor::findNextPreviousAndCase()
{
    const QString text = readExampleText(kDeploymentFile);
    m_editor->setText(text);
    FindBar *bar = m_editor->findBar();
    m_editor->showFind();
    QVERIFY(bar->isVisible());
    bar->setFindText(QStringLiteral("NGINX"));
    QCOMPARE(bar->matchCount(), int(text.count(QStringLiteral("nginx"))));
    QVERIFY(bar->findNext());
    QCOMPARE(m_edit->textCursor().selectionStart(), positionOf(text, QStringLiteral("nginx")));
    QVERIFY(bar->findNext());
    QCOMPARE(m_edit->textCursor().selectionStart(),
             positionOf(text, QStringLiteral("nginx"), QStringLiteral("name: nginx\n")));
    QVERIFY(bar->findPrevious());
    QCOMPARE(m_edit->textCursor().selectionStart(), positionOf(text, QStringLiteral("nginx")));
    // Previous from the first wraps around to the last.
    QVERIFY(bar->findPrevious());
    QCOMPARE(m_edit->textCursor().selectionStart(), int(text.lastIndexOf(QLatin1String("nginx"))));
    bar->setCaseSensitive(true);
    QVERIFY(!bar->findNext());
    QCOMPARE(bar->matchCount(), 0);
    bar->setFindText(QStringLiteral("nginx"));
    QVERIFY(bar->findNext());
    QTest::keyClick(bar, Qt::Key_Escape);
    QVERIFY(!bar->isVisible());
}

void TestYamlEditor::replaceAndReplaceAll()
{
    const QString text = readExampleText(kDeploymentFile);
    m_editor->setText(text);
    QSignalSpy edited(m_editor, &YamlEditor::textEdited);
    FindBar *bar = m_editor->findBar();
    m_editor->showReplace();
    bar->setFindText(QStringLiteral("nginx"));
    bar->setReplaceText(QStringLiteral("web"));
    QVERIFY(bar->replaceCurrent());
    QCOMPARE(m_editor->text().count(QStringLiteral("nginx")), text.count(QStringLiteral("nginx")) - 1);
    QCOMPARE(edited.count(), 1);
    const int left = int(m_editor->text().count(QStringLiteral("nginx")));
    QVERIFY(left > 1);
    QCOMPARE(bar->replaceAll(), left);
    QCOMPARE(edited.count(), 2); // replace all is one edit
    QVERIFY(!m_editor->text().contains(QStringLiteral("nginx")));
    QCOMPARE(m_editor->text(), QString(text).replace(QStringLiteral("nginx"), QStringLiteral("web")));
}

void TestYamlEditor::completionOffersFieldsUnderSpec()
{
    QString text = readExampleText(kDeploymentFile);
    const int at = positionOf(text, QStringLiteral("  selector:"));
    text.insert(at, QStringLiteral("  \n"));
    m_editor->setText(text);
    placeCursor(m_edit, at + 2);
    QStringList names;
    for (const SchemaSuggestion &s : m_edit->completionsAtCursor())
        names << s.text;
    QVERIFY2(names.contains(QStringLiteral("replicas")), qPrintable(names.join(u',')));
    QVERIFY(names.contains(QStringLiteral("revisionHistoryLimit")));
    QVERIFY(!names.contains(QStringLiteral("apiVersion")));
    m_edit->showCompletion();
    QVERIFY(m_edit->isCompletionVisible());
}

void TestYamlEditor::completionOffersServiceTypes()
{
    QString text = readExampleText(QStringLiteral("website/service/nginx-service.yaml"));
    text += QStringLiteral("  type: ");
    m_editor->setText(text);
    placeCursor(m_edit, int(text.size()));
    QStringList values;
    for (const SchemaSuggestion &s : m_edit->completionsAtCursor()) {
        QVERIFY(s.value);
        values << s.text;
    }
    QVERIFY2(values.contains(QStringLiteral("ClusterIP")), qPrintable(values.join(u',')));
    QVERIFY(values.contains(QStringLiteral("LoadBalancer")));
    // Ctrl+Space shows them; Enter takes the first (ClusterIP).
    QTest::keyClick(m_edit, Qt::Key_Space, Qt::ControlModifier);
    QVERIFY(m_edit->isCompletionVisible());
    QWidget *popup = QApplication::activePopupWidget();
    QVERIFY(popup);
    QTest::keyClick(popup, Qt::Key_Return);
    QCOMPARE(m_edit->textCursor().block().text(), QStringLiteral("  type: ClusterIP"));
}

void TestYamlEditor::completionWhileTypingInsertsKey()
{
    QString text = readExampleText(kDeploymentFile);
    const int at = positionOf(text, QStringLiteral("  selector:"));
    text.insert(at, QStringLiteral("\n"));
    m_editor->setText(text);
    placeCursor(m_edit, at);
    QSignalSpy edited(m_editor, &YamlEditor::textEdited);
    QTest::keyClicks(m_edit, "  revision");
    QVERIFY(m_edit->isCompletionVisible());
    // The popup has the keyboard while it shows: Enter goes to it.
    QWidget *popup = QApplication::activePopupWidget();
    QVERIFY(popup);
    QTest::keyClick(popup, Qt::Key_Return);
    QVERIFY(!m_edit->isCompletionVisible());
    QCOMPARE(m_edit->textCursor().block().text(), QStringLiteral("  revisionHistoryLimit: "));
    QVERIFY(edited.count() > 0);
    QVERIFY(edited.last().at(0).toString().contains(QLatin1String("\n  revisionHistoryLimit: \n")));
}

void TestYamlEditor::hoverShowsSchemaDescription()
{
    const QString text = readExampleText(kDeploymentFile);
    m_editor->setText(text);
    const api::SchemaRegistry &schemas = api::SchemaRegistry::builtin();
    const Json *spec = schemas.definition("io.k8s.api.apps.v1.DeploymentSpec");
    QVERIFY(spec);
    const QString description = QString::fromStdString(str(*schemas.rawProperty(spec, "replicas"), {"description"}));
    QVERIFY(!description.isEmpty());
    const QString tip = m_edit->toolTipAt(positionOf(text, QStringLiteral("replicas")) + 2);
    QVERIFY2(tip.contains(description.toHtmlEscaped()), qPrintable(tip));
    QVERIFY(tip.contains(QLatin1String("integer")));
    QVERIFY(m_edit->toolTipAt(positionOf(text, QStringLiteral("nginx:1.14.2")) + 2).isEmpty());
}

void TestYamlEditor::diagnosticsBecomeUnderlines()
{
    QString text = readExampleText(kDeploymentFile);
    text.replace(QStringLiteral("replicas: 3"), QStringLiteral("replicas: -1"));
    text.replace(QStringLiteral("nginx-deployment"), QStringLiteral("Nginx_Deployment"));
    m_editor->setText(text);
    const QList<Diagnostic> diagnostics = diagnoseText(text);
    QCOMPARE(diagnostics.size(), 2);
    m_editor->setDiagnostics(diagnostics);
    QStringList underlined;
    for (const QTextEdit::ExtraSelection &s : m_edit->extraSelections()) {
        if (s.format.underlineStyle() != QTextCharFormat::WaveUnderline)
            continue;
        QCOMPARE(s.format.underlineColor(), YamlTextEdit::severityColor(Diagnostic::Severity::Error));
        underlined << s.cursor.selectedText();
        if (s.cursor.selectedText() == QLatin1String("-1"))
            QCOMPARE(s.cursor.selectionStart(), positionOf(text, QStringLiteral("-1")));
    }
    underlined.sort();
    QCOMPARE(underlined, QStringList({QStringLiteral("-1"), QStringLiteral("Nginx_Deployment")}));
    // An info is blue.
    const QString unsupported = readExampleText(QStringLiteral("website/controllers/daemonset.yaml"));
    m_editor->setText(unsupported);
    m_editor->setDiagnostics(diagnoseText(unsupported));
    int infos = 0;
    for (const QTextEdit::ExtraSelection &s : m_edit->extraSelections()) {
        if (s.format.underlineStyle() == QTextCharFormat::WaveUnderline) {
            QCOMPARE(s.format.underlineColor(), YamlTextEdit::severityColor(Diagnostic::Severity::Info));
            QCOMPARE(s.cursor.selectedText(), QStringLiteral("DaemonSet"));
            ++infos;
        }
    }
    QCOMPARE(infos, 1);
}

void TestYamlEditor::diagnosticsTooltip()
{
    QString text = readExampleText(kDeploymentFile);
    text.replace(QStringLiteral("replicas: 3"), QStringLiteral("replicas: -1"));
    m_editor->setText(text);
    m_editor->setDiagnostics(diagnoseText(text));
    const QString tip = m_edit->toolTipAt(positionOf(text, QStringLiteral("-1")) + 1);
    QVERIFY2(tip.contains(QLatin1String("Invalid value: -1: must be greater than or equal to 0")), qPrintable(tip));
    QVERIFY(tip.contains(QLatin1String("spec.replicas")));
}

void TestYamlEditor::documentNavigation()
{
    const QString text = readExampleText(kGuestbookFile);
    m_editor->setText(text);
    const QList<YamlEditor::DocumentEntry> documents = m_editor->documents();
    QStringList labels;
    for (const auto &d : documents)
        labels << d.label;
    QCOMPARE(labels, QStringList({QStringLiteral("Service redis-master"), QStringLiteral("Deployment redis-master"),
                                  QStringLiteral("Service redis-replica"), QStringLiteral("Deployment redis-replica"),
                                  QStringLiteral("Service frontend"), QStringLiteral("Deployment frontend")}));
    // Each entry's line holds its document's first line of content.
    for (const auto &d : documents)
        QVERIFY(!m_edit->document()->findBlockByNumber(d.line - 1).text().trimmed().isEmpty());
    placeCursor(m_edit, 0);
    QTest::keyClick(m_edit, Qt::Key_Down, Qt::ControlModifier | Qt::AltModifier);
    QCOMPARE(m_edit->textCursor().blockNumber() + 1, documents[1].line);
    QCOMPARE(m_editor->currentDocument(), 1);
    m_editor->nextDocument();
    QCOMPARE(m_edit->textCursor().blockNumber() + 1, documents[2].line);
    QTest::keyClick(m_edit, Qt::Key_Up, Qt::ControlModifier | Qt::AltModifier);
    QCOMPARE(m_edit->textCursor().blockNumber() + 1, documents[1].line);
    // From inside a document, "previous" goes to its own start first.
    m_edit->goTo(documents[3].line + 3);
    m_editor->previousDocument();
    QCOMPARE(m_edit->textCursor().blockNumber() + 1, documents[3].line);
    // The list follows edits.
    m_edit->goTo(documents[0].line);
    QTest::keyClick(m_edit, Qt::Key_End);
    m_editor->insertSnippet(QStringLiteral("ConfigMap"), QStringLiteral("settings"));
    QCOMPARE(m_editor->documents().size(), 7);
    QCOMPARE(m_editor->documents().last().label, QStringLiteral("ConfigMap settings"));
}

void TestYamlEditor::snippetAppendsValidDocument()
{
    const QString text = readExampleText(kDeploymentFile);
    m_editor->setText(text);
    QSignalSpy edited(m_editor, &YamlEditor::textEdited);
    m_editor->insertSnippet(QStringLiteral("Service"));
    QCOMPARE(edited.count(), 1);
    const QString yaml = manifestYaml(newObject(QStringLiteral("Service"), QStringLiteral("service")));
    QVERIFY(!yaml.isEmpty());
    QCOMPARE(m_editor->text(),
             text + QStringLiteral("---\n") + yaml + (yaml.endsWith(u'\n') ? QString() : QStringLiteral("\n")));
    // The cursor is on the new document, and it is valid.
    QCOMPARE(m_edit->textCursor().position(), int(text.size() + 4));
    const QList<Diagnostic> diagnostics = diagnoseText(m_editor->text());
    QVERIFY(diagnostics.isEmpty());
    // Into an empty file: no separator.
    m_editor->setText(QString());
    m_editor->insertSnippet(QStringLiteral("Deployment"), QStringLiteral("api"));
    QVERIFY(m_editor->text().startsWith(QLatin1String("apiVersion: apps/v1")));
    QVERIFY(m_editor->text().contains(QLatin1String("name: api")));
}

void TestYamlEditor::foldingByIndentation()
{
    const QString text = readExampleText(kDeploymentFile);
    m_editor->setText(text);
    const QTextBlock spec =
        m_edit->document()->findBlockByNumber(text.left(positionOf(text, QStringLiteral("spec:"))).count(u'\n'));
    QCOMPARE(spec.text(), QStringLiteral("spec:"));
    QVERIFY(isFoldable(spec));
    QTextBlock lastWithText = m_edit->document()->lastBlock();
    while (lastWithText.text().isEmpty())
        lastWithText = lastWithText.previous();
    QCOMPARE(foldEnd(spec).blockNumber(), lastWithText.blockNumber());
    QVERIFY(!isFoldable(spec.next())); // `replicas: 3`
    // `containers:` holds the `- name` items written at its own indentation.
    const QTextBlock containers =
        m_edit->document()->findBlockByNumber(text.left(positionOf(text, QStringLiteral("containers:"))).count(u'\n'));
    QVERIFY(foldEnd(containers).text().contains(QLatin1String("containerPort")));
    const int visibleBefore = spec.next().isVisible();
    QVERIFY(visibleBefore);
    m_edit->toggleFold(spec);
    QVERIFY(isFolded(spec));
    QVERIFY(!spec.next().isVisible());
    QVERIFY(m_edit->document()->findBlockByNumber(0).isVisible());
    m_edit->toggleFold(spec);
    QVERIFY(spec.next().isVisible());
}

void TestYamlEditor::goToUnfolds()
{
    const QString text = readExampleText(kDeploymentFile);
    m_editor->setText(text);
    const int specLine = int(text.left(positionOf(text, QStringLiteral("spec:"))).count(u'\n'));
    const QTextBlock spec = m_edit->document()->findBlockByNumber(specLine);
    m_edit->toggleFold(spec);
    QVERIFY(!spec.next().isVisible());
    const int imageLine = int(text.left(positionOf(text, QStringLiteral("image:"))).count(u'\n')) + 1;
    m_editor->goTo(imageLine, 9);
    QCOMPARE(m_edit->textCursor().blockNumber() + 1, imageLine);
    QCOMPARE(m_edit->textCursor().positionInBlock(), 8);
    QVERIFY(m_edit->textCursor().block().isVisible());
}

void TestYamlEditor::themeFollowsPalette()
{
    m_editor->setText(readExampleText(kDeploymentFile));
    QPalette light;
    light.setColor(QPalette::Base, Qt::white);
    light.setColor(QPalette::Text, Qt::black);
    light.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
    m_edit->setPalette(light);
    QVERIFY(m_edit->gutterColors().background.lightness() > 128);
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::Text, QColor(0xdd, 0xdd, 0xdd));
    dark.setColor(QPalette::Window, QColor(0x2a, 0x2a, 0x2a));
    m_edit->setPalette(dark);
    QVERIFY(m_edit->gutterColors().background.lightness() < 128);
}

void TestYamlEditor::enterKeepsIndentation()
{
    const QString text = QStringLiteral("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web");
    m_editor->setText(text);
    placeCursor(m_edit, int(text.size()));
    QTest::keyClick(m_edit, Qt::Key_Return);
    QCOMPARE(m_edit->textCursor().block().text(), QStringLiteral("    ")); // in the item's mapping
    QTest::keyClicks(m_edit, "resources:");
    QTest::keyClick(m_edit, Qt::Key_Escape);
    QTest::keyClick(m_edit, Qt::Key_Return);
    QCOMPARE(m_edit->textCursor().block().text(), QStringLiteral("      ")); // below `key:`, one level deeper
}

QTEST_MAIN(TestYamlEditor)
#include "tst_yamleditor.moc"
