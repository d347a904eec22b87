#pragma once
// Sets of field paths for server-side apply, as structured-merge-diff keeps them, and their
// managedFields encoding (FieldsV1). A path element is written exactly as in FieldsV1:
//   f:<name>        a field of a struct or a key of a map
//   k:{"name":"x"}  an item of a list keyed by x-kubernetes-list-map-keys (compact JSON, sorted keys)
//   v:"value"       an item of a set list
//   i:<n>           an item of a list with no keys

#include "engine/api/patch/patchschema.h"
#include "engine/core/result.h"

#include <set>
#include <string>
#include <vector>

namespace cd::api::patch {

using FieldPath = std::vector<std::string>;

// Orders elements the way structured-merge-diff does (fields, keys, values, indexes), so a path's
// descendants follow it directly.
struct PathOrder {
    bool operator()(const FieldPath &a, const FieldPath &b) const;
};
using FieldSet = std::set<FieldPath, PathOrder>;

FieldSet fieldSetFromV1(const Json &fieldsV1);
Json fieldSetToV1(const FieldSet &set);
FieldSet unite(const FieldSet &a, const FieldSet &b);
FieldSet subtract(const FieldSet &a, const FieldSet &b);
FieldSet intersect(const FieldSet &a, const FieldSet &b);
// Whether the set holds a path strictly below `path`.
bool hasDescendant(const FieldSet &set, const FieldPath &path);

// ".spec.template.spec.containers[name=\"web\"].image", as Kubernetes prints conflicts.
std::string pathString(const FieldPath &path);

// The element that names a list item, from the list's keys (with schema defaults for missing key
// fields, e.g. protocol TCP) or its value; i:<index> when the item carries none of its keys.
std::string itemElement(const SchemaRegistry &schemas, const ListMeta &list, const SchemaNode &item, const Json &value,
                        size_t index);

// The fields an applied configuration sets (structured-merge-diff's ToFieldSet): leaves, map
// entries, list items; struct fields only when null or empty. Like the API server, it leaves out
// apiVersion, kind, status and the metadata the server owns (name, namespace, uid,
// resourceVersion, generation, creationTimestamp, managedFields). Duplicate list keys are an error.
Result<FieldSet> fieldSetOf(const SchemaRegistry &schemas, const SchemaNode &root, const Json &object);

// Paths added or modified from `before` to `after` (removed ones are not conflicts).
FieldSet changedPaths(const SchemaRegistry &schemas, const SchemaNode &root, const Json &before, const Json &after);

// Removes the value at each path of `remove` unless `keep` holds something below it; containers
// left empty by a removal go too, unless `keep` holds them.
void removePaths(const SchemaRegistry &schemas, const SchemaNode &root, Json &object, const FieldSet &remove,
                 const FieldSet &keep);

} // namespace cd::api::patch
