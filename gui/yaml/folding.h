#pragma once
// Folding by indentation, as YAML is structured: a line folds the lines below it that are
// indented deeper (and, for `key:`, the `- ` items written at its own indentation).

#include <QTextBlock>

namespace cd::gui {

// The last block of the region `header` starts, or an invalid block when nothing folds there.
QTextBlock foldEnd(const QTextBlock &header);
inline bool isFoldable(const QTextBlock &block)
{
    return foldEnd(block).isValid();
}
// Whether the region below the header is folded away (its next block is hidden).
bool isFolded(const QTextBlock &header);
// Hides or shows the region below a foldable header; returns false when there is none.
bool setFolded(const QTextBlock &header, bool folded);

} // namespace cd::gui
