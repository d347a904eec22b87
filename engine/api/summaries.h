#pragma once
// What lists, watches and tables need to know about a stored object — labels, selectable field
// values, table cells and the PartialObjectMetadata of a row — worked out once per revision, at
// write time (or on the first read after a restart), so a LIST of 10,000 pods as a Table parses
// no object at all.

#include "engine/api/resourcetype.h"
#include "engine/store/record.h"

#include <map>
#include <string>
#include <unordered_map>

namespace cd::api {

struct ObjectSummary {
    store::Revision revision = 0;
    Json labels;                                 // metadata.labels, null when there are none
    std::map<std::string, std::string> fields;   // every selectable field's value
    Json cells;                                  // table cells, since-markers not yet rendered
    std::string partialMetadata;                 // the row's PartialObjectMetadata, serialized
};

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
