#include "engine/api/patch/patch.h"

namespace cd::api {

Result<PatchType> patchTypeFor(const std::string &contentType)
{
    const std::string type = contentType.substr(0, contentType.find(';'));
    if (type == "application/json-patch+json")
        return PatchType::Json;
    if (type == "application/merge-patch+json")
        return PatchType::Merge;
    if (type == "application/strategic-merge-patch+json")
        return PatchType::StrategicMerge;
    if (type == "application/apply-patch+yaml" || type == "application/apply-patch+json")
        return PatchType::Apply;
    return Error{ErrorKind::UnsupportedMedia,
                 "the body of the request was in an unknown format - accepted media types include: "
                 "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, "
                 "application/strategic-merge-patch+json",
                 {}};
}

Result<Json> applyJsonPatch(const Json &target, const Json &patch)
{
    if (!patch.is_array())
        return Error::badRequest("a JSON patch must be an array of operations");
    // Kubernetes' JSON patch library treats `replace` on a missing path like `add`; kubectl
    // rollout undo relies on it.
    Json operations = patch;
    for (size_t i = 0; i < operations.size(); ++i) {
        Json &op = operations[i];
        if (!op.is_object() || !op.contains("op") || !op.contains("path"))
            return Error::badRequest("JSON patch operation " + std::to_string(i) + " needs \"op\" and \"path\"");
        if (op["op"] == "replace" && op["path"].is_string()) {
            try {
                (void)target.at(Json::json_pointer(op["path"].get<std::string>()));
            } catch (const Json::exception &) {
                op["op"] = "add";
            }
        }
    }
    try {
        return target.patch(operations);
    } catch (const Json::exception &e) {
        std::string what = e.what();
        const size_t bracket = what.find("] ");
        return Error{ErrorKind::Invalid,
                     "the JSON patch could not be applied: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)),
                     {}};
    }
}

Result<Json> applyMergePatch(const Json &target, const Json &patch)
{
    if (!patch.is_object())
        return Error::badRequest("a merge patch must be a JSON object");
    Json result = target;
    result.merge_patch(patch);
    return result;
}

} // namespace cd::api
