#pragma once
// The four ways to PATCH an object: JSON Patch (RFC 6902), JSON merge patch (RFC 7386),
// strategic merge patch and server-side apply. The last two use the OpenAPI schemas'
// x-kubernetes-patch-merge-key / list-map-keys to merge lists of objects item by item.

#include "engine/core/json.h"
#include "engine/core/result.h"

#include <string>

namespace cd::api {

class SchemaRegistry;

enum class PatchType { Json, Merge, StrategicMerge, Apply };

// From a Content-Type; UnsupportedMedia when it is none of the four.
Result<PatchType> patchTypeFor(const std::string &contentType);

Result<Json> applyJsonPatch(const Json &target, const Json &patch);
Result<Json> applyMergePatch(const Json &target, const Json &patch);
// `definition` names the schema of target (io.k8s.api.apps.v1.Deployment); lists are merged by
// the merge keys it declares, and the $patch, $setElementOrder, $retainKeys and
// $deleteFromPrimitiveList directives are honoured and never stored.
Result<Json> applyStrategicMergePatch(const SchemaRegistry &schemas, const std::string &definition,
                                      const Json &target, const Json &patch);

// Server-side apply of `applied` by `manager` onto `live` (null when creating). Fields the
// manager applied before and no longer applies are removed; ownership is kept in
// metadata.managedFields (FieldsV1). A field another applier owns with a different value is a
// conflict unless force is set.
struct ApplyResult {
    Json object;
    std::vector<std::string> conflicts;  // ".spec.replicas" owned by another manager
};
Result<ApplyResult> applyServerSide(const SchemaRegistry &schemas, const std::string &definition, const Json &live,
                                    const Json &applied, const std::string &manager, bool force,
                                    const std::string &apiVersion);

} // namespace cd::api
