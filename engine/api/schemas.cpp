#include "engine/api/schemas.h"

#include <QFile>

#include <set>

namespace cd::api {
namespace {

constexpr std::string_view kRefPrefix = "#/components/schemas/";

std::string typeName(const Json &value)
{
    switch (value.type()) {
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "bool";
    case Json::value_t::number_float: return "number";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "number";
    case Json::value_t::array: return "array";
    case Json::value_t::object: return "object";
    default: return "null";
    }
}

// Whether a property schema is a reference (plain or allOf-wrapped) to the named definition.
bool refersTo(const Json &schema, std::string_view name)
{
    const Json *node = &schema;
    if (const Json *allOf = find(schema, {"allOf"}); allOf && allOf->is_array() && allOf->size() == 1)
        node = &(*allOf)[0];
    const Json *ref = find(*node, {"$ref"});
    if (!ref || !ref->is_string())
        return false;
    std::string_view target = ref->get_ref<const std::string &>();
    return target.size() > name.size() && target.substr(target.size() - name.size()) == name;
}

} // namespace

const SchemaRegistry &SchemaRegistry::builtin()
{
    static const SchemaRegistry registry = [] {
        QFile file(QStringLiteral(":/clusterdeck/openapi/schemas.json"));
        Json definitions = Json::object();
        if (file.open(QIODevice::ReadOnly)) {
            const QByteArray bytes = file.readAll();
            definitions = Json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
            if (definitions.is_discarded())
                definitions = Json::object();
        }
        return SchemaRegistry(std::move(definitions));
    }();
    return registry;
}

SchemaRegistry::SchemaRegistry(Json definitions) : m_definitions(std::move(definitions)) {}

const Json *SchemaRegistry::definition(const std::string &name) const
{
    auto it = m_definitions.find(name);
    return it == m_definitions.end() ? nullptr : &*it;
}

std::string SchemaRegistry::definitionFor(const std::string &group, const std::string &version,
                                          const std::string &kind) const
{
    for (auto it = m_definitions.begin(); it != m_definitions.end(); ++it) {
        const Json *gvks = find(it.value(), {"x-kubernetes-group-version-kind"});
        if (!gvks || !gvks->is_array())
            continue;
        for (const Json &gvk : *gvks)
            if (str(gvk, {"group"}) == group && str(gvk, {"version"}) == version && str(gvk, {"kind"}) == kind)
                return it.key();
    }
    return {};
}

const Json *SchemaRegistry::resolve(const Json *schema) const
{
    for (int hops = 0; schema && hops < 16; ++hops) {
        if (const Json *ref = find(*schema, {"$ref"}); ref && ref->is_string()) {
            std::string_view target = ref->get_ref<const std::string &>();
            if (target.substr(0, kRefPrefix.size()) == kRefPrefix)
                target.remove_prefix(kRefPrefix.size());
            schema = definition(std::string(target));
            continue;
        }
        if (const Json *allOf = find(*schema, {"allOf"}); allOf && allOf->is_array() && allOf->size() == 1 &&
                                                           !schema->contains("properties")) {
            schema = &(*allOf)[0];
            continue;
        }
        return schema;
    }
    return schema;
}

const Json *SchemaRegistry::rawProperty(const Json *objectSchema, const std::string &name) const
{
    const Json *resolved = resolve(objectSchema);
    if (!resolved)
        return nullptr;
    const Json *properties = find(*resolved, {"properties"});
    if (!properties || !properties->is_object())
        return nullptr;
    auto it = properties->find(name);
    return it == properties->end() ? nullptr : &*it;
}

const Json *SchemaRegistry::property(const Json *objectSchema, const std::string &name) const
{
    return resolve(rawProperty(objectSchema, name));
}

const Json *SchemaRegistry::items(const Json *arraySchema) const
{
    const Json *resolved = resolve(arraySchema);
    if (!resolved)
        return nullptr;
    const Json *items = find(*resolved, {"items"});
    return items ? resolve(items) : nullptr;
}

const Json *SchemaRegistry::mapValues(const Json *objectSchema) const
{
    const Json *resolved = resolve(objectSchema);
    if (!resolved)
        return nullptr;
    const Json *values = find(*resolved, {"additionalProperties"});
    return values && values->is_object() ? resolve(values) : nullptr;
}

std::vector<SchemaRegistry::Problem> SchemaRegistry::check(const std::string &definitionName,
                                                           const Json &object) const
{
    std::vector<Problem> out;
    if (const Json *schema = definition(definitionName))
        checkValue(schema, object, nullptr, out, 0);
    return out;
}

std::string SchemaRegistry::PathStep::text() const
{
    std::vector<const PathStep *> steps;
    for (const PathStep *step = this; step; step = step->parent)
        steps.push_back(step);
    std::string out;
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
        if ((*it)->isIndex) {
            out += "[" + std::to_string((*it)->index) + "]";
        } else {
            if (it != steps.rbegin())
                out += '.';
            out += (*it)->key;
        }
    }
    return out;
}

