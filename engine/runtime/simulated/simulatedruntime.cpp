#include "engine/runtime/simulated/simulatedruntime.h"

#include <QCryptographicHash>

#include <algorithm>
#include <cstdio>

namespace cd::runtime {
namespace {

std::uint64_t fnv1a(std::string_view text, std::uint64_t hash = 1469598103934665603ull)
{
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

std::uint64_t splitmix(std::uint64_t &state)
{
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// 64 hex digits, like a containerd container ID, from a 64-bit seed.
std::string hexId(std::uint64_t seed)
{
    char out[65];
    std::uint64_t state = seed;
    for (int i = 0; i < 4; ++i)
        std::snprintf(out + 16 * i, 17, "%016llx", static_cast<unsigned long long>(splitmix(state)));
    return std::string(out, 64);
}

TimePoint fromMs(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

} // namespace

SimulatedRuntime::SimulatedRuntime(SimulatedRuntimeOptions options, QObject *parent)
    : Runtime(parent), m_options(options), m_timer(this)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &SimulatedRuntime::onTimer);
}

SimulatedRuntime::~SimulatedRuntime() = default;

std::int64_t SimulatedRuntime::steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::int64_t SimulatedRuntime::wallMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::current().now().time_since_epoch()).count();
}

std::string SimulatedRuntime::normalizeImage(const std::string &image)
{
    if (image.empty())
        return image;
    std::string name = image;
    std::string suffix;
    // A digest or a tag ends the reference; a colon before the last slash is a registry port.
    if (const size_t at = name.find('@'); at != std::string::npos) {
        suffix = name.substr(at);
        name = name.substr(0, at);
    } else if (const size_t colon = name.rfind(':');
               colon != std::string::npos && name.find('/', colon) == std::string::npos) {
        suffix = name.substr(colon);
        name = name.substr(0, colon);
    } else {
        suffix = ":latest";
    }
    const size_t slash = name.find('/');
    const std::string first = slash == std::string::npos ? std::string() : name.substr(0, slash);
    const bool hasRegistry =
        !first.empty() && (first.find('.') != std::string::npos || first.find(':') != std::string::npos ||
                           first == "localhost");
    if (!hasRegistry)
        name = (slash == std::string::npos ? "docker.io/library/" : "docker.io/") + name;
    return name + suffix;
}

std::uint32_t SimulatedRuntime::internImage(const std::string &image)
{
    auto it = m_imageIndex.find(image);
    if (it != m_imageIndex.end())
        return it->second;
    Image entry;
    entry.name = image;
    entry.normalized = normalizeImage(image);
    // The image ID is the repository with a digest; a simulated image's digest is the hash of its name.
    std::string repository = entry.normalized;
    if (const size_t at = repository.find('@'); at != std::string::npos) {
        entry.ref = repository;
    } else {
        if (const size_t colon = repository.rfind(':');
            colon != std::string::npos && repository.find('/', colon) == std::string::npos)
            repository = repository.substr(0, colon);
        const QByteArray digest =
            QCryptographicHash::hash(QByteArray::fromStdString(entry.normalized), QCryptographicHash::Sha256).toHex();
        entry.ref = repository + "@sha256:" + digest.toStdString();
    }
    const auto index = static_cast<std::uint32_t>(m_images.size());
    m_images.push_back(std::move(entry));
    m_imageIndex.emplace(image, index);
    return index;
}

Result<SandboxHandle> SimulatedRuntime::runSandbox(const SandboxSpec &spec)
{
    // Nothing to set up: the handle names the pod, so containers derive stable IDs from it.
    return fnv1a(spec.podUid);
}

void SimulatedRuntime::removeSandbox(SandboxHandle) {}

Result<ContainerHandle> SimulatedRuntime::start(SandboxHandle sandbox, const ContainerSpec &spec, std::uint64_t cookie)
{
    if (spec.image.empty())
        return Error::badRequest("container " + spec.name + " has no image");
    const ContainerHandle handle = m_nextHandle++;
    Record record;
    record.cookie = cookie;
    record.idSeed = fnv1a(spec.name + "/" + std::to_string(spec.attempt), sandbox);
    record.image = internImage(spec.image);
    record.exitAfterMs = spec.simulation.exitAfter ? spec.simulation.exitAfter->count() : -1;
    record.exitCode = spec.simulation.exitCode;
    Record &stored = m_containers.emplace(handle, record).first->second;
    schedule(handle, stored, steadyMs() + m_options.startLatency.count());
    return handle;
}

