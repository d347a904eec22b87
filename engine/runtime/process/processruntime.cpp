#include "engine/runtime/process/processruntime.h"
#include "engine/runtime/process/containerattach.h"

#include "engine/core/json.h"
#include "engine/runtime/executables.h"
#include "engine/runtime/images/imagestore.h"
#include "engine/runtime/network/clusternetwork.h"
#include "engine/runtime/sandboxfiles.h"
#include "engine/runtime/process/containerexec.h"
#include "engine/runtime/process/sandboxcommand.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QTimer>

#include <set>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace cd::runtime::process {
namespace {

constexpr const char *kIdScheme = "process://";
constexpr const char *kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string randomId()
{
    static const char digits[] = "0123456789abcdef";
    std::string id(64, '0');
    for (char &c : id)
        c = digits[QRandomGenerator::system()->bounded(16)];
    return id;
}

std::optional<Json> readJsonFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    Json value = Json::parse(file.readAll().toStdString(), nullptr, false);
    if (value.is_discarded() || !value.is_object())
        return std::nullopt;
    return value;
}

void writeJsonFile(const QString &path, const Json &value)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(QByteArray::fromStdString(value.dump() + "\n"));
}

TimePoint parseTime(const std::string &text)
{
    if (auto t = parseRfc3339(text))
        return *t;
    return Clock::current().now();
}

int pidfdOpen(int pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// The last line a container wrote on stderr: a sandbox that could not start says why there.
std::string lastStderrLine(const QString &logPath)
{
    QFile file(logPath);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    if (file.size() > 4096)
        file.seek(file.size() - 4096);
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        const int at = it->indexOf(" stderr F ");
        if (at >= 0)
            return it->mid(at + 10).toStdString();
    }
    return {};
}

bool isExecutableIn(const std::string &root, const std::string &path)
{
    struct stat st{};
    const std::string full = (root.empty() ? std::string() : root) + path;
    return ::lstat(full.c_str(), &st) == 0 && (S_ISLNK(st.st_mode) || (S_ISREG(st.st_mode) && (st.st_mode & 0111)));
}

// argv[0] as the container's PATH finds it inside its root filesystem ("" when nowhere).
std::string resolveCommand(const std::string &root, const std::string &command, const std::string &path)
{
    if (command.find('/') != std::string::npos)
        return isExecutableIn(root, command) ? command : std::string();
    size_t start = 0;
    while (start <= path.size()) {
        const size_t colon = std::min(path.find(':', start), path.size());
        const std::string dir = path.substr(start, colon - start);
        if (!dir.empty() && isExecutableIn(root, dir + "/" + command))
            return dir + "/" + command;
        start = colon + 1;
    }
    return {};
}

std::vector<SandboxCommandInput::Entry> folderEntries(const std::string &root, const std::string &path = "/")
{
    std::vector<SandboxCommandInput::Entry> entries;
    const QDir dir(QString::fromStdString(root + path));
    for (const QFileInfo &info : dir.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                                                   QDir::Name)) {
        SandboxCommandInput::Entry entry;
        entry.name = info.fileName().toStdString();
        if (info.isSymLink()) {
            // The link as written: relative links stay relative to the new root.
            char target[4096];
            const ssize_t n = ::readlink(info.absoluteFilePath().toLocal8Bit().constData(), target, sizeof target);
            if (n <= 0)
                continue;
            entry.symlinkTarget.assign(target, size_t(n));
        }
        entry.directory = info.isDir();
        entries.push_back(std::move(entry));
    }
    return entries;
}

