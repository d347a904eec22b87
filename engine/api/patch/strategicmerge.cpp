// PLACEHOLDER while the implementation is written (see the patch helper); never committed.
#include "engine/api/patch/patch.h"
namespace cd::api {
Result<Json> applyStrategicMergePatch(const SchemaRegistry &, const std::string &, const Json &, const Json &)
{
    return Error::internal("strategic merge patch: not written yet");
}
} // namespace cd::api
