#include "engine/api/table.h"

#include "engine/core/clock.h"

namespace cd::api {

bool wantsTable(const std::string &accept)
{
    return accept.find("as=Table") != std::string::npos;
}

IncludeObject includeObjectMode(const std::string &param)
{
    if (param == "None")
        return IncludeObject::None;
    if (param == "Object")
        return IncludeObject::Object;
    return IncludeObject::Metadata;
}

Json sinceCell(std::optional<TimePoint> time, const std::string &prefix, const std::string &suffix)
{
    if (!time)
        return "<unknown>";
    Json marker = {{"$since", rfc3339Nano(*time)}};
    if (!prefix.empty())
        marker["prefix"] = prefix;
    if (!suffix.empty())
        marker["suffix"] = suffix;
    return marker;
}

Json renderCells(const Json &cells)
{
    Json out = cells;
    for (Json &cell : out) {
        if (!cell.is_object() || !cell.contains("$since"))
            continue;
        const auto time = parseRfc3339(str(cell, {"$since"}));
        const std::string text = time ? humanDuration(std::chrono::duration_cast<std::chrono::seconds>(
                                            Clock::current().now() - *time))
                                      : std::string("<unknown>");
        cell = str(cell, {"prefix"}) + text + str(cell, {"suffix"});
    }
    return out;
}

std::string orNone(const std::string &value) { return value.empty() ? "<none>" : value; }

std::string joinStrings(const std::vector<std::string> &values, const std::string &separator)
{
    std::string out;
    for (size_t i = 0; i < values.size(); ++i)
        out += (i ? separator : "") + values[i];
    return out;
}

Json columnDefinitions(const ResourceType &type)
{
    Json columns = Json::array();
    if (type.columns.empty()) {
        columns.push_back({{"name", "Name"},
                           {"type", "string"},
                           {"format", "name"},
                           {"description", "Name must be unique within a namespace."},
                           {"priority", 0}});
        columns.push_back({{"name", "Created At"},
                           {"type", "date"},
                           {"format", ""},
                           {"description", "When the object was created."},
                           {"priority", 0}});
        return columns;
    }
    for (const TableColumn &c : type.columns)
        columns.push_back({{"name", c.name},
                           {"type", c.type},
                           {"format", c.format},
                           {"description", c.description},
                           {"priority", c.priority}});
    return columns;
}

Json unrenderedCells(const ResourceType &type, const Json &object)
{
    if (type.cells)
        return type.cells(object);
    return Json::array({str(object, {"metadata", "name"}), str(object, {"metadata", "creationTimestamp"})});
}

Json tableCells(const ResourceType &type, const Json &object) { return renderCells(unrenderedCells(type, object)); }

Json tableRow(const ResourceType &type, const Json &object, IncludeObject include)
{
    Json row;
    row["cells"] = tableCells(type, object);
    switch (include) {
    case IncludeObject::None: break;
    case IncludeObject::Object: row["object"] = object; break;
    case IncludeObject::Metadata: {
        Json meta = object.contains("metadata") ? object["metadata"] : Json::object();
        meta.erase("managedFields");
        row["object"] = {{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", meta}};
        break;
    }
    }
    return row;
}

Json makeTable(const ResourceType &type, Json rows, const std::string &resourceVersion, bool withColumns)
{
    Json table = {{"kind", "Table"},
                  {"apiVersion", "meta.k8s.io/v1"},
                  {"metadata", {{"resourceVersion", resourceVersion}}},
                  {"rows", std::move(rows)}};
    table["columnDefinitions"] = withColumns ? columnDefinitions(type) : Json(nullptr);
    return table;
}

} // namespace cd::api