// The folders of the root filesystem to expand so that every mount point can be made: for a
// target the image lacks, the deepest folder of its path that the image has (when not / itself,
// which is a tmpfs already).
std::vector<SandboxCommandInput::Expanded> expansionsFor(const std::string &root, const std::vector<Mount> &mounts)
{
    std::set<std::string> folders;
    for (const Mount &mount : mounts) {
        const size_t topEnd = mount.containerPath.find('/', 1);
        if (providedBySandbox(mount.containerPath.substr(1, topEnd == std::string::npos ? topEnd : topEnd - 1)))
            continue;  // a tmpfs of the sandbox's: the mount point is made there
        std::string existing = "/";
        size_t start = 1;
        while (start < mount.containerPath.size()) {
            const size_t slash = std::min(mount.containerPath.find('/', start), mount.containerPath.size());
            const std::string prefix = mount.containerPath.substr(0, slash);
            struct stat st{};
            if (::lstat((root + prefix).c_str(), &st) != 0) {
                if (existing != "/")
                    folders.insert(existing);
                break;
            }
            if (!S_ISDIR(st.st_mode))
                break;  // a file or a link on the way: bwrap resolves it or refuses, as it would anyway
            existing = prefix;
            start = slash + 1;
        }
    }
    std::vector<SandboxCommandInput::Expanded> expanded;
    for (const std::string &folder : folders)  // sorted: a parent comes before its children
        expanded.push_back({folder, folderEntries(root, folder)});
    return expanded;
}

} // namespace

Result<RootFilesystem> resolveHostImage(const std::string &image)
{
    if (image == "host" || image == "host:latest")
        return RootFilesystem{{}, "host", {}, {}, {{"PATH", kDefaultPath}}, {}};
    return Error::notFound("image \"" + image +
                           "\" is not available on this node: only the built-in \"host\" image is");
}

ImageResolver imageStoreResolver(const QString &root)
{
    auto store = std::make_shared<images::ImageStore>(root);
    return [store](const std::string &reference) -> Result<RootFilesystem> {
        CD_TRY(images::ImageLease lease, store->lease(reference));
        const images::Image &image = lease.image();
        RootFilesystem fs;
        fs.path = image.rootfs.toStdString();
        fs.imageRef = image.id;
        fs.entrypoint = image.config.entrypoint;
        fs.cmd = image.config.cmd;
        for (const std::string &pair : image.config.env) {
            const size_t eq = pair.find('=');
            fs.env.push_back({pair.substr(0, eq), eq == std::string::npos ? std::string() : pair.substr(eq + 1)});
        }
        if (fs.env.empty() || std::none_of(fs.env.begin(), fs.env.end(), [](const EnvVar &v) { return v.name == "PATH"; }))
            fs.env.push_back({"PATH", kDefaultPath});
        fs.workingDir = image.config.workingDir;
        fs.hold = std::make_shared<images::ImageLease>(std::move(lease));
        return fs;
    };
}

struct ProcessRuntime::Sandbox {
    SandboxSpec spec;
    SandboxFiles files;  // in DATA_DIR/runtime/process/sandboxes/<uid>
    network::HolderProcess namespaces;  // holds the pod's namespaces, which the shim joins (pid 0: the host's)
};

struct ProcessRuntime::Container {
    std::uint64_t cookie = 0;
    SandboxHandle sandbox = 0;
    std::string id;
    QString dir;
    QString logPath;
    ContainerStatus status;
    int pid = 0;       // the container's main process (host pid), once it runs
    int shimPid = 0;
    bool ourChild = false;  // started by this engine (reaped here), not recovered
    int shimPidFd = -1;
    int notifyFd = -1;
    std::unique_ptr<QSocketNotifier> exitNotifier;
    std::unique_ptr<QSocketNotifier> notifyNotifier;
    std::unique_ptr<QTimer> killTimer;
    std::shared_ptr<const void> imageHold;
    std::string workingDir;  // inside the container, for commands run in it
};

ProcessRuntime::ProcessRuntime(ProcessRuntimeOptions options, QObject *parent)
    : Runtime(parent), m_options(std::move(options))
{
    if (m_options.shimPath.isEmpty())
        m_options.shimPath = helperExecutable(QStringLiteral("clusterdeck-shim"));
    QDir().mkpath(m_options.stateDir + QStringLiteral("/containers"));
    QDir().mkpath(m_options.stateDir + QStringLiteral("/sandboxes"));
    // One cgroup folder per engine data folder, so two engines on a machine keep theirs apart.
    const QByteArray digest =
        QCryptographicHash::hash(QDir(m_options.stateDir).absolutePath().toUtf8(), QCryptographicHash::Sha256);
    m_cgroups = CgroupLimits::detect("clusterdeck-" + digest.toHex().left(12).toStdString());
}

