#pragma once
// Sees the kernel's OOM killer act in a container's memory cgroup, for engines that do not say
// so themselves: Podman 4.3 with cgroupfs on cgroup v1 reports OOMKilled false after an OOM
// kill (exit 137). cgroup v1: an eventfd registered through cgroup.event_control on
// memory.oom_control, which the kernel signals on an OOM (and when the cgroup goes), then the
// oom_kill count says which; the engine removes the cgroup soon after the container exits, so
// the count is taken at the signal. cgroup v2: memory.events' oom_kill, read when asked.

#include <QObject>

#include <cstdint>
#include <memory>
#include <string>

class QSocketNotifier;

namespace cd::runtime::docker {

class OomWatch : public QObject {
    Q_OBJECT
public:
    // For the container whose main process is `pid` (host pid); null when its memory cgroup
    // cannot be found or watched.
    static std::unique_ptr<OomWatch> forProcess(int pid, const std::string &mountsFile = "/proc/self/mounts");
    ~OomWatch() override;

    // An OOM kill happened in the cgroup, as far as seen.
    bool killed();

private:
    OomWatch() = default;
    void check();
    void takeSignals();

    std::string m_countFile;  // memory.oom_control (v1) or memory.events (v2)
    int m_eventFd = -1;
    int m_controlFd = -1;
    QSocketNotifier *m_notifier = nullptr;
    std::uint64_t m_signals = 0;
    bool m_killed = false;
};

} // namespace cd::runtime::docker
