#pragma once
// Turns what a person imports into an unpacked root filesystem: a folder is copied, a rootfs
// tarball unpacked, a `docker save` or OCI archive unpacked layer by layer (whiteouts applied).
// Unpacking happens in a scratch folder; the store makes the result visible by renaming it.

#include "engine/core/clock.h"
#include "engine/core/json.h"
#include "engine/core/result.h"
#include "engine/runtime/images/imagereference.h"

#include <optional>
#include <string>

namespace cd::runtime::images {

struct UnpackedImage {
    std::string id; // the config digest of an archive, the digest of a tarball; empty: the store fingerprints the tree
    Json config = Json::object(); // the "config" object of the image config (Entrypoint, Cmd, ...)
    std::optional<TimePoint> created;
    std::string manifestDigest; // OCI only
    std::string source;         // folder, tarball, docker-archive, oci-archive
};

// Unpacks source into rootfs (an empty folder); scratch is a private folder for the archive's
// own files. name picks one image from an archive that holds several.
Result<UnpackedImage> unpackImage(const std::string &source, const ImageReference &name, const std::string &scratch,
                                  const std::string &rootfs);

} // namespace cd::runtime::images
