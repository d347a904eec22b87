#pragma once
// Where a position in a manifest is, in the schemas' terms: the field path worked out from the
// indentation (spec, template, spec, containers, [], ...), key or value, the word typed so far,
// and the document's apiVersion and kind. Block-style YAML only: inside flow collections (KYAML),
// comments and block scalars the context is not valid.

#include <QString>
#include <QStringList>

class QTextDocument;

namespace cd::gui {

struct YamlContext {
    bool valid = false;
    // The mapping the position's key belongs to; at a value, the path ends with that value's key.
    // "[]" stands for a sequence item.
    QStringList path;
    bool atValue = false;
    QString prefix;      // typed before the position (a key's or a value's start)
    int prefixStart = 0; // document position where the prefix starts
    int keyColumn = 0;   // column of the key at the position (for the indentation of inserts)
    QString apiVersion;
    QString kind;
};

// The context of a cursor position (what completion offers).
YamlContext yamlContextAt(const QTextDocument *document, int position);
// The context of the key under a position (what hover explains): path ends with that key,
// atValue is false; not valid when no key is there.
YamlContext yamlKeyAt(const QTextDocument *document, int position);

} // namespace cd::gui
