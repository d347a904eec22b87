#pragma once
// A manifest file as text: its YAML documents with their place in the text, each parsed with the
// position of every field, so that a Kubernetes field path (spec.containers[0].image) leads back
// to a line and column. The IDE's diagnostics, navigation and per-document edits stand on it.

#include "engine/core/json.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cd {

struct SourcePosition {
    int line = 0;    // 1-based
    int column = 0;  // 1-based, in bytes of the line
    bool valid() const { return line > 0; }
};

struct SourceField {
    SourcePosition key;    // where the field's key starts (for array items: the item itself)
    SourcePosition value;  // where its value starts
};

struct SourceDocument {
    size_t begin = 0;  // byte offsets of the document's text in the file, separator lines excluded
    size_t end = 0;
    int firstLine = 1;  // 1-based line of `begin`
    bool empty = true;  // only blanks and comments
    Json value;         // null when empty or broken
    // Set when the document does not parse: what is wrong ("mapping key \"b\" already defined")
    // and where.
    std::optional<std::string> error;
    SourcePosition errorAt;
    // Every field and array item, by path (see fieldPathKey).
    std::map<std::string, SourceField> fields;

    // The position of the field, or of its nearest ancestor that is written (a missing
    // spec.replicas points at spec); the document's first line when nothing matches.
    SourceField locate(std::string_view fieldPath) const;
};

// Splits at `---` lines (and ends a document at `...`), as kubectl does, and parses each part.
std::vector<SourceDocument> parseYamlSource(std::string_view text);
// The same after an edit: documents whose text is unchanged from `previous` (parsed from
// `previousText`) are taken over with their positions moved, so a keystroke in a file of
// thousands of documents parses one document.
std::vector<SourceDocument> parseYamlSource(std::string_view text, std::string_view previousText,
                                            std::vector<SourceDocument> &&previous);

// A Kubernetes field path (`spec.containers[0].env[1].name`, `metadata.labels[app.kubernetes.io/name]`)
// as the key of SourceDocument::fields. Map keys and field names look alike: both are segments.
std::string fieldPathKey(std::string_view fieldPath);

} // namespace cd
