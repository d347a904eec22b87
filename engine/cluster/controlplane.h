#pragma once
// What runs on the control thread: the scheduler and the controllers, sharing one set of
// informers, reaching the API through an in-process client.

#include "engine/controllers/controllercontext.h"
#include "engine/scheduler/scheduler.h"

#include <QObject>

namespace cd::api {
class ApiService;
}

namespace cd::cluster {

class ControlPlane : public QObject {
    Q_OBJECT
public:
    // Made on the API's thread, then moved to the control thread; start() runs there.
    ControlPlane(api::ApiService *api, controllers::ControllerOptions options);
    ~ControlPlane() override;
    void start();

private:
    api::ApiService *m_api;
    controllers::ControllerOptions m_options;
};

} // namespace cd::cluster
