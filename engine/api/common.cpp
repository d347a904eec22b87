// Helpers shared by the verb handlers: responses, write options and request-body decoding.
#include "engine/api/decode.h"
#include "engine/api/handlers.h"
#include "engine/api/schemas.h"
#include "engine/api/status.h"
#include "engine/api/table.h"

namespace cd::api {

ApiResponse objectResponse(int status, const std::string &body)
{
    ApiResponse response;
    response.status = status;
    response.body = body;
    return response;
}

void respondError(const SinkPtr &sink, const Error &error)
{
    if (!sink->isClosed())
        sink->respond(errorResponse(error));
}

WriteOptions writeOptions(const ApiRequest &request, const std::string &subresource)
{
    WriteOptions options;
    auto range = request.query.equal_range("dryRun");
    for (auto it = range.first; it != range.second; ++it)
        if (it->second == "All")
            options.dryRun = true;
    options.fieldManager = request.param("fieldManager", "");
    options.subresource = subresource;
    return options;
}

namespace {

// checkFieldValidation, plus the protobuf field numbers no schema knows (decodeBody's
// unknownFields): reported like unknown JSON fields.
Status checkFieldValidationWithUnknown(ApiContext &context, const ResourceType &type, const Json &object,
                                       const std::vector<std::string> &duplicates,
                                       const std::vector<std::string> &unknownProtobufFields, const ApiRequest &request,
                                       std::vector<std::string> &warnings)
{
    std::string mode = request.param("fieldValidation", "Warn");
    if (mode != "Strict" && mode != "Warn" && mode != "Ignore")
        return Error::badRequest("fieldValidation parameter unsupported: \"" + mode +
                                 "\". Supported values are: Ignore, Warn, Strict");
    const SchemaRegistry &schemas = context.schemas();
    const std::string definition = schemas.definitionFor(type.group, type.version, type.kind);
    std::vector<std::string> problems;
    std::vector<std::string> typeErrors;
    if (!definition.empty()) {
        for (const auto &problem : schemas.check(definition, object)) {
            if (problem.unknownField)
                problems.push_back(problem.message);
            else
                typeErrors.push_back(problem.message);
        }
    }
    // A value of the wrong type cannot be decoded at all, whatever fieldValidation says.
    if (!typeErrors.empty())
        return Error::badRequest(type.kind + " in version \"" + type.version + "\" cannot be handled as a " +
                                 type.kind + ": " + joinStrings(typeErrors, ", "));
    for (const std::string &d : duplicates)
        problems.push_back("duplicate field \"" + d + "\"");
    for (const std::string &u : unknownProtobufFields)
        problems.push_back("unknown field \"" + u + "\"");
    if (problems.empty() || mode == "Ignore")
        return {};
    if (mode == "Strict")
        return Error::badRequest(type.kind + " in version \"" + type.version + "\" cannot be handled as a " +
                                 type.kind + ": strict decoding error: " + joinStrings(problems, ", "));
    for (const std::string &p : problems)
        warnings.push_back(p);
    return {};
}

} // namespace

Status checkFieldValidation(ApiContext &context, const ResourceType &type, const Json &object,
                            const std::vector<std::string> &duplicates, const ApiRequest &request,
                            std::vector<std::string> &warnings)
{
    return checkFieldValidationWithUnknown(context, type, object, duplicates, {}, request, warnings);
}

Result<Json> decodeObject(ApiContext &context, const Target &target, const ApiRequest &request,
                          std::vector<std::string> &warnings)
{
    const ResourceType &type = *target.type;
    CD_TRY(DecodedBody body, decodeBody(request.body, request.contentType));
    Json &object = body.value;
    if (!object.is_object())
        return Error::badRequest("the request body must be a JSON object, not " + std::string(object.type_name()));
    // Kind and apiVersion may be omitted; when given they must match the endpoint.
    const std::string kind = str(object, {"kind"});
    const std::string apiVersion = str(object, {"apiVersion"});
    if (!apiVersion.empty() && apiVersion != type.apiVersion())
        return Error::badRequest("the API version in the data (" + apiVersion +
                                 ") does not match the expected API version (" + type.apiVersion() + ")");
    if (!kind.empty() && kind != type.kind)
        return Error::badRequest("the kind in the data (" + kind + ") does not match the expected kind (" + type.kind +
                                 ")");
    object["kind"] = type.kind;
    object["apiVersion"] = type.apiVersion();
    CD_CHECK(checkFieldValidationWithUnknown(context, type, object, body.duplicateFields, body.unknownFields, request,
                                             warnings));
    Json &meta = ensureObject(object, {"metadata"});
    if (type.namespaced) {
        const std::string ns = str(meta, {"namespace"});
        if (ns.empty())
            meta["namespace"] = target.ns;
        else if (ns != target.ns)
            return Error::badRequest("the namespace of the provided object does not match the namespace sent on the request");
    } else {
        meta.erase("namespace");
    }
    if (!target.name.empty()) {
        const std::string name = str(meta, {"name"});
        if (name.empty())
            meta["name"] = target.name;
        else if (name != target.name)
            return Error::badRequest("the name of the object (" + name + ") does not match the name on the URL (" +
                                     target.name + ")");
    }
    return std::move(object);
}

} // namespace cd::api
