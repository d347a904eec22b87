#include "engine/controllers/controllermanager.h"
#include "engine/controllers/job/jobcontroller.h"

namespace cd::controllers {

void startJobController(ControllerContext &context)
{
    job::JobControllerOptions options;
    options.podFailureBackoff = context.options.jobPodFailureBackoff;
    new job::JobController(context.client, context.informers, options, context.parent);
}

} // namespace cd::controllers
