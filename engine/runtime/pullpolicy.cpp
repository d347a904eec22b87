#include "engine/runtime/runtime.h"

namespace cd::runtime {

PullPolicy pullPolicyFromString(const std::string &policy)
{
    if (policy == "Always")
        return PullPolicy::Always;
    if (policy == "Never")
        return PullPolicy::Never;
    return PullPolicy::IfNotPresent;  // the API defaults the field; anything else is refused there
}

} // namespace cd::runtime
