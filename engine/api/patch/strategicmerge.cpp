// Strategic merge patch, as the API server applies it (apimachinery util/strategicpatch/patch.go,
// StrategicMergeMapPatch: parallel lists merged, unmatched nulls ignored). The Go struct tags
// Kubernetes reads become the x-kubernetes-patch-* extensions of our OpenAPI schemas. Where the Go
// code stores a raw patch value (a key the target lacks), the value is first merged into an empty
// one, so that no `$` directive or null ever reaches storage.

#include "engine/api/patch/patch.h"

#include "engine/api/patch/patchschema.h"
#include "engine/api/schemas.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>

namespace cd::api {
namespace {

using patch::SchemaNode;

constexpr std::string_view kDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

Error badPatch(std::string message)
{
    return Error::badRequest(std::move(message));
}

// Kubernetes compares by JSON kind: two numbers are the same kind whatever their encoding.
enum class Kind { Object, Array, Other };
Kind kindOf(const Json &value)
{
    return value.is_object() ? Kind::Object : value.is_array() ? Kind::Array : Kind::Other;
}

// The identity of a list item: its merge key's value for lists of maps, the item itself for
// primitives. A map without the key is identified by null, as Go's map lookup yields nil.
class ItemKey {
public:
    explicit ItemKey(std::string mergeKey) : m_mergeKey(std::move(mergeKey)) {}
    Json operator()(const Json &item) const
    {
        if (m_mergeKey.empty())
            return item;
        const Json *value = item.is_object() ? find(item, {m_mergeKey}) : nullptr;
        return value ? *value : Json();
    }
    int indexIn(const Json &list, const Json &item) const
    {
        const Json key = (*this)(item);
        for (size_t i = 0; i < list.size(); ++i)
            if ((*this)(list[i]) == key)
                return static_cast<int>(i);
        return -1;
    }

private:
    std::string m_mergeKey;
};

// Splits items into those present in `by` and the rest, keeping their order (partition*ByPresentInList).
std::pair<Json, Json> partition(const Json &items, const Json &by, const ItemKey &key)
{
    Json present = Json::array(), rest = Json::array();
    for (const Json &item : items)
        (key.indexIn(by, item) >= 0 ? present : rest).push_back(item);
    return {std::move(present), std::move(rest)};
}

// Orders items by their position in `order`; items it does not mention go last, in their order.
void sortByOrder(Json &items, const Json &order, const ItemKey &key)
{
    std::vector<std::pair<int, Json>> ranked;
    for (Json &item : items) {
        const int at = key.indexIn(order, item);
        ranked.emplace_back(at < 0 ? INT32_MAX : at, std::move(item));
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    items = Json::array();
    for (auto &entry : ranked)
        items.push_back(std::move(entry.second));
}

// normalizeElementOrder + mergeSortedSlice: the patch's items in patch order, interleaved with the
// server-only items where the live order places a server item before a patch item it also holds.
// New items therefore come first, as in Kubernetes when no $setElementOrder is sent.
Json normalizeElementOrder(Json patchItems, Json serverOnly, const Json &patchOrder, const Json &serverOrder,
                           const ItemKey &key)
{
    sortByOrder(patchItems, patchOrder, key);
    sortByOrder(serverOnly, serverOrder, key);
    Json out = Json::array();
    size_t i = 0, j = 0;
    while (i < serverOnly.size() || j < patchItems.size()) {
        if (i >= serverOnly.size()) {
            out.push_back(std::move(patchItems[j++]));
        } else if (j >= patchItems.size()) {
            out.push_back(std::move(serverOnly[i++]));
        } else {
            const int left = key.indexIn(serverOrder, serverOnly[i]);
            const int right = key.indexIn(serverOrder, patchItems[j]);
            if (left >= 0 && right >= 0 && left < right)
                out.push_back(std::move(serverOnly[i++]));
            else
                out.push_back(std::move(patchItems[j++]));
        }
    }
    return out;
}

// validatePatchWithSetOrderList: the patch list's items must appear in the order list, in order.
Status checkOrderList(const Json &patchList, const Json &order, const ItemKey &key, bool maps)
{
    if (patchList.empty() || order.empty())
        return {};
    size_t p = 0, o = 0;
    while (p < patchList.size() && o < order.size()) {
        const Json &item = patchList[p];
        if (maps && item.is_object() && item.contains(kDirective)) {
            ++p;
            continue;
        }
        if (key(item) == key(order[o]))
            ++p;
        ++o;
    }
    if (p < patchList.size())
        return badPatch("the order in patch list " + dump(patchList) + " doesn't match $setElementOrder list " +
                        dump(order));
    return {};
}

class StrategicMerge {
public:
    explicit StrategicMerge(const SchemaRegistry &schemas) : m_schemas(schemas) {}

    Result<Json> mergeMap(Json original, Json patch, const SchemaNode &node);

private:
    Result<Json> mergeList(Json original, const Json &patch, const SchemaNode &node);
    Result<Json> fresh(const Json &patch, const SchemaNode &node);
    Status applyRetainKeys(Json &original, Json &patch);
    Status applySetElementOrder(Json &original, Json &patch, const SchemaNode &node);
    Status deleteFromPrimitiveList(Json &original, const std::string &field, const Json &values,
                                   const SchemaNode &node);

    const SchemaRegistry &m_schemas;
};

// The value a patch gives a key the target does not have: the patch merged into nothing.
Result<Json> StrategicMerge::fresh(const Json &patch, const SchemaNode &node)
{
    if (patch.is_object())
        return mergeMap(Json::object(), patch, node);
    if (!patch.is_array())
        return patch;
    if (patch::patchMeta(node).merge)
        return mergeList(Json::array(), patch, node);
    const SchemaNode item = patch::itemNode(m_schemas, node);
    Json out = Json::array();
    for (const Json &value : patch) {
        CD_TRY(Json cleaned, fresh(value, item));
        out.push_back(std::move(cleaned));
    }
    return out;
}

Result<Json> StrategicMerge::mergeMap(Json original, Json patch, const SchemaNode &node)
{
    if (!original.is_object())
        original = Json::object();
    if (auto directive = patch.find(kDirective); directive != patch.end()) {
        if (*directive == "delete")
            return Json::object();
        if (*directive == "replace") {
            patch.erase(directive);
            return mergeMap(Json::object(), std::move(patch), node);
        }
        // Go rejects "merge" on a map; merging is what a map does anyway, so it is accepted here.
        if (*directive != "merge")
            return badPatch("Unknown patch type: " + dump(*directive) + " in map: " + dump(patch));
        patch.erase(directive);
    }
    CD_CHECK(applyRetainKeys(original, patch));
    CD_CHECK(applySetElementOrder(original, patch, node));

    std::vector<std::pair<std::string, const Json *>> deletions;
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        const std::string &key = it.key();
        const Json &value = it.value();
        if (startsWith(key, kDeleteFromPrimitiveList)) {
            deletions.emplace_back(key.substr(kDeleteFromPrimitiveList.size()), &value);
            continue;
        }
        if (startsWith(key, "$"))
            continue; // an unknown directive: never stored
        if (value.is_null()) {
            original.erase(key);
            continue;
        }
        const SchemaNode child = patch::childNode(m_schemas, node, key);
        auto current = original.find(key);
        if (current == original.end() || kindOf(*current) != kindOf(value)) {
            CD_TRY(original[key], fresh(value, child));
            continue;
        }
        const patch::PatchMeta meta = patch::patchMeta(child);
        if (value.is_object()) {
            if (meta.replace) {
                CD_TRY(*current, fresh(value, child));
            } else {
                CD_TRY(*current, mergeMap(std::move(*current), value, child));
            }
        } else if (value.is_array()) {
            if (meta.merge) {
                CD_TRY(*current, mergeList(std::move(*current), value, child));
            } else {
                CD_TRY(*current, fresh(value, child));
            }
        } else {
            *current = value;
        }
    }
    // After the additions, so a value both added and deleted ends up deleted.
    for (const auto &[field, values] : deletions)
        CD_CHECK(deleteFromPrimitiveList(original, field, *values, node));
    return original;
}

// $retainKeys (deployment.spec.strategy, volumes items): keys of the target not listed are
// cleared, and the patch may only set listed keys.
Status StrategicMerge::applyRetainKeys(Json &original, Json &patch)
{
    auto directive = patch.find(kRetainKeys);
    if (directive == patch.end())
        return {};
    if (!directive->is_array())
        return badPatch("invalid patch format of retainKeys: " + dump(*directive));
    std::set<std::string> retained;
    for (const Json &key : *directive)
        if (key.is_string())
            retained.insert(key.get<std::string>());
    patch.erase(directive);
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (it.value().is_null() || startsWith(it.key(), "$"))
            continue;
        if (!retained.count(it.key()))
            return badPatch("invalid patch format of retainKeys: the patch sets \"" + it.key() +
                            "\", which is not listed in $retainKeys");
    }
    for (auto it = original.begin(); it != original.end();) {
        if (retained.count(it.key()))
            ++it;
        else
            it = original.erase(it);
    }
    return {};
}

// $setElementOrder/<field> (mergePatchIntoOriginal): merge the field's list, then order it by the
// directive; items of the live list it does not mention keep their relative place.
Status StrategicMerge::applySetElementOrder(Json &original, Json &patch, const SchemaNode &node)
{
    std::vector<std::string> directives;
    for (auto it = patch.begin(); it != patch.end(); ++it)
        if (startsWith(it.key(), kSetElementOrder))
            directives.push_back(it.key());
    for (const std::string &directive : directives) {
        const Json order = patch[directive];
        patch.erase(directive);
        const std::string field = directive.substr(kSetElementOrder.size());
        if (field.empty() || !order.is_array())
            return badPatch("invalid patch format of setElementOrder list: " + directive);
        const SchemaNode child = patch::childNode(m_schemas, node, field);
        const patch::PatchMeta meta = patch::patchMeta(child);
        const ItemKey key(meta.merge ? meta.mergeKey : std::string());
        const bool hasOriginal = original.contains(field) && original[field].is_array();
        const bool hasPatch = patch.contains(field);
        if (hasPatch && !patch[field].is_array())
            continue; // the list itself is deleted or replaced by a scalar: nothing to order
        if (!hasOriginal && !hasPatch)
            continue;
        if (hasPatch)
            CD_CHECK(checkOrderList(patch[field], order, key, !meta.mergeKey.empty()));

        Json merged;
        if (hasOriginal && !hasPatch) {
            merged = original[field];
        } else if (hasOriginal && meta.merge) {
            CD_TRY(merged, mergeList(original[field], patch[field], child));
        } else {
            CD_TRY(merged, fresh(patch[field], child));
        }
        auto [inOrder, serverOnly] = partition(merged, order, key);
        original[field] = normalizeElementOrder(std::move(inOrder), std::move(serverOnly), order,
                                                hasOriginal ? original[field] : Json::array(), key);
        patch.erase(field);
    }
    return {};
}

Status StrategicMerge::deleteFromPrimitiveList(Json &original, const std::string &field, const Json &values,
                                               const SchemaNode &node)
{
    if (field.empty() || !values.is_array())
        return badPatch("invalid patch format of primitive list: $deleteFromPrimitiveList/" + field);
    auto list = original.find(field);
    // Go would store the deletion list as the value of a missing or non-merging field; deleting
    // from nothing is nothing here.
    if (list == original.end() || !list->is_array() ||
        !patch::patchMeta(patch::childNode(m_schemas, node, field)).merge)
        return {};
    Json kept = Json::array();
    for (const Json &item : *list)
        if (std::find(values.begin(), values.end(), item) == values.end())
            kept.push_back(item);
    *list = std::move(kept);
    return {};
}

// mergeSlice for a list with the merge strategy: primitives take the union; maps are matched by
// the merge key and merged, with the $patch directives of items applied first.
Result<Json> StrategicMerge::mergeList(Json original, const Json &patch, const SchemaNode &node)
{
    if (!original.is_array())
        original = Json::array();
    if (original.empty() && patch.empty())
        return original;
    const std::array<const Json *, 2> lists{&original, &patch};
    bool maps = false, scalars = false;
    for (const Json *list : lists)
        for (const Json &item : *list) {
            if (item.is_array())
                return badPatch("lists of lists are not supported");
            (item.is_object() ? maps : scalars) = true;
        }
    if (maps && scalars)
        return badPatch("list element types are not identical: " + dump(original) + " and " + dump(patch));

    const patch::PatchMeta meta = patch::patchMeta(node);
    if (!maps) {
        const ItemKey key{std::string()};
        Json merged = Json::array();
        for (const Json *list : lists)
            for (const Json &item : *list)
                if (key.indexIn(merged, item) < 0)
                    merged.push_back(item);
        auto [inPatch, serverOnly] = partition(merged, patch, key);
        return normalizeElementOrder(std::move(inPatch), std::move(serverOnly), patch, original, key);
    }

    if (meta.mergeKey.empty())
        return badPatch("cannot merge lists without merge key for type object");
    const ItemKey key(meta.mergeKey);
    const SchemaNode item = patch::itemNode(m_schemas, node);
    Json plain = Json::array();
    bool replace = false;
    for (const Json &entry : patch) {
        auto directive = entry.find(kDirective);
        if (directive == entry.end()) {
            plain.push_back(entry);
        } else if (*directive == "delete") {
            if (!entry.contains(meta.mergeKey))
                return badPatch("map: " + dump(entry) + " does not contain declared merge key: " + meta.mergeKey);
            const Json value = entry[meta.mergeKey];
            Json kept = Json::array();
            for (Json &existing : original)
                if (key(existing) != value)
                    kept.push_back(std::move(existing));
            original = std::move(kept);
        } else if (*directive == "replace") {
            replace = true;
        } else if (*directive == "merge") {
            return badPatch("merging lists cannot yet be specified in the patch");
        } else {
            return badPatch("Unknown patch type: " + dump(*directive) + " in map: " + dump(entry));
        }
    }
    if (replace) {
        original = Json::array();
        for (const Json &entry : plain) {
            CD_TRY(Json cleaned, fresh(entry, item));
            original.push_back(std::move(cleaned));
        }
        plain = Json::array();
    }
    const Json serverOrder = original;
    for (const Json &entry : plain) {
        if (!entry.contains(meta.mergeKey))
            return badPatch("map: " + dump(entry) + " does not contain declared merge key: " + meta.mergeKey);
        const int at = key.indexIn(original, entry);
        if (at >= 0) {
            CD_TRY(original[at], mergeMap(std::move(original[at]), entry, item));
        } else {
            CD_TRY(Json added, fresh(entry, item));
            original.push_back(std::move(added));
        }
    }
    auto [inPatch, serverOnly] = partition(original, plain, key);
    return normalizeElementOrder(std::move(inPatch), std::move(serverOnly), plain, serverOrder, key);
}

} // namespace

Result<Json> applyStrategicMergePatch(const SchemaRegistry &schemas, const std::string &definition, const Json &target,
                                      const Json &patch)
{
    if (!patch.is_object())
        return Error::badRequest("a strategic merge patch must be a JSON object");
    StrategicMerge merge(schemas);
    return merge.mergeMap(target, patch, patch::rootNode(schemas, definition));
}

} // namespace cd::api