ProcessRuntime::~ProcessRuntime()
{
    // Containers keep running (their shims are in sessions of their own): the next engine
    // recovers them. Only the watches go.
    for (auto &[handle, container] : m_containers)
        release(*container);
    m_cgroups.removeGroupIfEmpty();
}

std::string ProcessRuntime::versionString() const
{
    static const std::string version = [this] {
        QProcess bwrap;
        bwrap.start(m_options.bwrapPath, {QStringLiteral("--version")});
        bwrap.waitForFinished(2000);
        const QString text = QString::fromUtf8(bwrap.readAllStandardOutput()).trimmed();  // "bubblewrap 0.8.0"
        const QString number = text.section(QLatin1Char(' '), -1);
        return "bwrap://" + (number.isEmpty() ? std::string("unknown") : number.toStdString());
    }();
    return version;
}

std::string ProcessRuntime::isolationNote() const
{
    if (!m_options.network)
        return "pods share the host's network: no cluster network namespace";
    if (!m_options.network->isolated())
        return "pods share the host's network: " + m_options.network->isolationReason();
    return {};
}

std::string ProcessRuntime::limitsNote() const
{
    if (m_cgroups.enforces())
        return "CPU and memory limits are enforced through cgroup " + m_cgroups.version();
    return "CPU and memory limits are not enforced: " + m_cgroups.reason();
}

QString ProcessRuntime::containerDir(const std::string &id) const
{
    return m_options.stateDir + QStringLiteral("/containers/") + QString::fromStdString(id);
}

// The local image store has no registry to pull from: every policy takes the image as stored.
Result<ImageReady> ProcessRuntime::ensureImage(const std::string &image, PullPolicy)
{
    CD_TRY(RootFilesystem root, m_options.resolveImage(image));
    return ImageReady{root.imageRef};
}

Result<SandboxHandle> ProcessRuntime::runSandbox(const SandboxSpec &spec)
{
    auto sandbox = std::make_unique<Sandbox>();
    sandbox->spec = spec;
    CD_TRY(sandbox->files, writeSandboxFiles(m_options.stateDir, spec, m_options.clusterDns, m_options.clusterDomain));
    if (m_options.network) {
        // The pod's network, IPC and UTS namespaces (found again when they outlived an engine).
        CD_TRY(network::PodNetwork pod, m_options.network->createPod(spec.podUid, spec.ip, spec.hostname));
        if (m_options.network->isolated())
            sandbox->namespaces = pod.holder;
    }
    const SandboxHandle handle = m_nextHandle++;
    m_sandboxes[handle] = std::move(sandbox);
    return handle;
}

void ProcessRuntime::removeSandbox(SandboxHandle handle)
{
    auto it = m_sandboxes.find(handle);
    if (it == m_sandboxes.end())
        return;
    removeSandboxFiles(it->second->files, m_options.network, it->second->spec);
    m_sandboxes.erase(it);
}

void ProcessRuntime::failLater(ContainerHandle handle, const std::string &reason, const std::string &message,
                               int exitCode)
{
    // Reported from the event loop, as every state change is: start() has returned by then.
    QTimer::singleShot(0, this, [this, handle, reason, message, exitCode] {
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
    });
}

