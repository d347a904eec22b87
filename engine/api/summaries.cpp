#include "engine/api/summaries.h"

#include "engine/api/context.h"
#include "engine/api/selectors.h"
#include "engine/api/table.h"

namespace cd::api {

ObjectSummary SummaryCache::summarize(const ResourceType &type, store::Revision revision, const Json &object)
{
    ObjectSummary s;
    s.revision = revision;
    if (const Json *labels = find(object, {"metadata", "labels"}))
        s.labels = *labels;
    s.fields["metadata.name"] = str(object, {"metadata", "name"});
    if (type.namespaced)
        s.fields["metadata.namespace"] = str(object, {"metadata", "namespace"});
    for (const auto &[field, value] : type.selectableFields)
        s.fields[field] = value(object);
    const Json row = tableRow(type, object, IncludeObject::Metadata);
    s.cells = type.cells ? type.cells(object) : row["cells"];
    s.partialMetadata = dump(row["object"]);
    return s;
}

const ObjectSummary &SummaryCache::summary(const ResourceType &type, const store::Record &record)
{
    ObjectSummary &entry = m_entries[record.key];
    if (entry.revision != record.modRevision)
        entry = summarize(type, record.modRevision, parseStored(record.value));
    return entry;
}

void SummaryCache::remember(const ResourceType &type, const store::Record &record, const Json &object)
{
    m_entries[record.key] = summarize(type, record.modRevision, object);
}

} // namespace cd::api
