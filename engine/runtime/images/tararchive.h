#pragma once
// Tar archives through libarchive: plain, gzip, bzip2, xz or zstd compressed, told apart by
// their content rather than their file name.

#include "engine/core/result.h"

#include <set>
#include <string>

namespace cd::runtime::images {

class RootfsWriter;

enum class Whiteouts { Apply, Keep };

struct TarStatistics {
    int entries = 0;
    int skippedDevices = 0; // device nodes and sockets are not unpacked (an unprivileged importer cannot)
};

// Unpacks every entry through the writer (which refuses paths leading out of its root). With
// Whiteouts::Apply the archive is an image layer and its whiteout entries delete lower content.
Result<TarStatistics> unpackTar(const std::string &archivePath, RootfsWriter &writer, Whiteouts whiteouts);

// The first path component of every entry ("manifest.json", "blobs", "bin", ...), to tell an
// image archive from a root filesystem tarball.
Result<std::set<std::string>> topLevelNames(const std::string &archivePath);

} // namespace cd::runtime::images
