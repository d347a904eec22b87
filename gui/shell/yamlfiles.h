#pragma once
// The YAML panel: one editor per file of the design (manifests, then clusterdeck.yaml), each
// kept in sync with the design document both ways: the person's typing becomes a (merged) undo
// step of the document, and a change from elsewhere rewrites only the changed part of the
// editor's text, so the cursor stays where it was.

#include "gui/design/objectkey.h"

#include <QHash>
#include <QWidget>

class QTabWidget;

namespace cd::gui {

class DesignDiagnostics;
class DesignDocument;
class YamlEditor;

class YamlFiles : public QWidget {
    Q_OBJECT

public:
    YamlFiles(DesignDocument *document, DesignDiagnostics *diagnostics, QWidget *parent = nullptr);

    YamlEditor *editor(const QString &file) const { return m_editors.value(file); }
    YamlEditor *currentEditor() const;
    QString currentFile() const;

public Q_SLOTS:
    // Brings the object's document into view (without taking the focus from the canvas).
    void showObject(const ObjectKey &key);
    void goTo(const QString &file, int line, int column);
    void find();

Q_SIGNALS:
    // The person moved the cursor into the document of this object.
    void cursorOnObject(const ObjectKey &key);

private:
    void rebuildTabs();
    void showDiagnostics();
    void cursorMoved(const QString &file);

    DesignDocument *m_document;
    DesignDiagnostics *m_diagnostics;
    QTabWidget *m_tabs;
    QHash<QString, YamlEditor *> m_editors;
    ObjectKey m_cursorObject;
    bool m_showing = false;
};

} // namespace cd::gui
