#pragma once
// kube-scheduler's role: a queue of unscheduled pods; filters, then scores, over the nodes; the
// best node proposed to the API through pods/binding (DESIGN.md rule 3).

#include "engine/client/sharedinformers.h"

#include <QObject>

namespace cd::scheduler {

struct SchedulerOptions {
    std::string name = "default-scheduler";  // pods with spec.schedulerName other than this are left alone
};

class Scheduler : public QObject {
    Q_OBJECT
public:
    Scheduler(client::Client *client, client::SharedInformers *informers, SchedulerOptions options = {},
              QObject *parent = nullptr);
    ~Scheduler() override;
};

} // namespace cd::scheduler
