#include "engine/controllers/common/conditions.h"

namespace cd::controllers {

const Json *statusCondition(const Json &status, std::string_view type)
{
    const Json *conditions = find(status, {"conditions"});
    if (!conditions || !conditions->is_array())
        return nullptr;
    for (const Json &c : *conditions)
        if (const Json *t = find(c, {"type"}); t && t->is_string() && t->get_ref<const std::string &>() == type)
            return &c;
    return nullptr;
}

} // namespace cd::controllers
