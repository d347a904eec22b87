#include "engine/api/printers/cells.h"

#include "engine/core/labels.h"
#include "engine/core/quantity.h"

#include <algorithm>
#include <vector>

namespace cd::api::printing {

TableColumn nameColumn()
{
    return {"Name", "string", "name", "Name must be unique within a namespace.", 0};
}

TableColumn ageColumn()
{
    return {"Age", "string", "", "Time since the object was created.", 0};
}

TableColumn column(std::string name, std::string type, std::string description)
{
    return {std::move(name), std::move(type), "", std::move(description), 0};
}

TableColumn wideColumn(std::string name, std::string type, std::string description)
{
    return {std::move(name), std::move(type), "", std::move(description), 1};
}

const Json &listAt(const Json &object, std::initializer_list<std::string_view> path)
{
    static const Json empty = Json::array();
    const Json *value = find(object, path);
    return value && value->is_array() ? *value : empty;
}

bool has(const Json &object, std::initializer_list<std::string_view> path)
{
    const Json *value = find(object, path);
    return value && !value->is_null();
}

std::optional<TimePoint> timeAt(const Json &object, std::initializer_list<std::string_view> path)
{
    const Json *value = find(object, path);
    if (!value || !value->is_string())
        return std::nullopt;
    return parseRfc3339(value->get_ref<const std::string &>());
}

Json since(std::optional<TimePoint> time) { return sinceCell(time); }

Json sinceAt(const Json &object, std::initializer_list<std::string_view> path)
{
    return since(timeAt(object, path));
}

Json age(const Json &object) { return sinceAt(object, {"metadata", "creationTimestamp"}); }

bool conditionTrue(const Json &object, std::string_view type)
{
    for (const Json &condition : listAt(object, {"status", "conditions"}))
        if (str(condition, {"type"}) == type && str(condition, {"status"}) == "True")
            return true;
    return false;
}

std::pair<std::string, std::string> containerCells(const Json &podSpec)
{
    std::string names, images;
    bool first = true;
    for (const Json &container : listAt(podSpec, {"containers"})) {
        if (!first) {
            names += ',';
            images += ',';
        }
        first = false;
        names += str(container, {"name"});
        images += str(container, {"image"});
    }
    return {names, images};
}

std::string selectorText(const Json *selector)
{
    auto parsed = LabelSelector::fromJson(selector ? *selector : Json(nullptr));
    if (!parsed)
        return "<error>";
    return parsed->toString();
}

std::string formatLabelSelector(const Json *selector)
{
    const std::string text = selectorText(selector);
    return text.empty() ? "<none>" : text;
}

std::string formatLabels(const Json *labels)
{
    if (!labels || !labels->is_object())
        return "<none>";
    // nlohmann keeps object keys sorted, the order labels.FormatLabels prints them in.
    std::string out;
    for (const auto &[key, value] : labels->items())
        out += (out.empty() ? "" : ",") + key + "=" + (value.is_string() ? value.get<std::string>() : dump(value));
    return out.empty() ? "<none>" : out;
}

std::string accessModesText(const Json *modes)
{
    static const std::pair<const char *, const char *> shortNames[] = {
        {"ReadWriteOnce", "RWO"}, {"ReadOnlyMany", "ROX"}, {"ReadWriteMany", "RWX"}, {"ReadWriteOncePod", "RWOP"}};
    std::vector<std::string> present;
    if (modes && modes->is_array())
        for (const Json &mode : *modes)
            if (mode.is_string())
                present.push_back(mode.get<std::string>());
    std::string out;
    for (const auto &[mode, shortName] : shortNames)
        if (std::find(present.begin(), present.end(), mode) != present.end())
            out += (out.empty() ? "" : ",") + std::string(shortName);
    return out;
}

std::string quantityText(const Json *quantity)
{
    if (!quantity || quantity->is_null())
        return "0";
    auto parsed = Quantity::fromJson(*quantity);
    if (parsed)
        return parsed->toString();
    return quantity->is_string() ? quantity->get<std::string>() : dump(*quantity);
}

std::string joinArray(const Json &array, const std::string &separator)
{
    std::string out;
    bool first = true;
    if (array.is_array())
        for (const Json &value : array) {
            if (!first)
                out += separator;
            first = false;
            out += value.is_string() ? value.get<std::string>() : dump(value);
        }
    return out;
}

} // namespace cd::api::printing
