#pragma once
// Label and field selectors of list and watch requests, and the field values objects expose.

#include "engine/api/resourcetype.h"
#include "engine/core/fieldselector.h"
#include "engine/core/labels.h"

#include <optional>

namespace cd::api {

struct ObjectSummary;

struct Selectors {
    LabelSelector labels;
    FieldSelector fields;
    bool matchesEverything() const { return labels.isEverything() && fields.empty(); }
    bool matches(const ResourceType &type, const Json &object) const;
    bool matches(const ResourceType &type, const ObjectSummary &summary) const;
};

// The value of a selectable field of an object (metadata.name, spec.nodeName, ...), or nullopt
// when the type does not support selecting on that field.
std::optional<std::string> fieldValue(const ResourceType &type, const Json &object, const std::string &field);
bool isSelectableField(const ResourceType &type, const std::string &field);

} // namespace cd::api
