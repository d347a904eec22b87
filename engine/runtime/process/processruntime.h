#pragma once
// The process runtime (node kind `process`): each container is a local process in a bubblewrap
// sandbox, supervised by its own clusterdeck-shim (engine/runtime/process/shim) in its own
// session, so containers keep running while the engine restarts and are found again afterwards
// (recover()). The pod sandbox is the pod's network, IPC and UTS namespaces from the cluster
// network (engine/runtime/network); without one, pods share the host's network (reduced
// isolation, said by isolationNote()).
//
// Everything a container leaves on disk is in one folder per container under the state folder:
// spec.json (which pod and container), shim.json, state.json (its pid once it runs) and
// exit.json (its exit code). The logs go where the node agent says (the CRI log format).

#include "engine/runtime/logrotation.h"
#include "engine/runtime/process/cgrouplimits.h"
#include "engine/runtime/runtime.h"

#include <QString>

#include <functional>
#include <memory>
#include <unordered_map>

class QSocketNotifier;
class QTimer;

namespace cd::runtime::network {
class ClusterNetwork;
}

namespace cd::runtime::process {

// What a container runs from: an image's root filesystem and defaults.
struct RootFilesystem {
    std::string path;  // empty: the host's (the built-in `host` image)
    std::string imageRef;  // the image as resolved ("sha256:..."), for the imageID field
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd;
    std::vector<EnvVar> env;
    std::string workingDir;
    // Keeps the image's files on disk while a container runs from them (an image store lease).
    std::shared_ptr<const void> hold;
};
using ImageResolver = std::function<Result<RootFilesystem>(const std::string &image)>;

// Resolves only the built-in `host` image (the host's filesystem, read-only).
Result<RootFilesystem> resolveHostImage(const std::string &image);
// Resolves images from the local image store in `root` (DATA_DIR/images), `host` included.
ImageResolver imageStoreResolver(const QString &root);

struct ProcessRuntimeOptions {
    QString stateDir;  // DATA_DIR/runtime/process
    QString shimPath;  // clusterdeck-shim; empty: next to the running executable
    QString bwrapPath = QStringLiteral("bwrap");
    QString nsenterPath = QStringLiteral("nsenter");
    ImageResolver resolveImage = resolveHostImage;
    network::ClusterNetwork *network = nullptr;  // not owned; null: the host's network
    std::vector<std::string> hiddenPaths;         // host folders pods must not see (the data folder)
    // The cluster DNS every pod's /etc/resolv.conf names (dnsPolicy ClusterFirst), with the
    // Kubernetes search path for the pod's namespace; empty: pods see the host's resolv.conf.
    std::string clusterDns;
    std::string clusterDomain = "cluster.local";
    long long logMaxBytes = kContainerLogMaxBytes;
    int logMaxFiles = kContainerLogMaxFiles;
};

class ProcessRuntime : public Runtime {
    Q_OBJECT
public:
    explicit ProcessRuntime(ProcessRuntimeOptions options, QObject *parent = nullptr);
    ~ProcessRuntime() override;

    std::string name() const override { return "process"; }
    std::string versionString() const override;
    // Empty when pods are isolated; otherwise why not (for a node condition).
    std::string isolationNote() const;
    // How containers' CPU and memory limits are enforced (cgroup v1 or v2), or why they are not.
    bool enforcesLimits() const { return m_cgroups.enforces(); }
    std::string limitsNote() const;

    Result<ImageReady> ensureImage(const std::string &image, PullPolicy policy) override;
    Result<SandboxHandle> runSandbox(const SandboxSpec &spec) override;
    void removeSandbox(SandboxHandle sandbox) override;
    Result<ContainerHandle> start(SandboxHandle sandbox, const ContainerSpec &spec, std::uint64_t cookie) override;
    void stop(ContainerHandle handle, std::chrono::milliseconds grace) override;
    void destroy(ContainerHandle handle) override;
    std::optional<ContainerHandle> recover(SandboxHandle sandbox, const ContainerSpec &spec,
                                           const ContainerStatus &previous, std::uint64_t cookie) override;
    std::optional<ContainerStatus> status(ContainerHandle handle) const override;
    Result<std::unique_ptr<ExecSession>> exec(ContainerHandle handle, const ExecSpec &spec) override;
    Result<std::unique_ptr<ExecSession>> attach(ContainerHandle handle, const AttachSpec &spec) override;

    // pid 1 inside the container.
    int containerPid(ContainerHandle handle) const override;
    size_t containerCount() const { return m_containers.size(); }

private:
    struct Sandbox;
    struct Container;

    QString containerDir(const std::string &id) const;
    void watch(ContainerHandle handle, Container &container, int notifyFd);
    void refresh(ContainerHandle handle);
    void failLater(ContainerHandle handle, const std::string &reason, const std::string &message, int exitCode);
    void release(Container &container);
    void reap(int shimPid);

    ProcessRuntimeOptions m_options;
    CgroupLimits m_cgroups;
    std::unordered_map<SandboxHandle, std::unique_ptr<Sandbox>> m_sandboxes;
    std::unordered_map<ContainerHandle, std::unique_ptr<Container>> m_containers;
    std::uint64_t m_nextHandle = 1;
};

} // namespace cd::runtime::process
