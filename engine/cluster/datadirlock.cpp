#include "engine/cluster/datadirlock.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <unistd.h>

namespace cd::cluster {

DataDirLock::~DataDirLock() { release(); }

Status DataDirLock::acquire(const QString &dataDir)
{
    if (!QDir().mkpath(dataDir))
        return Error::internal("cannot create the data folder " + dataDir.toStdString());
    // The folder holds Secrets, keys and the token: for its owner only.
    QFile::setPermissions(dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const std::string path = (dataDir + "/lock").toStdString();
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error::internal("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = {0};
        const ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
        ::close(fd);
        std::string holder = n > 0 ? std::string(pid, size_t(n)) : std::string("another process");
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' '))
            holder.pop_back();
        return Error{ErrorKind::Conflict,
                     "the data folder " + dataDir.toStdString() + " is in use by another clusterdeckd (pid " + holder +
                         "); stop it first or choose another --data-dir",
                     {}};
    }
    const std::string self = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0)
        (void)!::pwrite(fd, self.data(), self.size(), 0);
    m_fd = fd;
    return {};
}

void DataDirLock::release()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

} // namespace cd::cluster
