#pragma once
// One line of block-style YAML as the editor's indentation logic sees it: indentation, sequence
// dashes, a mapping key and whether a value follows it on the line.

#include <QString>

namespace cd::gui {

struct YamlLine {
    int indent = 0;           // columns of leading spaces
    int contentColumn = 0;    // where the content starts after `- ` dashes (== indent without them)
    int dashes = 0;           // sequence item dashes before the content (`- - a`: 2)
    QString key;              // the mapping key at contentColumn, unquoted; empty when none
    int keyLength = 0;        // characters of the key as written (quotes included)
    bool hasValue = false;    // something after `key:` other than a comment
    bool blockScalar = false; // the value is `|` or `>`: the lines below are text
    bool blank = false;       // empty, spaces only, or a comment
    bool separator = false;   // `---` or `...`

    static YamlLine parse(const QString &text);
};

} // namespace cd::gui
