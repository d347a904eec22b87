#pragma once
// What lists, watches and tables need to know about a stored object — labels, selectable field
// values and table cells — worked out once per revision, at write time (or on the first read
// after a restart), so a LIST of 10,000 pods as a Table parses no object at all.
//
// Every stored object has one, so a summary is one flat string (a few hundred bytes) that also
// holds the key it is found by: parsed JSON values cost several times their text, separate
// strings an allocation each, and a cluster may hold 150,000 pods and their events. The
// PartialObjectMetadata of a table row is cut from the stored text on demand.

#include "engine/api/resourcetype.h"
#include "engine/core/labels.h"
#include "engine/store/record.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace cd::api {

struct ObjectSummary {
    store::Revision revision = 0;
    // The store key, then metadata.labels as key\0value\0 pairs, then every selectable field's
    // value in selectableFieldIndex order, each ended by \0, then the table cells as JSON text
    // (since-markers not yet rendered).
    std::string data;
    std::uint32_t keyEnd = 0;
    std::uint32_t labelsEnd = 0;
    std::uint32_t fieldsEnd = 0;

    std::string_view key() const { return std::string_view(data).substr(0, keyEnd); }
    std::string_view labels() const { return std::string_view(data).substr(keyEnd, labelsEnd - keyEnd); }
    std::string_view fields() const { return std::string_view(data).substr(labelsEnd, fieldsEnd - labelsEnd); }
    std::string_view cells() const { return std::string_view(data).substr(fieldsEnd); }

    Labels labelMap() const;
    // A selectable field's value ("" when the type has no such field).
    std::string field(const ResourceType &type, const std::string &name) const;
};

// The position of a selectable field among a summary's values: metadata.name, metadata.namespace
// (namespaced types), then the type's selectable fields in order; nullopt when not selectable.
std::optional<size_t> selectableFieldIndex(const ResourceType &type, const std::string &name);

// The PartialObjectMetadata of a table row (metadata without managedFields), from the stored text.
std::string partialObjectMetadata(const std::string &stored);

class SummaryCache {
public:
    // The summary of a record's revision, computed from the record when it is not cached.
    const ObjectSummary &summary(const ResourceType &type, const store::RecordView &record);
    // Computes and keeps the summary of an object just written (already parsed by the writer).
    void remember(const ResourceType &type, const store::Record &record, const Json &object);
    void forget(const std::string &key);

    static ObjectSummary summarize(const ResourceType &type, const std::string &key, store::Revision revision,
                                   const Json &object);

private:
    // Found by the key inside each summary: the key is not kept a second time.
    struct ByKey {
        using is_transparent = void;
        size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
        size_t operator()(const ObjectSummary &s) const { return (*this)(s.key()); }
        bool operator()(const ObjectSummary &a, const ObjectSummary &b) const { return a.key() == b.key(); }
        bool operator()(std::string_view a, const ObjectSummary &b) const { return a == b.key(); }
        bool operator()(const ObjectSummary &a, std::string_view b) const { return a.key() == b; }
    };
    const ObjectSummary &keep(ObjectSummary summary);

    std::unordered_set<ObjectSummary, ByKey, ByKey> m_entries;
};

} // namespace cd::api
