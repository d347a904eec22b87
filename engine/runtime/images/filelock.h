#pragma once
// flock(2) locks: shared between processes on this machine (the CLI and a running engine share
// the image store), released by the kernel when a process dies, so a crash never leaves one held.

#include "engine/core/result.h"

#include <string>

namespace cd::runtime::images {

class FileLock {
public:
    enum class Mode { Shared, Exclusive };

    FileLock() = default;
    ~FileLock();
    FileLock(FileLock &&other) noexcept;
    FileLock &operator=(FileLock &&other) noexcept;
    FileLock(const FileLock &) = delete;
    FileLock &operator=(const FileLock &) = delete;

    // Locks a file (created when missing) or a folder, waiting for other holders.
    static Result<FileLock> acquire(const std::string &path, Mode mode);
    // Locks without waiting: nullopt-like empty lock (held() false) when someone else holds it.
    static Result<FileLock> tryAcquire(const std::string &path, Mode mode);

    bool held() const { return m_fd >= 0; }
    int fd() const { return m_fd; }
    void release();

private:
    static Result<FileLock> lock(const std::string &path, Mode mode, bool wait);
    int m_fd = -1;
};

} // namespace cd::runtime::images
