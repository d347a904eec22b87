#include "gui/design/texteditcommand.h"

#include "gui/design/designdocument.h"

namespace cd::gui {

namespace {
constexpr qint64 kMergeWindowMs = 1000;
}

TextEditCommand::TextEditCommand(DesignDocument *document, const QString &description, QMap<QString, QString> before,
                                 QMap<QString, QString> after, bool mergeable, QObject *origin)
    : QUndoCommand(description), m_document(document), m_before(std::move(before)), m_after(std::move(after)),
      m_mergeable(mergeable), m_origin(origin)
{
    m_lastEdit.start();
}

void TextEditCommand::undo()
{
    m_document->applyTexts(m_before, nullptr);
}

void TextEditCommand::redo()
{
    m_document->applyTexts(m_after, m_firstRedo ? m_origin.data() : nullptr);
    m_firstRedo = false;
}

bool TextEditCommand::mergeWith(const QUndoCommand *other)
{
    const auto *next = static_cast<const TextEditCommand *>(other);
    if (!m_mergeable || !next->m_mergeable || m_after.keys() != next->m_after.keys() ||
        m_lastEdit.elapsed() > kMergeWindowMs)
        return false;
    m_after = next->m_after;
    m_lastEdit.restart();
    return true;
}

} // namespace cd::gui
