// PLACEHOLDER while the implementation is written (see the patch helper); never committed.
#include "engine/api/patch/patch.h"
namespace cd::api {
Result<ApplyResult> applyServerSide(const SchemaRegistry &, const std::string &, const Json &, const Json &,
                                    const std::string &, bool, const std::string &)
{
    return Error::internal("apply: not written yet");
}
} // namespace cd::api
