#include "engine/runtime/images/imagestore.h"

#include "engine/runtime/images/filetree.h"
#include "engine/runtime/images/imageimport.h"
#include "engine/runtime/images/imagereference.h"
#include "engine/runtime/images/rootpath.h"
#include "engine/runtime/images/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUrl>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <sys/stat.h>

namespace cd::runtime::images {

namespace {

constexpr std::string_view kNamesFolder = "names";
constexpr std::string_view kContentFolder = "content";
constexpr std::string_view kTmpFolder = "tmp";
constexpr std::string_view kLockFile = "lock";
constexpr std::string_view kRecordFile = "image.json";
constexpr std::string_view kRootfsFolder = "rootfs";
constexpr std::string_view kDigestPrefix = "sha256:";
constexpr std::string_view kHostRepository = "docker.io/library/host";
constexpr std::int64_t kMaxRecordBytes = 16 << 20;

std::string toStd(const QString &text)
{
    return QFile::encodeName(text).toStdString();
}

bool isHex(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(),
                                        [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "sha256:<64 hex>" -> "<64 hex>", the content folder's name; empty when the id is not one.
std::string contentName(std::string_view id)
{
    if (!id.starts_with(kDigestPrefix) || id.size() != kDigestPrefix.size() + 64 ||
        !isHex(id.substr(kDigestPrefix.size())))
        return {};
    return std::string(id.substr(kDigestPrefix.size()));
}

// One file per name. Percent-encoding keeps the file name readable; very long names (which would
// pass NAME_MAX once encoded) are hashed instead. The file holds the name itself either way.
std::string nameFileName(const std::string &name)
{
    const std::string encoded = QUrl::toPercentEncoding(QString::fromStdString(name)).toStdString();
    if (encoded.size() <= 200)
        return encoded + ".json";
    return "sha256-" + sha256OfBytes(name).substr(kDigestPrefix.size()) + ".json";
}

bool isHostReference(const ImageReference &reference)
{
    return reference.repository() == kHostRepository && reference.tag == "latest" && reference.digest.empty();
}

Image hostImage()
{
    Image image;
    image.id = std::string(kHostImageId);
    image.names = {std::string(kHostRepository) + ":latest"};
    image.source = "host";
    image.host = true;
    return image;
}

struct NameEntry {
    std::string name;
    std::string id;
};

Result<std::vector<NameEntry>> readNames(const std::string &folder)
{
    auto files = listFolder(folder);
    if (!files.ok())
        return files.error().kind == ErrorKind::NotFound ? Result<std::vector<NameEntry>>(std::vector<NameEntry>())
                                                         : Result<std::vector<NameEntry>>(files.takeError());
    std::vector<NameEntry> entries;
    for (const std::string &file : *files) {
        if (!file.ends_with(".json"))
            continue; // a name being written (renamed into place when complete)
        auto bytes = readWholeFile(joinPath(folder, file), kMaxRecordBytes);
        if (!bytes.ok())
            continue; // removed meanwhile
        const Json record = Json::parse(*bytes, nullptr, false);
        NameEntry entry{str(record, {"name"}), str(record, {"id"})};
        if (!entry.name.empty() && !contentName(entry.id).empty())
            entries.push_back(std::move(entry));
    }
    return entries;
}

} // namespace

ImageStore::ImageStore(QString root) : m_root(std::move(root)), m_rootPath(toStd(m_root))
{
}

std::string ImageStore::path(std::string_view relative) const
{
    return joinPath(m_rootPath, relative);
}

Status ImageStore::ensureLayout() const
{
    // The root is private: imported as root, an image keeps its setuid files, which other users
    // of the machine must not reach.
    if (!QFileInfo::exists(m_root)) {
        if (!QDir().mkpath(m_root))
            return Error::internal("cannot create the image store " + m_rootPath);
        ::chmod(m_rootPath.c_str(), 0700);
    }
    for (std::string_view folder : {kNamesFolder, kContentFolder, kTmpFolder})
        if (::mkdir(path(folder).c_str(), 0755) != 0 && errno != EEXIST)
            return Error::internal("cannot create " + path(folder) + ": " + std::strerror(errno));
    return {};
}

Result<std::string> ImageStore::idForName(const std::string &normalizedName) const
{
    CD_TRY(const std::string bytes,
           readWholeFile(joinPath(path(kNamesFolder), nameFileName(normalizedName)), kMaxRecordBytes));
    const Json record = Json::parse(bytes, nullptr, false);
    const std::string id = str(record, {"id"});
    if (str(record, {"name"}) != normalizedName || contentName(id).empty())
        return Error::internal("the image store's record of " + normalizedName + " is damaged");
    return id;
}

Result<Image> ImageStore::readImage(const std::string &id) const
{
    const std::string folder = joinPath(path(kContentFolder), contentName(id));
    CD_TRY(const std::string bytes, readWholeFile(joinPath(folder, kRecordFile), kMaxRecordBytes));
    const Json record = Json::parse(bytes, nullptr, false);
    if (!record.is_object() || str(record, {"id"}) != id)
        return Error::internal("the image store's record of " + id + " is damaged");
    Image image;
    image.id = id;
    image.rootfs = QFile::decodeName(QByteArray::fromStdString(joinPath(folder, kRootfsFolder)));
    if (const Json *config = find(record, {"config"}))
        image.config = ImageConfig::fromJson(*config);
    image.size = integer(record, {"size"});
    image.created = parseRfc3339(str(record, {"created"})).value_or(TimePoint{});
    image.source = str(record, {"source"});
    image.manifestDigest = str(record, {"manifestDigest"});
    return image;
}

Error ImageStore::notInStore(const std::string &reference, const std::string &familiar, bool hasDigest) const
{
    const QString dataDir = QFileInfo(m_root).absolutePath();
    std::string message = "image \"" + reference +
                          "\" is not in the local store: import it with clusterdeckd --data-dir " + toStd(dataDir) +
                          " image import " + familiar + " FOLDER|TARBALL";
    if (hasDigest)
        message += " (the digest must be the image ID or its OCI manifest digest)";
    return Error::notFound(message);
}

Result<Image> ImageStore::resolve(const std::string &text) const
{
    CD_TRY(const ImageReference reference, parseImageReference(text));
    if (isHostReference(reference))
        return hostImage();
    if (reference.repository() == kHostRepository)
        return Error::notFound("image \"" + text +
                               "\": \"host\" is the built-in host image and has only the tag latest");
    CD_TRY(const std::vector<NameEntry> names, readNames(path(kNamesFolder)));
    std::string id;
    if (reference.digest.empty()) {
        auto found = idForName(reference.toString());
        if (!found.ok())
            return found.error().kind == ErrorKind::NotFound
                       ? notInStore(reference.toString(), reference.familiar(), false)
                       : found.takeError();
        id = *found;
    } else {
        // A digest names content: any image of this repository whose ID or manifest has it.
        for (const NameEntry &entry : names) {
            auto named = parseImageReference(entry.name);
            if (!named.ok() || named->repository() != reference.repository())
                continue;
            auto image = readImage(entry.id);
            if (image.ok() && (image->id == reference.digest || image->manifestDigest == reference.digest)) {
                id = entry.id;
                break;
            }
        }
        if (id.empty()) {
            ImageReference byTag = reference;
            byTag.digest.clear();
            byTag.tag = "TAG";
            return notInStore(reference.toString(), byTag.familiar(), true);
        }
    }
    auto image = readImage(id);
    if (!image.ok())
        return image.error().kind == ErrorKind::NotFound
                   ? notInStore(reference.toString(), reference.familiar(), !reference.digest.empty())
                   : image.takeError();
    for (const NameEntry &entry : names)
        if (entry.id == id)
            image->names.push_back(entry.name);
    std::sort(image->names.begin(), image->names.end());
    return image;
}

Result<ImageLease> ImageStore::lease(const std::string &reference) const
{
    // A clean-up renames content away while holding its record exclusively: whoever locks the
    // record afterwards finds it gone from its place, and looks again.
    for (int attempt = 0; attempt < 3; ++attempt) {
        CD_TRY(Image image, resolve(reference));
        ImageLease lease;
        if (image.host) {
            lease.m_image = std::move(image);
            return lease;
        }
        const std::string record = joinPath(joinPath(path(kContentFolder), contentName(image.id)), kRecordFile);
        auto lock = FileLock::acquire(record, FileLock::Mode::Shared);
        if (!lock.ok())
            continue;
        struct stat locked = {};
        struct stat current = {};
        if (::fstat(lock->fd(), &locked) != 0 || ::stat(record.c_str(), &current) != 0 ||
            locked.st_ino != current.st_ino || locked.st_dev != current.st_dev)
            continue;
        lease.m_image = std::move(image);
        lease.m_lock = std::move(*lock);
        return lease;
    }
    return Error::conflict("image \"" + reference + "\" changed while it was being opened; try again");
}

Result<std::vector<Image>> ImageStore::list() const
{
    CD_TRY(const std::vector<NameEntry> names, readNames(path(kNamesFolder)));
    std::map<std::string, std::vector<std::string>> namesById;
    for (const NameEntry &entry : names)
        namesById[entry.id].push_back(entry.name);
    std::vector<Image> images;
    for (auto &[id, idNames] : namesById) {
        auto image = readImage(id);
        if (!image.ok())
            continue; // removed while we looked
        image->names = std::move(idNames);
        std::sort(image->names.begin(), image->names.end());
        images.push_back(std::move(*image));
    }
    std::sort(images.begin(), images.end(), [](const Image &a, const Image &b) { return a.names < b.names; });
    images.insert(images.begin(), hostImage());
    return images;
}

Result<Image> ImageStore::import(const std::string &name, const QString &sourcePath)
{
    CD_TRY(const ImageReference reference, parseImageReference(name));
    if (!reference.digest.empty())
        return Error::badRequest("cannot import as \"" + name + "\": name the image NAME[:TAG], without a digest");
    if (reference.repository() == kHostRepository)
        return Error::badRequest("cannot import as \"" + name +
                                 "\": the name \"host\" belongs to the built-in host image; choose another name");
    const std::string source = toStd(QFileInfo(sourcePath).absoluteFilePath());
    if (!QFileInfo::exists(sourcePath))
        return Error::badRequest("cannot import " + source + ": it does not exist");
    CD_CHECK(ensureLayout());
    std::vector<Workspace> trash; // declared first: emptied after the lock is released
    CD_TRY(const Workspace workspace, newWorkspace("import-", trash));
    trash.clear(); // what killed imports left behind, deleted before this one takes room
    const std::string imageFolder = joinPath(workspace.path(), "image");
    const std::string rootfs = joinPath(imageFolder, kRootfsFolder);
    const std::string scratch = joinPath(workspace.path(), "scratch");
    for (const std::string &folder : {imageFolder, rootfs, scratch})
        if (::mkdir(folder.c_str(), 0755) != 0)
            return Error::internal("cannot create " + folder + ": " + std::strerror(errno));
    auto unpacked = unpackImage(source, reference, scratch, rootfs);
    if (!unpacked.ok())
        return Error{unpacked.error().kind, "cannot import " + source + ": " + unpacked.error().message, {}};
    CD_TRY(const TreeSummary summary, summarizeTree(rootfs, unpacked->id.empty()));
    const std::string id = unpacked->id.empty() ? summary.digest : unpacked->id;
    if (contentName(id).empty())
        return Error::badRequest("cannot import " + source + ": the image ID \"" + id + "\" is not a sha256 digest");

    Json record = {{"id", id},
                   {"source", unpacked->source},
                   {"created", rfc3339(unpacked->created.value_or(Clock::current().now()))},
                   {"size", summary.size},
                   {"config", unpacked->config}};
    if (!unpacked->manifestDigest.empty())
        record["manifestDigest"] = unpacked->manifestDigest;
    CD_CHECK(writeFileAtomically(joinPath(imageFolder, kRecordFile), record.dump(2) + "\n"));

    {
        CD_TRY(const FileLock lock, FileLock::acquire(path(kLockFile), FileLock::Mode::Exclusive));
        const std::string content = joinPath(path(kContentFolder), contentName(id));
        struct stat info = {};
        // The same content imported before (by any name) is shared, not stored twice.
        if (::lstat(content.c_str(), &info) != 0 && ::rename(imageFolder.c_str(), content.c_str()) != 0)
            return Error::internal("cannot store " + content + ": " + std::strerror(errno));
        const Json nameRecord = {{"name", reference.toString()}, {"id", id}};
        CD_CHECK(writeFileAtomically(joinPath(path(kNamesFolder), nameFileName(reference.toString())),
                                     nameRecord.dump() + "\n"));
        // The image this name pointed at before may have lost its last name.
        CD_CHECK(collectGarbageLocked(trash));
    }
    return resolve(reference.toString());
}

Result<RemovedImage> ImageStore::remove(const std::string &name)
{
    auto reference = parseImageReference(name);
    if (reference.ok() && isHostReference(*reference))
        return Error::badRequest("the built-in host image cannot be removed");
    CD_CHECK(ensureLayout());
    std::vector<Workspace> trash; // declared first: emptied after the lock is released
    CD_TRY(const FileLock lock, FileLock::acquire(path(kLockFile), FileLock::Mode::Exclusive));
    CD_TRY(const std::vector<NameEntry> names, readNames(path(kNamesFolder)));

    std::vector<NameEntry> doomed;
    if (reference.ok() && reference->digest.empty()) {
        for (const NameEntry &entry : names)
            if (entry.name == reference->toString())
                doomed.push_back(entry);
    }
    if (doomed.empty()) {
        // Not a name: an image ID, or the start of one (as `podman rmi 3f57d9401f8d`).
        std::string prefix = name.starts_with(kDigestPrefix) ? name : std::string(kDigestPrefix) + name;
        std::set<std::string> ids;
        if (isHex(std::string_view(prefix).substr(kDigestPrefix.size())))
            for (const NameEntry &entry : names)
                if (entry.id.starts_with(prefix))
                    ids.insert(entry.id);
        if (ids.size() > 1)
            return Error::badRequest("\"" + name + "\" is the start of " + std::to_string(ids.size()) +
                                     " image IDs: give more of it");
        for (const NameEntry &entry : names)
            if (ids.count(entry.id))
                doomed.push_back(entry);
    }
    if (doomed.empty()) {
        if (!reference.ok())
            return reference.takeError();
        return Error::notFound("image \"" + reference->toString() + "\" is not in the local store");
    }
    RemovedImage removed;
    for (const NameEntry &entry : doomed) {
        const std::string file = joinPath(path(kNamesFolder), nameFileName(entry.name));
        if (::unlink(file.c_str()) != 0 && errno != ENOENT)
            return Error::internal("cannot remove " + file + ": " + std::strerror(errno));
        removed.untagged.push_back(entry.name);
    }
    CD_CHECK(collectGarbageLocked(trash));
    const std::string id = doomed.front().id;
    struct stat info = {};
    if (::lstat(joinPath(path(kContentFolder), contentName(id)).c_str(), &info) != 0)
        removed.deletedId = id;
    else
        removed.inUse = std::none_of(names.begin(), names.end(), [&](const NameEntry &entry) {
            return entry.id == id &&
                   std::find(removed.untagged.begin(), removed.untagged.end(), entry.name) == removed.untagged.end();
        });
    return removed;
}

Status ImageStore::collectGarbage()
{
    CD_CHECK(ensureLayout());
    std::vector<Workspace> trash; // declared first: emptied after the lock is released
    CD_TRY(const FileLock lock, FileLock::acquire(path(kLockFile), FileLock::Mode::Exclusive));
    return collectGarbageLocked(trash);
}

Status ImageStore::collectGarbageLocked(std::vector<Workspace> &trash)
{
    CD_TRY(const std::vector<NameEntry> names, readNames(path(kNamesFolder)));
    std::set<std::string> referenced;
    for (const NameEntry &entry : names)
        referenced.insert(contentName(entry.id));
    auto contents = listFolder(path(kContentFolder));
    if (!contents.ok())
        return contents.error().kind == ErrorKind::NotFound ? Status() : Status(contents.takeError());
    for (const std::string &hex : *contents) {
        if (referenced.count(hex))
            continue;
        const std::string content = joinPath(path(kContentFolder), hex);
        auto inUse = FileLock::tryAcquire(joinPath(content, kRecordFile), FileLock::Mode::Exclusive);
        if (inUse.ok() && !inUse->held())
            continue; // leased by a running container: it goes at a later clean-up
        // Out of sight first (one rename), then deleted at leisure.
        CD_TRY(Workspace bin, Workspace::create(path(kTmpFolder), "remove-"));
        if (::rename(content.c_str(), joinPath(bin.path(), "content").c_str()) != 0)
            return Error::internal("cannot remove " + content + ": " + std::strerror(errno));
        trash.push_back(std::move(bin));
    }
    CD_TRY(std::vector<Workspace> abandoned, Workspace::adoptAbandoned(path(kTmpFolder)));
    for (Workspace &workspace : abandoned)
        trash.push_back(std::move(workspace));
    return {};
}

Result<Workspace> ImageStore::newWorkspace(std::string_view prefix, std::vector<Workspace> &trash)
{
    CD_TRY(const FileLock lock, FileLock::acquire(path(kLockFile), FileLock::Mode::Exclusive));
    CD_TRY(std::vector<Workspace> abandoned, Workspace::adoptAbandoned(path(kTmpFolder)));
    for (Workspace &workspace : abandoned)
        trash.push_back(std::move(workspace));
    return Workspace::create(path(kTmpFolder), prefix);
}

} // namespace cd::runtime::images
