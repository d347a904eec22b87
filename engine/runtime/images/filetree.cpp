#include "engine/runtime/images/filetree.h"

#include "engine/runtime/images/rootpath.h"

#include <QCryptographicHash>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace cd::runtime::images {

namespace {

Error systemError(const std::string &what, const std::string &path)
{
    return Error::internal(what + " " + path + ": " + std::strerror(errno));
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : m_fd(fd) {}
    ~FileDescriptor()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FileDescriptor(const FileDescriptor &) = delete;
    FileDescriptor &operator=(const FileDescriptor &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

Status hashFileInto(const std::string &path, QCryptographicHash &hash)
{
    FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (file.get() < 0)
        return systemError("cannot read", path);
    std::vector<char> buffer(1 << 16);
    for (;;) {
        const ssize_t count = ::read(file.get(), buffer.data(), buffer.size());
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            return systemError("cannot read", path);
        if (count == 0)
            return {};
        hash.addData(QByteArrayView(buffer.data(), count));
    }
}

struct TreeWalk {
    QCryptographicHash *hash = nullptr;
    std::int64_t size = 0;
    std::set<std::pair<dev_t, ino_t>> seenInodes;

    void record(std::string_view field)
    {
        if (hash) {
            hash->addData(QByteArrayView(field.data(), qsizetype(field.size())));
            hash->addData(QByteArrayView("\0", 1));
        }
    }

    Status walk(const std::string &path, const std::string &relative)
    {
        CD_TRY(const auto names, listFolder(path));
        for (const std::string &name : names) {
            const std::string child = joinPath(path, name);
            const std::string childRelative = joinPath(relative, name);
            struct stat info = {};
            if (::lstat(child.c_str(), &info) != 0)
                return systemError("cannot inspect", child);
            record(childRelative);
            record(std::to_string(info.st_mode & 0170000) + ':' + std::to_string(info.st_mode & 07777));
            const bool firstSight = seenInodes.insert({info.st_dev, info.st_ino}).second;
            if (S_ISDIR(info.st_mode)) {
                // Measuring only, a folder the image keeps closed (mode 0000) is left out: an
                // unprivileged owner cannot look inside.
                if (!hash && ::access(child.c_str(), R_OK | X_OK) != 0)
                    continue;
                CD_CHECK(walk(child, childRelative));
            } else if (S_ISREG(info.st_mode)) {
                if (firstSight)
                    size += info.st_size;
                if (hash) {
                    record(std::to_string(info.st_size));
                    CD_CHECK(hashFileInto(child, *hash));
                    record({});
                }
            } else if (S_ISLNK(info.st_mode)) {
                if (firstSight)
                    size += info.st_size;
                if (hash) {
                    std::string target(size_t(info.st_size) + 1, '\0');
                    const ssize_t length = ::readlink(child.c_str(), target.data(), target.size());
                    if (length < 0)
                        return systemError("cannot read symlink", child);
                    target.resize(size_t(length));
                    record(target);
                }
            }
        }
        return {};
    }
};

} // namespace

Status removeTree(const std::string &path)
{
    struct stat info = {};
    if (::lstat(path.c_str(), &info) != 0)
        return errno == ENOENT ? Status() : Status(systemError("cannot inspect", path));
    if (!S_ISDIR(info.st_mode)) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT)
            return systemError("cannot delete", path);
        return {};
    }
    if ((info.st_mode & S_IRWXU) != S_IRWXU)
        ::chmod(path.c_str(), (info.st_mode & 07777) | S_IRWXU);
    CD_TRY(const auto names, listFolder(path));
    for (const std::string &name : names)
        CD_CHECK(removeTree(joinPath(path, name)));
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT)
        return systemError("cannot delete folder", path);
    return {};
}

Result<std::vector<std::string>> listFolder(const std::string &path)
{
    DIR *folder = ::opendir(path.c_str());
    if (!folder && errno == ENOENT)
        return Error::notFound(path + " does not exist");
    if (!folder)
        return systemError("cannot list", path);
    std::vector<std::string> names;
    while (const dirent *entry = ::readdir(folder)) {
        const std::string_view name = entry->d_name;
        if (name != "." && name != "..")
            names.emplace_back(name);
    }
    ::closedir(folder);
    std::sort(names.begin(), names.end());
    return names;
}

Result<TreeSummary> summarizeTree(const std::string &root, bool withDigest)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    TreeWalk walk;
    walk.hash = withDigest ? &hash : nullptr;
    CD_CHECK(walk.walk(root, {}));
    TreeSummary summary;
    summary.size = walk.size;
    if (withDigest)
        summary.digest = "sha256:" + hash.result().toHex().toStdString();
    return summary;
}

Result<std::string> sha256OfFile(const std::string &path)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    CD_CHECK(hashFileInto(path, hash));
    return "sha256:" + hash.result().toHex().toStdString();
}

std::string sha256OfBytes(const std::string &bytes)
{
    return "sha256:" +
           QCryptographicHash::hash(QByteArrayView(bytes.data(), qsizetype(bytes.size())), QCryptographicHash::Sha256)
               .toHex()
               .toStdString();
}

Result<std::string> readWholeFile(const std::string &path, std::int64_t maxBytes)
{
    FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.get() < 0)
        return errno == ENOENT ? Error::notFound(path + " does not exist") : systemError("cannot read", path);
    std::string bytes;
    char buffer[1 << 14];
    for (;;) {
        const ssize_t count = ::read(file.get(), buffer, sizeof buffer);
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            return systemError("cannot read", path);
        if (count == 0)
            return bytes;
        bytes.append(buffer, size_t(count));
        if (std::int64_t(bytes.size()) > maxBytes)
            return Error::badRequest(path + " is larger than " + std::to_string(maxBytes) + " bytes");
    }
}

Status writeFileAtomically(const std::string &path, const std::string &bytes)
{
    std::string temporary = path + ".XXXXXX";
    const int fd = ::mkstemp(temporary.data());
    if (fd < 0)
        return systemError("cannot create", temporary);
    FileDescriptor file(fd);
    size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t count = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0) {
            const Error error = systemError("cannot write", temporary);
            ::unlink(temporary.c_str());
            return error;
        }
        written += size_t(count);
    }
    // Readable like any other file of the store (mkstemp makes 0600).
    ::fchmod(fd, 0644);
    if (::fsync(fd) != 0 || ::rename(temporary.c_str(), path.c_str()) != 0) {
        const Error error = systemError("cannot write", path);
        ::unlink(temporary.c_str());
        return error;
    }
    return {};
}

} // namespace cd::runtime::images
