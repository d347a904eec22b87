#pragma once
// Reading the API's Status answers the way controllers need (apimachinery's errors package).

#include "engine/client/client.h"

#include <string>

namespace cd::controllers {

// Whether a failed answer carries a cause with this reason (HasStatusCause), e.g.
// "NamespaceTerminating" when creating in a namespace that is being deleted.
inline bool hasStatusCause(const client::Response &answer, const std::string &reason)
{
    if (answer.ok())
        return false;
    const Json status = answer.json();
    const Json *causes = find(status, {"details", "causes"});
    if (!causes || !causes->is_array())
        return false;
    for (const Json &cause : *causes)
        if (str(cause, {"reason"}) == reason)
            return true;
    return false;
}

// 409 with reason AlreadyExists (as opposed to a write conflict).
inline bool isAlreadyExists(const client::Response &answer)
{
    return answer.status == 409 && str(answer.json(), {"reason"}) == "AlreadyExists";
}

} // namespace cd::controllers
