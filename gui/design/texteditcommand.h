#pragma once
// The one undo command of a design: some files' text before and after. Every edit, whatever view
// made it, is one of these, so undo and redo restore exactly what was there.

#include <QElapsedTimer>
#include <QMap>
#include <QPointer>
#include <QUndoCommand>

namespace cd::gui {

class DesignDocument;

class TextEditCommand : public QUndoCommand {
public:
    TextEditCommand(DesignDocument *document, const QString &description, QMap<QString, QString> before,
                    QMap<QString, QString> after, bool mergeable, QObject *origin);

    void undo() override;
    void redo() override;
    int id() const override { return m_mergeable ? 1 : -1; }
    // Typing merges: edits of the same file less than a second apart are one step.
    bool mergeWith(const QUndoCommand *other) override;

private:
    DesignDocument *m_document;
    QMap<QString, QString> m_before;  // a null QString: the file did not exist
    QMap<QString, QString> m_after;
    bool m_mergeable;
    QPointer<QObject> m_origin;  // only for the first redo: later ones come from the undo stack
    bool m_firstRedo = true;
    QElapsedTimer m_lastEdit;
};

} // namespace cd::gui
