#pragma once
// A private Podman for tests of container nodes: its own storage (--root/--runroot) and
// containers.conf (runc, cgroupfs, the ulimits shared/DESIGN.md names) in a temporary folder,
// `podman system service --time=0` serving the Docker-compatible API on a socket there, and
// images made only with `podman import` of a local busybox root filesystem. Its registries.conf
// names no search registries and no aliases, so a short name never reaches a public registry;
// a pull can reach only a registry on loopback that allowLoopbackRegistry() names.
// Run by an ordinary user it is a rootless Podman, with HOME and XDG_RUNTIME_DIR in that folder
// too (its pause process is ended by stop()).
// Header-only, for unit and integration tests alike.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <memory>

#include <csignal>
#include <unistd.h>

namespace cd::test {

class PodmanService {
public:
    PodmanService() = default;
    PodmanService(const PodmanService &) = delete;
    PodmanService &operator=(const PodmanService &) = delete;
    ~PodmanService() { stop(); }

    static QString podmanBinary() { return QStandardPaths::findExecutable(QStringLiteral("podman")); }

    // A plain-HTTP registry at 127.0.0.1:port that pulls may use (before start()).
    void allowLoopbackRegistry(int port) { m_loopbackRegistryPort = port; }

    // Starts the service; false with the reason when it cannot.
    bool start(QString *why)
    {
        if (podmanBinary().isEmpty() || QStandardPaths::findExecutable(QStringLiteral("runc")).isEmpty()) {
            *why = QStringLiteral("podman and runc are not installed (scripts/setup installs them)");
            return false;
        }
        // Short path: unix socket paths are limited to 108 bytes.
        m_dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/cd-podman-XXXXXX"));
        if (!m_dir->isValid()) {
            *why = QStringLiteral("no temporary folder");
            return false;
        }
        QFile conf(configPath());
        if (!conf.open(QIODevice::WriteOnly))
            return (*why = QStringLiteral("cannot write containers.conf")), false;
        conf.write("[containers]\n"
                   "default_ulimits = [\"nofile=20000:20000\", \"nproc=32768:32768\"]\n"
                   "[engine]\n"
                   "runtime = \"runc\"\n"
                   "cgroup_manager = \"cgroupfs\"\n"
                   "events_logger = \"file\"\n"
                   // exec sessions keep a conmon for this long after they end (default 300 s)
                   "exit_command_delay = 5\n");
        conf.close();
        QFile registries(registriesPath());
        if (!registries.open(QIODevice::WriteOnly))
            return (*why = QStringLiteral("cannot write registries.conf")), false;
        registries.write("unqualified-search-registries = []\n");
        if (m_loopbackRegistryPort)
            registries.write(QStringLiteral("[[registry]]\nlocation = \"127.0.0.1:%1\"\ninsecure = true\n")
                                 .arg(m_loopbackRegistryPort)
                                 .toUtf8());
        registries.close();
        m_service.setProcessEnvironment(environment());
        m_service.setProcessChannelMode(QProcess::MergedChannels);
        m_service.setStandardOutputFile(m_dir->path() + QStringLiteral("/service.log"));
        m_service.start(podmanBinary(), storageArguments() + QStringList{QStringLiteral("system"), QStringLiteral("service"),
                                                                         QStringLiteral("--time=0"),
                                                                         QStringLiteral("unix://") + socketPath()});
        if (!m_service.waitForStarted(10000))
            return (*why = QStringLiteral("podman system service did not start")), false;
        for (int i = 0; i < 200 && !QFile::exists(socketPath()); ++i)
            QThread::msleep(50);
        if (!QFile::exists(socketPath())) {
            *why = QStringLiteral("podman system service made no socket: ") + serviceLog();
            return false;
        }
        return true;
    }

    void stop()
    {
        if (m_service.state() != QProcess::NotRunning) {
            // Containers first (their conmon processes outlive the service), then the service.
            run({QStringLiteral("rm"), QStringLiteral("--all"), QStringLiteral("--force"), QStringLiteral("--time=0")}, nullptr);
            m_service.terminate();
            if (!m_service.waitForFinished(10000)) {
                m_service.kill();
                m_service.waitForFinished(5000);
            }
        }
        if (m_dir && ::geteuid() != 0) {
            // Rootless Podman keeps a pause process holding its user namespace: it goes too.
            QFile pause(m_dir->path() + QStringLiteral("/xdg/libpod/tmp/pause.pid"));
            bool number = false;
            const int pid = pause.open(QIODevice::ReadOnly) ? pause.readAll().trimmed().toInt(&number) : 0;
            QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
            if (number && pid > 0 && cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains("podman"))
                ::kill(pid, SIGKILL);
        }
        if (m_dir) {
            // Storage may leave mounts (overlay, shm) under the folder: unmount before removing.
            QFile mounts(QStringLiteral("/proc/self/mounts"));
            QStringList points;
            if (mounts.open(QIODevice::ReadOnly))
                for (const QByteArray &line : mounts.readAll().split('\n'))
                    if (const QString point = QString::fromUtf8(line.split(' ').value(1)); point.startsWith(m_dir->path()))
                        points.prepend(point);  // deepest last in the file: first here
            for (const QString &point : points)
                QProcess::execute(QStringLiteral("umount"), {QStringLiteral("-l"), point});
            // Podman's clean-up processes may still write there for a moment: try again.
            for (int attempt = 0; attempt < 20 && !m_dir->remove(); ++attempt)
                QThread::msleep(100);
            m_dir.reset();
        }
    }