void SchemaRegistry::checkValue(const Json *rawSchema, const Json &value, const PathStep *step,
                                std::vector<Problem> &out, int depth) const
{
    if (!rawSchema || depth > 64 || value.is_null())
        return;
    const auto pathText = [step] { return step ? step->text() : std::string(); };
    // Quantities accept numbers (cpu: 1), as Kubernetes' Quantity decoder does.
    if (refersTo(*rawSchema, "io.k8s.apimachinery.pkg.api.resource.Quantity")) {
        if (!value.is_string() && !value.is_number()) {
            const std::string path = pathText();
            out.push_back({path, "cannot unmarshal " + typeName(value) + " into " + path + " of type quantity"});
        }
        return;
    }
    const Json *schema = resolve(rawSchema);
    if (!schema)
        return;
    if (boolean(*schema, {"x-kubernetes-preserve-unknown-fields"}))
        return;
    auto mismatch = [&](const std::string &want) {
        const std::string path = pathText();
        out.push_back({path, "cannot unmarshal " + typeName(value) + " into " + (path.empty() ? "." : path) +
                                 " of type " + want});
    };
    if (boolean(*schema, {"x-kubernetes-int-or-string"}) || str(*schema, {"format"}) == "int-or-string") {
        if (!value.is_string() && !value.is_number_integer())
            mismatch("int or string");
        return;
    }
    const std::string type = str(*schema, {"type"});
    if (type == "string") {
        if (!value.is_string())
            mismatch("string");
        return;
    }
    if (type == "integer") {
        if (!value.is_number_integer() &&
            !(value.is_number_float() && value.get<double>() == static_cast<long long>(value.get<double>())))
            mismatch(str(*schema, {"format"}, "int64"));
        return;
    }
    if (type == "number") {
        if (!value.is_number())
            mismatch("number");
        return;
    }
    if (type == "boolean") {
        if (!value.is_boolean())
            mismatch("bool");
        return;
    }
    if (type == "array") {
        if (!value.is_array()) {
            mismatch("array");
            return;
        }
        const Json *itemSchema = find(*schema, {"items"});
        for (size_t i = 0; i < value.size(); ++i) {
            const PathStep item{step, {}, i, true};
            checkValue(itemSchema, value[i], &item, out, depth + 1);
        }
        return;
    }
    const Json *properties = find(*schema, {"properties"});
    const Json *additional = find(*schema, {"additionalProperties"});
    if (type == "object" || properties || additional) {
        if (!value.is_object()) {
            mismatch("object");
            return;
        }
        for (auto it = value.begin(); it != value.end(); ++it) {
            const PathStep child{step, it.key(), 0, false};
            const Json *childSchema = nullptr;
            if (properties && properties->is_object()) {
                auto p = properties->find(it.key());
                if (p != properties->end())
                    childSchema = &*p;
            }
            if (!childSchema && additional && additional->is_object())
                childSchema = additional;
            if (!childSchema) {
                if (properties || (additional && additional->is_boolean() && !additional->get<bool>())) {
                    const std::string childPath = child.text();
                    out.push_back({childPath, "unknown field \"" + childPath + "\"", true});
                }
                continue;
            }
            checkValue(childSchema, it.value(), &child, out, depth + 1);
        }
    }
}

std::vector<std::string> SchemaRegistry::closure(const std::vector<std::string> &roots) const
{
    std::set<std::string> seen;
    std::vector<std::string> order;
    std::vector<std::string> todo(roots.rbegin(), roots.rend());
    auto collect = [&](const Json &node, auto &&self) -> void {
        if (node.is_object()) {
            for (auto it = node.begin(); it != node.end(); ++it) {
                if (it.key() == "$ref" && it.value().is_string()) {
                    std::string_view target = it.value().get_ref<const std::string &>();
                    if (target.substr(0, kRefPrefix.size()) == kRefPrefix)
                        todo.emplace_back(target.substr(kRefPrefix.size()));
                } else {
                    self(it.value(), self);
                }
            }
        } else if (node.is_array()) {
            for (const Json &item : node)
                self(item, self);
        }
    };
    while (!todo.empty()) {
        std::string name = std::move(todo.back());
        todo.pop_back();
        if (!seen.insert(name).second)
            continue;
        const Json *schema = definition(name);
        if (!schema)
            continue;
        order.push_back(name);
        collect(*schema, collect);
    }
    return order;
}

} // namespace cd::api
