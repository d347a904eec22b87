// The node lifecycle controllers: node health and taints, the taint manager's evictions, and the
// pod garbage collector's removal of pods whose node is gone. They share one index of pods by node.
#include "engine/client/resources.h"
#include "engine/controllers/controllermanager.h"
#include "engine/controllers/nodelifecycle/nodelifecyclecontroller.h"
#include "engine/controllers/nodelifecycle/podgc.h"
#include "engine/controllers/nodelifecycle/tainteviction.h"

namespace cd::controllers {
namespace {

// Owns the shared pod index for as long as the controllers that read it.
class NodeLifecycleControllers : public QObject {
public:
    NodeLifecycleControllers(ControllerContext &context) : QObject(context.parent)
    {
        context.informers->informer(*client::builtinResource("pods"))
            ->addHandler([this](const client::InformerEvent &event) { m_pods.observe(event); });
        new NodeLifecycleController(context.client, context.informers, &m_pods, context.options, this);
        new TaintEvictionController(context.client, context.informers, &m_pods, this);
        new PodGarbageCollector(context.client, context.informers, &m_pods, context.options.nodeMonitorPeriod, this);
    }

private:
    NodePods m_pods;
};

} // namespace

void startNodeLifecycleController(ControllerContext &context) { new NodeLifecycleControllers(context); }

} // namespace cd::controllers
