#pragma once
// The main window: the canvas in the middle; palette, object tree and inspector at the sides;
// YAML, problems and the live-cluster panels below. Every view shows the one design document;
// selection is shared among them.

#include "gui/design/objectkey.h"

#include <QMainWindow>
#include <QPointer>

class QLabel;
class QMenu;
class QTabWidget;
class QTimer;

namespace cd::gui {

class DesignDiagnostics;
class DesignDocument;
class Inspector;
class ObjectTree;
class ProblemsPanel;
class YamlFiles;
class TopologyScene;
class TopologyView;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    DesignDocument *document() const { return m_document; }
    bool openProject(const QString &folder, QString *error = nullptr);
    bool openSample(const QString &name);
    // Renders the whole window into a PNG (after laying it out at its current size).
    bool saveScreenshot(const QString &path, QString *error = nullptr);

    // The parts, for tests.
    Inspector *inspector() const { return m_inspector; }
    ObjectTree *objectTree() const { return m_tree; }
    ProblemsPanel *problems() const { return m_problems; }
    YamlFiles *yaml() const { return m_yaml; }
    DesignDiagnostics *diagnostics() const { return m_diagnostics; }
    TopologyView *canvas() const { return m_canvas; }
    TopologyScene *scene() const { return m_scene; }

    void selectKeys(const QList<ObjectKey> &keys);
    // Writes the modified design to the autosave place (the timer does it every 30 s).
    void autosave();
    // Applies autosaved texts as one undo step.
    void recover(const QMap<QString, QString> &texts);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void createActions();
    void createDocks();
    void updateTitle();
    void updateStatus();
    void updateHint();
    void updateRecentMenu();
    void addRecent(const QString &folder);
    bool maybeSave();
    void newFromSample();
    void openFolder();
    bool save();
    bool saveAs();
    void exportCanvas();
    void showSettings();
    void offerRecovery();

    DesignDocument *m_document;
    DesignDiagnostics *m_diagnostics;
    TopologyScene *m_scene = nullptr;
    TopologyView *m_canvas = nullptr;
    ObjectTree *m_tree = nullptr;
    Inspector *m_inspector = nullptr;
    ProblemsPanel *m_problems = nullptr;
    YamlFiles *m_yaml = nullptr;
    QMenu *m_recentMenu = nullptr;
    QLabel *m_statusDesign = nullptr;
    QLabel *m_hint = nullptr;  // on an empty canvas: how to begin
    QTimer *m_autosave = nullptr;
    bool m_selecting = false;
    bool m_shownOnce = false;
};

} // namespace cd::gui
