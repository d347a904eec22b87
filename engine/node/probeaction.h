#pragma once
// The three handlers a probe or a lifecycle hook runs against a container (the kubelet's
// pkg/probe/{exec,http,tcp}): a command in the container, an HTTP GET and a TCP connect. The
// network ones connect from inside the pod's network namespace (the kubelet dials the pod IP
// from the host; here the host cannot route there, the pod's own namespace can). Each run ends
// once, with an outcome and the output the kubelet shows in its events.

#include "engine/core/json.h"
#include "engine/core/result.h"
#include "engine/runtime/runtime.h"

#include <QObject>

#include <functional>
#include <memory>
#include <string>

namespace cd::node {

// What an action needs to reach its container.
struct ActionTarget {
    runtime::Runtime *runtime = nullptr;
    runtime::ContainerHandle container = 0;
    std::string podIp;  // the default host of httpGet and tcpSocket
    Json containerSpec; // for named ports
    // A TCP socket (unconnected, the caller's to close) in the pod's network namespace; unset:
    // a socket of the engine's own namespace (pods that share the host's network).
    std::function<Result<int>()> openSocket;
};

struct ActionResult {
    enum class Outcome { Success, Failure, Error };
    Outcome outcome = Outcome::Failure;
    std::string output; // the failure as the kubelet words it, or the command's output
    int code = 0;       // httpGet: the response's status (0 when none came); exec: the exit code
    bool success() const { return outcome == Outcome::Success; }
};

// One run of one handler. Deleting it cancels the run (the command is killed, the connection
// closed) and the callback never comes. The callback never comes from inside start().
class ActionRun : public QObject {
    Q_OBJECT
public:
    using Done = std::function<void(const ActionResult &result)>;
    ~ActionRun() override = default;

protected:
    explicit ActionRun(Done done) : m_done(std::move(done)) {}
    void finish(ActionResult result); // once; later calls are ignored
    void finishLater(ActionResult result);

private:
    Done m_done;
    bool m_finished = false;
};

enum class HandlerKind { Exec, HttpGet, TcpSocket, Grpc, Sleep, None };
// The handler a probe or hook object carries (exec, httpGet, tcpSocket, grpc, sleep).
HandlerKind handlerKind(const Json &handler);

struct ActionOptions {
    int timeoutMs = 1000;
    // Hooks take any HTTP answer as success (the kubelet's lifecycle handlers only fail on
    // transport errors); probes want 200-399.
    bool anyHttpStatus = false;
};

// Starts `handler` (a probe or a lifecycle handler object); an error when it cannot be run at
// all (a grpc or sleep handler, which the callers handle themselves, or no handler).
Result<std::unique_ptr<ActionRun>> startAction(const Json &handler, const ActionTarget &target,
                                               const ActionOptions &options, ActionRun::Done done);

// A port given by number or by the name of one of the container's ports; 0 when unknown.
int resolvePort(const Json &port, const Json &containerSpec);

} // namespace cd::node
