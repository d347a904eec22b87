#include "engine/api/openapi.h"

#include <QCryptographicHash>

namespace cd::api {
namespace {

Json gvkOf(const ResourceType &type)
{
    return {{"group", type.group}, {"version", type.version}, {"kind", type.kind}};
}

Json queryParameter(const std::string &name, const std::string &type, const std::string &description)
{
    return {{"name", name}, {"in", "query"}, {"description", description}, {"schema", {{"type", type}}},
            {"uniqueItems", true}};
}

Json pathParameter(const std::string &name, const std::string &description)
{
    return {{"name", name}, {"in", "path"}, {"required", true}, {"description", description},
            {"schema", {{"type", "string"}}}};
}

Json refTo(const std::string &definition)
{
    return {{"$ref", "#/components/schemas/" + definition}};
}

Json jsonBody(const std::string &definition)
{
    return {{"content", {{"application/json", {{"schema", refTo(definition)}}}}}, {"required", true}};
}

Json responses(const std::string &definition, bool created = false)
{
    Json ok = {{"description", "OK"}, {"content", {{"application/json", {{"schema", refTo(definition)}}}}}};
    Json r = {{"200", ok}, {"401", {{"description", "Unauthorized"}}}};
    if (created)
        r["201"] = {{"description", "Created"}, {"content", {{"application/json", {{"schema", refTo(definition)}}}}}};
    return r;
}

std::string hashOf(const std::string &text)
{
    return QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256)
        .toHex()
        .left(32)
        .toUpper()
        .toStdString();
}

} // namespace

OpenApi::OpenApi(const Registry &registry, const SchemaRegistry &schemas) : m_registry(registry), m_schemas(schemas) {}

void OpenApi::ensureBuilt()
{
    std::call_once(m_once, [this] {
        Json paths = Json::object();
        for (const std::string &gv : m_registry.groupVersions()) {
            const size_t slash = gv.find('/');
            const std::string group = slash == std::string::npos ? "" : gv.substr(0, slash);
            const std::string version = slash == std::string::npos ? gv : gv.substr(slash + 1);
            const std::string path = group.empty() ? "api/" + version : "apis/" + gv;
            std::string document = dump(build(group, version));
            paths[path] = {{"serverRelativeURL", "/openapi/v3/" + path + "?hash=" + hashOf(document)}};
            m_documents[path] = std::move(document);
        }
        m_index = dump(Json{{"paths", paths}});
    });
}

const std::string &OpenApi::index()
{
    ensureBuilt();
    return m_index;
}

const std::string *OpenApi::document(const std::string &groupVersionPath)
{
    ensureBuilt();
    auto it = m_documents.find(groupVersionPath);
    return it == m_documents.end() ? nullptr : &it->second;
}

