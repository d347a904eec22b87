#include "engine/runtime/images/tararchive.h"

#include "engine/runtime/images/rootfswriter.h"
#include "engine/runtime/images/rootpath.h"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace cd::runtime::images {

namespace {

using ArchivePointer = std::unique_ptr<archive, decltype(&archive_read_free)>;

Result<ArchivePointer> openTar(const std::string &path)
{
    ArchivePointer reader(archive_read_new(), &archive_read_free);
    archive_read_support_filter_all(reader.get());
    archive_read_support_format_tar(reader.get());
    if (archive_read_open_filename(reader.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
        return Error::badRequest(path + " is not a readable tar archive: " + archive_error_string(reader.get()));
    return reader;
}

// Reads the next header; false at the end.
Result<bool> nextEntry(archive *reader, archive_entry **entry, const std::string &path)
{
    const int status = archive_read_next_header(reader, entry);
    if (status == ARCHIVE_EOF)
        return false;
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
        const char *message = archive_error_string(reader);
        return Error::badRequest(path + " is not a valid tar archive: " + (message ? message : "unreadable"));
    }
    return true;
}

std::string entryName(archive_entry *entry)
{
    const char *name = archive_entry_pathname(entry);
    return name ? name : "";
}

EntryMetadata metadataOf(archive_entry *entry)
{
    EntryMetadata metadata;
    metadata.permissions = archive_entry_perm(entry);
    metadata.uid = uid_t(archive_entry_uid(entry));
    metadata.gid = gid_t(archive_entry_gid(entry));
    metadata.modified.tv_sec = archive_entry_mtime(entry);
    metadata.modified.tv_nsec = archive_entry_mtime_nsec(entry);
    return metadata;
}

Status copyData(archive *reader, archive_entry *entry, int fd)
{
    const void *block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
        const int status = archive_read_data_block(reader, &block, &size, &offset);
        if (status == ARCHIVE_EOF)
            break;
        if (status != ARCHIVE_OK && status != ARCHIVE_WARN)
            return Error::badRequest(std::string("truncated or corrupt data: ") + archive_error_string(reader));
        const char *bytes = static_cast<const char *>(block);
        while (size > 0) {
            // pwrite at the block's offset keeps sparse files sparse.
            const ssize_t written = ::pwrite(fd, bytes, size, offset);
            if (written < 0 && errno == EINTR)
                continue;
            if (written < 0)
                return Error::internal(std::string("cannot write: ") + std::strerror(errno));
            bytes += written;
            offset += written;
            size -= size_t(written);
        }
    }
    if (archive_entry_size_is_set(entry) && ::ftruncate(fd, archive_entry_size(entry)) != 0)
        return Error::internal(std::string("cannot size file: ") + std::strerror(errno));
    return {};
}

Status unpackEntry(archive *reader, archive_entry *entry, RootfsWriter &writer, Whiteouts whiteouts,
                   TarStatistics &statistics)
{
    const std::string name = entryName(entry);
    if (whiteouts == Whiteouts::Apply) {
        CD_TRY(const bool wasWhiteout, writer.applyWhiteout(name));
        if (wasWhiteout)
            return {};
    }
    if (const char *linkTarget = archive_entry_hardlink(entry))
        return writer.addHardlink(name, linkTarget);
    const EntryMetadata metadata = metadataOf(entry);
    switch (archive_entry_filetype(entry)) {
    case AE_IFDIR: return writer.addFolder(name, metadata);
    case AE_IFLNK: {
        const char *target = archive_entry_symlink(entry);
        return writer.addSymlink(name, target ? target : "", metadata);
    }
    case AE_IFIFO: return writer.addFifo(name, metadata);
    case AE_IFREG: {
        CD_TRY(const int fd, writer.createFile(name));
        const Status copied = copyData(reader, entry, fd);
        const Status closed = writer.closeFile(fd, metadata);
        CD_CHECK(copied);
        return closed;
    }
    default: // character and block devices, sockets
        ++statistics.skippedDevices;
        return {};
    }
}

} // namespace

Result<TarStatistics> unpackTar(const std::string &archivePath, RootfsWriter &writer, Whiteouts whiteouts)
{
    CD_TRY(ArchivePointer reader, openTar(archivePath));
    TarStatistics statistics;
    archive_entry *entry = nullptr;
    for (;;) {
        CD_TRY(const bool more, nextEntry(reader.get(), &entry, archivePath));
        if (!more)
            break;
        ++statistics.entries;
        const Status status = unpackEntry(reader.get(), entry, writer, whiteouts, statistics);
        if (!status.ok())
            return Error{status.error().kind, "entry \"" + entryName(entry) + "\": " + status.error().message, {}};
    }
    if (statistics.entries == 0)
        return Error::badRequest(archivePath + " is an empty archive");
    return statistics;
}

Result<std::set<std::string>> topLevelNames(const std::string &archivePath)
{
    CD_TRY(ArchivePointer reader, openTar(archivePath));
    std::set<std::string> names;
    archive_entry *entry = nullptr;
    int entries = 0;
    for (;;) {
        CD_TRY(const bool more, nextEntry(reader.get(), &entry, archivePath));
        if (!more)
            break;
        ++entries;
        // Unsafe names are reported later, by the unpacking that refuses them.
        auto components = splitEntryPath(entryName(entry));
        if (components.ok() && !components->empty())
            names.insert(components->front());
    }
    if (entries == 0)
        return Error::badRequest(archivePath + " is an empty archive");
    return names;
}

} // namespace cd::runtime::images
