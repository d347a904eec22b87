#pragma once
// The container runtime interface (DESIGN.md rule 4): a runtime sees a small runtime spec, never
// an API object; the node agent translates a Pod into it. Runtimes are plugins with the verbs of
// Nomad's driver interface — start, wait (state callbacks), stop, destroy, recover — so the
// simulated runtime, and later the process, docker and qemu ones, sit behind the same calls.
//
// Restarts are the node agent's decision (as the kubelet's), never the runtime's: the restart
// policy travels in the spec for runtimes that want to know, but a runtime only reports exits.

#include "engine/core/clock.h"
#include "engine/core/result.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cd::runtime {

enum class RestartPolicy { Always, OnFailure, Never };

struct PortSpec {
    std::string name;
    int containerPort = 0;
    std::string protocol = "TCP";
    int hostPort = 0;
};

struct EnvVar {
    std::string name;
    std::string value;
};

// A host folder or file seen inside the container (a volume, the pod's /etc/hosts).
struct Mount {
    std::string hostPath;
    std::string containerPath;
    bool readOnly = false;
};

// Where a pod's containers live: one per pod (the pod sandbox of the CRI).
struct SandboxSpec {
    std::string podUid;
    std::string podNamespace;
    std::string podName;
    std::string hostname;
    std::string ip;  // chosen by the node agent from its pod CIDR
    // Where the containers' logs go (the kubelet's /var/log/pods/<ns>_<name>_<uid>); runtimes
    // that run nothing ignore it.
    std::string logDirectory;
};

// A container's imagePullPolicy.
enum class PullPolicy : std::uint8_t { IfNotPresent, Always, Never };
PullPolicy pullPolicyFromString(const std::string &policy);  // "" and unknown: IfNotPresent

// What ensureImage answers when it does not fail.
struct ImageReady {
    std::string ref;       // the image as the runtime resolved it (empty while pulling)
    bool pulling = false;  // a pull is under way; its outcome goes to the pull listener
};

// Instructions for simulated containers, ignored by runtimes that run real processes.
struct SimulationSpec {
    // The container exits by itself this long after it started, with exitCode; unset: it runs
    // until stopped.
    std::optional<std::chrono::milliseconds> exitAfter;
    int exitCode = 0;
};

struct ContainerSpec {
    std::string name;
    std::string image;
    std::vector<std::string> command;
    std::vector<std::string> args;
    std::vector<EnvVar> env;
    std::vector<PortSpec> ports;
    std::vector<Mount> mounts;
    std::string workingDir;
    std::string logPath;  // relative to the sandbox's logDirectory: "<container>/<attempt>.log"
    RestartPolicy restartPolicy = RestartPolicy::Always;
    int attempt = 0;  // restarts so far: part of the container's identity
    // resources.limits: enforced where the runtime can (0: no limit).
    std::int64_t memoryLimitBytes = 0;
    std::int64_t cpuLimitMillis = 0;
    // The container's stdin stays open for attach (the Container's stdin); with stdinOnce it
    // ends when the first attached client closes it.
    bool stdin = false;
    bool stdinOnce = false;
    bool tty = false;  // the container's stdio is a terminal (attach then shows and types on it)
    SimulationSpec simulation;
};

enum class ContainerState : std::uint8_t { Waiting, Running, Exited };

struct ContainerStatus {
    ContainerState state = ContainerState::Waiting;
    std::string containerId;  // "sim://...", "docker://..."
    std::string image;        // the image as the runtime names it ("docker.io/library/nginx:latest")
    std::string imageRef;     // the image as the runtime resolved it (imageID)
    TimePoint startedAt{};
    TimePoint finishedAt{};
    int exitCode = 0;
    std::string reason;   // Completed, Error, OOMKilled, ...
    std::string message;
};

// A command to run in a running container (the CRI's Exec; kubectl exec).
struct ExecSpec {
    std::vector<std::string> command;
    bool tty = false;
    bool stdin = false;
};

// One such command while it runs: its input, its output as it comes, its end. Lives on the
// node thread like the runtime.
class ExecSession : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~ExecSession() override = default;
    virtual void writeStdin(const QByteArray &data) = 0;
    virtual void closeStdin() = 0;
    virtual void resize(int columns, int rows) = 0;  // the terminal's size (tty only)
    virtual void kill() = 0;

