// Server-side apply (structured-merge-diff's Updater.Apply, as the API server's field manager
// runs it): merge the configuration into the live object, drop what this manager applied before
// and no longer applies (unless someone else owns it), refuse to change what another applier
// owns unless forced, and record ownership in metadata.managedFields. Only Apply entries take
// part: Update entries are kept as they are but own nothing here.

#include "engine/api/patch/patch.h"

#include "engine/api/patch/fieldset.h"
#include "engine/api/patch/patchschema.h"
#include "engine/api/schemas.h"
#include "engine/core/clock.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace cd::api {
namespace {

using patch::FieldSet;
using patch::SchemaNode;

class ApplyMerge {
public:
    explicit ApplyMerge(const SchemaRegistry &schemas) : m_schemas(schemas) {}

    // The configuration's value merged over the live one (null when live has none). Nulls in the
    // configuration clear a field.
    Json merge(const Json *live, const Json &config, const SchemaNode &node) const
    {
        if (config.is_object()) {
            const bool granular = !patch::atomicMap(node) && live && live->is_object();
            Json out = granular ? *live : Json::object();
            for (auto it = config.begin(); it != config.end(); ++it) {
                if (it.value().is_null()) {
                    out.erase(it.key());
                    continue;
                }
                const Json *before = granular ? find(*live, {it.key()}) : nullptr;
                out[it.key()] = merge(before, it.value(), patch::childNode(m_schemas, node, it.key()));
            }
            return out;
        }
        if (config.is_array())
            return mergeList(live && live->is_array() ? live : nullptr, config, node);
        return config;
    }

private:
    // structured-merge-diff's visitListItems: live items keep their places, applied items come in
    // applied order, and an item in both is merged where the applied order first reaches it.
    Json mergeList(const Json *live, const Json &config, const SchemaNode &node) const
    {
        const patch::ListMeta list = patch::listMeta(node);
        const SchemaNode item = patch::itemNode(m_schemas, node);
        Json out = Json::array();
        if (list.type == patch::ListType::Atomic || !live) {
            for (const Json &value : config)
                out.push_back(merge(nullptr, value, item));
            return out;
        }
        std::vector<std::string> lhs, rhs;
        std::map<std::string, size_t> inLive, inConfig;
        for (size_t i = 0; i < live->size(); ++i) {
            lhs.push_back(patch::itemElement(m_schemas, list, item, (*live)[i], i));
            inLive.emplace(lhs.back(), i);
        }
        for (size_t i = 0; i < config.size(); ++i) {
            rhs.push_back(patch::itemElement(m_schemas, list, item, config[i], i));
            inConfig.emplace(rhs.back(), i);
        }
        std::vector<std::string> shared;
        for (const std::string &element : rhs)
            if (inLive.count(element))
                shared.push_back(element);
        size_t nextShared = 0;
        std::set<std::string> merged;
        auto mergeItem = [&](const std::string &element, size_t r) {
            merged.insert(element);
            auto l = inLive.find(element);
            out.push_back(merge(l == inLive.end() ? nullptr : &(*live)[l->second], config[r], item));
            if (nextShared < shared.size() && shared[nextShared] == element)
                ++nextShared;
        };
        size_t l = 0, r = 0;
        while (l < lhs.size() || r < rhs.size()) {
            if (l < lhs.size() && r < rhs.size()) {
                if (lhs[l] == rhs[r]) {
                    mergeItem(rhs[r], r);
                    ++l;
                    ++r;
                    continue;
                }
                // An item both hold, but not the next one the applied order wants: it comes later.
                if (inConfig.count(lhs[l]) && nextShared < shared.size() && shared[nextShared] != lhs[l]) {
                    ++l;
                    continue;
                }
            }
            if (l < lhs.size()) {
                if (!inConfig.count(lhs[l])) {
                    out.push_back((*live)[l++]);
                    continue;
                }
                if (merged.count(lhs[l])) {
                    ++l;
                    continue;
                }
            }
            if (r < rhs.size()) {
                mergeItem(rhs[r], r);
                ++r;
            }
        }
        return out;
    }

