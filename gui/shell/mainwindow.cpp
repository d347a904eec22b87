#include "gui/shell/mainwindow.h"

#include "gui/design/designdocument.h"
#include "gui/shell/autosave.h"
#include "gui/shell/designdiagnostics.h"
#include "gui/shell/inspector.h"
#include "gui/shell/objecttree.h"
#include "gui/shell/problemspanel.h"
#include "gui/shell/samples.h"
#include "gui/shell/settingsdialog.h"
#include "gui/shell/yamlfiles.h"
#include "gui/topology/palettewidget.h"
#include "gui/topology/topologyscene.h"
#include "gui/topology/topologyview.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDirIterator>
#include <QDockWidget>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>

namespace cd::gui {

namespace {

constexpr int kMaxRecent = 8;
constexpr int kAutosaveMs = 30'000;

// A labeled, empty place for the live-cluster panels that come with the engine connection.
QWidget *placeholder(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setEnabled(false);
    return label;
}

QDockWidget *dock(QMainWindow *window, const QString &objectName, const QString &title, QWidget *content)
{
    auto *d = new QDockWidget(title, window);
    d->setObjectName(objectName);  // saveState/restoreState find docks by name
    d->setWidget(content);
    return d;
}

// The desktop's icon where it has one, else the style's.
QIcon themeIcon(const char *name, QStyle::StandardPixmap fallback)
{
    return QIcon::fromTheme(QString::fromLatin1(name), QApplication::style()->standardIcon(fallback));
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_document(new DesignDocument(this)), m_diagnostics(new DesignDiagnostics(m_document, this))
{
    setObjectName(QStringLiteral("MainWindow"));
    setDockNestingEnabled(true);
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);

    m_scene = new TopologyScene(m_document, this);
    m_canvas = new TopologyView(m_scene, this);
    setCentralWidget(m_canvas);
    createDocks();
    createActions();

    m_hint = new QLabel(tr("Drag a Deployment from the palette onto the canvas, or write YAML below."), m_canvas->viewport());
    m_hint->setObjectName(QStringLiteral("CanvasHint"));
    m_hint->setStyleSheet(QStringLiteral("QLabel { background: palette(tool-tip-base); color: palette(tool-tip-text);"
                                         " border: 1px solid palette(mid); border-radius: 6px; padding: 8px 12px; }"));
    m_hint->adjustSize();
    connect(m_document, &DesignDocument::objectsChanged, this, &MainWindow::updateHint);
    connect(m_document, &DesignDocument::reset, this, &MainWindow::updateHint);

    m_statusDesign = new QLabel(this);
    statusBar()->addWidget(m_statusDesign, 1);

    connect(m_document, &DesignDocument::objectsChanged, this, &MainWindow::updateStatus);
    connect(m_document, &DesignDocument::nodesChanged, this, &MainWindow::updateStatus);
    connect(m_document, &DesignDocument::reset, this, [this] {
        updateStatus();
        updateTitle();
        if (isVisible())  // a design opened: show all of it (once the scene has its items)
            QTimer::singleShot(0, m_canvas, &TopologyView::fitAll);
    });
    connect(m_document, &DesignDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_problems, &ProblemsPanel::countChanged, this, &MainWindow::updateStatus);

    // Shared selection: whichever view selects, the others follow.
    connect(m_scene, &TopologyScene::selectionChangedTo, this, &MainWindow::selectKeys);
    connect(m_scene, &TopologyScene::objectDropped, this, [this](const ObjectKey &key) {
        selectKeys({key});  // now, not when the scene announces its selection
        m_inspector->focusFirstField();  // "web" is there; the image is what to type next
    });
    connect(m_scene, &TopologyScene::statusMessage, this, [this](const QString &message) { statusBar()->showMessage(message, 5000); });
    connect(m_tree, &ObjectTree::selectionChangedTo, this, &MainWindow::selectKeys);
    connect(m_tree, &ObjectTree::activated, this, [this](const ObjectKey &key) { m_yaml->showObject(key); });
    connect(m_yaml, &YamlFiles::cursorOnObject, this, [this](const ObjectKey &key) { selectKeys({key}); });
    connect(m_problems, &ProblemsPanel::activated, m_yaml, &YamlFiles::goTo);

    m_autosave = new QTimer(this);
    m_autosave->setInterval(kAutosaveMs);
    connect(m_autosave, &QTimer::timeout, this, &MainWindow::autosave);
    m_autosave->start();

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1440, 900);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    updateRecentMenu();
    updateTitle();
    updateStatus();
    updateHint();
}

MainWindow::~MainWindow()
{
    // The scene's items go after the document: their last selection change must not reach views
    // that read the document.
    disconnect(m_scene, nullptr, this, nullptr);
}

void MainWindow::createDocks()
{
    auto *palette = new PaletteWidget(this);
    connect(palette, &PaletteWidget::kindActivated, m_canvas, &TopologyView::addKindAtCenter);
    addDockWidget(Qt::LeftDockWidgetArea, dock(this, QStringLiteral("PaletteDock"), tr("Palette"), palette));
    m_tree = new ObjectTree(m_document, this);
    addDockWidget(Qt::LeftDockWidgetArea, dock(this, QStringLiteral("ObjectsDock"), tr("Objects"), m_tree));
    m_inspector = new Inspector(m_document, this);
    addDockWidget(Qt::RightDockWidgetArea, dock(this, QStringLiteral("InspectorDock"), tr("Inspector"), m_inspector));

    m_yaml = new YamlFiles(m_document, m_diagnostics, this);
    m_problems = new ProblemsPanel(m_diagnostics, this);
    QDockWidget *yamlDock = dock(this, QStringLiteral("YamlDock"), tr("YAML"), m_yaml);
    addDockWidget(Qt::BottomDockWidgetArea, yamlDock);
    QDockWidget *previous = yamlDock;
    const QList<std::pair<QString, QString>> bottom = {
        {QStringLiteral("ProblemsDock"), tr("Problems")},
        {QStringLiteral("EventsDock"), tr("Events")},
        {QStringLiteral("LogsDock"), tr("Logs")},
        {QStringLiteral("TerminalDock"), tr("Terminal")},
        {QStringLiteral("DashboardDock"), tr("Dashboard")},
    };
    for (const auto &[name, title] : bottom) {
        QWidget *content = name == QLatin1String("ProblemsDock")
                               ? static_cast<QWidget *>(m_problems)
                               : placeholder(tr("%1 of the running cluster will show here once the design is deployed.").arg(title), this);
        QDockWidget *d = dock(this, name, title, content);
        tabifyDockWidget(previous, d);
        previous = d;
    }
    yamlDock->raise();
    resizeDocks({yamlDock}, {260}, Qt::Vertical);
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QMenu *fromSample = file->addMenu(tr("New from &Sample"));
    for (const Sample &sample : samples()) {
        QAction *a = fromSample->addAction(sample.title, this, [this, name = sample.name] {
            if (maybeSave())
                openSample(name);
        });
        a->setStatusTip(sample.description);
    }
    QAction *newDesign = file->addAction(themeIcon("document-new", QStyle::SP_FileIcon), tr("&New"), this, [this] {
        if (maybeSave())
            openSample(QStringLiteral("three-nodes"));
    });
    newDesign->setShortcut(QKeySequence::New);
    file->insertAction(fromSample->menuAction(), newDesign);
    QAction *open = file->addAction(themeIcon("document-open", QStyle::SP_DirOpenIcon), tr("&Open Folder..."), this, &MainWindow::openFolder);
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    QAction *saveAction = file->addAction(themeIcon("document-save", QStyle::SP_DialogSaveButton), tr("&Save"), this, &MainWindow::save);
    saveAction->setShortcut(QKeySequence::Save);
    file->addAction(tr("Save &As..."), this, &MainWindow::saveAs)->setShortcut(QKeySequence::SaveAs);
    file->addAction(tr("&Export Canvas..."), this, &MainWindow::exportCanvas)->setShortcut(QKeySequence(tr("Ctrl+E")));
    file->addSeparator();
    file->addAction(tr("Se&ttings..."), this, &MainWindow::showSettings)->setShortcut(QKeySequence::Preferences);
    file->addSeparator();
    file->addAction(tr("&Quit"), this, &QWidget::close)->setShortcut(QKeySequence::Quit);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setIcon(themeIcon("edit-undo", QStyle::SP_ArrowBack));
    QAction *redo = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setIcon(themeIcon("edit-redo", QStyle::SP_ArrowForward));
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    for (QAction *a : m_canvas->editActions())
        edit->addAction(a);
    edit->addSeparator();
    edit->addAction(tr("&Find in YAML"), m_yaml, &YamlFiles::find)->setShortcut(QKeySequence(tr("Ctrl+Shift+F")));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QAction *a : m_canvas->viewActions())
        view->addAction(a);
    view->addSeparator();
    QMenu *panels = view->addMenu(tr("&Panels"));
    for (QDockWidget *d : findChildren<QDockWidget *>())
        panels->addAction(d->toggleViewAction());

