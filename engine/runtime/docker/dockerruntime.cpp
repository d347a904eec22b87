#include "engine/runtime/docker/dockerruntime.h"

#include "engine/runtime/docker/crilogwriter.h"
#include "engine/runtime/docker/dockerexec.h"
#include "engine/runtime/docker/imagepuller.h"
#include "engine/runtime/docker/oomwatch.h"
#include "engine/runtime/network/clusternetwork.h"
#include "engine/runtime/sandboxfiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTimer>

namespace cd::runtime::docker {
namespace {

constexpr const char *kIdScheme = "docker://";
constexpr const char *kPodUidLabel = "io.clusterdeck.pod-uid";
constexpr const char *kPodNameLabel = "io.clusterdeck.pod-name";
constexpr const char *kPodNamespaceLabel = "io.clusterdeck.pod-namespace";
constexpr const char *kContainerLabel = "io.clusterdeck.container";
constexpr const char *kAttemptLabel = "io.clusterdeck.attempt";

TimePoint parseTime(const std::string &text)
{
    if (auto t = parseRfc3339(text))
        return *t;
    return Clock::current().now();
}

// Docker names: [a-zA-Z0-9][a-zA-Z0-9_.-]*; Kubernetes names already are.
std::string containerName(const SandboxSpec &sandbox, const ContainerSpec &spec)
{
    return "cd_" + sandbox.podName + "_" + sandbox.podNamespace + "_" + spec.name + "_" + std::to_string(spec.attempt) +
           "_" + sandbox.podUid.substr(0, 8);
}

} // namespace

struct DockerRuntime::Sandbox {
    SandboxSpec spec;
    SandboxFiles files;       // resolvConf empty: the engine's own
    std::string networkMode;  // "ns:/proc/<holder>/ns/net", or "host"
};

struct DockerRuntime::Container {
    std::uint64_t cookie = 0;
    SandboxHandle sandbox = 0;
    std::string id;  // the engine's, once created
    std::string name;
    QString logPath;
    ContainerStatus status;
    int pid = 0;  // State.Pid while it runs
    bool memoryLimited = false;
    bool tty = false;  // Config.Tty: one raw output stream
    std::unique_ptr<OomWatch> oom;  // for a memory-limited container, once it runs
    bool stopRequested = false;
    std::chrono::milliseconds stopGrace{0};
    UnixHttpExchange *logStream = nullptr;  // owned by the client; deletes itself once ended
    std::unique_ptr<CriLogWriter> log;
    QTimer *retry = nullptr;
};

DockerRuntime::DockerRuntime(DockerRuntimeOptions options, QObject *parent)
    : Runtime(parent), m_options(std::move(options))
{
    if (m_options.host.isEmpty())
        m_options.host = defaultDockerHost();
    Result<QString> path = socketPathFromHost(m_options.host);
    if (!path.ok())
        m_hostError = path.error().message;
    m_client = new DockerClient(path.ok() ? *path : QString(), this);
    m_puller = new ImagePuller(
        m_client, [this](const std::string &image, const Result<std::string> &outcome) { pullFinished(image, outcome); },
        this);
    if (!m_options.stateDir.isEmpty())
        QDir().mkpath(m_options.stateDir + QStringLiteral("/sandboxes"));
    if (m_hostError.empty()) {
        if (Result<EngineInfo> engine = m_client->negotiate(std::chrono::seconds(5)); !engine.ok())
            noteReachability(&engine.error());
    } else {
        m_unreachable = m_hostError;
    }
    m_health = new QTimer(this);
    connect(m_health, &QTimer::timeout, this, &DockerRuntime::checkHealth);
    m_health->start(m_options.healthInterval);
}

DockerRuntime::~DockerRuntime()
{
    // Containers keep running in the engine; the next clusterdeckd recovers them.
    for (auto &[handle, c] : m_containers)
        if (c->logStream) {
            c->logStream->abort();
            c->logStream->deleteLater();
        }
}

std::string DockerRuntime::versionString() const
{
    if (std::optional<EngineInfo> engine = m_client->engine())
        return engine->product + "://" + engine->version;
    return "docker://unknown";
}

std::string DockerRuntime::unreachableReason() const { return m_unreachable; }

void DockerRuntime::noteReachability(const Error *error)
{
    const bool was = m_unreachable.empty();
    if (!error)
        m_unreachable.clear();
    else
        m_unreachable = "cannot reach the container engine at " + m_options.host.toStdString() + ": " + error->message;
    if (was != m_unreachable.empty())
        Q_EMIT reachabilityChanged();
}

void DockerRuntime::checkHealth()
{
    if (!m_hostError.empty() || m_healthInFlight)
        return;
    m_healthInFlight = true;
    if (!m_client->engine()) {
        m_client->negotiateAsync(std::chrono::seconds(5), [this](Result<EngineInfo> engine) {
            m_healthInFlight = false;
            noteReachability(engine.ok() ? nullptr : &engine.error());
        });
        return;
    }
    m_client->callAsync("GET", "/version", Json(), std::chrono::seconds(5), [this](Result<Json> answer) {
        m_healthInFlight = false;
        noteReachability(answer.ok() ? nullptr : &answer.error());
    });
}

Result<ImageReady> DockerRuntime::ensureImage(const std::string &image, PullPolicy policy)
{
    if (!m_hostError.empty())
        return Error::badRequest(m_hostError);
    if (m_puller->pulling(image))
        return ImageReady{{}, true};
    if (policy != PullPolicy::Always) {
        Result<Json> found = m_client->call("GET", "/images/" + image + "/json", Json(), std::chrono::seconds(10));
        if (found.ok()) {
            noteReachability(nullptr);
            return ImageReady{str(*found, {"Id"}, image)};
        }
        if (found.error().kind != ErrorKind::NotFound) {
            noteReachability(&found.error());
            return Error::internal(m_unreachable);
        }
        if (policy == PullPolicy::Never)
            return Error::notFound("Container image \"" + image + "\" is not present with pull policy of Never; " +
                                   importHint(image));
    }
    m_puller->pull(image);
    return ImageReady{{}, true};
}

std::string DockerRuntime::importHint(const std::string &image) const
{
    return "to use a root filesystem tarball instead, import it into the container engine at " +
           m_options.host.toStdString() + " with `podman import ROOTFS.tar " + image + "` (or `docker import`)";
}

void DockerRuntime::pullFinished(const std::string &image, const Result<std::string> &outcome)
{
    if (outcome.ok())
        return reportPull(image, outcome);
    reportPull(image, Error::notFound(outcome.error().message + "; " + importHint(image)));
}

Result<SandboxHandle> DockerRuntime::runSandbox(const SandboxSpec &spec)
{
    if (!m_hostError.empty())
        return Error::badRequest(m_hostError);
    auto sandbox = std::make_unique<Sandbox>();
    sandbox->spec = spec;
    // The kubelet's files, bound over the engine's own.
    CD_TRY(sandbox->files, writeSandboxFiles(m_options.stateDir, spec, m_options.clusterDns, m_options.clusterDomain));
    sandbox->networkMode = "host";
    if (m_options.network && m_options.network->isolated()) {
        // The pod's network namespace, joined by every container of the pod.
        CD_TRY(network::PodNetwork pod, m_options.network->createPod(spec.podUid, spec.ip, spec.hostname));
        sandbox->networkMode = "ns:/proc/" + std::to_string(pod.holder.pid) + "/ns/net";
    }
    const SandboxHandle handle = m_nextHandle++;
    m_sandboxes[handle] = std::move(sandbox);
    return handle;
}

void DockerRuntime::removeSandbox(SandboxHandle handle)
{
    auto it = m_sandboxes.find(handle);
    if (it == m_sandboxes.end())
        return;
    removeSandboxFiles(it->second->files, m_options.network, it->second->spec);
    m_sandboxes.erase(it);
}

Json DockerRuntime::createBody(const Sandbox &sandbox, const ContainerSpec &spec) const
{
    Json body = {{"Image", spec.image},
                 {"Hostname", sandbox.spec.hostname},
                 {"Labels",
                  {{kPodUidLabel, sandbox.spec.podUid},
                   {kPodNameLabel, sandbox.spec.podName},
                   {kPodNamespaceLabel, sandbox.spec.podNamespace},
                   {kContainerLabel, spec.name},
                   {kAttemptLabel, std::to_string(spec.attempt)}}},
                 {"AttachStdout", false},
                 {"AttachStderr", false},
                 // stdin: true keeps it open for attach (with stdinOnce, until the first client
                 // leaves); tty: true gives the container a terminal.
                 {"OpenStdin", spec.stdin},
                 {"StdinOnce", spec.stdinOnce},
                 {"Tty", spec.tty}};
    // Kubernetes' composition: command replaces the image's entrypoint (and drops its cmd),
    // args replace its cmd.
    if (!spec.command.empty()) {
        body["Entrypoint"] = spec.command;
        body["Cmd"] = spec.args;
    } else if (!spec.args.empty()) {
        body["Cmd"] = spec.args;
    }
    Json env = Json::array();
    for (const EnvVar &var : spec.env)
        env.push_back(var.name + "=" + var.value);
    body["Env"] = env;
    if (!spec.workingDir.empty())
        body["WorkingDir"] = spec.workingDir;
    Json binds = Json::array({sandbox.files.hostsFile.toStdString() + ":/etc/hosts:ro"});
    if (!sandbox.files.resolvConf.isEmpty())
        binds.push_back(sandbox.files.resolvConf.toStdString() + ":/etc/resolv.conf:ro");
    for (const Mount &mount : spec.mounts)
        binds.push_back(mount.hostPath + ":" + mount.containerPath + (mount.readOnly ? ":ro" : ":rw"));
    body["HostConfig"] = {{"NetworkMode", sandbox.networkMode}, {"Binds", binds}};
    // resources.limits: the engine makes the cgroups. No swap beyond the memory limit, as the kubelet.
    if (spec.memoryLimitBytes > 0) {
        body["HostConfig"]["Memory"] = spec.memoryLimitBytes;
        body["HostConfig"]["MemorySwap"] = spec.memoryLimitBytes;
    }
    if (spec.cpuLimitMillis > 0)
        body["HostConfig"]["NanoCpus"] = spec.cpuLimitMillis * 1000000;
    return body;
}

Result<ContainerHandle> DockerRuntime::start(SandboxHandle sandboxHandle, const ContainerSpec &spec, std::uint64_t cookie)
{
    auto sandboxIt = m_sandboxes.find(sandboxHandle);
    if (sandboxIt == m_sandboxes.end())
        return Error::notFound("no such pod sandbox");
    const Sandbox &sandbox = *sandboxIt->second;
    const ContainerHandle handle = m_nextHandle++;
    auto owned = std::make_unique<Container>();
    Container &c = *owned;
    c.cookie = cookie;
    c.sandbox = sandboxHandle;
    c.name = containerName(sandbox.spec, spec);
    c.status.image = spec.image;
    c.memoryLimited = spec.memoryLimitBytes > 0;
    c.tty = spec.tty;
    const std::string logDir = sandbox.spec.logDirectory.empty() ? sandbox.files.dir.toStdString() : sandbox.spec.logDirectory;
    c.logPath = QString::fromStdString(logDir + "/" + (spec.logPath.empty() ? spec.name + ".log" : spec.logPath));
    QDir().mkpath(QFileInfo(c.logPath).absolutePath());
    m_containers[handle] = std::move(owned);
    create(handle, createBody(sandbox, spec), c.name, false);
    return handle;
}

void DockerRuntime::create(ContainerHandle handle, const Json &body, const std::string &name, bool retried)
{
    m_client->callAsync("POST", "/containers/create?name=" + queryEncode(name), body, m_options.requestTimeout,
                        [this, handle, body, name, retried](Result<Json> created) {
        auto it = m_containers.find(handle);
        if (created.ok() && it == m_containers.end()) {
            removeContainer(str(*created, {"Id"}));  // destroyed while being made
            return;
        }
        if (it == m_containers.end())
            return;
        // Docker answers 409 for a name in use, Podman 500 with "already in use".
        const bool nameTaken = !created.ok() && (created.error().kind == ErrorKind::Conflict ||
                                                 created.error().message.find("already in use") != std::string::npos);
        if (nameTaken && !retried) {
            // A container of that name is left from an earlier engine: it goes, this one comes.
            m_client->callAsync("DELETE", "/containers/" + queryEncode(name) + "?force=1", Json(),
                                m_options.requestTimeout, [this, handle, body, name](Result<Json>) {
                                    if (m_containers.count(handle))
                                        create(handle, body, name, true);
                                });
            return;
        }
        if (!created.ok()) {
            fail(handle, "StartError", created.error().message, 128);
            return;
        }
        Container &c = *it->second;
        c.id = str(*created, {"Id"});
        c.status.containerId = kIdScheme + c.id;
        if (c.stopRequested) {
            fail(handle, "Error", "stopped before it started", 137);
            return;
        }
        startCreated(handle);
    });
}

void DockerRuntime::startCreated(ContainerHandle handle)
{
    const std::string id = m_containers.at(handle)->id;
    m_client->callAsync("POST", "/containers/" + id + "/start", Json(), m_options.requestTimeout,
                        [this, handle, id](Result<Json> started) {
        if (!m_containers.count(handle))
            return;
        if (!started.ok()) {
            fail(handle, "StartError", started.error().message, 128);
            return;
        }
        m_client->callAsync("GET", "/containers/" + id + "/json", Json(), m_options.requestTimeout,
                            [this, handle](Result<Json> inspected) {
            auto it = m_containers.find(handle);
            if (it == m_containers.end())
                return;
            Container &c = *it->second;
            if (inspected.ok())
                applyInspect(c, *inspected);
            c.status.state = ContainerState::Running;
            if (c.status.startedAt == TimePoint{})
                c.status.startedAt = Clock::current().now();
            report(handle, c.cookie, c.status);
            if (c.stopRequested)
                stop(handle, c.stopGrace);
            follow(handle);
        });
    });
}

void DockerRuntime::applyInspect(Container &c, const Json &inspect)
{
    if (const std::string image = str(inspect, {"Image"}); !image.empty())
        c.status.imageRef = image;
    if (const std::string started = str(inspect, {"State", "StartedAt"}); !started.empty() && started[0] != '0')
        c.status.startedAt = parseTime(started);
    c.pid = boolean(inspect, {"State", "Running"}) ? static_cast<int>(integer(inspect, {"State", "Pid"})) : 0;
    if (c.pid > 0 && c.memoryLimited && !c.oom)
        c.oom = OomWatch::forProcess(c.pid);
}

int DockerRuntime::containerPid(ContainerHandle handle) const
{
    auto it = m_containers.find(handle);
    return it == m_containers.end() || it->second->status.state != ContainerState::Running ? 0 : it->second->pid;
}

// Follows the container's output into its log file; the stream's end is the container's end.
void DockerRuntime::follow(ContainerHandle handle)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end() || it->second->logStream)
        return;
    Container &c = *it->second;
    const LogResumePoint resume = logResumePoint(c.logPath);
    c.log = std::make_unique<CriLogWriter>(c.logPath, resume.stamp, resume.linesWithStamp);
    c.log->setTerminal(c.tty);
    std::string path = "/containers/" + c.id + "/logs?follow=1&stdout=1&stderr=1&timestamps=1";
    if (const std::string since = unixTimestamp(resume.stamp); !since.empty())
        path += "&since=" + since.substr(0, since.find('.'));  // whole seconds: the skip drops what is in the file
    c.logStream = m_client->stream(
        "GET", path, Json(),
        [this, handle](const QByteArray &data) {
            if (auto found = m_containers.find(handle); found != m_containers.end() && found->second->log)
                found->second->log->feed(data);
        },
        [this, handle](Status) {
            auto found = m_containers.find(handle);
            if (found == m_containers.end())
                return;
            found->second->logStream = nullptr;
            if (found->second->log)
                found->second->log->flush();
            inspectAfterStream(handle);
        });
}

