#include "engine/api/patch/fieldset.h"

#include "engine/api/schemas.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>

namespace cd::api::patch {
namespace {

int rank(const std::string &element)
{
    switch (element.empty() ? '\0' : element[0]) {
    case 'f': return 0;
    case 'k': return 1;
    case 'v': return 2;
    case 'i': return 3;
    default: return 4;
    }
}

bool elementLess(const std::string &a, const std::string &b)
{
    const int ra = rank(a), rb = rank(b);
    if (ra != rb)
        return ra < rb;
    if (ra == 3) // indexes compare as numbers
        return std::strtoll(a.c_str() + 2, nullptr, 10) < std::strtoll(b.c_str() + 2, nullptr, 10);
    return a < b;
}

// JSON decodes 80 and 80.0 alike in Go; key elements must not depend on how a number was written.
Json normalized(const Json &value)
{
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15)
            return static_cast<long long>(d);
    }
    return value;
}

bool isPrefix(const FieldPath &prefix, const FieldPath &path)
{
    return prefix.size() <= path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

// The top-level members and metadata fields the API server strips before tracking ownership.
bool untracked(const FieldPath &path, const std::string &key)
{
    static const std::set<std::string> top = {"apiVersion", "kind", "status"};
    static const std::set<std::string> meta = {"name",       "namespace",         "uid",           "resourceVersion",
                                               "generation", "creationTimestamp", "managedFields", "selfLink"};
    if (path.empty())
        return top.count(key) > 0;
    return path.size() == 1 && path[0] == "f:metadata" && meta.count(key) > 0;
}

class Walker {
public:
    explicit Walker(const SchemaRegistry &schemas) : m_schemas(schemas) {}

    Status collectApplied(const Json &value, const SchemaNode &node, FieldPath &path, FieldSet &out) const
    {
        if (value.is_object()) {
            if (atomicMap(node)) {
                insert(out, path);
                return {};
            }
            for (auto it = value.begin(); it != value.end(); ++it) {
                if (untracked(path, it.key()))
                    continue;
                const SchemaNode child = childNode(m_schemas, node, it.key());
                path.push_back("f:" + it.key());
                CD_CHECK(collectApplied(it.value(), child, path, out));
                const Json &v = it.value();
                if (v.is_null() || (v.is_object() && v.empty()) || !child.declared)
                    out.insert(path);
                path.pop_back();
            }
            return {};
        }
        if (value.is_array()) {
            const ListMeta list = listMeta(node);
            if (list.type == ListType::Atomic) {
                insert(out, path);
                return {};
            }
            const SchemaNode item = itemNode(m_schemas, node);
            std::set<std::string> seen;
            for (size_t i = 0; i < value.size(); ++i) {
                std::string element = itemElement(m_schemas, list, item, value[i], i);
                if (!seen.insert(element).second)
                    return Error::badRequest(pathString(path) + ": duplicate entries for key " + pathString({element}));
                path.push_back(std::move(element));
                CD_CHECK(collectApplied(value[i], item, path, out));
                out.insert(path);
                path.pop_back();
            }
            return {};
        }
        if (!value.is_null())
            insert(out, path);
        return {};
    }

    // Every path of a value that is new: containers and leaves alike, as structured-merge-diff's
    // comparison reports an added subtree.
    void collectAll(const Json &value, const SchemaNode &node, FieldPath &path, FieldSet &out) const
    {
        insert(out, path);
        if (value.is_object() && !atomicMap(node)) {
            for (auto it = value.begin(); it != value.end(); ++it) {
                path.push_back("f:" + it.key());
                collectAll(it.value(), childNode(m_schemas, node, it.key()), path, out);
                path.pop_back();
            }
        } else if (value.is_array()) {
            const ListMeta list = listMeta(node);
            if (list.type == ListType::Atomic)
                return;
            const SchemaNode item = itemNode(m_schemas, node);
            for (size_t i = 0; i < value.size(); ++i) {
                path.push_back(itemElement(m_schemas, list, item, value[i], i));
                collectAll(value[i], item, path, out);
                path.pop_back();
            }
        }
    }

    void diff(const Json *before, const Json &after, const SchemaNode &node, FieldPath &path, FieldSet &out) const
    {
        if (!before || before->is_null()) {
            collectAll(after, node, path, out);
            return;
        }
        if (after.is_object() && before->is_object() && !atomicMap(node)) {
            for (auto it = after.begin(); it != after.end(); ++it) {
                path.push_back("f:" + it.key());
                diff(find(*before, {it.key()}), it.value(), childNode(m_schemas, node, it.key()), path, out);
                path.pop_back();
            }
            return;
        }
        if (after.is_array() && before->is_array()) {
            const ListMeta list = listMeta(node);
            if (list.type != ListType::Atomic) {
                const SchemaNode item = itemNode(m_schemas, node);
                std::map<std::string, const Json *> earlier;
                for (size_t i = 0; i < before->size(); ++i)
                    earlier.emplace(itemElement(m_schemas, list, item, (*before)[i], i), &(*before)[i]);
                for (size_t i = 0; i < after.size(); ++i) {
                    path.push_back(itemElement(m_schemas, list, item, after[i], i));
                    auto match = earlier.find(path.back());
                    diff(match == earlier.end() ? nullptr : match->second, after[i], item, path, out);
                    path.pop_back();
                }
                return;
            }
        }
        if (*before != after)
            insert(out, path);
    }

    // Returns whether something was removed, so that a container it emptied can go as well.
    // `keys` are the key fields when `value` is an item of a keyed list: they name the item, so
    // they go with the item or not at all.
    bool remove(Json &value, const SchemaNode &node, const FieldPath &path, size_t depth, const FieldSet &keep,
                const std::vector<std::string> &keys = {}) const
    {
        const std::string &element = path[depth];
        const bool last = depth + 1 == path.size();
        const FieldPath here(path.begin(), path.begin() + static_cast<long>(depth) + 1);
        auto prunable = [&](const Json &child) {
            return (child.is_object() || child.is_array()) && child.empty() && !keep.count(here);
        };
        if (element.rfind("f:", 0) == 0) {
            const std::string name = element.substr(2);
            if (!value.is_object())
                return false;
            auto it = value.find(name);
            if (it == value.end())
                return false;
            if (last && std::find(keys.begin(), keys.end(), name) != keys.end())
                return false;
            if (last) {
                value.erase(it);
                return true;
            }
            if (!remove(*it, childNode(m_schemas, node, name), path, depth + 1, keep))
                return false;
            if (prunable(*it))
                value.erase(it);
            return true;
        }
        if (!value.is_array())
            return false;
        const ListMeta list = listMeta(node);
        const SchemaNode item = itemNode(m_schemas, node);
        for (size_t i = 0; i < value.size(); ++i) {
            if (itemElement(m_schemas, list, item, value[i], i) != element)
                continue;
            if (last) {
                value.erase(i);
                return true;
            }
            if (!remove(value[i], item, path, depth + 1, keep,
                        list.type == ListType::Map ? list.keys : std::vector<std::string>()))
                return false;
            if (prunable(value[i]))
                value.erase(i);
            return true;
        }
        return false;
    }

private:
    static void insert(FieldSet &out, const FieldPath &path)
    {
        if (!path.empty())
            out.insert(path);
    }

    const SchemaRegistry &m_schemas;
};

} // namespace