    QToolBar *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("MainToolbar"));
    toolbar->addAction(newDesign);
    toolbar->addAction(open);
    toolbar->addAction(saveAction);
    toolbar->addSeparator();
    toolbar->addAction(undo);
    toolbar->addAction(redo);
}

void MainWindow::selectKeys(const QList<ObjectKey> &keys)
{
    if (m_selecting)
        return;
    m_selecting = true;
    m_canvas->showKeys(keys);
    m_tree->selectKeys(keys);
    if (keys.size() == 1) {
        m_inspector->inspect(keys.front());
        m_yaml->showObject(keys.front());
    } else {
        m_inspector->inspect({});
    }
    m_selecting = false;
}

bool MainWindow::openProject(const QString &folder, QString *error)
{
    QString message;
    if (!m_document->open(folder, &message)) {
        if (error)
            *error = message;
        return false;
    }
    addRecent(m_document->folder());
    offerRecovery();
    return true;
}

bool MainWindow::openSample(const QString &name)
{
    const QMap<QString, QString> files = sampleFiles(name);
    if (files.isEmpty())
        return false;
    m_document->load(files);
    return true;
}

bool MainWindow::saveScreenshot(const QString &path, QString *error)
{
    if (!isVisible())
        show();
    QApplication::processEvents();
    const QPixmap pixmap = grab();
    if (pixmap.isNull() || !pixmap.save(path, "PNG")) {
        if (error)
            *error = tr("Cannot write the screenshot to %1.").arg(QDir::toNativeSeparators(path));
        return false;
    }
    return true;
}