Q_SIGNALS:
    void output(int stream, const QByteArray &data);  // 1 stdout, 2 stderr (a tty has only 1)
    // The command ended with exitCode; `error` says why it could not run at all (exitCode then
    // 126 or 127, as a shell reports it).
    void finished(int exitCode, const QString &error);
};

// Joining a running container's own streams (the CRI's Attach; kubectl attach).
struct AttachSpec {
    bool stdin = false;
    bool tty = false;
};

using SandboxHandle = std::uint64_t;
using ContainerHandle = std::uint64_t;

// A runtime belongs to the node thread; every call and callback happens there.
class Runtime : public QObject {
    Q_OBJECT
public:
    // A container changed state; `cookie` is what start() or recover() was given, so the caller
    // finds its pod without a lookup table of its own.
    using StateListener =
        std::function<void(ContainerHandle handle, std::uint64_t cookie, const ContainerStatus &status)>;

    using QObject::QObject;
    ~Runtime() override = default;

    virtual std::string name() const = 0;            // "simulated"
    virtual std::string versionString() const = 0;   // "clusterdeck-sim://0.1.0" (nodeInfo)

    void setStateListener(StateListener listener) { m_listener = std::move(listener); }

    // A pull that ensureImage started has ended: the image's reference as the runtime resolved
    // it, or why it could not be pulled.
    using PullListener = std::function<void(const std::string &image, const Result<std::string> &outcome)>;
    void setPullListener(PullListener listener) { m_pullListener = std::move(listener); }

    // Makes an image available (the CRI's PullImage) as the container's imagePullPolicy says:
    // its reference as the runtime resolved it; or that a pull is under way (the outcome goes to
    // the pull listener; asking again meanwhile joins the same pull); or an error that says why
    // not and what to do (the kubelet's ErrImagePull).
    virtual Result<ImageReady> ensureImage(const std::string &image, PullPolicy policy)
    {
        (void)policy;
        return ImageReady{image};
    }

    virtual Result<SandboxHandle> runSandbox(const SandboxSpec &spec) = 0;
    virtual void removeSandbox(SandboxHandle sandbox) = 0;

    // Starts a container in a sandbox. The state callbacks say when it runs and when it exits
    // (the "wait" of the interface); a failure to start is reported the same way (Exited with
    // a reason), or as an error here when nothing could be attempted.
    virtual Result<ContainerHandle> start(SandboxHandle sandbox, const ContainerSpec &spec, std::uint64_t cookie) = 0;
    // Asks a container to stop (SIGTERM), killing it after the grace period; the callback
    // reports the exit.
    virtual void stop(ContainerHandle handle, std::chrono::milliseconds grace) = 0;
    // Forgets a container (stopped or not) without further callbacks.
    virtual void destroy(ContainerHandle handle) = 0;
    // Re-attaches to a container started before the engine restarted, from what the API last
    // said of it; nullopt when it is gone (the agent then starts it anew).
    virtual std::optional<ContainerHandle> recover(SandboxHandle sandbox, const ContainerSpec &spec,
                                                   const ContainerStatus &previous, std::uint64_t cookie) = 0;
    virtual std::optional<ContainerStatus> status(ContainerHandle handle) const = 0;
    // The host pid of a running container's main process (0: none, or it runs no process of
    // this machine's): what the node's CPU and memory figures are read from (/proc).
    virtual int containerPid(ContainerHandle handle) const
    {
        (void)handle;
        return 0;
    }
    // Runs a command in a running container; runtimes without processes refuse.
    virtual Result<std::unique_ptr<ExecSession>> exec(ContainerHandle handle, const ExecSpec &spec)
    {
        (void)handle;
        (void)spec;
        return Error::badRequest("the " + name() + " runtime runs no processes to execute a command in");
    }
    // Joins a running container's stdin and output; the session finishes when the container
    // exits, and kill() only detaches.
    virtual Result<std::unique_ptr<ExecSession>> attach(ContainerHandle handle, const AttachSpec &spec)
    {
        (void)handle;
        (void)spec;
        return Error::badRequest("the " + name() + " runtime runs no processes to attach to");
    }

protected:
    void report(ContainerHandle handle, std::uint64_t cookie, const ContainerStatus &status) const
    {
        if (m_listener)
            m_listener(handle, cookie, status);
    }
    void reportPull(const std::string &image, const Result<std::string> &outcome) const
    {
        if (m_pullListener)
            m_pullListener(image, outcome);
    }

private:
    StateListener m_listener;
    PullListener m_pullListener;
};

} // namespace cd::runtime
