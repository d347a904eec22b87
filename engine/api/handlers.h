#pragma once
// The verbs of the resource API, one family per file (reads.cpp, writes.cpp, watch.cpp,
// subresources.cpp, discovery.cpp). Internal to engine/api.

#include "engine/api/context.h"
#include "engine/api/selectors.h"

namespace cd::api {

// Where a resource request points: /api/v1/namespaces/NS/pods/NAME/SUB.
struct Target {
    const ResourceType *type = nullptr;
    std::string ns;
    std::string name;         // empty for collections
    std::string subresource;  // status, scale, binding, eviction, log, ...
};

// Serves /version, /healthz, /api, /apis, /openapi; false when the path is none of those.
bool handleDiscovery(ApiContext &context, const ApiRequest &request, const SinkPtr &sink);

void handleGet(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink);
void handleList(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink);
void handleWatch(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink);
void handleCreate(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink);
void handleUpdate(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink);
void handlePatch(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink);
void handleDelete(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink);
void handleDeleteCollection(ApiContext &context, const Target &target, const ApiRequest &request,
                            const SinkPtr &sink);
// Subresources other than status (which the verbs above handle): scale, binding, eviction, finalize.
// GET pods/{name}/log: checked here, read from the node's kubelet.
void handlePodLogs(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink);
// pods/{name}/exec: joined to the kubelet over WebSocket.
void handlePodExec(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink);
// pods/{name}/attach: the same, to the container's own streams.
void handlePodAttach(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink);
// pods/{name}/portforward: joined to the kubelet over WebSocket (SPDY inside, or v4 channels).
void handlePodPortForward(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink);
void handleSubresource(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink);

// Shared helpers.
ApiResponse objectResponse(int status, const std::string &body);
void respondError(const SinkPtr &sink, const Error &error);
// Label and field selectors of a list or watch, checked against the fields the type supports.
Result<Selectors> parseSelectors(const ResourceType &type, const ApiRequest &request);
WriteOptions writeOptions(const ApiRequest &request, const std::string &subresource);
// Decodes the body, checks apiVersion/kind/namespace against the target and applies
// fieldValidation (unknown and duplicate fields). Warnings go to `warnings`.
Result<Json> decodeObject(ApiContext &context, const Target &target, const ApiRequest &request,
                          std::vector<std::string> &warnings);
// Decodes `object` as Kubernetes decodes into its typed structs: type errors and malformed
// quantities fail; unknown fields fail under fieldValidation=Strict, are reported as warnings
// under Warn, and are dropped from `object` otherwise.
Status checkFieldValidation(ApiContext &context, const ResourceType &type, Json &object,
                            const std::vector<std::string> &duplicates, const ApiRequest &request,
                            std::vector<std::string> &warnings);

} // namespace cd::api