Json OpenApi::build(const std::string &group, const std::string &version) const
{
    Json paths = Json::object();
    std::vector<std::string> roots = {"io.k8s.apimachinery.pkg.apis.meta.v1.Status",
                                      "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
                                      "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
                                      "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList"};
    const std::string base = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    const Json patchBody = {{"content",
                             {{"application/json-patch+json", {{"schema", {{"type", "object"}}}}},
                              {"application/merge-patch+json", {{"schema", {{"type", "object"}}}}},
                              {"application/apply-patch+yaml", {{"schema", {{"type", "object"}}}}}}},
                            {"required", true}};
    const Json writeParams = Json::array(
        {queryParameter("dryRun", "string", "When All, the request is checked but nothing is stored."),
         queryParameter("fieldManager", "string", "Name of the actor making the change."),
         queryParameter("fieldValidation", "string",
                        "What to do with unknown or duplicate fields: Ignore, Warn (default) or Strict.")});
    Json patchParams = writeParams;
    patchParams.push_back(queryParameter("force", "boolean", "Take over fields owned by other appliers (apply only)."));
    const Json listParams = Json::array(
        {queryParameter("labelSelector", "string", "Only objects whose labels match this selector."),
         queryParameter("fieldSelector", "string", "Only objects whose fields match this selector."),
         queryParameter("limit", "integer", "At most this many objects; continue with the returned token."),
         queryParameter("continue", "string", "The token of the previous page."),
         queryParameter("resourceVersion", "string", "Where a watch starts."),
         queryParameter("timeoutSeconds", "integer", "End a watch after this many seconds."),
         queryParameter("watch", "boolean", "Stream changes instead of listing.")});

    for (const auto &typePtr : m_registry.all()) {
        const ResourceType &type = *typePtr;
        if (type.group != group || type.version != version)
            continue;
        const std::string definition = m_schemas.definitionFor(group, version, type.kind);
        const std::string listDefinition = m_schemas.definitionFor(group, version, type.kind + "List");
        if (definition.empty())
            continue;
        roots.push_back(definition);
        if (!listDefinition.empty())
            roots.push_back(listDefinition);
        const Json gvk = gvkOf(type);
        const std::string collection =
            type.namespaced ? base + "/namespaces/{namespace}/" + type.plural : base + "/" + type.plural;
        const std::string item = collection + "/{name}";
        Json commonParams = Json::array();
        if (type.namespaced)
            commonParams.push_back(pathParameter("namespace", "Object name and auth scope."));
        auto op = [&](const std::string &action, const std::string &id, const std::string &description) {
            return Json{{"x-kubernetes-action", action},
                        {"x-kubernetes-group-version-kind", gvk},
                        {"operationId", id + type.kind},
                        {"description", description},
                        {"tags", Json::array({group.empty() ? "core_" + version : group + "_" + version})}};
        };
        Json listOp = op("list", "list", "List or watch objects of kind " + type.kind + ".");
        listOp["parameters"] = listParams;
        listOp["responses"] = responses(listDefinition.empty() ? definition : listDefinition);
        Json createOp = op("post", "create", "Create a " + type.kind + ".");
        createOp["parameters"] = writeParams;
        createOp["requestBody"] = jsonBody(definition);
        createOp["responses"] = responses(definition, true);
        Json deleteCollectionOp = op("deletecollection", "deleteCollection", "Delete a collection of " + type.kind + ".");
        deleteCollectionOp["parameters"] = listParams;
        deleteCollectionOp["responses"] = responses("io.k8s.apimachinery.pkg.apis.meta.v1.Status");
        paths[collection] = {{"parameters", commonParams},
                             {"get", listOp},
                             {"post", createOp},
                             {"delete", deleteCollectionOp}};
        if (type.namespaced) {
            Json allOp = op("list", "list", "List or watch objects of kind " + type.kind + " in every namespace.");
            allOp["operationId"] = "list" + type.kind + "ForAllNamespaces";
            allOp["parameters"] = listParams;
            allOp["responses"] = listOp["responses"];
            paths[base + "/" + type.plural] = {{"get", allOp}};
        }
        Json itemParams = commonParams;
        itemParams.push_back(pathParameter("name", "Name of the " + type.kind + "."));
        Json getOp = op("get", "read", "Read the " + type.kind + ".");
        getOp["responses"] = responses(definition);
        Json putOp = op("put", "replace", "Replace the " + type.kind + ".");
        putOp["parameters"] = writeParams;
        putOp["requestBody"] = jsonBody(definition);
        putOp["responses"] = responses(definition, true);
        Json patchOp = op("patch", "patch", "Partially update the " + type.kind + ".");
        patchOp["parameters"] = patchParams;
        patchOp["requestBody"] = patchBody;
        patchOp["responses"] = responses(definition, true);
        Json deleteOp = op("delete", "delete", "Delete the " + type.kind + ".");
        deleteOp["parameters"] = Json::array(
            {queryParameter("gracePeriodSeconds", "integer", "Seconds before the object is deleted."),
             queryParameter("propagationPolicy", "string", "Orphan, Background or Foreground.")});
        deleteOp["requestBody"] = {{"content", {{"application/json", {{"schema", refTo("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions")}}}}}};
        deleteOp["responses"] = responses(definition);
        paths[item] = {{"parameters", itemParams}, {"get", getOp}, {"put", putOp}, {"patch", patchOp}, {"delete", deleteOp}};
        if (type.statusSubresource) {
            Json statusGet = getOp, statusPut = putOp, statusPatch = patchOp;
            statusGet["operationId"] = "read" + type.kind + "Status";
            statusPut["operationId"] = "replace" + type.kind + "Status";
            statusPatch["operationId"] = "patch" + type.kind + "Status";
            paths[item + "/status"] = {{"parameters", itemParams}, {"get", statusGet}, {"put", statusPut}, {"patch", statusPatch}};
        }
        if (type.scaleSubresource) {
            const std::string scale = "io.k8s.api.autoscaling.v1.Scale";
            roots.push_back(scale);
            const Json scaleGvk = {{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}};
            Json scaleGet = {{"x-kubernetes-action", "get"}, {"x-kubernetes-group-version-kind", scaleGvk},
                             {"operationId", "read" + type.kind + "Scale"}, {"responses", responses(scale)}};
            Json scalePut = {{"x-kubernetes-action", "put"}, {"x-kubernetes-group-version-kind", scaleGvk},
                             {"operationId", "replace" + type.kind + "Scale"}, {"parameters", writeParams},
                             {"requestBody", jsonBody(scale)}, {"responses", responses(scale, true)}};
            Json scalePatch = {{"x-kubernetes-action", "patch"}, {"x-kubernetes-group-version-kind", scaleGvk},
                               {"operationId", "patch" + type.kind + "Scale"}, {"parameters", patchParams},
                               {"requestBody", patchBody}, {"responses", responses(scale, true)}};
            paths[item + "/scale"] = {{"parameters", itemParams}, {"get", scaleGet}, {"put", scalePut}, {"patch", scalePatch}};
        }
    }
    Json schemas = Json::object();
    for (const std::string &name : m_schemas.closure(roots))
        if (const Json *definition = m_schemas.definition(name))
            schemas[name] = *definition;
    return {{"openapi", "3.0.0"},
            {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
            {"paths", std::move(paths)},
            {"components", {{"schemas", std::move(schemas)}, {"securitySchemes", {{"BearerToken", {{"type", "apiKey"}, {"in", "header"}, {"name", "authorization"}, {"description", "Bearer token authentication"}}}}}}}};
}

} // namespace cd::api
