#pragma once
// What the OpenAPI schemas (the API server's own, engine/api/schemas.h) say at a place in a
// manifest: the fields and values that may be written there, and what a field means.

#include "gui/yaml/yamlcontext.h"

#include <QList>
#include <QString>

namespace cd::gui {

struct SchemaSuggestion {
    QString text;        // a field name or a value
    QString type;        // "integer", "string", "[]Container", "map[string]string", ...
    QString description; // the schema's description
    bool value = false;  // a value (enum member, boolean, kind, apiVersion), not a field name
    bool block = false;  // a field whose value is a mapping or a sequence (written on the lines below)
    bool list = false;   // ... a sequence
};

// Field names valid at a key position, or values at a value position (enum members, booleans,
// served kinds and apiVersions), sorted, filtered by nothing (the completer filters by prefix).
QList<SchemaSuggestion> schemaSuggestions(const YamlContext &context);

// The description of the field a key context points at (yamlKeyAt), with its type; empty when
// the schemas do not know it.
SchemaSuggestion schemaField(const YamlContext &context);

} // namespace cd::gui
