#pragma once
// Where a YAML token ends in a line of text: for underlining the token a diagnostic is about and
// for writing a new value over an old one in place.

#include <string_view>

namespace cd::gui {

bool isYamlBlank(char c);  // space, tab or carriage return
// The bytes of the YAML token that starts at `start`: a quoted scalar with its quotes, a flow
// collection to its end on the line, or a plain scalar (a key stops at its `:`; in flow style a
// value stops at `,`, `}` or `]`); at least 1 for a token inside the line.
size_t yamlTokenLength(std::string_view line, size_t start, bool flowDocument);
// Whether a document is written in flow style (KYAML: `{ key: "value", ... }`).
bool isFlowDocument(std::string_view documentText);

} // namespace cd::gui