Result<ContainerHandle> ProcessRuntime::start(SandboxHandle sandboxHandle, const ContainerSpec &spec,
                                              std::uint64_t cookie)
{
    auto sandboxIt = m_sandboxes.find(sandboxHandle);
    if (sandboxIt == m_sandboxes.end())
        return Error::notFound("no such pod sandbox");
    const Sandbox &sandbox = *sandboxIt->second;
    if (m_options.shimPath.isEmpty())
        return Error::internal("clusterdeck-shim is not installed next to the engine");
    CD_TRY(RootFilesystem root, m_options.resolveImage(spec.image));

    const ContainerHandle handle = m_nextHandle++;
    auto owned = std::make_unique<Container>();
    Container &c = *owned;
    c.cookie = cookie;
    c.sandbox = sandboxHandle;
    c.id = randomId();
    c.dir = containerDir(c.id);
    c.status.containerId = kIdScheme + c.id;
    c.status.image = spec.image;
    c.status.imageRef = root.imageRef;
    c.imageHold = root.hold;
    const std::string logDir = sandbox.spec.logDirectory.empty() ? c.dir.toStdString() : sandbox.spec.logDirectory;
    c.logPath = QString::fromStdString(logDir + "/" + (spec.logPath.empty() ? spec.name + ".log" : spec.logPath));
    m_containers[handle] = std::move(owned);

    // The command as Kubernetes composes it with the image's: command replaces the entrypoint,
    // args replace the image's cmd.
    std::vector<std::string> argv = spec.command.empty() ? root.entrypoint : spec.command;
    const std::vector<std::string> &args = !spec.args.empty() || !spec.command.empty() ? spec.args : root.cmd;
    argv.insert(argv.end(), args.begin(), args.end());

    std::vector<EnvVar> env = root.env;
    const auto setEnv = [&env](const std::string &name, const std::string &value) {
        for (EnvVar &var : env)
            if (var.name == name) {
                var.value = value;
                return;
            }
        env.push_back({name, value});
    };
    setEnv("HOSTNAME", sandbox.spec.hostname);
    for (const EnvVar &var : spec.env)
        setEnv(var.name, var.value);
    std::string path = kDefaultPath;
    for (const EnvVar &var : env)
        if (var.name == "PATH")
            path = var.value;
    if (std::none_of(env.begin(), env.end(), [](const EnvVar &v) { return v.name == "PATH"; }))
        env.push_back({"PATH", path});

    if (argv.empty()) {
        failLater(handle, "StartError", "no command specified: the container sets no command and its image none", 128);
        return handle;
    }
    const std::string resolved = resolveCommand(root.path, argv[0], path);
    if (resolved.empty()) {
        failLater(handle, "StartError",
                  "exec: \"" + argv[0] + "\": " +
                      (argv[0].find('/') != std::string::npos ? "no such file or directory"
                                                              : "executable file not found in $PATH"),
                  128);
        return handle;
    }
    argv[0] = resolved;

    SandboxCommandInput input;
    input.bwrap = m_options.bwrapPath.toStdString();
    input.rootfs = root.path;
    input.entries = folderEntries(root.path);
    input.hiddenPaths = m_options.hiddenPaths;
    input.mounts.push_back({sandbox.files.hostsFile.toStdString(), "/etc/hosts", true});
    if (!sandbox.files.resolvConf.isEmpty())
        input.mounts.push_back({sandbox.files.resolvConf.toStdString(), "/etc/resolv.conf", true});
    for (Mount mount : spec.mounts) {
        mount.containerPath = resolveInRoot(root.path, mount.containerPath);
        input.mounts.push_back(std::move(mount));
    }
    input.expanded = expansionsFor(root.path, input.mounts);
    input.env = env;
    input.workingDir = spec.workingDir.empty() ? root.workingDir : spec.workingDir;
    c.workingDir = input.workingDir;
    input.argv = argv;
    if (spec.tty)
        input.terminalInit = m_options.shimPath.toStdString();
    if (sandbox.namespaces.pid <= 0)
        input.hostname = sandbox.spec.hostname;  // no pod namespaces to join: the name goes here
    const std::vector<std::string> command = sandboxCommand(input);

    if (!QDir().mkpath(c.dir) || !QDir().mkpath(QFileInfo(c.logPath).absolutePath())) {
        m_containers.erase(handle);
        return Error::internal("cannot create the container's folders under " + m_options.stateDir.toStdString());
    }
    writeJsonFile(c.dir + QStringLiteral("/spec.json"),
                  Json{{"podUid", sandbox.spec.podUid}, {"name", spec.name}, {"attempt", spec.attempt},
                       {"log", c.logPath.toStdString()}, {"workingDir", c.workingDir}, {"command", command}});

    // Limits: the shim puts the container into its cgroups before it starts it.
    std::vector<std::string> cgroupProcs;
    const ContainerLimits limits{spec.memoryLimitBytes, spec.cpuLimitMillis};
    if (limits.any() && m_cgroups.enforces()) {
        auto procs = m_cgroups.create(c.id, limits);
        if (!procs.ok()) {
            m_containers.erase(handle);
            return procs.error();
        }
        cgroupProcs = std::move(*procs);
    }

    // The shim: in a session of its own, stdin and stdout on /dev/null, its own complaints in
    // shim.log, and fd 3 the pipe on which it says "something changed".
    int notify[2];
    if (::pipe2(notify, O_CLOEXEC) != 0) {
        m_containers.erase(handle);
        return Error::internal(std::string("pipe: ") + std::strerror(errno));
    }
    std::vector<std::string> shimArgs = {m_options.shimPath.toStdString(),
                                         "--dir",
                                         c.dir.toStdString(),
                                         "--log",
                                         c.logPath.toStdString(),
                                         "--log-max-bytes",
                                         std::to_string(m_options.logMaxBytes),
                                         "--log-max-files",
                                         std::to_string(m_options.logMaxFiles),
                                         "--notify-fd",
                                         "3"};
    if (spec.stdin) {
        shimArgs.insert(shimArgs.end(), {"--stdin-fifo", (c.dir + QStringLiteral("/stdin")).toStdString(), "--stdin-once",
                                         spec.stdinOnce ? "1" : "0"});
    }
    if (spec.tty)
        shimArgs.insert(shimArgs.end(), {"--tty", (c.dir + QStringLiteral("/resize")).toStdString()});
    for (const std::string &procs : cgroupProcs)
        shimArgs.insert(shimArgs.end(), {"--cgroup-procs", procs});
    if (sandbox.namespaces.pid > 0)
        shimArgs.insert(shimArgs.end(), {"--join-namespaces", std::to_string(sandbox.namespaces.pid) + "/" +
                                                                  std::to_string(sandbox.namespaces.startTime)});
    shimArgs.push_back("--");
    shimArgs.insert(shimArgs.end(), command.begin(), command.end());
    std::vector<char *> cargv;
    for (std::string &arg : shimArgs)
        cargv.push_back(arg.data());
    cargv.push_back(nullptr);
    const std::string shimLog = (c.dir + QStringLiteral("/shim.log")).toStdString();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, shimLog.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, notify[1], 3);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults;
    sigfillset(&defaults);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t shim = 0;
    const int spawned = posix_spawn(&shim, cargv[0], &actions, &attributes, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(notify[1]);
    if (spawned != 0) {
        ::close(notify[0]);
        m_containers.erase(handle);
        return Error::internal("cannot start " + m_options.shimPath.toStdString() + ": " + std::strerror(spawned));
    }
    c.shimPid = shim;
    c.ourChild = true;
    watch(handle, c, notify[0]);
    return handle;
}

