#include "engine/runtime/images/workspace.h"

#include "engine/runtime/images/filetree.h"
#include "engine/runtime/images/rootpath.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <utility>

namespace cd::runtime::images {

Result<Workspace> Workspace::create(const std::string &parent, std::string_view prefix)
{
    std::string path = joinPath(parent, std::string(prefix) + "XXXXXX");
    if (!::mkdtemp(path.data()))
        return Error::internal("cannot create a working folder in " + parent + ": " + std::strerror(errno));
    auto lock = FileLock::acquire(path, FileLock::Mode::Exclusive);
    if (!lock.ok()) {
        (void)removeTree(path);
        return lock.takeError();
    }
    Workspace workspace;
    workspace.m_path = std::move(path);
    workspace.m_lock = std::move(*lock);
    return workspace;
}

Result<std::vector<Workspace>> Workspace::adoptAbandoned(const std::string &parent)
{
    std::vector<Workspace> abandoned;
    auto names = listFolder(parent);
    if (!names.ok())
        return names.error().kind == ErrorKind::NotFound ? Result<std::vector<Workspace>>(std::move(abandoned))
                                                         : Result<std::vector<Workspace>>(names.takeError());
    for (const std::string &name : *names) {
        const std::string path = joinPath(parent, name);
        struct stat info = {};
        if (::lstat(path.c_str(), &info) != 0)
            continue;
        if (!S_ISDIR(info.st_mode)) {
            (void)removeTree(path); // a stray file: nothing of ours is a file here
            continue;
        }
        auto lock = FileLock::tryAcquire(path, FileLock::Mode::Exclusive);
        if (!lock.ok() || !lock->held())
            continue; // a live import or deletion
        Workspace workspace;
        workspace.m_path = path;
        workspace.m_lock = std::move(*lock);
        abandoned.push_back(std::move(workspace));
    }
    return abandoned;
}

Workspace::Workspace(Workspace &&other) noexcept
    : m_path(std::exchange(other.m_path, {})), m_lock(std::move(other.m_lock))
{
}

Workspace::~Workspace()
{
    if (!m_path.empty())
        (void)removeTree(m_path); // best effort: leftovers are adopted by the next writer
}

} // namespace cd::runtime::images
