#include "engine/runtime/images/imageimport.h"

#include "engine/runtime/images/filetree.h"
#include "engine/runtime/images/foldercopy.h"
#include "engine/runtime/images/imagearchive.h"
#include "engine/runtime/images/rootfswriter.h"
#include "engine/runtime/images/rootpath.h"
#include "engine/runtime/images/tararchive.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace cd::runtime::images {

namespace {

// Owners are kept only by root, as Docker does; anyone else owns what they import.
bool canKeepOwners()
{
    return ::geteuid() == 0;
}

Result<UnpackedImage> applyLayers(const ImageLayout &layout, const std::string &rootfs, std::string source)
{
    RootfsWriter writer(rootfs, canKeepOwners());
    for (size_t i = 0; i < layout.layerFiles.size(); ++i) {
        writer.beginLayer();
        auto unpacked = unpackTar(layout.layerFiles[i], writer, Whiteouts::Apply);
        if (!unpacked.ok())
            return Error::badRequest("layer " + std::to_string(i + 1) + " of " +
                                     std::to_string(layout.layerFiles.size()) + ": " + unpacked.error().message);
    }
    CD_CHECK(writer.finish());
    UnpackedImage image;
    image.id = layout.configDigest;
    image.manifestDigest = layout.manifestDigest;
    image.source = std::move(source);
    if (const Json *config = find(layout.config, {"config"}); config && config->is_object())
        image.config = *config;
    image.created = parseRfc3339(str(layout.config, {"created"}));
    return image;
}

// An image archive given as a folder (unpacked by the importer or by us).
Result<UnpackedImage> unpackArchiveFolder(const std::string &folder, const ImageReference &name,
                                          const std::string &rootfs)
{
    if (isOciLayoutFolder(folder)) {
        CD_TRY(const ImageLayout layout, readOciLayout(folder, name));
        return applyLayers(layout, rootfs, "oci-archive");
    }
    CD_TRY(const ImageLayout layout, readDockerArchive(folder, name));
    return applyLayers(layout, rootfs, "docker-archive");
}

Result<UnpackedImage> unpackFile(const std::string &source, const ImageReference &name, const std::string &scratch,
                                 const std::string &rootfs)
{
    CD_TRY(const auto names, topLevelNames(source));
    const bool ociLayout = names.count("oci-layout") && names.count("index.json");
    if (ociLayout || names.count("manifest.json")) {
        // The archive's files are named from its manifests, in any order: unpack them first.
        const std::string archiveFolder = joinPath(scratch, "archive");
        if (::mkdir(archiveFolder.c_str(), 0700) != 0)
            return Error::internal("cannot create " + archiveFolder + ": " + std::strerror(errno));
        RootfsWriter writer(archiveFolder, false);
        CD_CHECK(unpackTar(source, writer, Whiteouts::Keep));
        CD_CHECK(writer.finish());
        return unpackArchiveFolder(archiveFolder, name, rootfs);
    }
    RootfsWriter writer(rootfs, canKeepOwners());
    CD_CHECK(unpackTar(source, writer, Whiteouts::Keep));
    CD_CHECK(writer.finish());
    UnpackedImage image;
    image.source = "tarball";
    // The tarball's own digest: reading the unpacked tree back could meet files and folders
    // the image made unreadable (mode 0000), which an unprivileged importer cannot open.
    CD_TRY(image.id, sha256OfFile(source));
    return image;
}

} // namespace

Result<UnpackedImage> unpackImage(const std::string &source, const ImageReference &name, const std::string &scratch,
                                  const std::string &rootfs)
{
    struct stat info = {};
    if (::stat(source.c_str(), &info) != 0)
        return Error::badRequest(source + ": " + std::strerror(errno));
    if (S_ISREG(info.st_mode))
        return unpackFile(source, name, scratch, rootfs);
    if (!S_ISDIR(info.st_mode))
        return Error::badRequest(source + " is neither a folder nor a tarball");
    if (isOciLayoutFolder(source) || isDockerArchiveFolder(source))
        return unpackArchiveFolder(source, name, rootfs);
    RootfsWriter writer(rootfs, canKeepOwners());
    CD_CHECK(copyFolder(source, writer));
    CD_CHECK(writer.finish());
    UnpackedImage image;
    image.source = "folder";
    return image;
}

} // namespace cd::runtime::images
