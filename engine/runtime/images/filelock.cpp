#include "engine/runtime/images/filelock.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace cd::runtime::images {

FileLock::~FileLock()
{
    release();
}

FileLock::FileLock(FileLock &&other) noexcept : m_fd(std::exchange(other.m_fd, -1))
{
}

FileLock &FileLock::operator=(FileLock &&other) noexcept
{
    if (this != &other) {
        release();
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

void FileLock::release()
{
    if (m_fd >= 0)
        ::close(m_fd); // closing the last descriptor drops the flock
    m_fd = -1;
}

Result<FileLock> FileLock::acquire(const std::string &path, Mode mode)
{
    return lock(path, mode, true);
}

Result<FileLock> FileLock::tryAcquire(const std::string &path, Mode mode)
{
    return lock(path, mode, false);
}

Result<FileLock> FileLock::lock(const std::string &path, Mode mode, bool wait)
{
    struct stat info = {};
    const bool isFolder = ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
    const int fd = isFolder ? ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                            : ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return Error::internal("cannot open " + path + " to lock it: " + std::strerror(errno));
    FileLock result;
    result.m_fd = fd;
    const int operation = (mode == Mode::Shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
    while (::flock(fd, operation) != 0) {
        if (errno == EINTR)
            continue;
        if (errno == EWOULDBLOCK && !wait)
            return FileLock();
        return Error::internal("cannot lock " + path + ": " + std::strerror(errno));
    }
    return result;
}

} // namespace cd::runtime::images
