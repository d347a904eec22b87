// PLACEHOLDER until the scheduler is written: it schedules nothing yet.
#include "engine/scheduler/scheduler.h"

namespace cd::scheduler {

Scheduler::Scheduler(client::Client *, client::SharedInformers *, SchedulerOptions, QObject *parent) : QObject(parent) {}
Scheduler::~Scheduler() = default;

} // namespace cd::scheduler