bool PathOrder::operator()(const FieldPath &a, const FieldPath &b) const
{
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), elementLess);
}

FieldSet fieldSetFromV1(const Json &fieldsV1)
{
    FieldSet out;
    FieldPath path;
    auto walk = [&](const Json &node, auto &&self) -> void {
        if (!node.is_object())
            return;
        if (node.empty() && !path.empty())
            out.insert(path);
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (it.key() == ".") {
                if (!path.empty())
                    out.insert(path);
                continue;
            }
            path.push_back(it.key());
            self(it.value(), self);
            path.pop_back();
        }
    };
    walk(fieldsV1, walk);
    return out;
}

Json fieldSetToV1(const FieldSet &set)
{
    Json out = Json::object();
    auto nodeAt = [&out](const FieldPath &path) {
        Json *node = &out;
        for (const std::string &element : path) {
            Json &child = (*node)[element];
            if (!child.is_object())
                child = Json::object();
            node = &child;
        }
        return node;
    };
    for (const FieldPath &path : set)
        nodeAt(path);
    // A member that also has members below it says so with ".".
    for (const FieldPath &path : set)
        if (Json *node = nodeAt(path); !node->empty())
            (*node)["."] = Json::object();
    return out;
}

FieldSet unite(const FieldSet &a, const FieldSet &b)
{
    FieldSet out = a;
    out.insert(b.begin(), b.end());
    return out;
}

