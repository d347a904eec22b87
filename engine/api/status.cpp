#include "engine/api/status.h"

namespace cd::api {

Json statusJson(const Error &error)
{
    Json status = {{"kind", "Status"},
                   {"apiVersion", "v1"},
                   {"metadata", Json::object()},
                   {"status", "Failure"},
                   {"message", error.message},
                   {"reason", statusReason(error.kind)},
                   {"code", httpCode(error.kind)}};
    Json details = Json::object();
    if (!error.detailName.empty())
        details["name"] = error.detailName;
    if (!error.detailGroup.empty())
        details["group"] = error.detailGroup;
    if (!error.detailKind.empty())
        details["kind"] = error.detailKind;
    if (!error.causes.empty()) {
        Json causes = Json::array();
        for (const auto &c : error.causes) {
            Json cause = {{"reason", c.reason}, {"message", c.message}};
            if (!c.field.empty())
                cause["field"] = c.field;
            causes.push_back(std::move(cause));
        }
        details["causes"] = std::move(causes);
    }
    if (!details.empty() || error.kind == ErrorKind::NotFound)
        status["details"] = std::move(details);
    if (error.kind == ErrorKind::Internal && error.message.empty())
        status["message"] = "an internal error occurred";
    return status;
}

ApiResponse errorResponse(const Error &error)
{
    ApiResponse response;
    response.status = httpCode(error.kind);
    response.body = dump(statusJson(error));
    return response;
}

Json successStatus(const ResourceType &type, const std::string &name, const std::string &uid)
{
    Json details = {{"name", name}, {"kind", type.plural}, {"uid", uid}};
    if (!type.group.empty())
        details["group"] = type.group;
    return {{"kind", "Status"},   {"apiVersion", "v1"}, {"metadata", Json::object()},
            {"status", "Success"}, {"details", details}};
}

namespace {

Error withDetails(Error error, const ResourceType &type, const std::string &name)
{
    error.detailName = name;
    error.detailGroup = type.group;
    error.detailKind = type.plural;
    return error;
}

} // namespace

Error notFound(const ResourceType &type, const std::string &name)
{
    return withDetails(Error::notFound(type.qualifiedResource() + " \"" + name + "\" not found"), type, name);
}

Error alreadyExists(const ResourceType &type, const std::string &name)
{
    return withDetails({ErrorKind::AlreadyExists, type.qualifiedResource() + " \"" + name + "\" already exists", {}},
                       type, name);
}

Error conflictModified(const ResourceType &type, const std::string &name)
{
    return conflict(type, name,
                    "the object has been modified; please apply your changes to the latest version and try again");
}

Error conflict(const ResourceType &type, const std::string &name, const std::string &why)
{
    return withDetails(
        Error::conflict("Operation cannot be fulfilled on " + type.qualifiedResource() + " \"" + name + "\": " + why),
        type, name);
}

Error invalid(const ResourceType &type, const std::string &name, const FieldErrors &errors)
{
    Error error = errors.toError(type.qualifiedKind(), name);
    error.detailName = name;
    error.detailGroup = type.group;
    error.detailKind = type.kind;
    return error;
}

Error forbidden(const ResourceType &type, const std::string &name, const std::string &why)
{
    std::string message = type.qualifiedResource() + " \"" + name + "\" is forbidden: " + why;
    if (name.empty())
        message = type.qualifiedResource() + " is forbidden: " + why;
    return withDetails({ErrorKind::Forbidden, std::move(message), {}}, type, name);
}

Error badRequest(std::string message) { return Error::badRequest(std::move(message)); }

Error resourceNotServed(const std::string &detail)
{
    std::string message = "the server could not find the requested resource";
    if (!detail.empty())
        message += " (" + detail + ")";
    return Error::notFound(message);
}

} // namespace cd::api
