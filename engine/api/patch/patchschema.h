#pragma once
// What strategic merge patch and server-side apply need to know about a field, read from the
// OpenAPI schemas: how lists merge (x-kubernetes-patch-strategy/merge-key for the former,
// x-kubernetes-list-type/map-keys for the latter) and whether a map is atomic. Kubernetes takes
// the first from Go struct tags and the second from the same OpenAPI; both live in our schemas.

#include "engine/core/json.h"

#include <string>
#include <vector>

namespace cd::api {
class SchemaRegistry;
}

namespace cd::api::patch {

// Where a value sits: the property as written (it carries the x-kubernetes-* extensions, next to
// `items` or an allOf wrapper) and the schema it resolves to. Both null when nothing describes it.
struct SchemaNode {
    const Json *raw = nullptr;
    const Json *schema = nullptr;
    bool declared = false; // a named property of a struct, as opposed to a map entry
};

SchemaNode rootNode(const SchemaRegistry &schemas, const std::string &definition);
SchemaNode childNode(const SchemaRegistry &schemas, const SchemaNode &object, const std::string &key);
SchemaNode itemNode(const SchemaRegistry &schemas, const SchemaNode &list);

// The strategic merge patch tags of a field (`patchStrategy:"merge,retainKeys"` in Go).
struct PatchMeta {
    bool merge = false;
    bool retainKeys = false;
    bool replace = false;
    std::string mergeKey;
};
PatchMeta patchMeta(const SchemaNode &node);

// How apply treats a list. Without x-kubernetes-list-type the patch tags decide, as kube-openapi's
// conversion to structured-merge-diff schemas does: merge with a key is a map, merge without one
// a set, anything else atomic.
enum class ListType { Atomic, Set, Map };
struct ListMeta {
    ListType type = ListType::Atomic;
    std::vector<std::string> keys;
};
ListMeta listMeta(const SchemaNode &node);

// x-kubernetes-map-type: atomic (label selectors, object references): replaced and owned whole.
bool atomicMap(const SchemaNode &node);

// The schema default of a property of an object node (e.g. a port's protocol), or nullptr.
const Json *propertyDefault(const SchemaRegistry &schemas, const SchemaNode &object, const std::string &key);

} // namespace cd::api::patch