FieldSet subtract(const FieldSet &a, const FieldSet &b)
{
    FieldSet out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()), PathOrder());
    return out;
}

FieldSet intersect(const FieldSet &a, const FieldSet &b)
{
    FieldSet out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()), PathOrder());
    return out;
}

bool hasDescendant(const FieldSet &set, const FieldPath &path)
{
    auto it = set.upper_bound(path);
    return it != set.end() && it->size() > path.size() && isPrefix(path, *it);
}

std::string pathString(const FieldPath &path)
{
    std::string out;
    for (const std::string &element : path) {
        const std::string body = element.size() > 2 ? element.substr(2) : std::string();
        switch (rank(element)) {
        case 0: out += "." + body; break;
        case 1: {
            const Json keys = Json::parse(body, nullptr, false);
            out += "[";
            if (keys.is_object()) {
                bool first = true;
                for (auto it = keys.begin(); it != keys.end(); ++it) {
                    out += (first ? "" : ",") + it.key() + "=" + dump(it.value());
                    first = false;
                }
            }
            out += "]";
            break;
        }
        case 2: out += "[=" + body + "]"; break;
        case 3: out += "[" + body + "]"; break;
        default: out += element;
        }
    }
    return out;
}

std::string itemElement(const SchemaRegistry &schemas, const ListMeta &list, const SchemaNode &item, const Json &value,
                        size_t index)
{
    if (list.type == ListType::Set)
        return "v:" + dump(normalized(value));
    if (list.type == ListType::Map && value.is_object()) {
        Json keys = Json::object();
        for (const std::string &key : list.keys) {
            if (const Json *field = find(value, {key}); field && !field->is_null())
                keys[key] = normalized(*field);
            else if (const Json *fallback = propertyDefault(schemas, item, key))
                keys[key] = normalized(*fallback);
        }
        if (!keys.empty())
            return "k:" + dump(keys);
    }
    return "i:" + std::to_string(index);
}

Result<FieldSet> fieldSetOf(const SchemaRegistry &schemas, const SchemaNode &root, const Json &object)
{
    FieldSet out;
    FieldPath path;
    CD_CHECK(Walker(schemas).collectApplied(object, root, path, out));
    return out;
}

FieldSet changedPaths(const SchemaRegistry &schemas, const SchemaNode &root, const Json &before, const Json &after)
{
    FieldSet out;
    FieldPath path;
    Walker(schemas).diff(&before, after, root, path, out);
    return out;
}

void removePaths(const SchemaRegistry &schemas, const SchemaNode &root, Json &object, const FieldSet &remove,
                 const FieldSet &keep)
{
    const Walker walker(schemas);
    // Outermost first: a removed list item takes its fields with it, before the removal of a
    // field could change what identifies the item.
    for (const FieldPath &path : remove)
        if (!path.empty() && !hasDescendant(keep, path))
            walker.remove(object, root, path, 0, keep);
}

} // namespace cd::api::patch