void ProcessRuntime::watch(ContainerHandle handle, Container &c, int notifyFd)
{
    c.shimPidFd = pidfdOpen(c.shimPid);
    if (c.shimPidFd >= 0) {
        c.exitNotifier = std::make_unique<QSocketNotifier>(c.shimPidFd, QSocketNotifier::Read);
        connect(c.exitNotifier.get(), &QSocketNotifier::activated, this, [this, handle] { refresh(handle); });
    }
    c.notifyFd = notifyFd;
    if (notifyFd >= 0) {
        c.notifyNotifier = std::make_unique<QSocketNotifier>(notifyFd, QSocketNotifier::Read);
        connect(c.notifyNotifier.get(), &QSocketNotifier::activated, this, [this, handle] {
            auto it = m_containers.find(handle);
            if (it == m_containers.end())
                return;
            char buffer[64];
            const ssize_t n = ::read(it->second->notifyFd, buffer, sizeof buffer);
            if (n <= 0)
                it->second->notifyNotifier->setEnabled(false);  // the shim is gone; the pidfd says so
            refresh(handle);
        });
    }
}

// Reads what the shim wrote and reports a change of state.
void ProcessRuntime::refresh(ContainerHandle handle)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end())
        return;
    Container &c = *it->second;
    if (c.status.state == ContainerState::Exited)
        return;
    if (c.status.state == ContainerState::Waiting) {
        if (auto state = readJsonFile(c.dir + QStringLiteral("/state.json"))) {
            c.pid = static_cast<int>(integer(*state, {"pid"}));
            c.status.startedAt = parseTime(str(*state, {"startedAt"}));
            c.status.state = ContainerState::Running;
            report(handle, c.cookie, c.status);
        }
    }
    std::optional<Json> exit = readJsonFile(c.dir + QStringLiteral("/exit.json"));
    bool shimGone = false;
    if (!exit && c.shimPidFd >= 0) {
        pollfd fd{c.shimPidFd, POLLIN, 0};
        shimGone = ::poll(&fd, 1, 0) == 1;
    }
    if (!exit && !shimGone)
        return;
    if (c.killTimer)
        c.killTimer->stop();
    c.status.state = ContainerState::Exited;
    c.status.finishedAt = exit ? parseTime(str(*exit, {"finishedAt"})) : Clock::current().now();
    if (!exit) {
        c.status.exitCode = 255;
        c.status.reason = "Error";
        c.status.message = "the container's supervisor (clusterdeck-shim) ended unexpectedly";
    } else {
        c.status.exitCode = static_cast<int>(integer(*exit, {"exitCode"}));
        if (c.status.exitCode == 128 + SIGKILL && m_cgroups.oomKilled(c.id))
            c.status.reason = "OOMKilled";  // the kernel killed it at its memory limit
        if (!boolean(*exit, {"started"})) {
            c.status.reason = "StartError";
            c.status.message = lastStderrLine(c.logPath);
            c.status.exitCode = 128;
        }
    }
    release(c);
    report(handle, c.cookie, c.status);
}

