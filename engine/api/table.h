#pragma once
// Server-side printing (meta.k8s.io/v1 Table): the columns `kubectl get` shows.

#include "engine/api/resourcetype.h"

#include <string>

namespace cd::api {

enum class IncludeObject { None, Metadata, Object };

// Whether an Accept header asks for a Table (kubectl get does).
bool wantsTable(const std::string &accept);
IncludeObject includeObjectMode(const std::string &param);

Json columnDefinitions(const ResourceType &type);
Json tableRow(const ResourceType &type, const Json &object, IncludeObject include);
// A Table with the given rows; columns omitted when withColumns is false (later watch events).
Json makeTable(const ResourceType &type, Json rows, const std::string &resourceVersion, bool withColumns = true);

// Cell helpers shared by the printers.
std::string orNone(const std::string &value);  // "" -> "<none>"
std::string joinStrings(const std::vector<std::string> &values, const std::string &separator = ",");

} // namespace cd::api
