#pragma once
// Lifecycle hooks (the kubelet's pkg/kubelet/lifecycle/handlers.go): postStart right after a
// container starts, preStop before it is asked to stop. A handler is exec, httpGet (any HTTP
// answer will do; only a transport error fails) or sleep (preStop's `sleep.seconds`).

#include "engine/node/probeaction.h"

#include <functional>
#include <memory>
#include <string>

namespace cd::node {

// One hook while it runs; deleting it cancels it (no callback then).
class HookRun : public QObject {
    Q_OBJECT
public:
    // ok, or why not in the kubelet's words ("Exec lifecycle hook ([sh -c exit 1]) for Container
    // \"c\" in Pod \"p_ns(uid)\" failed - error: command 'sh -c exit 1' exited with 1: , message: \"\"").
    using Done = std::function<void(bool ok, const std::string &message)>;
    // `podRef` is the pod as the kubelet names it in messages: "name_namespace(uid)".
    HookRun(const Json &handler, const ActionTarget &target, const std::string &container, const std::string &podRef,
            int timeoutMs, Done done);
    ~HookRun() override;

private:
    void finish(bool ok, const std::string &message);

    Done m_done;
    std::unique_ptr<ActionRun> m_action;
    bool m_finished = false;
};

} // namespace cd::node