void DockerRuntime::inspectAfterStream(ContainerHandle handle)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end())
        return;
    const std::string id = it->second->id;
    m_client->callAsync("GET", "/containers/" + id + "/json", Json(), m_options.requestTimeout,
                        [this, handle](Result<Json> inspected) {
        auto found = m_containers.find(handle);
        if (found == m_containers.end())
            return;
        Container &c = *found->second;
        if (!inspected.ok() && inspected.error().kind == ErrorKind::NotFound) {
            fail(handle, "Error", "the container was removed from the container engine", 137);
            return;
        }
        const bool running = inspected.ok() && (boolean(*inspected, {"State", "Running"}) ||
                                                boolean(*inspected, {"State", "Restarting"}));
        if (!inspected.ok() || running) {
            // The stream broke (the engine restarted, or cannot be reached): follow again soon.
            if (!inspected.ok())
                noteReachability(&inspected.error());
            if (!c.retry) {
                c.retry = new QTimer(this);
                c.retry->setSingleShot(true);
                connect(c.retry, &QTimer::timeout, this, [this, handle] {
                    auto again = m_containers.find(handle);
                    if (again == m_containers.end())
                        return;
                    if (again->second->status.state == ContainerState::Running)
                        follow(handle);
                });
            }
            c.retry->start(1000);
            return;
        }
        noteReachability(nullptr);
        applyInspect(c, *inspected);
        const Json &state = (*inspected)["State"];
        c.status.state = ContainerState::Exited;
        c.status.exitCode = static_cast<int>(integer(state, {"ExitCode"}));
        c.status.finishedAt = parseTime(str(state, {"FinishedAt"}));
        c.status.message = str(state, {"Error"});
        const bool oomKilled = boolean(state, {"OOMKilled"}) || (c.oom && c.oom->killed());
        c.status.reason = oomKilled ? "OOMKilled" : c.status.exitCode == 0 ? "Completed" : "Error";
        report(handle, c.cookie, c.status);
    });
}

