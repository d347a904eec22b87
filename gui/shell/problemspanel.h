#pragma once
// The Problems panel: every diagnostic of the design with its file, line and column and the
// Kubernetes field path; activating one jumps to the place in the YAML.

#include <QTreeWidget>

namespace cd::gui {

class DesignDiagnostics;

class ProblemsPanel : public QTreeWidget {
    Q_OBJECT

public:
    ProblemsPanel(DesignDiagnostics *diagnostics, QWidget *parent = nullptr);

    int errorCount() const;

Q_SIGNALS:
    void activated(const QString &file, int line, int column);
    void countChanged();

private:
    void rebuild();

    DesignDiagnostics *m_diagnostics;
};

} // namespace cd::gui
