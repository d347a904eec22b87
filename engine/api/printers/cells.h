#pragma once
// Cell formatting shared by the printers: the small helpers printers.go uses everywhere
// (translateTimestampSince, layoutContainerCells, FormatLabelSelector, access modes, ...).

#include "engine/api/resourcetype.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cd::api::printing {

// Column definitions. Every table starts with the name column (format "name", which `kubectl get`
// uses to print "pod/web" when several kinds are listed) and most have an Age column.
TableColumn nameColumn();
TableColumn ageColumn();
TableColumn column(std::string name, std::string type, std::string description);
TableColumn wideColumn(std::string name, std::string type, std::string description);  // -o wide only

// The array at a path, or an empty array: lets loops skip the missing-field checks.
const Json &listAt(const Json &object, std::initializer_list<std::string_view> path);
// Whether an object (or sub-object) is present at a path: a Go pointer that is not nil.
bool has(const Json &object, std::initializer_list<std::string_view> path);

std::optional<TimePoint> timeAt(const Json &object, std::initializer_list<std::string_view> path);
// translateTimestampSince: "5m" since the time, "<unknown>" for a missing one. A since-cell
// (engine/api/table.h): the text is made when the table is served.
Json since(std::optional<TimePoint> time);
Json sinceAt(const Json &object, std::initializer_list<std::string_view> path);
// The Age cell: time since metadata.creationTimestamp.
Json age(const Json &object);

// The status condition of a type whose status is "True" (Job, Pod, Node conditions).
bool conditionTrue(const Json &object, std::string_view type);

// layoutContainerCells: container names and images, comma separated.
std::pair<std::string, std::string> containerCells(const Json &podSpec);
// labels.Selector.String() of a metav1.LabelSelector ("" when it selects everything or nothing).
std::string selectorText(const Json *selector);
// metav1.FormatLabelSelector: as selectorText, but "<none>" when empty.
std::string formatLabelSelector(const Json *selector);
// labels.FormatLabels of a plain map: "a=b,c=d" sorted by key, "<none>" when empty.
std::string formatLabels(const Json *labels);
// "RWO,ROX,RWX,RWOP" in that order, whatever the object's order (helper.GetAccessModesAsString).
std::string accessModesText(const Json *modes);
// resource.Quantity.String(): canonical form; "0" when missing.
std::string quantityText(const Json *quantity);
// strings.Join with "," over the string values of an array.
std::string joinArray(const Json &array, const std::string &separator = ",");

} // namespace cd::api::printing
