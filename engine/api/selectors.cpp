#include "engine/api/selectors.h"

#include "engine/api/handlers.h"
#include "engine/api/status.h"
#include "engine/api/summaries.h"

namespace cd::api {

bool isSelectableField(const ResourceType &type, const std::string &field)
{
    return field == "metadata.name" || (field == "metadata.namespace" && type.namespaced) ||
           type.selectableFields.count(field);
}

std::optional<std::string> fieldValue(const ResourceType &type, const Json &object, const std::string &field)
{
    if (field == "metadata.name")
        return str(object, {"metadata", "name"});
    if (field == "metadata.namespace")
        return str(object, {"metadata", "namespace"});
    auto it = type.selectableFields.find(field);
    if (it == type.selectableFields.end())
        return std::nullopt;
    return it->second(object);
}

bool Selectors::matches(const ResourceType &type, const Json &object) const
{
    if (!labels.isEverything()) {
        const Json *objectLabels = find(object, {"metadata", "labels"});
        if (!labels.matches(objectLabels ? *objectLabels : Json()))
            return false;
    }
    if (!fields.empty())
        return fields.matches([&](const std::string &field) { return fieldValue(type, object, field).value_or(""); });
    return true;
}

bool Selectors::matches(const ResourceType &type, const ObjectSummary &summary) const
{
    if (!labels.isEverything() && !labels.matches(summary.labelMap()))
        return false;
    if (!fields.empty())
        return fields.matches([&](const std::string &field) { return summary.field(type, field); });
    return true;
}

Result<Selectors> parseSelectors(const ResourceType &type, const ApiRequest &request)
{
    Selectors selectors;
    if (auto text = request.param("labelSelector"); text && !text->empty()) {
        auto parsed = LabelSelector::parse(*text);
        if (!parsed.ok())
            return Error::badRequest(parsed.error().message);
        selectors.labels = std::move(parsed).value();
    }
    if (auto text = request.param("fieldSelector"); text && !text->empty()) {
        auto parsed = FieldSelector::parse(*text);
        if (!parsed.ok())
            return parsed.takeError();
        for (const auto &r : parsed->requirements())
            if (!isSelectableField(type, r.field))
                return Error::badRequest("field label not supported: " + r.field);
        selectors.fields = std::move(parsed).value();
    }
    return selectors;
}

} // namespace cd::api
