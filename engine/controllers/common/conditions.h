#pragma once
// Status conditions as the API objects carry them: a list of {type, status, reason, message, ...}.

#include "engine/core/json.h"

#include <string_view>

namespace cd::controllers {

// The condition of this type in a status's `conditions`, or null.
const Json *statusCondition(const Json &status, std::string_view type);
const Json *statusCondition(Json &&status, std::string_view type) = delete;  // would dangle

} // namespace cd::controllers
