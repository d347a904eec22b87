// /version, health, discovery (/api, /apis, group versions) and /openapi.
#include "engine/api/handlers.h"
#include "engine/api/metrics.h"
#include "engine/api/openapi.h"
#include "engine/api/status.h"

namespace cd::api {

bool handleDiscovery(ApiContext &context, const ApiRequest &request, const SinkPtr &sink)
{
    const std::string &path = request.path;
    const Registry &registry = context.registry();
    auto json = [&](const Json &body) { sink->respond(objectResponse(200, dump(body))); };
    if (request.method != Method::Get && request.method != Method::Head) {
        if (path == "/version" || path == "/api" || path == "/apis" || path.rfind("/openapi", 0) == 0) {
            respondError(sink, Error{ErrorKind::MethodNotAllowed, "the server does not allow this method", {}});
            return true;
        }
        return false;
    }
    if (path == "/version") {
        json({{"major", "1"},
              {"minor", "32"},
              {"gitVersion", "v1.32.0"},
              {"gitCommit", "clusterdeck-" CLUSTERDECK_VERSION},
              {"gitTreeState", "clean"},
              {"buildDate", "2024-12-11T00:00:00Z"},
              {"goVersion", "go1.23.3"},
              {"compiler", "gc"},
              {"platform", "linux/amd64"}});
        return true;
    }
    if (path == "/healthz" || path == "/livez" || path == "/readyz") {
        ApiResponse ok = objectResponse(200, "ok");
        ok.contentType = "text/plain; charset=utf-8";
        sink->respond(std::move(ok));
        return true;
    }
    if (path == "/api") {
        json(registry.apiVersions(context.options().serverAddress));
        return true;
    }
    if (path == "/apis") {
        Json groups = registry.apiGroupList();
        addMetricsGroup(context, groups);
        json(groups);
        return true;
    }
    if (path == "/api/v1") {
        json(registry.apiResourceList("", "v1"));
        return true;
    }
    if (path.rfind("/apis/", 0) == 0) {
        const std::string rest = path.substr(6);
        const size_t slash = rest.find('/');
        const std::string group = rest.substr(0, slash);
        if (slash == std::string::npos) {
            for (const Json &g : registry.apiGroupList()["groups"])
                if (g["name"] == group) {
                    Json body = g;
                    body["kind"] = "APIGroup";
                    body["apiVersion"] = "v1";
                    json(body);
                    return true;
                }
            respondError(sink, resourceNotServed("the API group " + group + " is not served by Clusterdeck"));
            return true;
        }
        const std::string version = rest.substr(slash + 1);
        if (version.find('/') == std::string::npos) {
            if (!registry.servesGroupVersion(group, version)) {
                respondError(sink, resourceNotServed(rest + " is not served by Clusterdeck"));
                return true;
            }
            json(registry.apiResourceList(group, version));
            return true;
        }
        return false;
    }
    if (path == "/openapi/v3") {
        sink->respond(objectResponse(200, context.openApi().index()));
        return true;
    }
    if (path.rfind("/openapi/v3/", 0) == 0) {
        if (const std::string *document = context.openApi().document(path.substr(12))) {
            sink->respond(objectResponse(200, *document));
            return true;
        }
        respondError(sink, resourceNotServed());
        return true;
    }
    if (path == "/openapi/v2" || path == "/swagger.json") {
        // Clusterdeck's schemas are served as v3. kubectl still fetches v2 (as protobuf) to
        // validate objects of kinds whose v3 document lacks them, i.e. kinds the server does not
        // serve: a 404 here would make it fail with "failed to download openapi" instead of its
        // real answer, "no matches for kind". An empty v2 document (no definitions) makes kubectl
        // skip that client-side check, as it does for any kind a real server's v2 lacks.
        if (request.accept.find("protobuf") != std::string::npos) {
            // openapi_v2.Document{swagger: "2.0"}: field 1, length-delimited.
            ApiResponse response = objectResponse(200, std::string("\x0a\x03" "2.0", 5));
            response.contentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
            sink->respond(std::move(response));
            return true;
        }
        json({{"swagger", "2.0"},
              {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
              {"paths", Json::object()},
              {"definitions", Json::object()}});
        return true;
    }
    if (path.rfind("/openapi/v2", 0) == 0) {
        respondError(sink, resourceNotServed());
        return true;
    }
    return false;
}

} // namespace cd::api