void DockerRuntime::fail(ContainerHandle handle, const std::string &reason, const std::string &message, int exitCode)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end())
        return;
    Container &c = *it->second;
    c.status.state = ContainerState::Exited;
    c.status.exitCode = exitCode;
    c.status.reason = reason;
    c.status.message = message;
    c.status.finishedAt = Clock::current().now();
    report(handle, c.cookie, c.status);
}

void DockerRuntime::stop(ContainerHandle handle, std::chrono::milliseconds grace)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end())
        return;
    Container &c = *it->second;
    if (c.status.state == ContainerState::Exited)
        return;
    c.stopRequested = true;
    c.stopGrace = grace;
    if (c.id.empty() || c.status.state == ContainerState::Waiting)
        return;  // create() or startCreated() stops it once it exists
    // The engine sends SIGTERM, then SIGKILL after the grace period (whole seconds, rounded up);
    // the exit comes through the end of the log stream.
    const long long seconds = (grace.count() + 999) / 1000;
    const std::string path = seconds > 0 ? "/containers/" + c.id + "/stop?t=" + std::to_string(seconds)
                                         : "/containers/" + c.id + "/kill?signal=KILL";
    m_client->callAsync("POST", path, Json(), grace + m_options.requestTimeout, [](Result<Json> answer) {
        if (!answer.ok() && answer.error().kind != ErrorKind::Conflict)
            qWarning("container engine: %s", answer.error().message.c_str());
    });
}

