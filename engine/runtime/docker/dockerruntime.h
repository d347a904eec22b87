#pragma once
// The container runtime (node kind `container`): each container of a pod is a container of a
// Docker-compatible engine (Docker, or Podman's `podman system service`) reached through the
// Docker Engine API on a unix socket.
//
// The pod sandbox is the pod's network namespace from the cluster network, made exactly as for
// process pods (engine/runtime/network); every container of the pod joins it with NetworkMode
// "ns:/proc/<holder>/ns/net", so container pods have pod IPs on the cluster bridge and
// Services, NodePorts and pod-to-pod traffic work as for process pods. Without an isolated
// cluster network the containers use the host's network.
//
// Containers carry labels (io.clusterdeck.pod-uid, .container, .attempt) and are named
// cd_<pod>_<namespace>_<container>_<attempt>_<uid prefix>; after the engine restarts, recover()
// finds them by id. Their output is followed (logs?follow=1) into the CRI log file the node agent
// reads; the end of that stream means the container ended, and an inspect says how.
//
// Images come from the engine's store and are pulled by the engine as imagePullPolicy says
// (ImagePuller); a failed pull's error also says how to import a root filesystem instead.

#include "engine/runtime/docker/dockerclient.h"
#include "engine/runtime/runtime.h"

#include <QString>

#include <memory>
#include <unordered_map>

class QTimer;

namespace cd::runtime::network {
class ClusterNetwork;
}

namespace cd::runtime::docker {

class ImagePuller;

struct DockerRuntimeOptions {
    QString host;      // unix:///PATH; empty: defaultDockerHost()
    QString stateDir;  // DATA_DIR/runtime/docker: the pods' hosts and resolv.conf files
    network::ClusterNetwork *network = nullptr;  // not owned; null: the host's network
    std::string clusterDns;                      // see ProcessRuntimeOptions
    std::string clusterDomain = "cluster.local";
    std::chrono::milliseconds requestTimeout{30000};
    std::chrono::milliseconds healthInterval{5000};  // how often an unreachable engine is tried again
};

class DockerRuntime : public Runtime {
    Q_OBJECT
public:
    explicit DockerRuntime(DockerRuntimeOptions options, QObject *parent = nullptr);
    ~DockerRuntime() override;

    std::string name() const override { return "docker"; }
    // "podman://4.3.1" or "docker://24.0.7" as the engine reports itself.
    std::string versionString() const override;
    // Empty while the engine answers; otherwise why it cannot be used (a NotReady node).
    std::string unreachableReason() const;
    const QString &socketPath() const { return m_client->socketPath(); }

    Result<ImageReady> ensureImage(const std::string &image, PullPolicy policy) override;
    Result<SandboxHandle> runSandbox(const SandboxSpec &spec) override;
    void removeSandbox(SandboxHandle sandbox) override;
    Result<ContainerHandle> start(SandboxHandle sandbox, const ContainerSpec &spec, std::uint64_t cookie) override;
    void stop(ContainerHandle handle, std::chrono::milliseconds grace) override;
    void destroy(ContainerHandle handle) override;
    std::optional<ContainerHandle> recover(SandboxHandle sandbox, const ContainerSpec &spec,
                                           const ContainerStatus &previous, std::uint64_t cookie) override;
    std::optional<ContainerStatus> status(ContainerHandle handle) const override;
    // The engine's State.Pid (host pid) while the container runs.
    int containerPid(ContainerHandle handle) const override;
    Result<std::unique_ptr<ExecSession>> exec(ContainerHandle handle, const ExecSpec &spec) override;
    Result<std::unique_ptr<ExecSession>> attach(ContainerHandle handle, const AttachSpec &spec) override;

    size_t containerCount() const { return m_containers.size(); }

Q_SIGNALS:
    // The engine stopped or started answering (unreachableReason() says why not).
    void reachabilityChanged();

public:
    // The engine's id of a container ("" until created).
    std::string engineId(ContainerHandle handle) const;

private:
    struct Sandbox;
    struct Container;

    Json createBody(const Sandbox &sandbox, const ContainerSpec &spec) const;
    void create(ContainerHandle handle, const Json &body, const std::string &name, bool retried);
    void startCreated(ContainerHandle handle);
    void follow(ContainerHandle handle);
    void inspectAfterStream(ContainerHandle handle);
    void fail(ContainerHandle handle, const std::string &reason, const std::string &message, int exitCode);
    void removeContainer(const std::string &id);
    void applyInspect(Container &container, const Json &inspect);
    void noteReachability(const Error *error);
    void checkHealth();
    void pullFinished(const std::string &image, const Result<std::string> &outcome);
    std::string importHint(const std::string &image) const;

    DockerRuntimeOptions m_options;
    DockerClient *m_client = nullptr;
    ImagePuller *m_puller = nullptr;
    std::string m_hostError;  // a --docker-host that cannot be used
    std::string m_unreachable;
    QTimer *m_health = nullptr;
    bool m_healthInFlight = false;
    std::unordered_map<SandboxHandle, std::unique_ptr<Sandbox>> m_sandboxes;
    std::unordered_map<ContainerHandle, std::unique_ptr<Container>> m_containers;
    std::uint64_t m_nextHandle = 1;
};

} // namespace cd::runtime::docker
