#pragma once
// Kubernetes Status objects: every error the API returns, in the shape and words kubectl expects.

#include "engine/api/request.h"
#include "engine/api/resourcetype.h"
#include "engine/core/result.h"

namespace cd::api {

Json statusJson(const Error &error);
ApiResponse errorResponse(const Error &error);
// {"kind":"Status","status":"Success",...} with details, as a delete may answer.
Json successStatus(const ResourceType &type, const std::string &name, const std::string &uid);

// The standard errors about one object, with Kubernetes' messages and details.
Error notFound(const ResourceType &type, const std::string &name);
Error alreadyExists(const ResourceType &type, const std::string &name);
Error conflictModified(const ResourceType &type, const std::string &name);
Error conflict(const ResourceType &type, const std::string &name, const std::string &why);
Error invalid(const ResourceType &type, const std::string &name, const FieldErrors &errors);
Error forbidden(const ResourceType &type, const std::string &name, const std::string &why);
Error badRequest(std::string message);
// The answer for a path no resource serves ("the server could not find the requested resource").
Error resourceNotServed(const std::string &detail = {});

} // namespace cd::api
