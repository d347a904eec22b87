#include "gui/shell/designdiagnostics.h"

#include "gui/design/designdocument.h"

#include <QTimer>

namespace cd::gui {

namespace {
constexpr int kPauseMs = 150;  // after the last keystroke
}

DesignDiagnostics::DesignDiagnostics(DesignDocument *document, QObject *parent) : QObject(parent), m_document(document)
{
    m_pause = new QTimer(this);
    m_pause->setSingleShot(true);
    m_pause->setInterval(kPauseMs);
    connect(m_pause, &QTimer::timeout, this, &DesignDiagnostics::refresh);
    connect(m_document, &DesignDocument::textChanged, m_pause, qOverload<>(&QTimer::start));
    connect(m_document, &DesignDocument::reset, this, &DesignDiagnostics::refresh);
    refresh();
}

void DesignDiagnostics::refresh()
{
    m_pause->stop();
    QHash<QString, QList<Diagnostic>> byFile;
    QSet<ObjectKey> defined;  // by earlier files: defining one again is a problem of the later file
    for (const QString &file : m_document->manifestFiles()) {
        const auto &documents = m_document->documents(file);
        QList<Diagnostic> found = diagnose(documents, m_document->text(file), defined);
        if (!found.isEmpty())
            byFile.insert(file, std::move(found));
        for (const SourceDocument &d : documents)
            if (!d.empty && !d.error && d.value.is_object() && d.value.contains("kind"))
                defined.insert(ObjectKey::of(d.value));
    }
    if (byFile == m_byFile)
        return;
    m_byFile = std::move(byFile);
    Q_EMIT changed();
}

QStringList DesignDiagnostics::files() const
{
    QStringList out = m_byFile.keys();
    out.sort();
    return out;
}

int DesignDiagnostics::count(Diagnostic::Severity severity) const
{
    int n = 0;
    for (const QList<Diagnostic> &list : m_byFile)
        for (const Diagnostic &d : list)
            n += d.severity == severity;
    return n;
}

} // namespace cd::gui