void ProcessRuntime::release(Container &c)
{
    c.exitNotifier.reset();
    c.notifyNotifier.reset();
    if (c.shimPidFd >= 0)
        ::close(c.shimPidFd);
    if (c.notifyFd >= 0)
        ::close(c.notifyFd);
    c.shimPidFd = c.notifyFd = -1;
    if (c.status.state == ContainerState::Exited)
        m_cgroups.remove(c.id);  // empty by now: its processes are gone
    if (c.ourChild && c.shimPid > 0 && c.status.state == ContainerState::Exited) {
        reap(c.shimPid);
        c.ourChild = false;
    }
}

// Collects a shim this engine started once it has ended (it writes exit.json just before), so
// no zombie stays behind.
void ProcessRuntime::reap(int shimPid)
{
    if (::waitpid(shimPid, nullptr, WNOHANG) != 0)
        return;
    auto *reaper = new QTimer(this);
    auto attempts = std::make_shared<int>(0);
    connect(reaper, &QTimer::timeout, reaper, [reaper, shimPid, attempts] {
        if (::waitpid(shimPid, nullptr, WNOHANG) != 0 || ++*attempts > 600)
            reaper->deleteLater();
    });
    reaper->start(50);
}

void ProcessRuntime::stop(ContainerHandle handle, std::chrono::milliseconds grace)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end())
        return;
    Container &c = *it->second;
    if (c.status.state == ContainerState::Exited)
        return;
    if (c.status.state == ContainerState::Waiting || c.pid <= 0) {
        // Not running yet: the sandbox goes (its child dies with it).
        if (auto shim = readJsonFile(c.dir + QStringLiteral("/shim.json")))
            if (const int sandboxPid = static_cast<int>(integer(*shim, {"sandboxPid"})); sandboxPid > 0)
                ::kill(sandboxPid, SIGKILL);
        return;
    }
    ::kill(c.pid, grace.count() > 0 ? SIGTERM : SIGKILL);
    if (grace.count() <= 0)
        return;
    if (!c.killTimer) {
        c.killTimer = std::make_unique<QTimer>();
        c.killTimer->setSingleShot(true);
        const int pid = c.pid;
        connect(c.killTimer.get(), &QTimer::timeout, this, [this, handle, pid] {
            auto found = m_containers.find(handle);
            if (found != m_containers.end() && found->second->status.state != ContainerState::Exited)
                ::kill(pid, SIGKILL);
        });
    }
    if (!c.killTimer->isActive())
        c.killTimer->start(grace);
}

void ProcessRuntime::destroy(ContainerHandle handle)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end())
        return;
    Container &c = *it->second;
    if (c.status.state != ContainerState::Exited) {
        if (c.pid > 0)
            ::kill(c.pid, SIGKILL);
        else
            stop(handle, std::chrono::milliseconds(0));
    }
    release(c);
    if (c.ourChild && c.shimPid > 0)
        reap(c.shimPid);
    QDir(c.dir).removeRecursively();
    m_containers.erase(it);
}

