#include "engine/runtime/images/rootfswriter.h"

#include "engine/runtime/images/filetree.h"
#include "engine/runtime/images/rootpath.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace cd::runtime::images {

namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
// Other ".wh..wh.*" names are AUFS bookkeeping (hard link directories), never content.
constexpr std::string_view kAufsMetaPrefix = ".wh..wh.";

Error systemError(const std::string &what, const std::string &path)
{
    return Error::internal(what + " " + path + ": " + std::strerror(errno));
}

std::string parentOf(const std::string &relative)
{
    const size_t slash = relative.rfind('/');
    return slash == std::string::npos ? std::string() : relative.substr(0, slash);
}

} // namespace

RootfsWriter::RootfsWriter(std::string root, bool preserveOwnership)
    : m_root(std::move(root)), m_preserveOwnership(preserveOwnership)
{
}

void RootfsWriter::forget(const std::string &relative)
{
    m_folderMetadata.erase(relative);
    const std::string prefix = relative + '/';
    auto it = m_folderMetadata.lower_bound(prefix);
    while (it != m_folderMetadata.end() && it->first.starts_with(prefix))
        it = m_folderMetadata.erase(it);
}

Result<std::string> RootfsWriter::prepare(std::string_view entryPath, bool isFolder, std::string *relative)
{
    CD_TRY(std::vector<std::string> components, splitEntryPath(entryPath));
    if (components.empty()) {
        if (!isFolder)
            return Error::badRequest("entry \"" + std::string(entryPath) + "\" names the root but is not a folder");
        if (relative)
            *relative = {};
        return m_root;
    }
    const std::string name = components.back();
    components.pop_back();
    CD_TRY(const RootPath parent, resolveUnderRoot(m_root, components, true, true));
    struct stat info = {};
    if (::lstat(parent.absolute.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
        return Error::badRequest("\"" + parent.relative + "\" is not a folder");
    const std::string path = joinPath(parent.absolute, name);
    const std::string rel = joinPath(parent.relative, name);
    if (::lstat(path.c_str(), &info) == 0 && !(isFolder && S_ISDIR(info.st_mode))) {
        CD_CHECK(removeTree(path));
        forget(rel);
    }
    // The layer wrote this path and the folders above it: an opaque marker keeps them.
    for (std::string walk = rel; !walk.empty(); walk = parentOf(walk))
        m_writtenInLayer.insert(walk);
    if (relative)
        *relative = rel;
    return path;
}

Status RootfsWriter::applyOwnerAndTime(const std::string &path, const EntryMetadata &metadata, bool isSymlink)
{
    if (m_preserveOwnership && ::lchown(path.c_str(), metadata.uid, metadata.gid) != 0)
        return systemError("cannot set the owner of", path);
    if (!isSymlink && ::chmod(path.c_str(), metadata.permissions & 07777) != 0)
        return systemError("cannot set the mode of", path);
    const timespec times[2] = {metadata.modified, metadata.modified};
    ::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW); // times are a nicety
    return {};
}

Status RootfsWriter::addFolder(std::string_view entryPath, const EntryMetadata &metadata)
{
    std::string relative;
    CD_TRY(const std::string path, prepare(entryPath, true, &relative));
    // Writable by us while layers go on; the real mode comes at finish().
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        return systemError("cannot create folder", path);
    m_folderMetadata[relative] = metadata;
    return {};
}

Result<int> RootfsWriter::createFile(std::string_view entryPath)
{
    CD_TRY(const std::string path, prepare(entryPath, false));
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return systemError("cannot create", path);
    return fd;
}

Status RootfsWriter::closeFile(int fd, const EntryMetadata &metadata)
{
    Status status;
    if (m_preserveOwnership && ::fchown(fd, metadata.uid, metadata.gid) != 0)
        status = Error::internal(std::string("cannot set a file's owner: ") + std::strerror(errno));
    else if (::fchmod(fd, metadata.permissions & 07777) != 0)
        status = Error::internal(std::string("cannot set a file's mode: ") + std::strerror(errno));
    const timespec times[2] = {metadata.modified, metadata.modified};
    ::futimens(fd, times);
    ::close(fd);
    return status;
}

Status RootfsWriter::addSymlink(std::string_view entryPath, const std::string &target, const EntryMetadata &metadata)
{
    CD_TRY(const std::string path, prepare(entryPath, false));
    // The target is only text here: it is resolved inside the sandbox, never by the importer.
    if (::symlink(target.c_str(), path.c_str()) != 0)
        return systemError("cannot create symlink", path);
    return applyOwnerAndTime(path, metadata, true);
}

Status RootfsWriter::addHardlink(std::string_view entryPath, std::string_view targetEntryPath)
{
    CD_TRY(const std::vector<std::string> targetComponents, splitEntryPath(targetEntryPath));
    auto target = resolveUnderRoot(m_root, targetComponents, false, false);
    if (!target.ok())
        return Error::badRequest("hard link target \"" + std::string(targetEntryPath) +
                                 "\": " + target.error().message);
    struct stat info = {};
    if (targetComponents.empty() || ::lstat(target->absolute.c_str(), &info) != 0 || S_ISDIR(info.st_mode))
        return Error::badRequest("hard link target \"" + std::string(targetEntryPath) + "\" is not a file");
    CD_TRY(std::vector<std::string> components, splitEntryPath(entryPath));
    if (!components.empty()) {
        const std::string name = components.back();
        components.pop_back();
        auto parent = resolveUnderRoot(m_root, components, true, false);
        if (parent.ok() && joinPath(parent->absolute, name) == target->absolute)
            return {}; // a link to itself: already there
    }
    CD_TRY(const std::string path, prepare(entryPath, false));
    if (::linkat(AT_FDCWD, target->absolute.c_str(), AT_FDCWD, path.c_str(), 0) != 0)
        return systemError("cannot create hard link", path);
    return {};
}

Status RootfsWriter::addFifo(std::string_view entryPath, const EntryMetadata &metadata)
{
    CD_TRY(const std::string path, prepare(entryPath, false));
    if (::mkfifo(path.c_str(), 0600) != 0)
        return systemError("cannot create fifo", path);
    return applyOwnerAndTime(path, metadata, false);
}

Result<bool> RootfsWriter::applyWhiteout(std::string_view entryPath)
{
    CD_TRY(std::vector<std::string> components, splitEntryPath(entryPath));
    if (components.empty() || !std::string_view(components.back()).starts_with(kWhiteoutPrefix))
        return false;
    const std::string name = components.back();
    components.pop_back();
    if (name == kOpaqueMarker) {
        CD_TRY(const RootPath folder, resolveUnderRoot(m_root, components, true, true));
        // Recursive: inside folders this layer wrote again, lower content is hidden too.
        std::vector<RootPath> pending{folder};
        while (!pending.empty()) {
            const RootPath current = pending.back();
            pending.pop_back();
            CD_TRY(const auto names, listFolder(current.absolute));
            for (const std::string &child : names) {
                const RootPath entry{joinPath(current.absolute, child), joinPath(current.relative, child)};
                struct stat info = {};
                if (m_writtenInLayer.count(entry.relative)) {
                    if (::lstat(entry.absolute.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
                        pending.push_back(entry);
                    continue;
                }
                CD_CHECK(removeTree(entry.absolute));
                forget(entry.relative);
            }
        }
        return true;
    }
    if (name.starts_with(kAufsMetaPrefix))
        return true;
    const std::string hidden = name.substr(kWhiteoutPrefix.size());
    if (hidden.empty() || hidden == "." || hidden == "..")
        return Error::badRequest("malformed whiteout \"" + std::string(entryPath) + "\"");
    auto folder = resolveUnderRoot(m_root, components, true, false);
    if (!folder.ok())
        return folder.error().kind == ErrorKind::NotFound ? Result<bool>(true) : Result<bool>(folder.takeError());
    const std::string relative = joinPath(folder->relative, hidden);
    CD_CHECK(removeTree(joinPath(folder->absolute, hidden)));
    forget(relative);
    return true;
}

Status RootfsWriter::finish()
{
    // Reverse order visits "a/b" before "a": a parent turning read-only cannot block its children.
    for (auto it = m_folderMetadata.rbegin(); it != m_folderMetadata.rend(); ++it) {
        CD_TRY(const std::vector<std::string> components, splitEntryPath(it->first));
        auto folder = resolveUnderRoot(m_root, components, false, false);
        struct stat info = {};
        if (!folder.ok() || ::lstat(folder->absolute.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
            continue;
        CD_CHECK(applyOwnerAndTime(folder->absolute, it->second, false));
    }
    m_folderMetadata.clear();
    return {};
}

} // namespace cd::runtime::images