void DockerRuntime::removeContainer(const std::string &id)
{
    if (id.empty())
        return;
    m_client->callAsync("DELETE", "/containers/" + id + "?force=1&v=1", Json(), m_options.requestTimeout,
                        [id](Result<Json> answer) {
                            if (!answer.ok() && answer.error().kind != ErrorKind::NotFound)
                                qWarning("container engine: %s", answer.error().message.c_str());
                        });
}

void DockerRuntime::destroy(ContainerHandle handle)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end())
        return;
    Container &c = *it->second;
    if (c.logStream) {
        c.logStream->abort();
        c.logStream->deleteLater();
    }
    if (c.retry)
        c.retry->deleteLater();
    removeContainer(c.id);  // no id yet: create() removes it when it arrives
    m_containers.erase(it);
}

std::optional<ContainerHandle> DockerRuntime::recover(SandboxHandle sandbox, const ContainerSpec &spec,
                                                      const ContainerStatus &previous, std::uint64_t cookie)
{
    const std::string &containerId = previous.containerId;
    if (containerId.rfind(kIdScheme, 0) != 0 || !m_hostError.empty())
        return std::nullopt;
    auto sandboxIt = m_sandboxes.find(sandbox);
    if (sandboxIt == m_sandboxes.end())
        return std::nullopt;
    const std::string id = containerId.substr(std::strlen(kIdScheme));
    Result<Json> inspected = m_client->call("GET", "/containers/" + id + "/json", Json(), std::chrono::seconds(10));
    if (!inspected.ok()) {
        if (inspected.error().kind != ErrorKind::NotFound)
            noteReachability(&inspected.error());
        return std::nullopt;
    }
    if (str(*inspected, {"Config", "Labels", kContainerLabel}) != spec.name ||
        str(*inspected, {"Config", "Labels", kPodUidLabel}) != sandboxIt->second->spec.podUid)
        return std::nullopt;
    const ContainerHandle handle = m_nextHandle++;
    auto owned = std::make_unique<Container>();
    Container &c = *owned;
    c.cookie = cookie;
    c.memoryLimited = spec.memoryLimitBytes > 0;
    c.sandbox = sandbox;
    c.id = str(*inspected, {"Id"}, id);
    c.name = str(*inspected, {"Name"});
    c.status = previous;
    c.tty = boolean(*inspected, {"Config", "Tty"});
    const Sandbox &box = *sandboxIt->second;
    const std::string logDir = box.spec.logDirectory.empty() ? box.files.dir.toStdString() : box.spec.logDirectory;
    c.logPath = QString::fromStdString(logDir + "/" + (spec.logPath.empty() ? spec.name + ".log" : spec.logPath));
    applyInspect(c, *inspected);
    const bool running = boolean(*inspected, {"State", "Running"});
    c.status.state = running ? ContainerState::Running : ContainerState::Waiting;
    m_containers[handle] = std::move(owned);
    if (running)
        follow(handle);  // resumes the log where the file ends; its end reports the exit
    else
        QTimer::singleShot(0, this, [this, handle] { inspectAfterStream(handle); });
    return handle;
}

std::optional<ContainerStatus> DockerRuntime::status(ContainerHandle handle) const
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end())
        return std::nullopt;
    return it->second->status;
}

std::string DockerRuntime::engineId(ContainerHandle handle) const
{
    auto it = m_containers.find(handle);
    return it == m_containers.end() ? std::string() : it->second->id;
}

Result<std::unique_ptr<ExecSession>> DockerRuntime::exec(ContainerHandle handle, const ExecSpec &spec)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end() || it->second->status.state != ContainerState::Running || it->second->id.empty())
        return Error::badRequest("container not running");
    CD_TRY(std::unique_ptr<DockerExecSession> session, DockerExecSession::start(m_client, it->second->id, spec));
    return std::unique_ptr<ExecSession>(std::move(session));
}

Result<std::unique_ptr<ExecSession>> DockerRuntime::attach(ContainerHandle handle, const AttachSpec &spec)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end() || it->second->status.state != ContainerState::Running || it->second->id.empty())
        return Error::badRequest("container not running");
    return std::unique_ptr<ExecSession>(DockerExecSession::attach(m_client, it->second->id, spec, it->second->tty));
}

} // namespace cd::runtime::docker
