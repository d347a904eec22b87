#pragma once
// The design's diagnostics, kept current: re-checked shortly after any text change (a burst of
// keystrokes is checked once), per file. The YAML editors underline them, the Problems panel
// lists them.

#include "gui/design/diagnostics.h"

#include <QHash>
#include <QObject>

class QTimer;

namespace cd::gui {

class DesignDocument;

class DesignDiagnostics : public QObject {
    Q_OBJECT

public:
    explicit DesignDiagnostics(DesignDocument *document, QObject *parent = nullptr);

    QList<Diagnostic> diagnostics(const QString &file) const { return m_byFile.value(file); }
    QStringList files() const;  // files with at least one diagnostic, sorted
    int count(Diagnostic::Severity severity) const;
    // Checks now instead of after the pause (tests, screenshots).
    void refresh();

Q_SIGNALS:
    void changed();

private:
    DesignDocument *m_document;
    QHash<QString, QList<Diagnostic>> m_byFile;
    QTimer *m_pause;
};

} // namespace cd::gui
