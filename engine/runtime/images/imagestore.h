#pragma once
// The local image store: images that pods can run without any network. People fill it by
// importing a root filesystem folder, a rootfs tarball, a `docker save` archive or an OCI image
// layout archive; the process runtime asks it for an image's root filesystem.
//
// On disk (DATA_DIR/images), so the CLI and a running engine can share it:
//   names/<reference>.json   {"name": "docker.io/library/busybox:latest", "id": "sha256:..."}
//   content/<hex>/image.json the image's record (id, config, size, created, source)
//   content/<hex>/rootfs/    the unpacked root filesystem, to be bind-mounted read-only
//   tmp/                     imports in progress and content being deleted (locked while in use)
//   lock                     held (flock) for the short moments that change names or content
// Every change is a rename, so a reader sees an image whole or not at all, and an interrupted
// import leaves only an unlocked folder under tmp/ that the next writer clears away. Reads take no lock
// and always look at the disk, so an image imported by the CLI is visible to a running engine.
//
// One ImageStore object belongs to one thread.

#include "engine/core/clock.h"
#include "engine/core/result.h"
#include "engine/runtime/images/filelock.h"
#include "engine/runtime/images/imageconfig.h"
#include "engine/runtime/images/workspace.h"

#include <QString>

#include <cstdint>
#include <string>
#include <vector>

namespace cd::runtime::images {

// The built-in image that runs commands on the host's filesystem (bound read-only).
inline constexpr std::string_view kHostImageName = "host";
inline constexpr std::string_view kHostImageId = "host";

struct Image {
    std::string id;                 // "sha256:<hex>"; "host" for the host image
    std::vector<std::string> names; // normalized references pointing at it, sorted
    QString rootfs;                 // the root filesystem folder; empty for the host image
    ImageConfig config;             // empty for plain folders and rootfs tarballs
    std::int64_t size = 0;          // bytes of the unpacked root filesystem
    TimePoint created{};
    std::string source;         // folder, tarball, docker-archive, oci-archive, host
    std::string manifestDigest; // of an OCI import: "name@<this digest>" finds the image too
    bool host = false;
};

// Keeps an image's content on disk while a container uses it (a shared lock on its record):
// remove() then only untags it, and the content goes at a later clean-up once no one holds it.
class ImageLease {
public:
    ImageLease() = default;
    const Image &image() const { return m_image; }

private:
    friend class ImageStore;
    Image m_image;
    FileLock m_lock;
};

struct RemovedImage {
    std::vector<std::string> untagged; // the names removed
    std::string deletedId;             // the ID whose content went with them; empty when something keeps it
    bool inUse = false;                // no name is left, but a running container keeps the content
};

class ImageStore {
public:
    // root: DATA_DIR/images; made on the first write.
    explicit ImageStore(QString root);

    QString root() const { return m_root; }

    // Imports a root filesystem folder, a rootfs tarball (.tar, .tar.gz, ...), a `docker save`
    // archive or an OCI image layout (archive or folder) under a name ("busybox", "app:1.0").
    // A name already in use moves to the new image.
    Result<Image> import(const std::string &name, const QString &path);

    // Every image, the host image first, then by name.
    Result<std::vector<Image>> list() const;

    // Untags a name (or every name of an image ID or ID prefix); the content goes when no name
    // points at it any more.
    Result<RemovedImage> remove(const std::string &name);

    // The image a pod names ("busybox", "docker.io/library/busybox:latest", "app@sha256:...").
    // A missing image's error says how to import it.
    Result<Image> resolve(const std::string &reference) const;

    // resolve(), and keep the content on disk until the lease is dropped.
    Result<ImageLease> lease(const std::string &reference) const;

    // Deletes content no name points at (and no lease holds), and leftovers of interrupted imports.
    Status collectGarbage();

private:
    std::string path(std::string_view relative) const;
    Status ensureLayout() const;
    Result<Image> readImage(const std::string &id) const;
    Result<std::string> idForName(const std::string &normalizedName) const;
    // A workspace under tmp/, made under the store's lock; abandoned ones go into trash.
    Result<Workspace> newWorkspace(std::string_view prefix, std::vector<Workspace> &trash);
    // Moves unreferenced content into trash workspaces, which the caller drops after unlocking.
    Status collectGarbageLocked(std::vector<Workspace> &trash);
    Error notInStore(const std::string &reference, const std::string &familiar, bool hasDigest) const;

    QString m_root;
    std::string m_rootPath;
};

} // namespace cd::runtime::images