std::optional<ContainerHandle> ProcessRuntime::recover(SandboxHandle sandbox, const ContainerSpec &spec,
                                                       const ContainerStatus &previous, std::uint64_t cookie)
{
    const std::string &id = previous.containerId;
    if (id.rfind(kIdScheme, 0) != 0)
        return std::nullopt;
    const QString dir = containerDir(id.substr(std::strlen(kIdScheme)));
    const std::optional<Json> saved = readJsonFile(dir + QStringLiteral("/spec.json"));
    if (!saved || str(*saved, {"name"}) != spec.name)
        return std::nullopt;
    const std::optional<Json> shim = readJsonFile(dir + QStringLiteral("/shim.json"));
    const std::optional<Json> exit = readJsonFile(dir + QStringLiteral("/exit.json"));
    const int shimPid = shim ? static_cast<int>(integer(*shim, {"shimPid"})) : 0;
    if (!exit && (shimPid <= 0 || ::kill(shimPid, 0) != 0))
        return std::nullopt;  // neither running nor finished: gone

    const ContainerHandle handle = m_nextHandle++;
    auto owned = std::make_unique<Container>();
    Container &c = *owned;
    c.cookie = cookie;
    c.sandbox = sandbox;
    c.id = id.substr(std::strlen(kIdScheme));
    c.dir = dir;
    c.logPath = QString::fromStdString(str(*saved, {"log"}));
    c.workingDir = str(*saved, {"workingDir"});
    c.status = previous;
    c.status.state = ContainerState::Waiting;
    if (const std::optional<Json> state = readJsonFile(dir + QStringLiteral("/state.json"))) {
        c.pid = static_cast<int>(integer(*state, {"pid"}));
        c.status.startedAt = parseTime(str(*state, {"startedAt"}));
        c.status.state = ContainerState::Running;
    }
    c.shimPid = shimPid;
    m_containers[handle] = std::move(owned);
    watch(handle, c, -1);
    // Whatever happened while the engine was away is reported from the event loop.
    QTimer::singleShot(0, this, [this, handle] { refresh(handle); });
    return handle;
}

std::optional<ContainerStatus> ProcessRuntime::status(ContainerHandle handle) const
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end())
        return std::nullopt;
    return it->second->status;
}

Result<std::unique_ptr<ExecSession>> ProcessRuntime::exec(ContainerHandle handle, const ExecSpec &spec)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end() || it->second->status.state != ContainerState::Running || it->second->pid <= 0)
        return Error::badRequest("container not running");
    CD_TRY(std::unique_ptr<ProcessExecSession> session,
           ProcessExecSession::start({it->second->pid, it->second->workingDir}, spec));
    return std::unique_ptr<ExecSession>(std::move(session));
}

Result<std::unique_ptr<ExecSession>> ProcessRuntime::attach(ContainerHandle handle, const AttachSpec &spec)
{
    auto it = m_containers.find(handle);
    if (it == m_containers.end() || it->second->status.state != ContainerState::Running)
        return Error::badRequest("container not running");
    Container &c = *it->second;
    // The shim's FIFOs, where it made them (a recovered container's too): typed input, and the
    // terminal's size for a container with a terminal.
    const auto fifoNamed = [&c](const QString &name) {
        const QString path = c.dir + QLatin1Char('/') + name;
        return QFileInfo::exists(path) ? path : QString();
    };
    const QString fifo = spec.stdin ? fifoNamed(QStringLiteral("stdin")) : QString();
    const QString resizeFifo = fifoNamed(QStringLiteral("resize"));
    QPointer<ProcessRuntime> self(this);
    auto exited = [self, handle]() {
        if (!self)
            return true;
        const auto current = self->status(handle);
        return !current || current->state != ContainerState::Running;
    };
    return std::unique_ptr<ExecSession>(std::make_unique<ContainerAttachSession>(fifo, resizeFifo, c.logPath, exited));
}

int ProcessRuntime::containerPid(ContainerHandle handle) const
{
    auto it = m_containers.find(handle);
    return it == m_containers.end() || it->second->status.state != ContainerState::Running ? 0 : it->second->pid;
}

} // namespace cd::runtime::process