void MainWindow::updateTitle()
{
    const QString name = m_document->folder().isEmpty() ? tr("Untitled design") : QDir(m_document->folder()).dirName();
    setWindowTitle(tr("%1[*] - Clusterdeck").arg(name));
    setWindowModified(m_document->isModified());
}

void MainWindow::updateStatus()
{
    m_statusDesign->setText(tr("%n object(s)", nullptr, int(m_document->objects().size())) + QStringLiteral(" · ") +
                            tr("%n node(s)", nullptr, int(m_document->nodes().size())) + QStringLiteral(" · ") +
                            tr("%n problem(s)", nullptr, m_problems ? m_problems->errorCount() : 0));
}

void MainWindow::updateHint()
{
    m_hint->setVisible(m_document->objects().empty());
    m_hint->adjustSize();
    m_hint->move(16, 16);
}

void MainWindow::addRecent(const QString &folder)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentProjects")).toStringList();
    recent.removeAll(folder);
    recent.prepend(folder);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentProjects"), recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentProjects")).toStringList();
    for (const QString &folder : recent)
        m_recentMenu->addAction(QDir::toNativeSeparators(folder), this, [this, folder] {
            QString error;
            if (maybeSave() && !openProject(folder, &error))
                QMessageBox::warning(this, tr("Open Recent"), error);
        });
    m_recentMenu->setEnabled(!recent.isEmpty());
}

bool MainWindow::maybeSave()
{
    if (!m_document->isModified())
        return true;
    const auto answer = QMessageBox::question(this, tr("Unsaved changes"), tr("The design has unsaved changes. Save them?"),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::openFolder()
{
    if (!maybeSave())
        return;
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open a folder of manifests"));
    if (folder.isEmpty())
        return;
    QString error;
    if (!openProject(folder, &error))
        QMessageBox::warning(this, tr("Open Folder"), error);
}

bool MainWindow::save()
{
    if (m_document->folder().isEmpty())
        return saveAs();
    QString error;
    if (!m_document->save(&error)) {
        QMessageBox::warning(this, tr("Save"), error);
        return false;
    }
    Autosave::discard(m_document->folder());
    statusBar()->showMessage(tr("Saved to %1").arg(QDir::toNativeSeparators(m_document->folder())), 4000);
    return true;
}

bool MainWindow::saveAs()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Save the design into a folder"));
    if (folder.isEmpty())
        return false;
    const QString previousFolder = m_document->folder();
    QString error;
    if (!m_document->saveAs(folder, &error)) {
        QMessageBox::warning(this, tr("Save As"), error);
        return false;
    }
    Autosave::discard(previousFolder);
    addRecent(m_document->folder());
    updateTitle();
    return true;
}

void MainWindow::exportCanvas()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the canvas"), QString(),
                                                      tr("PNG image (*.png);;SVG drawing (*.svg)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!m_canvas->exportImage(path, &error))
        QMessageBox::warning(this, tr("Export Canvas"), error);
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(this);
    dialog.exec();
}

void MainWindow::autosave()
{
    if (m_document->isModified())
        Autosave::write(*m_document);
}

void MainWindow::offerRecovery()
{
    const QMap<QString, QString> texts = Autosave::read(m_document->folder());
    if (texts.isEmpty() || qEnvironmentVariableIsSet("CLUSTERDECK_NO_RECOVERY"))
        return;
    const auto answer = QMessageBox::question(
        this, tr("Recover unsaved changes"),
        tr("Clusterdeck was closed with unsaved changes to this design. Recover them?"), QMessageBox::Yes | QMessageBox::Discard);
    if (answer == QMessageBox::Yes)
        recover(texts);
    else
        Autosave::discard(m_document->folder());
}

void MainWindow::recover(const QMap<QString, QString> &texts)
{
    // One undo step: the recovered text over what is on disk, so undo shows the saved version.
    m_document->beginMacro(tr("Recover unsaved changes"));
    for (auto t = texts.begin(); t != texts.end(); ++t)
        m_document->setText(t.key(), t.value());
    m_document->endMacro();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    Autosave::discard(m_document->folder());
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_shownOnce) {
        m_shownOnce = true;
        QTimer::singleShot(0, m_canvas, &TopologyView::fitAll);  // after the docks took their space
    }
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        updateTitle();
    QMainWindow::changeEvent(event);
}

} // namespace cd::gui
