// PLACEHOLDER until this controller is written: it starts nothing yet.
#include "engine/controllers/controllermanager.h"

namespace cd::controllers {

void startVolumeBindingController(ControllerContext &) {}

} // namespace cd::controllers
