#include "engine/api/patch/patchschema.h"

#include "engine/api/schemas.h"

#include <sstream>

namespace cd::api::patch {
namespace {

// An extension as written on the property, else on the schema it resolves to.
const Json *extension(const SchemaNode &node, const char *name)
{
    for (const Json *schema : {node.raw, node.schema}) {
        if (!schema || !schema->is_object())
            continue;
        auto it = schema->find(name);
        if (it != schema->end())
            return &*it;
    }
    return nullptr;
}

std::string stringExtension(const SchemaNode &node, const char *name)
{
    const Json *value = extension(node, name);
    return value && value->is_string() ? value->get<std::string>() : std::string();
}

} // namespace

SchemaNode rootNode(const SchemaRegistry &schemas, const std::string &definition)
{
    const Json *schema = schemas.definition(definition);
    return {schema, schemas.resolve(schema), true};
}

SchemaNode childNode(const SchemaRegistry &schemas, const SchemaNode &object, const std::string &key)
{
    if (!object.schema)
        return {};
    if (const Json *raw = schemas.rawProperty(object.schema, key))
        return {raw, schemas.resolve(raw), true};
    // A map (labels, resources.limits): every key has the value schema, and none is declared.
    const Json *values = find(*object.schema, {"additionalProperties"});
    if (values && values->is_object())
        return {values, schemas.resolve(values), false};
    return {};
}

SchemaNode itemNode(const SchemaRegistry &schemas, const SchemaNode &list)
{
    if (!list.schema)
        return {};
    const Json *items = find(*list.schema, {"items"});
    if (!items || !items->is_object())
        return {};
    return {items, schemas.resolve(items), false};
}

PatchMeta patchMeta(const SchemaNode &node)
{
    PatchMeta meta;
    std::istringstream strategies(stringExtension(node, "x-kubernetes-patch-strategy"));
    for (std::string strategy; std::getline(strategies, strategy, ',');) {
        if (strategy == "merge")
            meta.merge = true;
        else if (strategy == "retainKeys")
            meta.retainKeys = true;
        else if (strategy == "replace")
            meta.replace = true;
    }
    meta.mergeKey = stringExtension(node, "x-kubernetes-patch-merge-key");
    return meta;
}

ListMeta listMeta(const SchemaNode &node)
{
    const std::string type = stringExtension(node, "x-kubernetes-list-type");
    const PatchMeta patch = patchMeta(node);
    if (type == "map") {
        ListMeta meta{ListType::Map, {}};
        if (const Json *keys = extension(node, "x-kubernetes-list-map-keys"); keys && keys->is_array())
            for (const Json &key : *keys)
                if (key.is_string())
                    meta.keys.push_back(key.get<std::string>());
        if (meta.keys.empty() && !patch.mergeKey.empty())
            meta.keys.push_back(patch.mergeKey);
        if (meta.keys.empty())
            meta.type = ListType::Atomic;
        return meta;
    }
    if (type == "set")
        return {ListType::Set, {}};
    if (type == "atomic" || !node.schema)
        return {};
    if (patch.merge)
        return patch.mergeKey.empty() ? ListMeta{ListType::Set, {}} : ListMeta{ListType::Map, {patch.mergeKey}};
    return {};
}

bool atomicMap(const SchemaNode &node)
{
    return stringExtension(node, "x-kubernetes-map-type") == "atomic";
}

const Json *propertyDefault(const SchemaRegistry &schemas, const SchemaNode &object, const std::string &key)
{
    const SchemaNode child = childNode(schemas, object, key);
    if (!child.declared)
        return nullptr;
    for (const Json *schema : {child.raw, child.schema}) {
        if (schema && schema->is_object())
            if (auto it = schema->find("default"); it != schema->end() && !it->is_null())
                return &*it;
    }
    return nullptr;
}

} // namespace cd::api::patch
