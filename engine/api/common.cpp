// Helpers shared by the verb handlers: responses, write options and request-body decoding.
#include "engine/api/decode.h"
#include "engine/api/handlers.h"
#include "engine/api/schemas.h"
#include "engine/api/status.h"
#include "engine/api/table.h"
#include "engine/core/quantity.h"

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

// Whether a property schema refers (plainly or through a one-element allOf) to the Quantity type.
bool isQuantitySchema(const Json &schema)
{
    static const std::string quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    const Json *node = &schema;
    if (const Json *allOf = find(schema, {"allOf"}); allOf && allOf->is_array() && allOf->size() == 1)
        node = &(*allOf)[0];
    const std::string ref = str(*node, {"$ref"});
    return ref.size() >= quantity.size() && ref.compare(ref.size() - quantity.size(), quantity.size(), quantity) == 0;
}

// What decoding into Kubernetes' typed structs does beyond SchemaRegistry::check: fields the type
// does not have are dropped (they cannot be stored, whatever fieldValidation says), and every
// quantity is parsed (a malformed one fails the whole decode, before any strict check).
void decodeLikeTypedStructs(const SchemaRegistry &schemas, const Json *rawSchema, Json &value, bool prune,
                            std::string &quantityError, int depth)
{
    if (!rawSchema || depth > kMaxNestingDepth || value.is_null())
        return;
    if (isQuantitySchema(*rawSchema)) {
        if (value.is_string() && quantityError.empty() && !Quantity::parse(value.get<std::string>()).ok())
            quantityError = Quantity::syntaxMessage();
        return;
    }
    const Json *schema = schemas.resolve(rawSchema);
    if (!schema || boolean(*schema, {"x-kubernetes-preserve-unknown-fields"}) ||
        boolean(*schema, {"x-kubernetes-int-or-string"}))
        return;
    if (value.is_array()) {
        const Json *items = find(*schema, {"items"});
        for (Json &item : value)
            decodeLikeTypedStructs(schemas, items, item, prune, quantityError, depth + 1);
        return;
    }
    if (!value.is_object())
        return;
    const Json *properties = find(*schema, {"properties"});
    const Json *additional = find(*schema, {"additionalProperties"});
    for (auto it = value.begin(); it != value.end();) {
        const Json *childSchema = nullptr;
        if (properties && properties->is_object()) {
            auto p = properties->find(it.key());
            if (p != properties->end())
                childSchema = &*p;
        }
        if (!childSchema && additional && additional->is_object())
            childSchema = additional;
        const bool unknown =
            !childSchema && (properties || (additional && additional->is_boolean() && !additional->get<bool>()));
        if (unknown && prune) {
            it = value.erase(it);
            continue;
        }
        if (childSchema)
            decodeLikeTypedStructs(schemas, childSchema, it.value(), prune, quantityError, depth + 1);
        ++it;
    }
}

// checkFieldValidation, plus the protobuf field numbers no schema knows (decodeBody's
// unknownFields): reported like unknown JSON fields.
Status checkFieldValidationWithUnknown(ApiContext &context, const ResourceType &type, Json &object,
                                       const std::vector<std::string> &duplicates,
                                       const std::vector<std::string> &unknownProtobufFields,
                                       const ApiRequest &request, std::vector<std::string> &warnings)
{
    std::string mode = request.param("fieldValidation", "Warn");
    if (mode != "Strict" && mode != "Warn" && mode != "Ignore")
        return Error::badRequest("fieldValidation parameter unsupported: \"" + mode +
                                 "\". Supported values are: Ignore, Warn, Strict");
    const SchemaRegistry &schemas = context.schemas();
    const std::string definition = schemas.definitionFor(type.group, type.version, type.kind);
    const std::string cannotHandle = type.kind + " in version \"" + type.version + "\" cannot be handled as a " +
                                     type.kind + ": ";
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
        return Error::badRequest(cannotHandle + joinStrings(typeErrors, ", "));
    for (const std::string &d : duplicates)
        problems.push_back("duplicate field \"" + d + "\"");
    for (const std::string &u : unknownProtobufFields)
        problems.push_back("unknown field \"" + u + "\"");
    if (!definition.empty()) {
        std::string quantityError;
        decodeLikeTypedStructs(schemas, schemas.definition(definition), object, mode != "Strict", quantityError, 0);
        if (!quantityError.empty())
            return Error::badRequest(cannotHandle + quantityError);
    }
    if (problems.empty() || mode == "Ignore")
        return {};
    if (mode == "Strict")
        return Error::badRequest(cannotHandle + "strict decoding error: " + joinStrings(problems, ", "));
    for (const std::string &p : problems)
        warnings.push_back(p);
    return {};
}

} // namespace

Status checkFieldValidation(ApiContext &context, const ResourceType &type, Json &object,
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
