#include "engine/runtime/images/foldercopy.h"

#include "engine/runtime/images/filetree.h"
#include "engine/runtime/images/rootfswriter.h"
#include "engine/runtime/images/rootpath.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cd::runtime::images {

namespace {

class FolderCopy {
public:
    FolderCopy(const std::string &source, RootfsWriter &writer) : m_source(source), m_writer(writer) {}

    Status copy(const std::string &relative)
    {
        const std::string folder = joinPath(m_source, relative);
        CD_TRY(const auto names, listFolder(folder));
        for (const std::string &name : names)
            CD_CHECK(copyEntry(joinPath(relative, name)));
        return {};
    }

private:
    Error systemError(const std::string &what, const std::string &path) const
    {
        return Error::badRequest(what + " " + path + ": " + std::strerror(errno));
    }

    Status copyEntry(const std::string &relative)
    {
        const std::string path = joinPath(m_source, relative);
        struct stat info = {};
        if (::lstat(path.c_str(), &info) != 0)
            return systemError("cannot inspect", path);
        EntryMetadata metadata;
        metadata.permissions = info.st_mode & 07777;
        metadata.uid = info.st_uid;
        metadata.gid = info.st_gid;
        metadata.modified = info.st_mtim;
        if (S_ISDIR(info.st_mode)) {
            CD_CHECK(m_writer.addFolder(relative, metadata));
            return copy(relative);
        }
        if (S_ISLNK(info.st_mode)) {
            std::string target(size_t(info.st_size) + 1, '\0');
            const ssize_t length = ::readlink(path.c_str(), target.data(), target.size());
            if (length < 0)
                return systemError("cannot read symlink", path);
            target.resize(size_t(length));
            return m_writer.addSymlink(relative, target, metadata);
        }
        if (S_ISFIFO(info.st_mode))
            return m_writer.addFifo(relative, metadata);
        if (!S_ISREG(info.st_mode))
            return {}; // devices and sockets
        if (info.st_nlink > 1) {
            const auto [known, inserted] = m_linkedFiles.try_emplace({info.st_dev, info.st_ino}, relative);
            if (!inserted)
                return m_writer.addHardlink(relative, known->second);
        }
        return copyFile(path, relative, info.st_size, metadata);
    }

    Status copyFile(const std::string &path, const std::string &relative, off_t size, const EntryMetadata &metadata)
    {
        const int input = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (input < 0)
            return systemError("cannot read", path);
        auto output = m_writer.createFile(relative);
        if (!output.ok()) {
            ::close(input);
            return output.takeError();
        }
        Status status;
        off_t offset = 0;
        while (offset < size) {
            const ssize_t sent = ::sendfile(*output, input, &offset, size_t(size - offset));
            if (sent < 0 && errno == EINTR)
                continue;
            if (sent < 0) {
                status = systemError("cannot copy", path);
                break;
            }
            if (sent == 0)
                break; // the file shrank while we copied it
        }
        ::close(input);
        const Status closed = m_writer.closeFile(*output, metadata);
        CD_CHECK(status);
        return closed;
    }

    std::string m_source;
    RootfsWriter &m_writer;
    std::map<std::pair<dev_t, ino_t>, std::string> m_linkedFiles;
};

} // namespace

Status copyFolder(const std::string &source, RootfsWriter &writer)
{
    return FolderCopy(source, writer).copy({});
}

} // namespace cd::runtime::images
