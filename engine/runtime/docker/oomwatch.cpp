#include "engine/runtime/docker/oomwatch.h"

#include <QFile>
#include <QSocketNotifier>
#include <QTimer>

#include <cstdint>
#include <sstream>

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace cd::runtime::docker {
namespace {

std::string readAll(const std::string &path)
{
    QFile file(QString::fromStdString(path));
    return file.open(QIODevice::ReadOnly) ? file.readAll().toStdString() : std::string();
}

// "oom_kill 3" among the lines of memory.oom_control or memory.events.
long long oomKills(const std::string &text)
{
    std::istringstream lines(text);
    std::string key;
    long long value = 0;
    while (lines >> key >> value)
        if (key == "oom_kill")
            return value;
    return 0;
}

// Where the memory controller is mounted: v1 ("cgroup" with the memory option) or v2 ("cgroup2").
std::string mountOf(const std::string &mountsFile, bool v2)
{
    std::istringstream mounts(readAll(mountsFile));
    std::string device, point, type, options, rest;
    while (mounts >> device >> point >> type >> options && std::getline(mounts, rest)) {
        if (v2 && type == "cgroup2")
            return point;
        if (!v2 && type == "cgroup" && ("," + options + ",").find(",memory,") != std::string::npos)
            return point;
    }
    return {};
}

} // namespace

std::unique_ptr<OomWatch> OomWatch::forProcess(int pid, const std::string &mountsFile)
{
    if (pid <= 0)
        return nullptr;
    // "4:memory:/libpod_parent/libpod-<id>" (v1) or "0::/machine.slice/..." (v2).
    std::istringstream lines(readAll("/proc/" + std::to_string(pid) + "/cgroup"));
    std::string line, v1Path, v2Path;
    while (std::getline(lines, line)) {
        const size_t first = line.find(':'), second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos)
            continue;
        const std::string controllers = "," + line.substr(first + 1, second - first - 1) + ",";
        if (controllers.find(",memory,") != std::string::npos)
            v1Path = line.substr(second + 1);
        else if (controllers == ",," && line.compare(0, first, "0") == 0)
            v2Path = line.substr(second + 1);
    }
    std::unique_ptr<OomWatch> watch(new OomWatch());
    if (!v1Path.empty()) {
        const std::string mount = mountOf(mountsFile, false);
        if (mount.empty())
            return nullptr;
        const std::string dir = mount + v1Path;
        watch->m_countFile = dir + "/memory.oom_control";
        watch->m_controlFd = ::open(watch->m_countFile.c_str(), O_RDONLY | O_CLOEXEC);
        watch->m_eventFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        const std::string registration = std::to_string(watch->m_eventFd) + " " + std::to_string(watch->m_controlFd);
        QFile control(QString::fromStdString(dir + "/cgroup.event_control"));
        if (watch->m_controlFd < 0 || watch->m_eventFd < 0 || !control.open(QIODevice::WriteOnly) ||
            control.write(registration.data(), qint64(registration.size())) != qint64(registration.size()) ||
            !control.flush())
            return nullptr;
        watch->m_notifier = new QSocketNotifier(watch->m_eventFd, QSocketNotifier::Read, watch.get());
        connect(watch->m_notifier, &QSocketNotifier::activated, watch.get(), [w = watch.get()] {
            w->takeSignals();
            w->check();
            if (w->m_killed || readAll(w->m_countFile).empty()) {
                w->m_notifier->setEnabled(false);  // decided, or the cgroup is gone
                return;
            }
            // Under OOM, the kill may be counted a moment after the signal.
            QTimer::singleShot(50, w, [w] { w->check(); });
        });
        return watch;
    }
    if (!v2Path.empty()) {
        const std::string mount = mountOf(mountsFile, true);
        if (mount.empty())
            return nullptr;
        watch->m_countFile = mount + v2Path + "/memory.events";
        return watch;
    }
    return nullptr;
}

OomWatch::~OomWatch()
{
    for (int fd : {m_eventFd, m_controlFd})
        if (fd >= 0)
            ::close(fd);
}

// The kernel signals the eventfd on an OOM in the cgroup and once more when the cgroup goes (its
// files gone by then). A signal while the files are there, or two signals, is an OOM, even when
// the kill is not counted yet and the cgroup is gone before it could be read again.
void OomWatch::takeSignals()
{
    if (m_eventFd < 0)
        return;
    std::uint64_t count = 0;
    if (::read(m_eventFd, &count, sizeof count) != ssize_t(sizeof count) || count == 0)
        return;
    m_signals += count;
    if (m_signals >= 2 || !readAll(m_countFile).empty())
        m_killed = true;
}

void OomWatch::check()
{
    if (!m_killed && oomKills(readAll(m_countFile)) > 0)
        m_killed = true;
}

bool OomWatch::killed()
{
    takeSignals();  // the notifier may not have had its turn before the exit is looked at
    check();
    return m_killed;
}

} // namespace cd::runtime::docker