    QString socketPath() const { return m_dir->path() + QStringLiteral("/podman.sock"); }
    QString host() const { return QStringLiteral("unix://") + socketPath(); }
    QString configPath() const { return m_dir->path() + QStringLiteral("/containers.conf"); }
    QString registriesPath() const { return m_dir->path() + QStringLiteral("/registries.conf"); }
    QString serviceLog() const
    {
        QFile log(m_dir->path() + QStringLiteral("/service.log"));
        return log.open(QIODevice::ReadOnly) ? QString::fromUtf8(log.readAll().right(4000)) : QString();
    }

    // `podman import` of a busybox root filesystem (busybox-static and its applet links) as `reference`.
    bool importBusybox(const QString &reference, QString *why)
    {
        QTemporaryDir work;
        const QString tarball = work.path() + QStringLiteral("/rootfs.tar");
        return writeBusyboxTarball(tarball, why) && run({QStringLiteral("import"), tarball, reference}, why);
    }

    // That root filesystem as a tarball (also what a test registry serves as a layer).
    static bool writeBusyboxTarball(const QString &tarball, QString *why)
    {
        const QString busybox = QStandardPaths::findExecutable(QStringLiteral("busybox"));
        QTemporaryDir work;
        const QString rootfs = work.path() + QStringLiteral("/rootfs");
        if (busybox.isEmpty() || !QDir().mkpath(rootfs + QStringLiteral("/bin")) ||
            !QFile::copy(busybox, rootfs + QStringLiteral("/bin/busybox"))) {
            *why = QStringLiteral("no busybox to import (busybox-static)");
            return false;
        }
        for (const char *applet : {"sh", "ls", "cat", "echo", "hostname", "httpd", "wget", "sleep", "mkdir", "rm",
                                   "ip", "kill", "true", "false", "env", "nslookup", "nc", "printf"})
            QFile::link(QStringLiteral("busybox"), rootfs + QStringLiteral("/bin/") + QLatin1String(applet));
        for (const char *folder : {"etc", "tmp", "www", "proc", "sys", "dev"})
            QDir().mkpath(rootfs + QLatin1Char('/') + QLatin1String(folder));
        QProcess tar;
        // Owned by root in the image, whoever made the files (a rootless Podman maps only its user).
        tar.start(QStringLiteral("tar"), {QStringLiteral("--owner=0"), QStringLiteral("--group=0"), QStringLiteral("--numeric-owner"),
                                          QStringLiteral("-C"), rootfs, QStringLiteral("-cf"), tarball, QStringLiteral(".")});
        if (!tar.waitForFinished(30000) || tar.exitCode() != 0)
            return (*why = QStringLiteral("tar failed: ") + QString::fromUtf8(tar.readAllStandardError())), false;
        return true;
    }

    // podman with this service's storage and configuration; false with its output on failure.
    bool run(const QStringList &arguments, QString *why, QString *output = nullptr) const
    {
        QProcess podman;
        podman.setProcessEnvironment(environment());
        podman.setProcessChannelMode(QProcess::MergedChannels);
        podman.start(podmanBinary(), storageArguments() + arguments);
        const bool ok = podman.waitForFinished(60000) && podman.exitStatus() == QProcess::NormalExit && podman.exitCode() == 0;
        const QString text = QString::fromUtf8(podman.readAll());
        if (output)
            *output = text;
        if (!ok && why)
            *why = QStringLiteral("podman %1 failed: %2").arg(arguments.join(' '), text);
        return ok;
    }

private:
    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CONTAINERS_CONF"), configPath());
        // Instead of /etc/containers/registries.conf and its .d folder (short-name aliases).
        env.insert(QStringLiteral("CONTAINERS_REGISTRIES_CONF"), registriesPath());
        if (::geteuid() != 0) {
            QDir().mkpath(m_dir->path() + QStringLiteral("/xdg"));
            env.insert(QStringLiteral("HOME"), m_dir->path());
            env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_dir->path() + QStringLiteral("/xdg"));
            env.insert(QStringLiteral("TMPDIR"), m_dir->path());
        }
        return env;
    }
    QStringList storageArguments() const
    {
        return {QStringLiteral("--root"), m_dir->path() + QStringLiteral("/root"), QStringLiteral("--runroot"),
                m_dir->path() + QStringLiteral("/run")};
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess m_service;
    int m_loopbackRegistryPort = 0;
};

} // namespace cd::test
