#pragma once
// One engine per data folder: an exclusive flock on DIR/lock, released by the kernel when the
// process ends however it ends, so a crash never leaves a stale lock behind.

#include "engine/core/result.h"

#include <QString>

namespace cd::cluster {

class DataDirLock {
public:
    DataDirLock() = default;
    ~DataDirLock();
    DataDirLock(const DataDirLock &) = delete;
    DataDirLock &operator=(const DataDirLock &) = delete;

    // Fails with a message naming the process that holds the folder.
    Status acquire(const QString &dataDir);
    void release();

private:
    int m_fd = -1;
};

} // namespace cd::cluster
