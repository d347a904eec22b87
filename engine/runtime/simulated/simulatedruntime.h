#pragma once
// The simulated runtime: no process runs. A container "starts" after a configurable latency and
// "runs" until stopped, or exits with a code after a time when its spec says so (fault
// injection). One instance serves every simulated node of the engine, so it keeps a few dozen
// bytes per container and one timer for all of them: 150,000 containers cost a few megabytes.

#include "engine/runtime/runtime.h"

#include <QTimer>

#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

namespace cd::runtime {

struct SimulatedRuntimeOptions {
    // From start() to Running (image "pull", create, start). 0: at the next turn of the event loop.
    std::chrono::milliseconds startLatency{300};
    // From stop() to the exit (a process handling SIGTERM); never longer than the grace period.
    std::chrono::milliseconds stopDelay{0};
};

class SimulatedRuntime : public Runtime {
    Q_OBJECT
public:
    explicit SimulatedRuntime(SimulatedRuntimeOptions options = {}, QObject *parent = nullptr);
    ~SimulatedRuntime() override;

    std::string name() const override { return "simulated"; }
    std::string versionString() const override { return "clusterdeck-sim://0.1.0"; }

    Result<SandboxHandle> runSandbox(const SandboxSpec &spec) override;
    void removeSandbox(SandboxHandle sandbox) override;
    Result<ContainerHandle> start(SandboxHandle sandbox, const ContainerSpec &spec, std::uint64_t cookie) override;
    void stop(ContainerHandle handle, std::chrono::milliseconds grace) override;
    void destroy(ContainerHandle handle) override;
    std::optional<ContainerHandle> recover(SandboxHandle sandbox, const ContainerSpec &spec,
                                           const ContainerStatus &previous, std::uint64_t cookie) override;
    std::optional<ContainerStatus> status(ContainerHandle handle) const override;

    size_t containerCount() const { return m_containers.size(); }

    // The image as containerd names it: "nginx" -> "docker.io/library/nginx:latest".
    static std::string normalizeImage(const std::string &image);

private:
    struct Record {
        std::uint64_t cookie = 0;
        std::uint64_t idSeed = 0;      // the container ID derives from it (no string kept)
        std::int64_t startedAtMs = 0;  // wall clock, ms since the epoch
        std::int64_t finishedAtMs = 0;
        std::int64_t exitAfterMs = -1;  // -1: runs until stopped
        std::uint32_t image = 0;        // index into m_images
        std::uint32_t generation = 0;   // invalidates queued deadlines
        int exitCode = 0;               // when it exits by itself
        int exitedWith = 0;
        ContainerState state = ContainerState::Waiting;
        bool stopping = false;
    };
    struct Deadline {
        std::int64_t dueMs;  // steady clock
        ContainerHandle handle;
        std::uint32_t generation;
        bool operator>(const Deadline &other) const { return dueMs > other.dueMs; }
    };
    struct Image {
        std::string name;
        std::string normalized;
        std::string ref;
    };

    std::uint32_t internImage(const std::string &image);
    void schedule(ContainerHandle handle, Record &record, std::int64_t dueMs);
    void armTimer();
    void onTimer();
    ContainerStatus statusOf(const Record &record) const;
    static std::int64_t steadyMs();
    static std::int64_t wallMs();

    SimulatedRuntimeOptions m_options;
    std::unordered_map<ContainerHandle, Record> m_containers;
    std::priority_queue<Deadline, std::vector<Deadline>, std::greater<Deadline>> m_deadlines;
    std::vector<Image> m_images;
    std::unordered_map<std::string, std::uint32_t> m_imageIndex;
    ContainerHandle m_nextHandle = 1;
    QTimer m_timer;
    std::int64_t m_armedFor = -1;
};

} // namespace cd::runtime
