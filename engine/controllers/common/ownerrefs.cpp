#include "engine/controllers/common/ownerrefs.h"

namespace cd::controllers {

const Json *controllerRefOf(const Json &object)
{
    const Json *refs = find(object, {"metadata", "ownerReferences"});
    if (!refs || !refs->is_array())
        return nullptr;
    for (const Json &ref : *refs)
        if (boolean(ref, {"controller"}))
            return &ref;
    return nullptr;
}

Json controllerRef(const Json &owner, const std::string &apiVersion, const std::string &kind)
{
    return {{"apiVersion", apiVersion},
            {"kind", kind},
            {"name", str(owner, {"metadata", "name"})},
            {"uid", str(owner, {"metadata", "uid"})},
            {"controller", true},
            {"blockOwnerDeletion", true}};
}

Json adoptPatch(const Json &owner, const std::string &apiVersion, const std::string &kind,
                const std::string &dependentUid)
{
    return {{"metadata",
             {{"ownerReferences", Json::array({controllerRef(owner, apiVersion, kind)})}, {"uid", dependentUid}}}};
}

Json releasePatch(const std::string &ownerUid, const std::string &dependentUid)
{
    return {{"metadata",
             {{"ownerReferences", Json::array({{{"$patch", "delete"}, {"uid", ownerUid}}})}, {"uid", dependentUid}}}};
}

} // namespace cd::controllers
