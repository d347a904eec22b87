#pragma once
// What lists, watches and tables need to know about a stored object — labels, selectable field
// values and table cells — worked out once per revision, at write time (or on the first read
// after a restart), so a LIST of 10,000 pods as a Table parses no object at all.
//
// Every stored object has one, so a summary is kept as a few flat strings (a few hundred bytes):
// parsed JSON values cost several times their text, and a cluster may hold 150,000 pods and
// their events. The PartialObjectMetadata of a table row is cut from the stored text on demand.

#include "engine/api/resourcetype.h"
#include "engine/core/labels.h"
#include "engine/store/record.h"

#include <optional>
#include <string>
#include <unordered_map>

namespace cd::api {

struct ObjectSummary {
    store::Revision revision = 0;
    std::string labels;  // metadata.labels as key\0value\0 pairs; empty when there are none
    std::string fields;  // every selectable field's value, in selectableFieldIndex order, each ended by \0
    std::string cells;   // table cells as JSON text, since-markers not yet rendered

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
    const ObjectSummary &summary(const ResourceType &type, const store::Record &record);
    // Computes and keeps the summary of an object just written (already parsed by the writer).
    void remember(const ResourceType &type, const store::Record &record, const Json &object);
    void forget(const std::string &key) { m_entries.erase(key); }

    static ObjectSummary summarize(const ResourceType &type, store::Revision revision, const Json &object);

private:
    std::unordered_map<std::string, ObjectSummary> m_entries;
};

} // namespace cd::api
