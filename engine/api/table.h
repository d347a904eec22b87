#pragma once
// Server-side printing (meta.k8s.io/v1 Table): the columns `kubectl get` shows.

#include "engine/api/resourcetype.h"
#include "engine/core/clock.h"

#include <optional>

#include <string>

namespace cd::api {

enum class IncludeObject { None, Metadata, Object };

// Whether an Accept header asks for a Table (kubectl get does).
bool wantsTable(const std::string &accept);
IncludeObject includeObjectMode(const std::string &param);

Json columnDefinitions(const ResourceType &type);
Json tableRow(const ResourceType &type, const Json &object, IncludeObject include);
// A row's cells as the type prints them, since-markers left for renderCells (what summaries keep).
Json unrenderedCells(const ResourceType &type, const Json &object);
// A row's cells as sent.
Json tableCells(const ResourceType &type, const Json &object);
// A Table with the given rows; columns omitted when withColumns is false (later watch events).
Json makeTable(const ResourceType &type, Json rows, const std::string &resourceVersion, bool withColumns = true);

// A cell showing the time since a moment ("5m", or prefix + "5m" + suffix), left as a marker
// until the table is served so a row computed earlier (and cached) still shows the right age.
// A missing time gives "<unknown>", as kubectl prints it.
Json sinceCell(std::optional<TimePoint> time, const std::string &prefix = {}, const std::string &suffix = {});
// The cells with every since-marker turned into its text, as of now.
Json renderCells(const Json &cells);

// Cell helpers shared by the printers.
std::string orNone(const std::string &value);  // "" -> "<none>"
std::string joinStrings(const std::vector<std::string> &values, const std::string &separator = ",");

} // namespace cd::api