std::optional<ContainerHandle> SimulatedRuntime::recover(SandboxHandle sandbox, const ContainerSpec &spec,
                                                         const ContainerStatus &previous, std::uint64_t cookie)
{
    // Simulated containers outlive the engine: a container that was running still is.
    if (previous.state != ContainerState::Running)
        return std::nullopt;
    const ContainerHandle handle = m_nextHandle++;
    Record record;
    record.cookie = cookie;
    record.idSeed = fnv1a(spec.name + "/" + std::to_string(spec.attempt), sandbox);
    record.image = internImage(spec.image);
    record.state = ContainerState::Running;
    record.startedAtMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(previous.startedAt.time_since_epoch()).count();
    record.exitAfterMs = spec.simulation.exitAfter ? spec.simulation.exitAfter->count() : -1;
    record.exitCode = spec.simulation.exitCode;
    Record &stored = m_containers.emplace(handle, record).first->second;
    if (stored.exitAfterMs >= 0) {
        const std::int64_t remaining = std::max<std::int64_t>(0, stored.startedAtMs + stored.exitAfterMs - wallMs());
        schedule(handle, stored, steadyMs() + remaining);
    }
    return handle;
}

void SimulatedRuntime::stop(ContainerHandle handle, std::chrono::milliseconds grace)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end() || it->second.state == ContainerState::Exited || it->second.stopping)
        return;
    it->second.stopping = true;
    const std::int64_t delay = std::min(m_options.stopDelay.count(), std::max<std::int64_t>(0, grace.count()));
    schedule(handle, it->second, steadyMs() + delay);
}

void SimulatedRuntime::destroy(ContainerHandle handle)
{
    // Queued deadlines of a destroyed container find no record and are dropped.
    m_containers.erase(handle);
}

std::optional<ContainerStatus> SimulatedRuntime::status(ContainerHandle handle) const
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end())
        return std::nullopt;
    return statusOf(it->second);
}

ContainerStatus SimulatedRuntime::statusOf(const Record &record) const
{
    ContainerStatus status;
    status.state = record.state;
    status.containerId = "sim://" + hexId(record.idSeed);
    const Image &image = m_images[record.image];
    status.image = image.normalized;
    status.imageRef = image.ref;
    if (record.state != ContainerState::Waiting)
        status.startedAt = fromMs(record.startedAtMs);
    if (record.state == ContainerState::Exited) {
        status.finishedAt = fromMs(record.finishedAtMs);
        status.exitCode = record.exitedWith;
        status.reason = record.exitedWith == 0 ? "Completed" : "Error";
    }
    return status;
}

void SimulatedRuntime::schedule(ContainerHandle handle, Record &record, std::int64_t dueMs)
{
    ++record.generation;
    m_deadlines.push(Deadline{dueMs, handle, record.generation});
    armTimer();
}

void SimulatedRuntime::armTimer()
{
    if (m_deadlines.empty())
        return;
    const std::int64_t due = m_deadlines.top().dueMs;
    if (m_timer.isActive() && m_armedFor <= due)
        return;
    m_armedFor = due;
    m_timer.start(static_cast<int>(std::clamp<std::int64_t>(due - steadyMs(), 0, 24 * 3600 * 1000)));
}

void SimulatedRuntime::onTimer()
{
    m_armedFor = -1;
    const std::int64_t now = steadyMs();
    // A bounded batch per turn keeps the event loop (and the API's answers) flowing.
    int budget = 4096;
    while (!m_deadlines.empty() && m_deadlines.top().dueMs <= now && budget-- > 0) {
        const Deadline deadline = m_deadlines.top();
        m_deadlines.pop();
        auto it = m_containers.find(deadline.handle);
        if (it == m_containers.end() || it->second.generation != deadline.generation)
            continue;
        Record &record = it->second;
        if (record.stopping || (record.state == ContainerState::Running && record.exitAfterMs >= 0)) {
            // Stopped (SIGTERM handled: a clean exit), or the simulated process ended by itself.
            const bool byItself = !record.stopping;
            if (record.state == ContainerState::Waiting)
                record.startedAtMs = 0;
            record.state = ContainerState::Exited;
            record.finishedAtMs = wallMs();
            record.exitedWith = byItself ? record.exitCode : 0;
        } else if (record.state == ContainerState::Waiting) {
            record.state = ContainerState::Running;
            record.startedAtMs = wallMs();
            if (record.exitAfterMs >= 0) {
                ++record.generation;
                m_deadlines.push(Deadline{now + record.exitAfterMs, deadline.handle, record.generation});
            }
        } else {
            continue;
        }
        const ContainerStatus status = statusOf(record);
        report(deadline.handle, record.cookie, status);
    }
    armTimer();
}

} // namespace cd::runtime
