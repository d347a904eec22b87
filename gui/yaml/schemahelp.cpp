#include "gui/yaml/schemahelp.h"

#include "engine/api/registry.h"
#include "engine/api/schemas.h"

#include <algorithm>
#include <set>

namespace cd::gui {
namespace {

using api::SchemaRegistry;

const Json *rootSchema(const YamlContext &context)
{
    const std::string apiVersion = context.apiVersion.toStdString();
    const size_t slash = apiVersion.find('/');
    const std::string group = slash == std::string::npos ? std::string() : apiVersion.substr(0, slash);
    const std::string version = slash == std::string::npos ? apiVersion : apiVersion.substr(slash + 1);
    const SchemaRegistry &schemas = SchemaRegistry::builtin();
    const std::string name = schemas.definitionFor(group, version, context.kind.toStdString());
    return name.empty() ? nullptr : schemas.definition(name);
}

QString refName(const Json &schema)
{
    const Json *node = &schema;
    if (const Json *allOf = find(schema, {"allOf"}); allOf && allOf->is_array() && allOf->size() == 1)
        node = &(*allOf)[0];
    const std::string ref = str(*node, {"$ref"});
    const size_t dot = ref.rfind('.');
    return QString::fromStdString(dot == std::string::npos ? ref : ref.substr(dot + 1));
}

// How Kubernetes' API reference names a type: integer, string, []Container, map[string]string.
QString typeName(const Json *raw, int depth = 0)
{
    if (!raw || depth > 4)
        return {};
    const SchemaRegistry &schemas = SchemaRegistry::builtin();
    const QString ref = refName(*raw);
    const Json *schema = schemas.resolve(raw);
    if (!schema)
        return ref;
    const std::string type = str(*schema, {"type"});
    if (type == "array")
        return QStringLiteral("[]") + typeName(find(*schema, {"items"}), depth + 1);
    if (const Json *values = find(*schema, {"additionalProperties"});
        values && values->is_object() && !schema->contains("properties"))
        return QStringLiteral("map[string]") + typeName(values, depth + 1);
    if (!ref.isEmpty() && ref != QLatin1String("Quantity") && ref != QLatin1String("IntOrString"))
        return ref;
    if (boolean(*schema, {"x-kubernetes-int-or-string"}) || ref == QLatin1String("IntOrString"))
        return QStringLiteral("int-or-string");
    if (ref == QLatin1String("Quantity"))
        return QStringLiteral("quantity");
    return QString::fromStdString(type.empty() ? std::string("object") : type);
}

struct Walked {
    const Json *raw = nullptr;    // the field's schema as written in its parent (with its description)
    const Json *schema = nullptr; // resolved
};

// The schema at a path below the kind's root; nothing when a segment is unknown.
Walked walk(const YamlContext &context)
{
    const SchemaRegistry &schemas = SchemaRegistry::builtin();
    Walked at{rootSchema(context), schemas.resolve(rootSchema(context))};
    for (const QString &segment : context.path) {
        if (!at.schema)
            return {};
        if (segment == QLatin1String("[]")) {
            const Json *items = find(*at.schema, {"items"});
            at = {items, schemas.resolve(items)};
            continue;
        }
        if (const Json *raw = schemas.rawProperty(at.schema, segment.toStdString())) {
            at = {raw, schemas.resolve(raw)};
            continue;
        }
        const Json *values = find(*at.schema, {"additionalProperties"}); // a map's key (labels, data)
        if (!values || !values->is_object())
            return {};
        at = {values, schemas.resolve(values)};
    }
    return at;
}

QString descriptionOf(const Walked &field)
{
    if (field.raw && field.raw->contains("description"))
        return QString::fromStdString(str(*field.raw, {"description"}));
    return field.schema ? QString::fromStdString(str(*field.schema, {"description"})) : QString();
}

bool isBlockType(const Json *schema)
{
    if (!schema)
        return false;
    const std::string type = str(*schema, {"type"});
    return type == "array" || type == "object" || schema->contains("properties");
}

// apiVersion and kind values: what the registry serves (the document's kind first for apiVersion).
QList<SchemaSuggestion> servedValues(const YamlContext &context, bool kinds)
{
    QList<SchemaSuggestion> out;
    std::set<QString> seen;
    for (const auto &type : api::Registry::builtin().all()) {
        const QString text = QString::fromStdString(kinds ? type->kind : type->apiVersion());
        if (!kinds && !context.kind.isEmpty() && type->kind != context.kind.toStdString())
            continue;
        if (seen.insert(text).second)
            out.push_back({text, QString::fromStdString(kinds ? type->apiVersion() : type->kind), {}, true});
    }
    return out;
}

} // namespace

QList<SchemaSuggestion> schemaSuggestions(const YamlContext &context)
{
    QList<SchemaSuggestion> out;
    if (!context.valid)
        return out;
    if (context.atValue && context.path.size() == 1 &&
        (context.path[0] == QLatin1String("kind") || context.path[0] == QLatin1String("apiVersion"))) {
        out = servedValues(context, context.path[0] == QLatin1String("kind"));
    } else if (context.atValue) {
        const Walked field = walk(context);
        if (!field.schema)
            return out;
        if (const Json *values = find(*field.schema, {"enum"}); values && values->is_array()) {
            for (const Json &v : *values)
                if (v.is_string())
                    out.push_back({QString::fromStdString(v.get<std::string>()), typeName(field.raw),
                                   descriptionOf(field), true});
        } else if (str(*field.schema, {"type"}) == "boolean") {
            out.push_back({QStringLiteral("true"), QStringLiteral("boolean"), descriptionOf(field), true});
            out.push_back({QStringLiteral("false"), QStringLiteral("boolean"), descriptionOf(field), true});
        }
    } else {
        const Walked mapping = walk(context);
        const Json *properties = mapping.schema ? find(*mapping.schema, {"properties"}) : nullptr;
        if (properties && properties->is_object()) {
            const SchemaRegistry &schemas = SchemaRegistry::builtin();
            for (auto it = properties->begin(); it != properties->end(); ++it) {
                if (context.path.isEmpty() && it.key() == "status")
                    continue; // written by the cluster, never in a manifest
                const Json *resolved = schemas.resolve(&it.value());
                SchemaSuggestion s{QString::fromStdString(it.key()), typeName(&it.value()),
                                   descriptionOf({&it.value(), resolved}), false};
                s.block = isBlockType(resolved);
                s.list = resolved && str(*resolved, {"type"}) == "array";
                out.push_back(std::move(s));
            }
        } else if (context.path.isEmpty()) {
            // No kind yet: what every manifest starts with.
            for (const char *field : {"apiVersion", "kind", "metadata"})
                out.push_back({QString::fromLatin1(field), QStringLiteral("string"), {}, false});
            out.back().type = QStringLiteral("ObjectMeta");
            out.back().block = true;
        }
    }
    std::sort(out.begin(), out.end(), [](const SchemaSuggestion &a, const SchemaSuggestion &b) {
        return a.text.compare(b.text, Qt::CaseInsensitive) < 0;
    });
    return out;
}

SchemaSuggestion schemaField(const YamlContext &context)
{
    if (!context.valid || context.path.isEmpty())
        return {};
    const Walked field = walk(context);
    if (!field.schema)
        return {};
    SchemaSuggestion s{context.path.back(), typeName(field.raw), descriptionOf(field), false};
    s.block = isBlockType(field.schema);
    return s;
}

} // namespace cd::gui
