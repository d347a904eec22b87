#pragma once
// Field selectors (`fieldSelector=spec.nodeName=n1,status.phase!=Failed`): only equality and
// inequality, as apimachinery's fields package allows. Which fields exist is the API's business.

#include "engine/core/result.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cd {

struct FieldRequirement {
    std::string field;
    bool equals = true;  // false for !=
    std::string value;
};

class FieldSelector {
public:
    static Result<FieldSelector> parse(std::string_view text);

    bool empty() const { return m_requirements.empty(); }
    const std::vector<FieldRequirement> &requirements() const { return m_requirements; }
    // The value this selector requires for a field with `=`, if it has one (metadata.name=x).
    const std::string *requiredValue(std::string_view field) const;

    // fieldValue returns the object's value for a field name.
    bool matches(const std::function<std::string(const std::string &field)> &fieldValue) const;

private:
    std::vector<FieldRequirement> m_requirements;
};

} // namespace cd
