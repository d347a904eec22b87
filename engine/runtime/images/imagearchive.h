#pragma once
// The two image archive layouts, read from a folder (an unpacked archive, or one given as is):
//  - `docker save`: manifest.json = [{"Config": "<file>", "RepoTags": [...], "Layers": ["<file>", ...]}]
//  - OCI image layout: oci-layout, index.json -> (image index ->) manifest -> config + layers,
//    every blob at blobs/<algorithm>/<hex> and checked against its digest.
// Both give the image config and the layer files in the order they stack.

#include "engine/core/json.h"
#include "engine/core/result.h"
#include "engine/runtime/images/imagereference.h"

#include <string>
#include <vector>

namespace cd::runtime::images {

struct ImageLayout {
    Json config;                         // the whole image config document
    std::string configDigest;            // "sha256:<hex>" of the config bytes: the image ID
    std::string manifestDigest;          // the OCI manifest's digest; empty for docker save
    std::vector<std::string> layerFiles; // absolute paths, lowest layer first
};

bool isDockerArchiveFolder(const std::string &folder);
bool isOciLayoutFolder(const std::string &folder);

// wanted picks one image when the archive holds several (by its tag or name annotation).
Result<ImageLayout> readDockerArchive(const std::string &folder, const ImageReference &wanted);
Result<ImageLayout> readOciLayout(const std::string &folder, const ImageReference &wanted);

} // namespace cd::runtime::images
