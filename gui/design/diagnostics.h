#pragma once
// Problems of one manifest file placed in its text: YAML parse errors, and what the API server
// would say on create (engine/api/manifestcheck — the server's own validators and schemas),
// each at the line and column of the field it is about. The YAML editor underlines them and the
// Problems panel lists them.

#include "engine/api/manifestcheck.h"
#include "engine/core/yamlsource.h"
#include "gui/design/objectkey.h"

#include <QList>
#include <QMetaType>
#include <QSet>
#include <QString>

#include <string_view>
#include <vector>

namespace cd::gui {

struct Diagnostic {
    using Severity = api::ManifestProblem::Severity;

    int line = 1;   // 1-based
    int column = 1; // 1-based, in QString characters (UTF-16 units) of the line
    int length = 1; // of the token to underline (a key or a value), in QString characters
    Severity severity = Severity::Error;
    QString message;   // Kubernetes' wording where the server has one
    QString fieldPath; // spec.template.spec.containers[0].image; empty for parse errors
    int document = 0;  // index into the file's SourceDocument list

    friend bool operator==(const Diagnostic &a, const Diagnostic &b)
    {
        return a.line == b.line && a.column == b.column && a.length == b.length && a.severity == b.severity &&
               a.message == b.message && a.fieldPath == b.fieldPath && a.document == b.document;
    }
};

// The diagnostics of one file: `documents` as parseYamlSource made them from `utf8Text`, which
// columns and token lengths are read from. Objects in `definedBefore` (by earlier files of the
// design) count as defined already: a document defining one again is an error, as is a second
// document of the file defining the same object. Sorted by line and column.
// Checks are cached per document text, so a keystroke re-checks only the document it touched.
// Thread-safe (the cache is locked), so the shell may run it off the GUI thread.
QList<Diagnostic> diagnose(const std::vector<SourceDocument> &documents, std::string_view utf8Text,
                           const QSet<ObjectKey> &definedBefore = {});
QList<Diagnostic> diagnose(const std::vector<SourceDocument> &documents, const QString &text,
                           const QSet<ObjectKey> &definedBefore = {});

// "error", "warning", "info": for the Problems panel and tests.
QString severityName(Diagnostic::Severity severity);

} // namespace cd::gui

Q_DECLARE_METATYPE(cd::gui::Diagnostic)
