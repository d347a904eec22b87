// PLACEHOLDER until this controller is written: it starts nothing yet.
#include "engine/controllers/controllermanager.h"

namespace cd::controllers {

void startDeploymentController(ControllerContext &) {}

} // namespace cd::controllers