    const SchemaRegistry &m_schemas;
};

struct Manager {
    Json entry;
    FieldSet fields;
    bool apply = false;
    bool changed = false;
};

bool isApplyEntry(const Json &entry)
{
    return str(entry, {"operation"}) == "Apply" && str(entry, {"subresource"}).empty();
}

Json withoutManagedFields(Json object)
{
    if (Json *meta = find(object, {"metadata"}); meta && meta->is_object())
        meta->erase("managedFields");
    return object;
}

// The API server keeps managedFields sorted: Apply before Update, then by time, manager, version.
void sortEntries(std::vector<Json> &entries)
{
    auto seconds = [](const Json &entry) {
        auto t = parseRfc3339(str(entry, {"time"}));
        return t ? std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count() : 0;
    };
    std::stable_sort(entries.begin(), entries.end(), [&](const Json &p, const Json &q) {
        const std::string po = str(p, {"operation"}), qo = str(q, {"operation"});
        if (po != qo)
            return po < qo;
        if (seconds(p) != seconds(q))
            return seconds(p) < seconds(q);
        if (str(p, {"manager"}) != str(q, {"manager"}))
            return str(p, {"manager"}) < str(q, {"manager"});
        if (str(p, {"apiVersion"}) != str(q, {"apiVersion"}))
            return str(p, {"apiVersion"}) < str(q, {"apiVersion"});
        return str(p, {"subresource"}) < str(q, {"subresource"});
    });
}

} // namespace

Result<ApplyResult> applyServerSide(const SchemaRegistry &schemas, const std::string &definition, const Json &live,
                                    const Json &applied, const std::string &manager, bool force,
                                    const std::string &apiVersion)
{
    if (!applied.is_object())
        return Error::badRequest("an apply configuration must be an object");
    if (manager.empty())
        return Error::badRequest("fieldManager is required for apply requests");
    // Status is written through its own subresource; managedFields are the server's to write.
    Json config = applied;
    config.erase("status");
    if (Json *meta = find(config, {"metadata"}); meta && meta->is_object())
        meta->erase("managedFields");

    const SchemaNode root = patch::rootNode(schemas, definition);
    CD_TRY(FieldSet applying, patch::fieldSetOf(schemas, root, config));
    const Json base = live.is_object() ? live : Json::object();

    std::vector<Manager> managers;
    std::optional<size_t> own;
    if (const Json *entries = find(base, {"metadata", "managedFields"}); entries && entries->is_array()) {
        for (const Json &entry : *entries) {
            Manager m{entry, {}, isApplyEntry(entry)};
            if (m.apply)
                m.fields = patch::fieldSetFromV1(entry.value("fieldsV1", Json::object()));
            if (m.apply && str(entry, {"manager"}) == manager && !own)
                own = managers.size();
            managers.push_back(std::move(m));
        }
    }
    const FieldSet previous = own ? managers[*own].fields : FieldSet();

    Json result = ApplyMerge(schemas).merge(&base, config, root);

    FieldSet others;
    for (size_t i = 0; i < managers.size(); ++i)
        if (managers[i].apply && i != own)
            others = patch::unite(others, managers[i].fields);
    const FieldSet dropped = patch::subtract(patch::subtract(previous, applying), others);
    patch::removePaths(schemas, root, result, dropped, patch::unite(applying, others));

    // A conflict is a field another applier owns that this apply adds or changes.
    const FieldSet changed = patch::changedPaths(schemas, root, base, result);
    ApplyResult out;
    std::map<std::string, FieldSet> lost;
    for (size_t i = 0; i < managers.size(); ++i) {
        if (!managers[i].apply || i == own)
            continue;
        FieldSet taken = patch::intersect(managers[i].fields, changed);
        if (taken.empty())
            continue;
        for (const patch::FieldPath &path : taken)
            out.conflicts.push_back("conflict with \"" + str(managers[i].entry, {"manager"}) + "\" using " +
                                    str(managers[i].entry, {"apiVersion"}) + ": " + patch::pathString(path));
        managers[i].fields = patch::subtract(managers[i].fields, taken);
        managers[i].changed = true;
    }
    if (!out.conflicts.empty() && !force) {
        out.object = live;
        return out;
    }
    out.conflicts.clear();

    // The time moves only when the object does, so an unchanged re-apply changes nothing.
    const bool same = withoutManagedFields(base) == withoutManagedFields(result);
    Json entry = {{"manager", manager},
                  {"operation", "Apply"},
                  {"apiVersion", apiVersion},
                  {"time", own && same ? str(managers[*own].entry, {"time"}, nowRfc3339()) : nowRfc3339()},
                  {"fieldsType", "FieldsV1"},
                  {"fieldsV1", patch::fieldSetToV1(applying)}};
    std::vector<Json> entries;
    for (size_t i = 0; i < managers.size(); ++i) {
        if (i == own)
            continue;
        Manager &m = managers[i];
        if (m.changed) {
            if (m.fields.empty())
                continue; // forced out of everything it owned
            m.entry["fieldsV1"] = patch::fieldSetToV1(m.fields);
        }
        entries.push_back(std::move(m.entry));
    }
    if (!applying.empty())
        entries.push_back(std::move(entry));
    sortEntries(entries);

    Json &meta = ensureObject(result, {"metadata"});
    if (entries.empty())
        meta.erase("managedFields");
    else
        meta["managedFields"] = std::move(entries);
    out.object = std::move(result);
    return out;
}

} // namespace cd::api
